import Foundation
import Testing
@testable import PGHA

/// `pgha status`'s PostgreSQL side against real servers: the facts gathered from each node's address, the
/// assessment and the screen; and the command itself on a machine where no cluster answers.
@Suite(.serialized) struct StatusTests {
    /// crm_mon as it would be with n1 promoted and n2 unpromoted, n3 a node whose PostgreSQL is down.
    static func crmMon(n2: String = "Unpromoted") -> String {
        """
        <pacemaker-result api-version="2.25" request="crm_mon --output-as=xml">
          <nodes>
            <node name="n1" id="1" online="true" standby="false" maintenance="false" unclean="false"/>
            <node name="n2" id="2" online="true" standby="false" maintenance="false" unclean="false"/>
            <node name="n3" id="3" online="true" standby="false" maintenance="false" unclean="false"/>
          </nodes>
          <resources><clone id="pgsql-ha" multi_state="true">
            <resource id="pgsqld" role="Promoted" active="true" failed="false"><node name="n1" id="1"/></resource>
            <resource id="pgsqld" role="\(n2)" active="true" failed="false"><node name="n2" id="2"/></resource>
            <resource id="pgsqld" role="Stopped" active="false" failed="false"/>
          </clone></resources>
          <node_attributes>
            <node name="n1"><attribute name="master-pgsqld" value="1001"/></node>
            <node name="n2"><attribute name="master-pgsqld" value="1000"/></node>
          </node_attributes>
          <status code="0" message="OK"/>
        </pacemaker-result>
        """
    }

