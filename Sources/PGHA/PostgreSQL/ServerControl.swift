/// pg_ctl, run as system_user. Every call waits (`-w`) with a timeout under the operation's own, so a
/// stuck server makes the action fail with a reason instead of Pacemaker killing the agent.
public struct ServerControl: Sendable {
    public let bindir: String
    public let pgdata: String
    public let datadir: String
    public let user: SystemUser
    public let logfile: String
    public let startOptions: String
    public let port: Int
    /// The action's deadline: each call gets at most the time left, whatever it is given.
    public let deadline: Deadline

    var pgCtl: String { bindir + "/pg_ctl" }

    /// pg_ctl's own wait (`-t`) and the limit after which the agent kills it: pg_ctl gives up a second
    /// early, so that its own message says why.
    private func limits(_ timeoutSeconds: Int) -> (pgCtl: Int, process: Int) {
        let process = deadline.seconds(atMost: timeoutSeconds)
        return (max(1, process - 1), process)
    }

    /// Starts the server and returns once it accepts connections (a hot standby) or `timeout` passes.
    public func start(timeoutSeconds: Int = Int.max) throws(AgentError) {
        let (wait, limit) = limits(timeoutSeconds)
        var options = "-c port=\(port)"
        // The -o options reach a shell bare: the path is quoted for it (spaces, non-ASCII names).
        if datadir != pgdata { options += " -c " + ShellExposure.quote("data_directory=" + datadir) }
        if !startOptions.isEmpty { options += " " + startOptions }
        do {
            try ChildProcess.check(pgCtl, ["start", "-D", pgdata, "-w", "-t", String(wait), "-l", logfile,
                                           "-o", options],
                                   as: user, workingDirectory: datadir, timeoutSeconds: limit)
        } catch .commandFailed(let command, let status, let output) {
            // pg_ctl only says "examine the log output": the server's last line says why.
            // Read as the system user, never following a link: the log's directory is often the user's.
            let serverSays = SystemUserFiles(user: user).readIfPossible(logfile)?.split(separator: "\n").last.map(String.init)
            throw .commandFailed(command: command, status: status, output: serverSays ?? output)
        }
    }

    /// Fast shutdown: sessions are cut, a shutdown checkpoint is written; waits until the server is gone.
    public func stop(timeoutSeconds: Int = Int.max) throws(AgentError) {
        try stop(mode: "fast", timeoutSeconds: timeoutSeconds)
    }

    /// For an instance that must not keep running (a primary that does not answer the agent, a primary
    /// where a standby was wanted): a fast shutdown with two thirds of the time, then an immediate one
    /// (no checkpoint: the next start replays the WAL, as after a crash) with what is left.
    public func stopAtAnyCost(timeoutSeconds: Int = Int.max) throws(AgentError) {
        let total = deadline.seconds(atMost: timeoutSeconds)
        let fast = max(1, total * 2 / 3)
        do {
            try stop(mode: "fast", timeoutSeconds: fast)
        } catch {
            try stop(mode: "immediate", timeoutSeconds: max(1, total - fast))
        }
    }

    private func stop(mode: String, timeoutSeconds: Int) throws(AgentError) {
        let (wait, limit) = limits(timeoutSeconds)
        try ChildProcess.check(pgCtl, ["stop", "-D", datadir, "-m", mode, "-w", "-t", String(wait)],
                               as: user, workingDirectory: datadir, timeoutSeconds: limit)
    }

    /// Ends recovery; waits until the server accepts writes.
    public func promote(timeoutSeconds: Int = Int.max) throws(AgentError) {
        let (wait, limit) = limits(timeoutSeconds)
        try ChildProcess.check(pgCtl, ["promote", "-D", datadir, "-w", "-t", String(wait)],
                               as: user, workingDirectory: datadir, timeoutSeconds: limit)
    }

    /// The major version of the binaries, from `pg_ctl --version`.
    public func binariesVersion() throws(AgentError) -> ServerVersion {
        let output = try ChildProcess.check(pgCtl, ["--version"], as: user, timeoutSeconds: deadline.seconds(atMost: 10))
        guard let version = ServerVersion(versionOutput: output) else {
            throw .commandFailed(command: "pg_ctl --version", status: 0, output: "unreadable: \(output)")
        }
        return version
    }
}
