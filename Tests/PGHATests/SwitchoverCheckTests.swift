import Testing
@testable import PGHA

/// `pgha switchover`'s decision over the lab's real crm_mon (n3 promoted, n1 and n2 unpromoted) and node
/// lines as `pgha status` builds them.
@Suite("Switchover check")
struct SwitchoverCheckTests {
    static func node(_ name: String, role: NodeRole = .standby, pacemaker: PacemakerRole = .unpromoted,
                     state: String? = "streaming", lag: Int64? = 0, sync: String? = "async", score: Int? = 1000) -> NodeStatus {
        var status = NodeStatus(node: name, online: true, pacemakerRole: pacemaker, role: role)
        status.replicationState = role == .standby ? state : nil
        status.lagBytes = lag
        status.syncState = role == .standby ? sync : nil
        status.score = score
        return status
    }

    static func facts(_ nodes: [NodeStatus] = [node("n1", score: 999), node("n2", score: 1000),
                                               node("n3", role: .primary, pacemaker: .promoted, score: 1001)],
                      sync: Int = 0, maintenance: Bool = false, constraints: [String] = [], maxlag: Int64 = 0,
                      failed: [String] = []) throws -> SwitchoverFacts {
        let status = ClusterStatus(resource: "pgsqld", clone: "pgsql-ha", syncStandbys: sync,
                                   primary: nodes.first { $0.role == .primary }?.node, nodes: nodes, problems: [],
                                   failedActions: failed)
        return SwitchoverFacts(status: status, crmMon: try CrmMon(xml: StatusFixtures.crmMon, resource: "pgsqld"),
                               maintenanceMode: maintenance, locationConstraints: constraints, maxlag: maxlag)
    }

    @Test("to a named streaming standby; without --to, the highest score")
    func targets() throws {
        #expect(decideSwitchover(try Self.facts(), target: "n1") == .go(from: "n3", to: "n1"))
        #expect(decideSwitchover(try Self.facts(), target: nil) == .go(from: "n3", to: "n2"))
        // Equal scores: the least lag, then the name.
        let equal = [Self.node("n1", lag: 50), Self.node("n2", lag: 10), Self.node("n3", role: .primary, pacemaker: .promoted)]
        #expect(decideSwitchover(try Self.facts(equal), target: nil) == .go(from: "n3", to: "n2"))
    }

    @Test("the target refused: unknown, the primary, stopped, not streaming, lagging, not confirming commits")
    func unfitTargets() throws {
        func refusal(_ facts: SwitchoverFacts, _ target: String?) -> String? {
            if case .refuse(let why) = decideSwitchover(facts, target: target) { return why }
            return nil
        }
        #expect(refusal(try Self.facts(), "n9")?.contains("not a node") == true)
        #expect(refusal(try Self.facts(), "n3")?.contains("already the primary") == true)
        let stopped = [Self.node("n1", role: .stopped, pacemaker: .stopped), Self.node("n2"),
                       Self.node("n3", role: .primary, pacemaker: .promoted)]
        #expect(refusal(try Self.facts(stopped), "n1")?.contains("not a streaming standby") == true)
        let catchingUp = [Self.node("n1", state: "catchup"), Self.node("n2"), Self.node("n3", role: .primary, pacemaker: .promoted)]
        #expect(refusal(try Self.facts(catchingUp), "n1")?.contains("catchup") == true)
        let lagging = [Self.node("n1", lag: 5_000_000), Self.node("n2"), Self.node("n3", role: .primary, pacemaker: .promoted)]
        #expect(refusal(try Self.facts(lagging, maxlag: 1_000_000), "n1")?.contains("more than maxlag") == true)
        #expect(decideSwitchover(try Self.facts(lagging), target: "n1") == .go(from: "n3", to: "n1"), "maxlag 0: no limit")
        let async = [Self.node("n1", sync: "async"), Self.node("n2", sync: "quorum"), Self.node("n3", role: .primary, pacemaker: .promoted)]
        #expect(refusal(try Self.facts(async, sync: 1), "n1")?.contains("does not confirm commits") == true)
        #expect(decideSwitchover(try Self.facts(async, sync: 1), target: nil) == .go(from: "n3", to: "n2"))
        let none = [Self.node("n1", state: "catchup"), Self.node("n3", role: .primary, pacemaker: .promoted)]
        #expect(refusal(try Self.facts(none), nil)?.hasPrefix("no standby can take over") == true)
    }

    @Test("the cluster refused: maintenance, a move constraint, failed actions, no single primary")
    func unfitCluster() throws {
        #expect(decideSwitchover(try Self.facts(maintenance: true), target: "n1") == .refuse("the cluster is in maintenance mode"))
        guard case .refuse(let constraint) = decideSwitchover(try Self.facts(constraints: ["cli-prefer-pgsql-ha"]), target: "n1") else {
            Issue.record("a move constraint did not refuse"); return
        }
        #expect(constraint.contains("another switchover is running"))
        #expect(decideSwitchover(try Self.facts(constraints: ["cli-ban-pgsql-ha-on-n2"]), target: "n1") == .go(from: "n3", to: "n1"))
        guard case .refuse(let failed) = decideSwitchover(try Self.facts(failed: ["pgsqld monitor on n2: error"]), target: "n1") else {
            Issue.record("failed actions did not refuse"); return
        }
        #expect(failed.contains("crm_resource --cleanup"))
        let noPrimary = [Self.node("n1"), Self.node("n2"), Self.node("n3")]
        #expect(decideSwitchover(try Self.facts(noPrimary), target: "n1") == .refuse("no single primary to switch over from"))
    }

    @Test("the summary names every node with its time")
    func summary() {
        var progress = SwitchoverProgress(old: "n1", new: "n2", others: ["n3"])
        progress.writableAt = 1.06
        progress.streamingAt = ["n3": 1.4, "n1": 1.62]
        #expect(progress.summary() == "n1 → n2: writable after 1.1 s, n3 streaming after 1.4 s, n1 streaming after 1.6 s")
        #expect(SwitchoverProgress(old: "n1", new: "n2", others: []).summary()
                == "n1 → n2: writable not seen, n1 streaming not seen")
    }

    @Test("the CIB's maintenance mode and location constraints are read")
    func cibFacts() throws {
        let cib = try CIB(xml: StatusFixtures.cib)
        #expect(cib.maintenanceMode == false && cib.locationConstraints.isEmpty)
        let moved = StatusFixtures.cib.replacing("<constraints/>", with: """
            <constraints><rsc_location id="cli-prefer-pgsql-ha" rsc="pgsql-ha" role="Promoted" node="n2" score="INFINITY"/></constraints>
            """)
        #expect(try CIB(xml: moved).locationConstraints == ["cli-prefer-pgsql-ha"])
        let maintenance = StatusFixtures.cib.replacing("<cluster_property_set id=\"cib-bootstrap-options\">", with: """
            <cluster_property_set id="cib-bootstrap-options"><nvpair id="m" name="maintenance-mode" value="true"/>
            """)
        #expect(try CIB(xml: maintenance).maintenanceMode)
    }
}
