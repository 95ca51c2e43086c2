import Testing
@testable import PGHA

private func parameters(_ values: [String: String]) throws -> Parameters {
    var variables: [String: String] = ["OCF_RESKEY_pgdata": "/var/lib/postgresql/15/main"]
    for (key, value) in values { variables["OCF_RESKEY_" + key] = value }
    return try Parameters(environment: OCFEnvironment(variables))
}

@Suite("standbyConfiguration")
struct StandbyTargetTests {
    let empty = RecoveryConfiguration(primaryConninfo: "", primarySlotName: "")

    @Test("a known promoted node: host and port from node_hosts, own application_name, options, own slot")
    func knownPromoted() throws {
        let p = try parameters(["node_hosts": "n1=10.0.0.1:5433 n2=10.0.0.2",
                                "replication_options": "user=replicator passfile='/a b/.pgpass'"])
        let result = standbyConfiguration(current: empty, node: "n2", promoted: "n1", parameters: p)
        #expect(result.primaryConninfo
            == "host=10.0.0.1 port=5433 application_name=n2 user=replicator passfile='/a b/.pgpass'")
        #expect(result.primarySlotName == "pgha_n2")
        #expect(Conninfo.value(of: "host", in: result.primaryConninfo) == "10.0.0.1")
        #expect(Conninfo.value(of: "port", in: result.primaryConninfo) == "5433")
        #expect(Conninfo.value(of: "application_name", in: result.primaryConninfo) == "n2")
        #expect(Conninfo.value(of: "passfile", in: result.primaryConninfo) == "/a b/.pgpass")
    }

    @Test("a known promoted node without node_hosts: its name and pgport")
    func knownPromotedDefaults() throws {
        let p = try parameters(["pgport": "5434"])
        let result = standbyConfiguration(current: empty, node: "db-2", promoted: "db-1", parameters: p)
        #expect(result.primaryConninfo == "host=db-1 port=5434 application_name=db-2")
        #expect(result.primarySlotName == "pgha_db_2")
    }

    @Test("a known promoted node replaces whatever was there")
    func knownPromotedReplaces() throws {
        let current = RecoveryConfiguration(primaryConninfo: "host=n3 port=5432 application_name=n2",
                                            primarySlotName: "admin_slot")
        let result = standbyConfiguration(current: current, node: "n2", promoted: "n1", parameters: try parameters([:]))
        #expect(result == RecoveryConfiguration(primaryConninfo: "host=n1 port=5432 application_name=n2",
                                                primarySlotName: "pgha_n2"))
    }

    @Test("promoted is this node: the conninfo is cleared, the slot stays its own")
    func promotedIsSelf() throws {
        let current = RecoveryConfiguration(primaryConninfo: "host=n1 port=5432 application_name=n2",
                                            primarySlotName: "pgha_n2")
        let result = standbyConfiguration(current: current, node: "n2", promoted: "n2", parameters: try parameters([:]))
        #expect(result == RecoveryConfiguration(primaryConninfo: "", primarySlotName: "pgha_n2"))
    }

    @Test("unknown promoted node: streams from nobody, whatever the current conninfo names", arguments: [
        "host=n1 port=5432 application_name=n2 user=r", "host=n2 port=5432 application_name=n1",
        "host=10.0.0.1 port=5432 application_name=n2", "host=n2 port=5433",
    ])
    func unknownStreamsFromNobody(conninfo: String) throws {
        let current = RecoveryConfiguration(primaryConninfo: conninfo, primarySlotName: "whatever")
        let result = standbyConfiguration(current: current, node: "n2", promoted: nil,
                                          parameters: try parameters(["node_hosts": "n1=10.0.0.1 n2=10.0.0.2"]))
        #expect(result == RecoveryConfiguration(primaryConninfo: "", primarySlotName: "pgha_n2"))
    }

    @Test("unknown promoted node with nothing configured stays empty")
    func unknownEmpty() throws {
        let result = standbyConfiguration(current: empty, node: "n2", promoted: nil, parameters: try parameters([:]))
        #expect(result == RecoveryConfiguration(primaryConninfo: "", primarySlotName: "pgha_n2"))
    }
}
