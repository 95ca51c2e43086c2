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

    var pgCtl: String { bindir + "/pg_ctl" }

    /// Starts the server and returns once it accepts connections (a hot standby) or `timeout` passes.
    public func start(timeoutSeconds: Int) throws(AgentError) {
        var options = "-c port=\(port)"
        // The -o options reach a shell bare: the path is quoted for it (spaces, non-ASCII names).
        if datadir != pgdata { options += " -c " + ShellExposure.quote("data_directory=" + datadir) }
        if !startOptions.isEmpty { options += " " + startOptions }
        do {
            try ChildProcess.check(pgCtl, ["start", "-D", pgdata, "-w", "-t", String(timeoutSeconds), "-l", logfile,
                                           "-o", options],
                                   as: user, workingDirectory: datadir, timeoutSeconds: timeoutSeconds + 5)
        } catch .commandFailed(let command, let status, let output) {
            // pg_ctl only says "examine the log output": the server's last line says why.
            // Read as the system user, never following a link: the log's directory is often the user's.
            let serverSays = SystemUserFiles(user: user).readIfPossible(logfile)?.split(separator: "\n").last.map(String.init)
            throw .commandFailed(command: command, status: status, output: serverSays ?? output)
        }
    }

    /// Fast shutdown: sessions are cut, a shutdown checkpoint is written; waits until the server is gone.
    public func stop(timeoutSeconds: Int) throws(AgentError) {
        try stop(mode: "fast", timeoutSeconds: timeoutSeconds)
    }

    /// For an instance that must not keep running (a primary that does not answer the agent, a primary
    /// where a standby was wanted): a fast shutdown with two thirds of the time, then an immediate one
    /// (no checkpoint: the next start replays the WAL, as after a crash) with what is left.
    public func stopAtAnyCost(timeoutSeconds: Int) throws(AgentError) {
        let fast = max(1, timeoutSeconds * 2 / 3)
        do {
            try stop(mode: "fast", timeoutSeconds: fast)
        } catch {
            try stop(mode: "immediate", timeoutSeconds: max(1, timeoutSeconds - fast))
        }
    }

    private func stop(mode: String, timeoutSeconds: Int) throws(AgentError) {
        try ChildProcess.check(pgCtl, ["stop", "-D", datadir, "-m", mode, "-w", "-t", String(timeoutSeconds)],
                               as: user, workingDirectory: datadir, timeoutSeconds: timeoutSeconds + 5)
    }

    /// Ends recovery; waits until the server accepts writes.
    public func promote(timeoutSeconds: Int) throws(AgentError) {
        try ChildProcess.check(pgCtl, ["promote", "-D", datadir, "-w", "-t", String(timeoutSeconds)],
                               as: user, workingDirectory: datadir, timeoutSeconds: timeoutSeconds + 5)
    }

    /// The major version of the binaries, from `pg_ctl --version`.
    public func binariesVersion() throws(AgentError) -> ServerVersion {
        let output = try ChildProcess.check(pgCtl, ["--version"], as: user, timeoutSeconds: 10)
        guard let version = ServerVersion(versionOutput: output) else {
            throw .commandFailed(command: "pg_ctl --version", status: 0, output: "unreadable: \(output)")
        }
        return version
    }
}
