/// What every action gets: the environment Pacemaker set, its name and the log.
public struct ActionContext: Sendable {
    public let environment: OCFEnvironment
    public let action: String
    public let log: Log

    public init(environment: OCFEnvironment, action: String) {
        self.environment = environment
        self.action = action
        log = Log(instance: environment.instance, action: action, logfile: environment["HA_LOGFILE"],
                  debug: OCFEnvironment.isTrue(environment["HA_debug"]))
    }

    /// Pacemaker's command-line tools, found as the environment says.
    public var cluster: Cluster { Cluster(environment: environment) }

    /// Seconds this operation may take, minus a margin so the agent fails with a reason before Pacemaker
    /// kills it.
    public func budget(default fallback: Int) -> Int {
        let total = environment.timeoutSeconds(default: fallback)
        return max(2, total - max(2, total / 10))
    }

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
