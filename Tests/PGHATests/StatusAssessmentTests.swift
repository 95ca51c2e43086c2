import Testing
@testable import PGHA

/// The lab as the samples show it (n3 promoted, sync_standbys=1), with PostgreSQL answers made up to match.
struct LabFacts {
    var primary = ServerFacts(
        inRecovery: false, timeline: 2, currentLSN: LSN("0/3000148"),
        replication: [
            .init(node: "n1", state: "streaming", replayLSN: LSN("0/3000148"), lagBytes: 0, lagSeconds: nil, syncState: "quorum"),
            .init(node: "n2", state: "streaming", replayLSN: LSN("0/3000100"), lagBytes: 72, lagSeconds: 0.0021, syncState: "quorum"),
        ],
        slots: [.init(name: "pgha_n1", active: true), .init(name: "pgha_n2", active: true)],
        synchronousStandbyNames: "ANY 1 (\"n1\", \"n2\")")
    var answers: [String: ServerAnswer] = [:]
    var crmMonXML = StatusFixtures.crmMon
    var parameters: [String: String] = [:]
    var decisions: [String: String] = ["n3": "1795762878 promote promoted: now primary on timeline 2, synchronous"]

    init() {
        answers = [
            "n3": .answered(primary),
            "n1": .answered(ServerFacts(inRecovery: true, timeline: 2, receiveLSN: LSN("0/3000148"),
                                        replayLSN: LSN("0/3000148"), walReceiver: "streaming")),
            "n2": .answered(ServerFacts(inRecovery: true, timeline: 2, receiveLSN: LSN("0/3000148"),
                                        replayLSN: LSN("0/3000100"), walReceiver: "streaming")),
        ]
    }

    /// `node`'s PostgreSQL down: it does not answer, the primary has no WAL sender for it, its slot is idle.
    mutating func silence(_ node: String, _ why: String) {
        answers[node] = .notAnswering(why)
        primary.replication.removeAll { $0.node == node }
        for index in primary.slots.indices where primary.slots[index].name == "pgha_" + node {
            primary.slots[index].active = false
        }
        answers["n3"] = .answered(primary)
    }

    func assess() throws -> ClusterStatus {
        let cib = try CIB(xml: StatusFixtures.cib)
        var resource = try cib.resource(named: nil)
        for (key, value) in parameters { resource.parameters[key] = value }
        var variables: [String: String] = [:]
        for (key, value) in resource.parameters { variables["OCF_RESKEY_" + key] = value }
        return ClusterStatus.assess(.init(
            resource: resource, parameters: try Parameters(environment: OCFEnvironment(variables)),
            nodes: ["n1", "n2", "n3"], crmMon: try CrmMon(xml: crmMonXML, resource: resource.id),
            cibAttributes: cib.transientAttributes, answers: answers, decisions: decisions))
    }
}

@Suite("status: roles and problems")
struct StatusAssessmentTests {
    @Test("role: PostgreSQL decides when it answers; Pacemaker says stopped or failed when it does not")
    func roles() {
        let primary = ServerAnswer.answered(ServerFacts(inRecovery: false))
        let standby = ServerAnswer.answered(ServerFacts(inRecovery: true))
        let silent = ServerAnswer.notAnswering("connection refused")
        #expect(NodeRole.decide(answer: primary, pacemaker: .unpromoted) == .primary)
        #expect(NodeRole.decide(answer: standby, pacemaker: .promoted) == .standby)
        #expect(NodeRole.decide(answer: silent, pacemaker: .stopped) == .stopped)
        #expect(NodeRole.decide(answer: silent, pacemaker: .unpromoted) == .failed)
        #expect(NodeRole.decide(answer: silent, pacemaker: .promoted) == .failed)
        #expect(NodeRole.decide(answer: silent, pacemaker: .failed) == .failed)
        #expect(NodeRole.decide(answer: nil, pacemaker: .stopped) == .stopped)
    }

