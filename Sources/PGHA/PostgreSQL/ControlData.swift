/// What `pg_controldata` says about a data directory. Read only off the hot path: when the server does not
/// answer, or before start and promote decisions.
public struct ControlData: Equatable, Sendable {
    /// `Database cluster state`.
    public enum State: String, Sendable {
        case startingUp = "starting up"
        case shutDown = "shut down"
        case shutDownInRecovery = "shut down in recovery"
        case shuttingDown = "shutting down"
        case inCrashRecovery = "in crash recovery"
        case inArchiveRecovery = "in archive recovery"
        case inProduction = "in production"
        case unknown
    }

    public var state: State

    /// True when the control file says the instance last ran as a primary: running ("in production"),
    /// stopped as one ("shut down"), killed during its shutdown checkpoint ("shutting down") or during its
    /// own crash recovery ("in crash recovery"). A standby's states say "recovery".
    public var wasPrimary: Bool { [.inProduction, .shutDown, .shuttingDown, .inCrashRecovery].contains(state) }
    public var checkpointTimeline: UInt32?
    public var checkpointLocation: LSN?
    public var redoLocation: LSN?
    public var minRecoveryEnd: LSN?
    public var minRecoveryEndTimeline: UInt32?

    /// The point a standby's replay must reach again before it may open: PostgreSQL refuses to start one
    /// whose next timeline does not contain it. nil for a primary's control file (0/0).
    public var minimumRecoveryPoint: WALPosition? {
        guard let lsn = minRecoveryEnd, lsn.value > 0, let timeline = minRecoveryEndTimeline, timeline > 0 else { return nil }
        return WALPosition(timeline: timeline, lsn: lsn)
    }

    /// Parses `pg_controldata` output (run with LC_ALL=C).
    public init(output: String) {
        var fields: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].trimmingWhitespace] = line[line.index(after: colon)...].trimmingWhitespace
        }
        state = fields["Database cluster state"].flatMap(State.init(rawValue:)) ?? .unknown
        checkpointTimeline = fields["Latest checkpoint's TimeLineID"].flatMap { UInt32($0) }
        checkpointLocation = fields["Latest checkpoint location"].flatMap { LSN($0) }
        redoLocation = fields["Latest checkpoint's REDO location"].flatMap { LSN($0) }
        minRecoveryEnd = fields["Minimum recovery ending location"].flatMap { LSN($0) }
        minRecoveryEndTimeline = fields["Min recovery ending loc's timeline"].flatMap { UInt32($0) }
    }

    /// Runs `pg_controldata` on `datadir` as `user`.
    public static func read(bindir: String, datadir: String, as user: SystemUser,
                            timeoutSeconds: Int = 20) throws(AgentError) -> ControlData {
        let output = try ChildProcess.check(bindir + "/pg_controldata", [datadir], as: user,
                                            timeoutSeconds: timeoutSeconds)
        return ControlData(output: output)
    }
}