    @Test("facts from each node's address: the primary, its streaming standby, a node with no server",
          arguments: PostgresBuild.available)
    func gather(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (a, b) = try workspace.primaryAndStandby(build)
        let postPromote = notification("post", "promote", promote: ["n1"], unpromoted: ["n2"], active: ["n1", "n2"])
        #expect(try a.pgha("notify", postPromote).code == 0)
        #expect(try b.pgha("notify", postPromote).code == 0)
        // replay_lsn (and so the lag) stays NULL until the standby's first feedback, a moment after streaming.
        #expect(eventually {
            (try? a.sql("SELECT state || ':' || (replay_lsn IS NOT NULL) FROM pg_stat_replication WHERE application_name = 'n2'")) == "streaming:true"
        })
        #expect(eventually { (try? a.sql("SELECT active FROM pg_replication_slots WHERE slot_name = 'pgha_n2'")) == "t" })
        try a.sql("CREATE TABLE status_rows(i int); INSERT INTO status_rows SELECT generate_series(1, 1000)")

        // n3: an address where nothing listens.
        let hosts = (a.parameters["node_hosts"] ?? "") + " n3=127.0.0.1:\(PortAllocator.shared.take())"
        var variables = a.environment()
        variables["OCF_RESKEY_node_hosts"] = hosts
        let parameters = try Parameters(environment: OCFEnvironment(variables))
        let user = try SystemUser(name: "postgres")
        let answers = gatherServerFacts(nodes: ["n1", "n2", "n3"], parameters: parameters, user: user)

        guard case .answered(let primary)? = answers["n1"] else { Issue.record("n1: \(String(describing: answers["n1"]))"); return }
        #expect(!primary.inRecovery)
        #expect(primary.timeline == 2, "pgha promoted n1 from its own standby start: timeline 2")
        #expect(primary.currentLSN != nil)
        let sender = try #require(primary.replication.first { $0.node == "n2" })
        #expect(sender.state == "streaming")
        #expect(sender.syncState == "async")
        #expect(sender.lagBytes != nil && sender.lagBytes! >= 0)
        #expect(primary.slots.contains(ServerFacts.Slot(name: "pgha_n2", active: true)))

        guard case .answered(let standby)? = answers["n2"] else { Issue.record("n2: \(String(describing: answers["n2"]))"); return }
        #expect(standby.inRecovery)
        #expect(standby.timeline == 2)
        #expect(standby.receiveLSN != nil && standby.replayLSN != nil)
        #expect(standby.walReceiver == "streaming")

        guard case .notAnswering(let why)? = answers["n3"] else { Issue.record("n3 answered"); return }
        #expect(why.contains("127.0.0.1"), "libpq's message names the address: \(why)")
        #expect(!why.contains("\n"), "one line: \(why)")

        // Assessed with Pacemaker's view: n3 stopped and silent is the only problem.
        let resource = CIB.Resource(id: "pgsqld", clone: "pgsql-ha", parameters: [:])
        let facts = ClusterStatus.Facts(resource: resource, parameters: parameters, nodes: ["n1", "n2", "n3"],
                                        crmMon: try CrmMon(xml: Self.crmMon(), resource: "pgsqld"),
                                        cibAttributes: [:], answers: answers, decisions: [:])
        let status = ClusterStatus.assess(facts)
        print(StatusText.render(status))
        #expect(status.primary == "n1")
        #expect(status.nodes[1].slotActive == true && status.nodes[1].lagBytes != nil)
        #expect(status.nodes[2].slotExists == false, "n3 was never a member: no slot")
        #expect(status.problems.count == 1 && status.problems[0].hasPrefix("n3: PostgreSQL not answering"),
                "\(status.problems)")
        #expect(status.exitCode == 1)

        // n2 stopped: it does not answer, its slot on n1 stays, inactive.
        #expect(try b.pgha("stop").code == 0)
        // n1's WAL sender notices n2 gone a moment after the stop returns: until then the slot is active.
        var after: [String: ServerAnswer] = [:]
        _ = eventually(timeout: 10) {
            after = gatherServerFacts(nodes: ["n1", "n2"], parameters: parameters, user: user)
            guard case .answered(let n1)? = after["n1"] else { return false }
            return n1.slots.contains(ServerFacts.Slot(name: "pgha_n2", active: false)) && !n1.replication.contains { $0.node == "n2" }
        }
        guard case .notAnswering? = after["n2"] else { Issue.record("n2 answered after stop"); return }
        guard case .answered(let primaryAfter)? = after["n1"] else { Issue.record("n1 does not answer"); return }
        #expect(primaryAfter.slots.contains(ServerFacts.Slot(name: "pgha_n2", active: false)))
        #expect(!primaryAfter.replication.contains { $0.node == "n2" })
        let stopped = ClusterStatus.assess(.init(resource: resource, parameters: parameters, nodes: ["n1", "n2"],
                                                 crmMon: try CrmMon(xml: Self.crmMon(n2: "Stopped"), resource: "pgsqld"),
                                                 cibAttributes: [:], answers: after, decisions: [:]))
        #expect(stopped.nodes[1].role == .stopped)
        #expect(stopped.nodes[1].slotActive == false)
        #expect(StatusJSON.render(stopped).contains(#""role":"stopped""#))
    }

    @Test("pgha status where no cluster answers: exit 2 and a sentence that says so, text and JSON")
    func noCluster() throws {
        for arguments in [["status"], ["status", "--json"]] {
            let result = try run(pghaPath, arguments)
            #expect(result.status == 2)
            #expect(result.stderr.contains("pgha status: no cluster answers on this node"), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test("the binary: --help, --version and help go to the parser; Pacemaker's entry point keeps its codes")
    func commandLine() throws {
        let version = try run(pghaPath, ["--version"])
        #expect(version.status == 0 && version.stdout == MetaData.version + "\n")
        let help = try run(pghaPath, ["--help"])
        #expect(help.status == 0 && help.stdout.contains("status"))
        #expect(try run(pghaPath, ["help"]).status == 0)
        #expect(try run(pghaPath, ["-h"]).status == 0)
        #expect(try run(pghaPath, ["status", "--no-such-option"]).status == 64)
        #expect(try run(pghaPath, []).status == 2)
        #expect(try run(pghaPath, ["frobnicate"]).status == 3)
        #expect(try run(pghaPath, ["monitor", "status"]).status == 2)
        let metaData = try run(pghaPath, ["meta-data"])
        #expect(metaData.status == 0 && metaData.stdout.hasPrefix("<?xml"))
    }
}