    @Test("a healthy cluster: one primary, standbys streaming through active slots, scores, no problem")
    func healthy() throws {
        let status = try LabFacts().assess()
        #expect(status.problems == [])
        #expect(status.exitCode == 0)
        #expect(status.primary == "n3")
        #expect(status.resource == "pgsqld" && status.clone == "pgsql-ha" && status.syncStandbys == 1)
        let n3 = try #require(status.nodes.first { $0.node == "n3" })
        #expect(n3.role == .primary && n3.pacemakerRole == .promoted)
        #expect(n3.lagBytes == 0 && n3.slot == nil && n3.slotActive == nil && n3.score == 1001)
        #expect(n3.lsn == LSN("0/3000148") && n3.timeline == 2)
        #expect(n3.decision?.action == "promote")
        let n2 = try #require(status.nodes.first { $0.node == "n2" })
        #expect(n2.role == .standby && n2.pacemakerRole == .unpromoted)
        #expect(n2.slot == "pgha_n2" && n2.slotActive == true)
        #expect(n2.lagBytes == 72 && n2.lagSeconds == 0.0021)
        #expect(n2.syncState == "quorum" && n2.score == 999)
        #expect(n2.lsn == LSN("0/3000148") && n2.replayLSN == LSN("0/3000100"))
        #expect(n2.decision == nil)
    }

    @Test("a node that does not answer: its error, role failed while Pacemaker runs it, a problem, exit 1")
    func notAnswering() throws {
        var lab = LabFacts()
        lab.silence("n1", "connection to server at \"10.200.0.11\", port 5432 failed: Connection refused")
        let status = try lab.assess()
        let n1 = try #require(status.nodes.first { $0.node == "n1" })
        #expect(n1.role == .failed)
        #expect(n1.error?.contains("Connection refused") == true)
        #expect(n1.lagBytes == nil && n1.timeline == nil)
        // Its slot on the primary is still reported: it keeps WAL for the node.
        #expect(n1.slot == "pgha_n1")
        #expect(status.exitCode == 1)
        #expect(status.problems.contains { $0.hasPrefix("n1: PostgreSQL not answering (connection to server") })
    }

    @Test("a node Pacemaker stopped and that does not answer: stopped, still a problem")
    func stopped() throws {
        var lab = LabFacts()
        // n1's instance stopped: the last pgsqld instance of the sample is n1's.
        lab.crmMonXML = lab.crmMonXML.replacingFirst("""
                  <resource id="pgsqld" resource_agent="ocf:heartbeat:pgha" role="Unpromoted" active="true" orphaned="false" blocked="false" managed="true" failed="false" failure_ignored="false" nodes_running_on="1">
                    <node name="n1" id="1" cached="true"/>
            """, with: """
                  <resource id="pgsqld" resource_agent="ocf:heartbeat:pgha" role="Stopped" active="false" orphaned="false" blocked="false" managed="true" failed="false" failure_ignored="false" nodes_running_on="0">
            """)
        lab.silence("n1", "Connection refused")
        let status = try lab.assess()
        let n1 = try #require(status.nodes.first { $0.node == "n1" })
        #expect(n1.pacemakerRole == .stopped && n1.role == .stopped)
        #expect(n1.slotActive == false)
        #expect(status.problems == ["n1: PostgreSQL not answering (Connection refused); Pacemaker: stopped"])
    }

    @Test("a standby that does not stream, with its slot missing, lagging past maxlag, on an old timeline")
    func brokenStandby() throws {
        var lab = LabFacts()
        lab.parameters["maxlag"] = "10"
        lab.primary.replication.removeAll { $0.node == "n2" }
        lab.primary.slots.removeAll { $0.name == "pgha_n2" }
        lab.answers["n3"] = .answered(lab.primary)
        lab.answers["n2"] = .answered(ServerFacts(inRecovery: true, timeline: 1, receiveLSN: nil,
                                                  replayLSN: LSN("0/3000000"), walReceiver: nil))
        let status = try lab.assess()
        #expect(status.problems.contains("n2: on timeline 1, the primary n3 on 2"))
        #expect(status.problems.contains("n2: not streaming from n3 (no WAL sender for it there)"))
        #expect(status.problems.contains("n2: slot pgha_n2 missing on n3"))
        // Lag from its own replay position only on the primary's timeline.
        #expect(status.nodes.first { $0.node == "n2" }?.lagBytes == nil)
    }

