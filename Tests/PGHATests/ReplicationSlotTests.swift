import Testing
@testable import PGHA

@Suite("ReplicationSlot")
struct ReplicationSlotTests {
    @Test("the agent's slots carry the pgha_ prefix")
    func prefix() {
        #expect(ReplicationSlot.prefix == "pgha_")
        #expect(ReplicationSlot.name(for: "n1") == "pgha_n1")
        #expect(ReplicationSlot.name(for: "node_2") == "pgha_node_2")
    }

    @Test("names are sanitised to [a-z0-9_]", arguments: [
        ("PG-Node1", "pgha_pg_node1"),
        ("db1.example.com", "pgha_db1_example_com"),
        ("a-b.c d", "pgha_a_b_c_d"),
        ("NODE", "pgha_node"),
        ("nœud", "pgha_n_ud"),
        ("ノード", "pgha____"),
        ("café", "pgha_caf_"),
    ])
    func sanitised(node: String, slot: String) {
        #expect(ReplicationSlot.name(for: node) == slot)
    }

    @Test("every name is a valid slot name", arguments: ["PG-Node1", "db1.example.com", "Ünïcødé-ñode", "e\u{301}", "a😀b"])
    func validSlotName(node: String) {
        let name = ReplicationSlot.name(for: node)
        #expect(name.hasPrefix("pgha_"))
        #expect(name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F })
        #expect(name.utf8.count <= 63)
    }

    @Test("names are cut at 63 bytes (NAMEDATALEN - 1)")
    func lengthLimit() {
        let long = String(repeating: "a", count: 100)
        let name = ReplicationSlot.name(for: long)
        #expect(name.utf8.count == 63)
        #expect(name == "pgha_" + String(repeating: "a", count: 58))
        let exact = String(repeating: "b", count: 58)
        #expect(ReplicationSlot.name(for: exact) == "pgha_" + exact)
        let multibyte = String(repeating: "é", count: 80)
        #expect(ReplicationSlot.name(for: multibyte).utf8.count == 63)
    }

    @Test("plan creates the missing slots of the other members, sorted")
    func planCreates() {
        let plan = ReplicationSlot.plan(existing: [], members: ["n3", "n1", "n2"], primary: "n1")
        #expect(plan == ReplicationSlot.Plan(create: ["pgha_n2", "pgha_n3"], drop: []))
    }

    @Test("plan keeps existing slots and creates nothing twice")
    func planKeeps() {
        let plan = ReplicationSlot.plan(existing: ["pgha_n2", "pgha_n3"], members: ["n1", "n2", "n3"], primary: "n1")
        #expect(plan.create.isEmpty)
        #expect(plan.drop.isEmpty)
    }

    @Test("plan drops only the agent's slots of non-members")
    func planDrops() {
        let plan = ReplicationSlot.plan(existing: ["pgha_n2", "pgha_gone", "backup_slot", "pgha_n4"],
                                        members: ["n1", "n2", "n3"], primary: "n1")
        #expect(plan.create == ["pgha_n3"])
        #expect(plan.drop == ["pgha_gone", "pgha_n4"])
    }

    @Test("plan never touches admin slots without the prefix")
    func planAdminSlots() {
        let admin = ["barman", "n2", "PGHA_n2", "pgha", "my_pgha_slot"]
        let plan = ReplicationSlot.plan(existing: admin, members: ["n1", "n2"], primary: "n1")
        #expect(plan.create == ["pgha_n2"])
        #expect(plan.drop.isEmpty)
        for slot in admin { #expect(!plan.drop.contains(slot)) }
    }

    @Test("plan excludes the primary itself and drops its stale slot")
    func planExcludesPrimary() {
        let plan = ReplicationSlot.plan(existing: ["pgha_n1"], members: ["n1", "n2"], primary: "n1")
        #expect(!plan.create.contains("pgha_n1"))
        #expect(plan.create == ["pgha_n2"])
        #expect(plan.drop == ["pgha_n1"])
    }

    @Test("plan uses sanitised names for members")
    func planSanitised() {
        let plan = ReplicationSlot.plan(existing: ["pgha_db_2"], members: ["DB-1", "DB-2", "db.3"], primary: "DB-1")
        #expect(plan.create == ["pgha_db_3"])
        #expect(plan.drop.isEmpty)
    }

    @Test("plan with the primary alone drops every agent slot")
    func planAlone() {
        let plan = ReplicationSlot.plan(existing: ["pgha_n2", "other"], members: ["n1"], primary: "n1")
        #expect(plan == ReplicationSlot.Plan(create: [], drop: ["pgha_n2"]))
    }
}
