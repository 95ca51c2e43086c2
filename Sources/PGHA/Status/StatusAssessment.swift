/// The decisions of `pgha status`: each node's role, its lag and slot as the primary sees them, and the
/// problems worth an admin's attention. Pure functions of the facts gathered from Pacemaker and PostgreSQL.
extension NodeRole {
    /// PostgreSQL says what runs; when it does not answer, Pacemaker says whether that is expected (stopped)
    /// or not (failed: Pacemaker runs it, or saw it fail).
    public static func decide(answer: ServerAnswer?, pacemaker: PacemakerRole) -> NodeRole {
        if case .answered(let facts)? = answer { return facts.inRecovery ? .standby : .primary }
        return pacemaker == .stopped ? .stopped : .failed
    }
}

extension ClusterStatus {
    /// Everything status knows, before any decision.
    public struct Facts: Sendable {
        public var resource: CIB.Resource
        public var parameters: Parameters
        /// Every node: the CIB's and crm_mon's, in name order.
        public var nodes: [String]
        public var crmMon: CrmMon
        /// `master-<resource>` from the CIB's status section, for nodes crm_mon shows no attributes for.
        public var cibAttributes: [String: [String: String]]
        public var answers: [String: ServerAnswer]
        /// The raw attribute values of `DecisionRecord.attributeName`, per node.
        public var decisions: [String: String]

        public init(resource: CIB.Resource, parameters: Parameters, nodes: [String], crmMon: CrmMon,
                    cibAttributes: [String: [String: String]], answers: [String: ServerAnswer],
                    decisions: [String: String]) {
            self.resource = resource
            self.parameters = parameters
            self.nodes = nodes
            self.crmMon = crmMon
            self.cibAttributes = cibAttributes
            self.answers = answers
            self.decisions = decisions
        }
    }

    public static func assess(_ facts: Facts) -> ClusterStatus {
        let scoreName = "master-" + facts.resource.id
        let primaries = facts.nodes.filter { node in
            if case .answered(let server)? = facts.answers[node] { return !server.inRecovery }
            return false
        }
        let primary = primaries.count == 1 ? primaries[0] : nil
        var primaryFacts: ServerFacts?
        if let primary, case .answered(let server)? = facts.answers[primary] { primaryFacts = server }

        let nodes = facts.nodes.map { node -> NodeStatus in
            let pacemaker = facts.crmMon.role(on: node)
            let answer = facts.answers[node]
            var status = NodeStatus(node: node, online: facts.crmMon.nodes.first { $0.name == node }?.online ?? false,
                                    pacemakerRole: pacemaker, role: NodeRole.decide(answer: answer, pacemaker: pacemaker))
            let scoreText = facts.crmMon.attributes[node]?[scoreName] ?? facts.cibAttributes[node]?[scoreName]
            status.score = scoreText.flatMap(PromotionScoreText.parse)
            status.decision = facts.decisions[node].flatMap { DecisionRecord(line: $0) }
            switch answer {
            case .notAnswering(let why)?: status.error = why
            case nil: status.error = "not asked"
            case .answered(let server):
                status.timeline = server.timeline
                if server.inRecovery {
                    status.receiveLSN = server.receiveLSN
                    status.replayLSN = server.replayLSN
                    status.lsn = server.standbyLSN
                } else {
                    status.lsn = server.currentLSN
                }
            }
            if node == primary {
                status.lagBytes = 0
                return status
            }
            guard let primaryFacts else { return status }
            let slot = ReplicationSlot.name(for: node)
            status.slot = slot
            let found = primaryFacts.slots.first { $0.name == slot }
            status.slotExists = found != nil
            status.slotActive = found?.active ?? false
            if let sender = primaryFacts.replication.first(where: { $0.node == node }) {
                status.replicationState = sender.state
                status.syncState = sender.syncState
                status.lagBytes = sender.lagBytes.map { max(0, $0) }
                status.lagSeconds = sender.lagSeconds
            } else if status.role == .standby, let replay = status.replayLSN, let current = primaryFacts.currentLSN,
                      status.timeline == primaryFacts.timeline {
                // No WAL sender for it: the distance from its own replay position, when on the same timeline.
                status.lagBytes = Int64(clamping: current.distance(from: replay))
            }
            return status
        }
        let failed = facts.crmMon.failures.map { failure in
            "\(failure.node): \(failure.operation) failed (\(failure.exitStatus)"
                + (failure.exitReason.isEmpty ? "" : ": \(failure.exitReason)") + ")"
        }
        return ClusterStatus(resource: facts.resource.id, clone: facts.resource.clone,
                             syncStandbys: facts.parameters.syncStandbys, primary: primary, nodes: nodes,
                             problems: problems(nodes: nodes, primaries: primaries, facts: facts,
                                                primaryFacts: primaryFacts),
                             failedActions: failed)
    }

