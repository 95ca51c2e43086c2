import Testing
@testable import PGHA

@Suite("CIB")
struct CIBTests {
    @Test("the lab's CIB: one pgha resource in its clone, with its parameters")
    func sample() throws {
        let cib = try CIB(xml: StatusFixtures.cib)
        #expect(cib.resources.count == 1)
        let resource = try cib.resource(named: nil)
        #expect(resource.id == "pgsqld")
        #expect(resource.clone == "pgsql-ha")
        #expect(resource.parameters["pgdata"] == "/var/lib/pgha-lab/pgdata")
        #expect(resource.parameters["node_hosts"] == "n1=10.200.0.11 n2=10.200.0.12 n3=10.200.0.13")
        #expect(resource.parameters["sync_standbys"] == "1")
        #expect(resource.parameters["replication_options"] == nil)
        #expect(cib.nodes == ["n1", "n2", "n3"])
        #expect(cib.transientAttributes["n3"]?["master-pgsqld"] == "1001")
        #expect(cib.transientAttributes["n2"]?["master-pgsqld"] == "999")
    }

    @Test("parameters unset in the CIB take the agent's defaults")
    func defaults() throws {
        let resource = try CIB(xml: StatusFixtures.cib).resource(named: "pgsqld")
        var variables: [String: String] = [:]
        for (key, value) in resource.parameters { variables["OCF_RESKEY_" + key] = value }
        let parameters = try Parameters(environment: OCFEnvironment(variables))
        #expect(parameters.systemUser == "postgres")
        #expect(parameters.pgport == 5432)
        #expect(parameters.maxlag == 0)
        #expect(parameters.syncStandbys == 1)
        #expect(parameters.replicationOptions.isEmpty)
        #expect(parameters.address(of: "n2") == NodeAddress(host: "10.200.0.12", port: 5432))
    }

    static let two = """
        <cib><configuration><nodes/><resources>
          <clone id="a-ha"><primitive id="a" class="ocf" provider="heartbeat" type="pgha">
            <instance_attributes id="a-ia"><nvpair id="1" name="pgdata" value="/a"/></instance_attributes>
            <instance_attributes id="a-n1"><rule id="r" score="0"/><nvpair id="2" name="pgport" value="1"/></instance_attributes>
            <instance_attributes id="a-ib"><nvpair id="3" name="pgdata" value="/ignored"/><nvpair id="4" name="pgport" value="5433"/></instance_attributes>
          </primitive></clone>
          <master id="b-ha"><primitive id="b" class="ocf" provider="heartbeat" type="pgha"/></master>
          <primitive id="c" class="ocf" provider="heartbeat" type="pgsqlms"/>
          <primitive id="d" class="ocf" provider="other" type="pgha"/>
        </resources></configuration></cib>
        """

    @Test("only ocf:heartbeat:pgha primitives; the first set naming a parameter wins, sets with rules are left out")
    func selection() throws {
        let cib = try CIB(xml: Self.two)
        #expect(cib.resources.map(\.id) == ["a", "b"])
        #expect(cib.resources[0].parameters == ["pgdata": "/a", "pgport": "5433"])
        #expect(cib.resources[1].clone == "b-ha")
        #expect(try cib.resource(named: "b").id == "b")
    }

    @Test("several resources and no name: an error that lists them")
    func several() throws {
        let cib = try CIB(xml: Self.two)
        #expect(throws: StatusError.severalResources(["a", "b"])) { try cib.resource(named: nil) }
        #expect(StatusError.severalResources(["a", "b"]).message.contains("a, b"))
        #expect(StatusError.severalResources(["a", "b"]).message.contains("--resource"))
    }

    @Test("an unknown name, or no pgha resource at all: errors that say so")
    func missing() throws {
        let cib = try CIB(xml: Self.two)
        #expect(throws: StatusError.unknownResource("z", configured: ["a", "b"])) { try cib.resource(named: "z") }
        let empty = try CIB(xml: "<cib><configuration><resources/></configuration><status/></cib>")
        #expect(throws: StatusError.noResource) { try empty.resource(named: nil) }
    }
}