    @Test("lag past maxlag, and too few synchronous standbys")
    func lagAndSync() throws {
        var lab = LabFacts()
        lab.parameters["maxlag"] = "10"
        lab.primary.replication[0].syncState = "async"
        lab.primary.replication[1].syncState = "async"
        lab.answers["n3"] = .answered(lab.primary)
        let status = try lab.assess()
        #expect(status.problems.contains("n2: 72 bytes behind n3, more than maxlag 10"))
        #expect(status.problems.contains { $0.hasPrefix("synchronous mode needs 1 standbys confirming commits on n3, 0 do") })
    }

    @Test("two primaries, and PostgreSQL disagreeing with Pacemaker")
    func splitBrain() throws {
        var lab = LabFacts()
        lab.answers["n1"] = .answered(ServerFacts(inRecovery: false, timeline: 3, currentLSN: LSN("0/4000000")))
        let status = try lab.assess()
        #expect(status.primary == nil)
        #expect(status.problems.contains("several PostgreSQL servers answer as primaries: n1, n3"))
        #expect(status.problems.contains("n1: PostgreSQL runs as a primary but Pacemaker has it unpromoted"))

        var demoted = LabFacts()
        demoted.answers["n3"] = .answered(ServerFacts(inRecovery: true, timeline: 2, replayLSN: LSN("0/3000148")))
        let none = try demoted.assess()
        #expect(none.primary == nil)
        #expect(none.problems.contains("no PostgreSQL answers as a primary"))
        #expect(none.problems.contains("n3: Pacemaker promoted it but PostgreSQL runs as a standby"))
    }

    @Test("a negative or missing promotion score on a standby")
    func scores() throws {
        var lab = LabFacts()
        lab.crmMonXML = lab.crmMonXML.replacingFirst(#"<attribute name="master-pgsqld" value="999"/>"#,
                                                     with: #"<attribute name="master-pgsqld" value="-1000"/>"#)
        #expect(try lab.assess().problems == ["n2: promotion score -1000: Pacemaker will not promote it"])
    }

    @Test("an instance Pacemaker reports failed now is a problem")
    func failedInstance() throws {
        var lab = LabFacts()
        lab.crmMonXML = lab.crmMonXML.replacingFirst(#"role="Unpromoted" active="true" orphaned="false" blocked="false" managed="true" failed="false""#,
                                                     with: #"role="Unpromoted" active="true" orphaned="false" blocked="false" managed="true" failed="true""#)
        #expect(try lab.assess().problems == ["n2: Pacemaker reports its instance failed"])
    }

    @Test("crm_mon's failed operations are listed apart: history, not a problem")
    func failures() throws {
        var lab = LabFacts()
        lab.crmMonXML = lab.crmMonXML.replacingFirst("<status code=\"0\"", with: """
            <failures><failure op_key="pgsqld_monitor_16000" node="n1" exitstatus="error" exitreason="boom" task="monitor"/></failures>
            <status code="0"
            """)
        let status = try lab.assess()
        #expect(status.problems == [])
        #expect(status.failedActions == ["n1: monitor failed (error: boom)"])
        #expect(StatusText.render(status).contains("failed actions (history until crm_resource --cleanup):\n  n1: monitor failed (error: boom)"))
        #expect(StatusJSON.render(status).contains(#""failed_actions":["n1: monitor failed (error: boom)"]"#))
    }
}

extension String {
    /// Test helper: the text with the first `target` replaced (it must be there).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { fatalError("\(target) not found") }
        return replaceSubrange(range, replacement)
    }

    private func replaceSubrange(_ range: Range<String.Index>, _ replacement: String) -> String {
        var copy = self
        copy.replaceSubrange(range, with: replacement)
        return copy
    }
}
