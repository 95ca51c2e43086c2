/// What `pgha status` reports: one resource, every node, and the problems found. Built by
/// `ClusterStatus.assess` from facts; rendered by `StatusText` and `StatusJSON`.
public struct ClusterStatus: Equatable, Sendable {
    public var resource: String
    public var clone: String?
    public var syncStandbys: Int
    /// The node whose PostgreSQL answers as the primary, when exactly one does.
    public var primary: String?
    public var nodes: [NodeStatus]
    /// Everything that is not as a healthy cluster would be, one sentence each; empty when healthy.
    public var problems: [String]
    /// Failed operations Pacemaker keeps until a cleanup (`crm_resource --cleanup`): history, not the present
    /// state, so they do not make the status unhealthy; an instance failed now is a problem.
    public var failedActions: [String] = []

    /// 0 healthy, 1 when a problem was found (a node that does not answer is one).
    public var exitCode: Int32 { problems.isEmpty ? 0 : 1 }
}

/// What a node is, from its PostgreSQL first and Pacemaker when PostgreSQL does not answer.
public enum NodeRole: String, Equatable, Sendable {
    case primary, standby, stopped, failed
}

/// One node's line.
public struct NodeStatus: Equatable, Sendable {
    public var node: String
    /// Pacemaker's view of the node itself; false too when crm_mon does not list it.
    public var online: Bool
    public var pacemakerRole: PacemakerRole
    public var role: NodeRole
    /// Why PostgreSQL did not answer; nil when it did.
    public var error: String?
    public var timeline: UInt32?
    /// The primary's current LSN; a standby's received-or-replayed, whichever is further.
    public var lsn: LSN?
    public var receiveLSN: LSN?
    public var replayLSN: LSN?
    /// Replay lag behind the primary: 0 on the primary, nil when unknown.
    public var lagBytes: Int64?
    public var lagSeconds: Double?
    /// The node's slot on the primary (`pgha_<node>`); nil on the primary itself.
    public var slot: String?
    /// Whether the primary has the slot; nil when there is no slot to speak of (the primary) or no primary to ask.
    public var slotExists: Bool?
    /// Whether a WAL receiver uses it (false too when it is missing); nil as for `slotExists`.
    public var slotActive: Bool?
    /// pg_stat_replication.state and sync_state on the primary, nil when the standby has no WAL sender there.
    public var replicationState: String?
    public var syncState: String?
    /// The promotion score (`master-<resource>`), nil when unset.
    public var score: Int?
    public var decision: DecisionRecord?
}
