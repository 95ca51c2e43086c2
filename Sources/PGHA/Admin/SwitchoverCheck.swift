/// `pgha switchover`'s decision, before anything changes: is a planned move of the primary role safe now,
/// and to which node. Pure: a function of what `pgha status` gathered and of the CIB.

/// What the command should do.
public enum SwitchoverDecision: Equatable, Sendable {
    /// Move the promoted role from `from` to `to`.
    case go(from: String, to: String)
    /// Change nothing, for this reason (one sentence).
    case refuse(String)
}

/// The facts the decision reads.
public struct SwitchoverFacts: Sendable {
    public var status: ClusterStatus
    public var crmMon: CrmMon
    public var maintenanceMode: Bool
    /// Location constraints of the CIB, by id (a `cli-prefer-<clone>` is another move, running or left over).
    public var locationConstraints: [String]
    public var maxlag: Int64

    public init(status: ClusterStatus, crmMon: CrmMon, maintenanceMode: Bool, locationConstraints: [String],
                maxlag: Int64) {
        self.status = status
        self.crmMon = crmMon
        self.maintenanceMode = maintenanceMode
        self.locationConstraints = locationConstraints
        self.maxlag = maxlag
    }
}

/// The constraint `crm_resource --move` creates for `clone`, the one the command must remove.
public func moveConstraintID(clone: String) -> String { "cli-prefer-" + clone }

/// Pure: whether to switch over, and to which standby. `target` nil: the standby Pacemaker would promote
/// (the highest promotion score; then the least lag, then the name). Refused when the cluster is not in a
/// state to plan a move (maintenance, a node unclean, offline or in standby, a failed action, another move
/// constraint, not exactly one primary) or the target could lose writes (not streaming, lagging more than
/// maxlag, not confirming commits in synchronous mode).
public func decideSwitchover(_ facts: SwitchoverFacts, target: String?) -> SwitchoverDecision {
    let status = facts.status
    guard let clone = status.clone else { return .refuse("\(status.resource) is not in a clone") }
    guard let primary = status.primary else { return .refuse("no single primary to switch over from") }
    if facts.maintenanceMode { return .refuse("the cluster is in maintenance mode") }
    if facts.locationConstraints.contains(moveConstraintID(clone: clone)) {
        return .refuse("constraint \(moveConstraintID(clone: clone)) exists: another switchover is running, or one was left behind (crm_resource --clear --resource \(clone))")
    }
    for node in facts.crmMon.nodes {
        if node.unclean { return .refuse("\(node.name) is unclean (being fenced)") }
        if node.maintenance { return .refuse("\(node.name) is in maintenance mode") }
    }
    if let failed = status.failedActions.first {
        return .refuse("Pacemaker has failed actions (\(failed)): look at them and clear them first (crm_resource --cleanup)")
    }
    if let failed = status.nodes.first(where: { $0.pacemakerRole == .failed }) {
        return .refuse("\(failed.node)'s instance has failed")
    }
    func unfit(_ node: NodeStatus) -> String? {
        let crmNode = facts.crmMon.nodes.first { $0.name == node.node }
        guard crmNode?.online == true else { return "\(node.node) is offline" }
        if crmNode?.standby == true { return "\(node.node) is in standby mode" }
        guard node.role == .standby, node.replicationState == "streaming" else {
            return "\(node.node) is not a streaming standby of \(primary) (\(node.role.rawValue)\(node.replicationState.map { ", \($0)" } ?? ""))"
        }
        if facts.maxlag > 0, let lag = node.lagBytes, lag > facts.maxlag {
            return "\(node.node) is \(lag) bytes behind \(primary), more than maxlag \(facts.maxlag)"
        }
        if status.syncStandbys > 0, node.syncState != "quorum", node.syncState != "sync" {
            return "\(node.node) does not confirm commits (sync_state \(node.syncState ?? "none")): it may lack acknowledged writes"
        }
        if let score = node.score, score < 0 { return "\(node.node)'s promotion score is \(score)" }
        return nil
    }
    if let target {
        guard let node = status.nodes.first(where: { $0.node == target }) else {
            return .refuse("\(target) is not a node of \(status.resource) (nodes: \(status.nodes.map(\.node).joined(separator: ", ")))")
        }
        if target == primary { return .refuse("\(target) is already the primary") }
        if let why = unfit(node) { return .refuse(why) }
        return .go(from: primary, to: target)
    }
    let candidates = status.nodes.filter { $0.node != primary && unfit($0) == nil }
    let best = candidates.min { a, b in
        (-(a.score ?? 0), a.lagBytes ?? Int64.max, a.node) < (-(b.score ?? 0), b.lagBytes ?? Int64.max, b.node)
    }
    guard let best else {
        let reasons = status.nodes.filter { $0.node != primary }.compactMap(unfit)
        return .refuse("no standby can take over: " + (reasons.isEmpty ? "there is none" : reasons.joined(separator: "; ")))
    }
    return .go(from: primary, to: best.node)
}
