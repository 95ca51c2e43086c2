#if canImport(Glibc)
import Glibc
#endif

/// The resource as the actions see it: parameters checked against the machine, the binaries found, the
/// data directory's version known. Built once per action by `Resource.resolve`.
public struct Resource: Sendable {
    public let parameters: Parameters
    public let user: SystemUser
    public let bindir: String
    public let dataDirectory: DataDirectory
    public let version: ServerVersion
    public let node: String
    /// The action's deadline: every pg_ctl, tool and session below gets at most the time left.
    public let deadline: Deadline

    public var control: ServerControl {
        ServerControl(bindir: bindir, pgdata: parameters.pgdata, datadir: parameters.datadir, user: user,
                      logfile: parameters.logfile, startOptions: parameters.startOptions, port: parameters.pgport,
                      deadline: deadline)
    }

    /// The local instance over its socket: connect and statement timeouts of `timeoutSeconds`, or less when
    /// the action's deadline is nearer.
    public func sessionTarget(timeoutSeconds: Int = 5) -> Session.Target {
        let seconds = deadline.seconds(atMost: timeoutSeconds)
        return Session.Target(socketDirectory: parameters.pghost, port: parameters.pgport, user: user,
                              connectTimeoutSeconds: seconds, statementTimeoutMilliseconds: seconds * 1000)
    }

    public func connect(timeoutSeconds: Int = 5) throws(AgentError) -> Session {
        try Session(sessionTarget(timeoutSeconds: timeoutSeconds))
    }

    /// The control file, through pg_controldata within the action's deadline.
    public func controlData() throws(AgentError) -> ControlData {
        try ControlData.read(bindir: bindir, datadir: parameters.datadir, as: user,
                             timeoutSeconds: deadline.seconds(atMost: 20))
    }

    /// This node's replication slot on the primary.
    public var slotName: String { ReplicationSlot.name(for: node) }

    /// The binaries needed by every action but monitor's steady state.
    static let requiredBinaries = ["pg_ctl", "pg_controldata", "postgres"]

    /// How much of the machine an action checks before it runs.
    public enum Checks: Sendable {
        /// Parameters, user and data directory: enough to connect (monitor's first step).
        case dataDirectory
        /// ... and the binaries are there.
        case binaries
        /// ... and their major version is the data directory's (`pg_ctl --version`, a child process).
        case binariesVersion
    }

    /// Checks what an action needs from the machine, as deep as `checks` says.
    public static func resolve(environment: OCFEnvironment, checks: Checks,
                               deadline: Deadline) throws(AgentError) -> Resource {
        let parameters = try Parameters(environment: environment)
        let user = try SystemUser(name: parameters.systemUser)
        let dataDirectory = DataDirectory(path: parameters.datadir, owner: user)
        guard dataDirectory.exists else { throw .noData(path: parameters.datadir, empty: false) }
        // The agent reads and writes in there as the system user (SystemUserFiles): another owner's
        // directory is a configuration error, not a missing one.
        var info = stat()
        if stat(parameters.datadir, &info) == 0, info.st_uid != user.uid {
            throw .invalidParameter(name: "system_user", value: user.name,
                                    why: "does not own the data directory \(parameters.datadir)")
        }
        if parameters.pgdata != parameters.datadir, !FileSystem.isDirectory(parameters.pgdata) {
            throw .pgdataMissing(parameters.pgdata)
        }
        guard let version = dataDirectory.version else {
            // Read only on this failure path: the steady state never lists the directory.
            switch dataDirectory.contents {
            case .data, .foreign: throw .notADataDirectory(parameters.datadir)
            case .missing: throw .noData(path: parameters.datadir, empty: false)
            case .empty, .cloneInterrupted, .cloneFinished: throw .noData(path: parameters.datadir, empty: true)
            }
        }
        guard version.isSupported else { throw .unsupportedVersion(version.major) }
        let bindir = parameters.bindir ?? defaultBindir(for: version)
        let resource = Resource(parameters: parameters, user: user, bindir: bindir, dataDirectory: dataDirectory,
                                version: version, node: environment.nodeName, deadline: deadline)
        if checks != .dataDirectory { try resource.checkBinaries() }
        if checks == .binariesVersion {
            let binaries = try resource.control.binariesVersion()
            guard binaries == version else { throw .versionMismatch(data: version.major, binaries: binaries.major) }
        }
        return resource
    }

    /// The resource of an action: its environment, bounded by its deadline.
    static func resolve(_ context: ActionContext, checks: Checks) throws(AgentError) -> Resource {
        try resolve(environment: context.environment, checks: checks, deadline: context.deadline)
    }

    public func checkBinaries() throws(AgentError) {
        for binary in Self.requiredBinaries where !ChildProcess.isExecutable(bindir + "/" + binary) {
            throw .binaryMissing(bindir + "/" + binary)
        }
    }

    /// Debian's layout first (one directory per major version), then the traditional /usr/bin.
    static func defaultBindir(for version: ServerVersion) -> String {
        let debian = "/usr/lib/postgresql/\(version)/bin"
        return ChildProcess.isExecutable(debian + "/pg_ctl") ? debian : "/usr/bin"
    }
}
