/// What makes an instance start (and stay) a streaming standby, in the form its version wants:
/// `recovery.conf` up to 11, `standby.signal` plus settings in `postgresql.auto.conf` from 12.
public struct RecoveryConfiguration: Equatable, Sendable {
    public var primaryConninfo: String
    public var primarySlotName: String

    public init(primaryConninfo: String, primarySlotName: String) {
        self.primaryConninfo = primaryConninfo
        self.primarySlotName = primarySlotName
    }

    /// The settings the agent owns, with their values.
    public var settings: [(String, String?)] {
        [("primary_conninfo", primaryConninfo), ("primary_slot_name", primarySlotName)]
    }

    /// The whole recovery.conf for 10 and 11. `latest` follows the new primary across a promotion;
    /// it is the default from 12 on.
    public var recoveryConf: String {
        ConfigFile.rewrite("# Written by pgha: this node is a standby. Rewritten at every start.\n",
                           setting: [("standby_mode", "on")] + settings + [("recovery_target_timeline", "latest")])
    }

    /// `postgresql.auto.conf` with the agent's settings replaced, everything else kept (12 and later).
    public func autoConf(rewriting existing: String) -> String {
        ConfigFile.rewrite(existing, setting: settings)
    }

    /// The file names involved, relative to the data directory.
    public enum File {
        public static let recoveryConf = "recovery.conf"
        public static let standbySignal = "standby.signal"
        public static let autoConf = "postgresql.auto.conf"
    }

    /// Reads the configuration a stopped or running standby has now, from the file its version uses.
    public static func current(version: ServerVersion, fileText: String) -> RecoveryConfiguration {
        RecoveryConfiguration(primaryConninfo: ConfigFile.value(of: "primary_conninfo", in: fileText) ?? "",
                              primarySlotName: ConfigFile.value(of: "primary_slot_name", in: fileText) ?? "")
    }
}