    /// One sentence per thing an admin should look at. A node that does not answer is always one.
    static func problems(nodes: [NodeStatus], primaries: [String], facts: Facts,
                         primaryFacts: ServerFacts?) -> [String] {
        var found: [String] = []
        if facts.resource.clone == nil {
            found.append("\(facts.resource.id) is not in a clone: pgha runs as a promotable clone")
        }
        let promoted = nodes.filter { $0.pacemakerRole == .promoted }.map(\.node)
        switch primaries.count {
        case 0: found.append("no PostgreSQL answers as a primary")
        case 1: break
        default: found.append("several PostgreSQL servers answer as primaries: \(primaries.joined(separator: ", "))")
        }
        if promoted.isEmpty {
            found.append("Pacemaker promotes no node")
        }
        for node in nodes {
            let name = node.node
            let crmNode = facts.crmMon.nodes.first { $0.name == name }
            if let crmNode {
                if !crmNode.online { found.append("\(name): node offline in Pacemaker") }
                if crmNode.unclean { found.append("\(name): node unclean (being fenced)") }
                if crmNode.standby { found.append("\(name): node in standby mode") }
                if crmNode.maintenance { found.append("\(name): node in maintenance mode") }
            } else {
                found.append("\(name): not listed by crm_mon")
            }
            if node.pacemakerRole == .failed {
                found.append("\(name): Pacemaker reports its instance failed")
            }
            if let error = node.error {
                found.append("\(name): PostgreSQL not answering (\(error)); Pacemaker: \(node.pacemakerRole.name)")
            }
            if node.pacemakerRole == .promoted, node.role == .standby {
                found.append("\(name): Pacemaker promoted it but PostgreSQL runs as a standby")
            }
            if node.role == .primary, node.pacemakerRole != .promoted {
                found.append("\(name): PostgreSQL runs as a primary but Pacemaker has it \(node.pacemakerRole.name)")
            }
            guard node.role == .standby else { continue }
            if node.score == nil {
                found.append("\(name): no promotion score")
            } else if let score = node.score, score < 0 {
                found.append("\(name): promotion score \(score): Pacemaker will not promote it")
            }
            guard let primary = primaryFacts, let primaryName = primaries.first else { continue }
            if let timeline = node.timeline, let primaryTimeline = primary.timeline, timeline < primaryTimeline {
                found.append("\(name): on timeline \(timeline), the primary \(primaryName) on \(primaryTimeline)")
            }
            switch node.replicationState {
            case nil: found.append("\(name): not streaming from \(primaryName) (no WAL sender for it there)")
            case "streaming"?: break
            case let state?: found.append("\(name): \(state), not streaming from \(primaryName)")
            }
            if let slot = node.slot {
                if node.slotExists == false {
                    found.append("\(name): slot \(slot) missing on \(primaryName)")
                } else if node.slotActive == false {
                    found.append("\(name): slot \(slot) on \(primaryName) is not active")
                }
            }
            let maxlag = facts.parameters.maxlag
            if maxlag > 0, let lag = node.lagBytes, lag > maxlag {
                found.append("\(name): \(lag) bytes behind \(primaryName), more than maxlag \(maxlag)")
            }
        }
        let k = facts.parameters.syncStandbys
        if k > 0, let primaryName = primaries.first, primaries.count == 1 {
            let confirming = nodes.filter { $0.syncState == "sync" || $0.syncState == "quorum" }.map(\.node)
            if confirming.count < k {
                found.append("synchronous mode needs \(k) standbys confirming commits on \(primaryName), \(confirming.count) do (\(confirming.isEmpty ? "none" : confirming.joined(separator: " "))): commits wait")
            }
        }
        return found
    }
}
