#if canImport(Glibc)
import Glibc
#endif

/// The agent's log: one line per decision, `pgha(<instance>)[<pid>]: LEVEL: <action>: <text>`, on stderr,
/// which Pacemaker's executor records, and in HA_LOGFILE when that is set.
public struct Log: Sendable {
    public enum Level: String, Sendable { case debug = "DEBUG", info = "INFO", warning = "WARNING", error = "ERROR" }

    public let instance: String
    public let action: String
    public let logfile: String?
    public let debug: Bool

    public init(instance: String, action: String, logfile: String? = nil, debug: Bool = false) {
        self.instance = instance
        self.action = action
        self.logfile = logfile
        self.debug = debug
    }

    /// Secrets in the text (a password in a connection string) are masked: a log is read by many.
    public func line(_ level: Level, _ text: String) -> String {
        "pgha(\(instance))[\(getpid())]: \(level.rawValue): \(action): \(Conninfo.masked(in: text))"
    }

    public func write(_ level: Level, _ text: String) {
        if level == .debug && !debug { return }
        let message = line(level, text) + "\n"
        fputs(message, stderr)
        if let logfile, let file = fopen(logfile, "a") {
            fputs(message, file)
            fclose(file)
        }
    }

    public func info(_ text: String) { write(.info, text) }
    public func warning(_ text: String) { write(.warning, text) }
    public func error(_ text: String) { write(.error, text) }
    public func debug(_ text: String) { write(.debug, text) }

    /// What Pacemaker shows in `crm_mon` for a failed operation.
    public func exitReason(_ text: String) {
        fputs("ocf-exit-reason:\(Conninfo.masked(in: text))\n", stderr)
    }
}
