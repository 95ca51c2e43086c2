/// Everything that makes an action fail, with the facts that explain it.
/// `code` and `reason` turn it into what Pacemaker shows the operator; nothing else does.
public enum AgentError: Error, Equatable, Sendable {
    case usage(String)
    case unknownAction(String)
    case missingParameter(String)
    case invalidParameter(name: String, value: String, why: String)
    case unknownSystemUser(String)
    case notPermitted(String)
    case binaryMissing(String)
    case pgdataMissing(String)
    case notADataDirectory(String)
    /// The data directory is missing or empty and bootstrap is off.
    case noData(path: String, empty: Bool)
    case versionMismatch(data: Int, binaries: Int)
    case unsupportedVersion(Int)
    case notifyDisabled
    case notPromotable
    case unexpectedState(String)
    case commandFailed(command: String, status: Int32, output: String)
    case timedOut(String)
    case query(String)
    case fileWrite(path: String, errno: Int32)
    case fileRead(path: String, errno: Int32)
    /// Something in a directory the system user controls that the agent will not follow or use.
    case untrustedPath(path: String, why: String)
    case refused(String)

    public var code: OCFReturnCode {
        switch self {
        case .usage: return .errArgs
        case .unknownAction: return .errUnimplemented
        case .missingParameter, .invalidParameter, .unknownSystemUser, .notifyDisabled, .notPromotable,
             .versionMismatch, .notADataDirectory:
            return .errConfigured
        case .notPermitted: return .errPerm
        case .binaryMissing, .pgdataMissing, .noData, .unsupportedVersion: return .errInstalled
        case .unexpectedState, .commandFailed, .timedOut, .query, .fileWrite, .fileRead, .untrustedPath, .refused:
            return .errGeneric
        }
    }

    /// The sentence for `ocf-exit-reason`: what is wrong and, where it helps, what to change.
    public var reason: String {
        switch self {
        case .usage(let text): return text
        case .unknownAction(let action): return "unknown action '\(action)'"
        case .missingParameter(let name): return "parameter '\(name)' is required"
        case .invalidParameter(let name, let value, let why): return "parameter '\(name)'='\(value)': \(why)"
        case .unknownSystemUser(let user): return "system_user '\(user)' does not exist"
        case .notPermitted(let text): return text
        case .binaryMissing(let path): return "'\(path)' is missing or not executable (check bindir)"
        case .pgdataMissing(let path): return "data directory '\(path)' does not exist"
        case .notADataDirectory(let path): return "'\(path)' has no PG_VERSION: not a PostgreSQL data directory"
        case .noData(let path, let empty):
            return "data directory '\(path)' \(empty ? "is empty" : "does not exist"): set bootstrap=true to clone it from the primary at start, or create it with pg_basebackup"
        case .versionMismatch(let data, let binaries):
            return "data directory is PostgreSQL \(data) but bindir has PostgreSQL \(binaries) binaries"
        case .unsupportedVersion(let version): return "PostgreSQL \(version) is not supported (10 and later are)"
        case .notifyDisabled: return "the clone must have notify=true"
        case .notPromotable: return "the resource must be a promotable clone (promotable=true)"
        case .unexpectedState(let text): return text
        case .commandFailed(let command, let status, let output):
            // The line that says what went wrong, else the last one.
            let lines = output.split(separator: "\n")
            let tail = (lines.first { $0.contains("error:") || $0.contains("FATAL") } ?? lines.last).map(String.init) ?? ""
            return "\(command) exited with status \(status)" + (tail.isEmpty ? "" : ": \(tail)")
        case .timedOut(let what): return "timed out: \(what)"
        case .query(let text): return "query failed: \(text)"
        case .fileWrite(let path, let errno): return "could not write '\(path)' (errno \(errno))"
        case .fileRead(let path, let errno): return "could not read '\(path)' (errno \(errno))"
        case .untrustedPath(let path, let why):
            return "'\(path)' \(why): not followed (the system user can change what is there)"
        case .refused(let text): return text
        }
    }
}
