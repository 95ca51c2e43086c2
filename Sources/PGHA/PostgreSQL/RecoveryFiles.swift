/// Writing and reading a data directory's recovery configuration, by version.
public struct RecoveryFiles: Sendable {
    public let dataDirectory: DataDirectory
    public let version: ServerVersion

    public init(dataDirectory: DataDirectory, version: ServerVersion) {
        self.dataDirectory = dataDirectory
        self.version = version
    }

    /// The file that holds primary_conninfo for this version.
    var settingsPath: String {
        dataDirectory.file(version.usesRecoveryConf ? RecoveryConfiguration.File.recoveryConf
                                                    : RecoveryConfiguration.File.autoConf)
    }

    /// What the files say now (empty values when nothing is set).
    public func current() throws(AgentError) -> RecoveryConfiguration {
        RecoveryConfiguration.current(version: version, fileText: try files.read(settingsPath) ?? "")
    }

    /// The data directory is the system user's: its files are read and replaced as that user.
    var files: SystemUserFiles { dataDirectory.files }

    /// Makes a stopped instance start as a standby with `configuration`. Every file is replaced atomically;
    /// the settings are written before the marker, so a crash in between leaves no standby.signal without them.
    public func write(_ configuration: RecoveryConfiguration) throws(AgentError) {
        if version.usesRecoveryConf {
            try files.writeAtomically(settingsPath, configuration.recoveryConf)
        } else {
            let existing = try files.read(settingsPath) ?? ""
            try files.writeAtomically(settingsPath, configuration.autoConf(rewriting: existing))
            try files.writeAtomically(dataDirectory.file(RecoveryConfiguration.File.standbySignal), "")
        }
    }

    /// Applies `configuration` to a running standby through `session`. Returns true when the server must be
    /// restarted for it to take effect (12 and older); 13 and later re-read it on reload.
    public func apply(_ configuration: RecoveryConfiguration, through session: Session) throws(AgentError) -> Bool {
        if version.usesRecoveryConf {
            try files.writeAtomically(settingsPath, configuration.recoveryConf)
            return true
        }
        // ALTER SYSTEM writes postgresql.auto.conf atomically itself, and works on a hot standby.
        for (name, value) in configuration.settings {
            try session.query("ALTER SYSTEM SET \(name) = \(try session.literal(value ?? ""))")
        }
        if version.reloadsPrimaryConninfo {
            try session.query("SELECT pg_reload_conf()")
            return false
        }
        return true
    }

    /// What a running standby uses now (12+: the server's settings; ≤ 11: recovery.conf).
    public func running(through session: Session) throws(AgentError) -> RecoveryConfiguration {
        guard !version.usesRecoveryConf else { return try current() }
        let row = try session.query("SELECT current_setting('primary_conninfo'), current_setting('primary_slot_name')")
        return RecoveryConfiguration(primaryConninfo: (row.first?[0] ?? nil) ?? "",
                                     primarySlotName: (row.first?[1] ?? nil) ?? "")
    }
}
