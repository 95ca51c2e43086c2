/// What every action gets: the environment Pacemaker set, its name and the log.
public struct ActionContext: Sendable {
    public let environment: OCFEnvironment
    public let action: String
    public let log: Log
    /// When this action must be done by: every step gets only the time left (see `Deadline`).
    public let deadline: Deadline

    public init(environment: OCFEnvironment, action: String) {
        self.environment = environment
        self.action = action
        log = Log(instance: environment.instance, action: action, logfile: environment["HA_LOGFILE"],
                  debug: OCFEnvironment.isTrue(environment["HA_debug"]))
        deadline = .forOperation(timeoutSeconds: environment.timeoutSeconds(default: MetaData.defaultTimeout(of: action)))
    }

    /// Pacemaker's command-line tools, found as the environment says, bounded by this action's deadline.
    public var cluster: Cluster { Cluster(environment: environment, deadline: deadline) }

    /// Where this resource keeps per-boot state (HA_RSCTMP).
    public func statePath(_ name: String) -> String {
        environment.stateDirectory + "/pgha-" + environment.resourceName + "." + name
    }

    /// A per-boot state file's content without surrounding white space, nil when absent.
    func readState(_ name: String) -> String? {
        FileSystem.read(statePath(name)).map(\.trimmingWhitespace)
    }

    /// Replaces a per-boot state file; best effort: these files are hints that save work, not facts the
    /// cluster's safety rests on.
    func writeState(_ name: String, _ text: String) {
        FileSystem.makeDirectories(environment.stateDirectory)
        try? FileSystem.writeAtomically(statePath(name), text + "\n", mode: 0o644)
    }

    func removeState(_ name: String) {
        try? FileSystem.remove(statePath(name))
    }
}

/// Seconds a long step before a server start (pg_rewind, pg_basebackup) leaves for that start: a quarter of
/// what is left, at most 20 s.
func startReserve(_ context: ActionContext) -> Int {
    min(20, context.deadline.seconds() / 4)
}
