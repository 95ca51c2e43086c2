import Testing
@testable import PGHA

@Suite("SlotLoss")
struct SlotLossTests {
    let attribute = SlotLoss.attributeName(resource: "pgsqld")

    func decide(_ walStatus: String?, _ recorded: String?, bootstrap: Bool) -> SlotLossCheck {
        SlotLossCheck.decide(slot: "pgha_n2", primary: "n1", walStatus: walStatus, recorded: recorded,
                             attribute: attribute, bootstrap: bootstrap)
    }

    @Test("the attribute is named after the resource, not the clone instance")
    func attributeName() {
        #expect(attribute == "pgha-slot-lost-pgsqld")
    }

    @Test("the stored value reads back")
    func roundTrip() {
        let loss = SlotLoss(primary: "n1", slot: "pgha_n2", lsn: "0/5000060", time: 1795762878)
        #expect(loss.value == "primary=n1 slot=pgha_n2 lsn=0/5000060 time=1795762878")
        #expect(SlotLoss(value: loss.value) == loss)
    }

    @Test("white space and control characters cannot split the stored line")
    func fieldsAreOneWord() {
        let loss = SlotLoss(primary: "node 1\n", slot: "pgha_n2", lsn: "0/1\t", time: 1)
        #expect(loss.value == "primary=node_1_ slot=pgha_n2 lsn=0/1_ time=1")
        #expect(!loss.value.contains { $0.isNewline })
    }

    @Test("what is not the stored form does not parse", arguments: ["", "lost", "primary=n1 slot=pgha_n2",
                                                                   "primary=n1 slot=pgha_n2 lsn=0/1 time=x"])
    func notAValue(value: String) {
        #expect(SlotLoss(value: value) == nil)
    }

    @Test("only members' slots that are lost, the primary's own never")
    func lostMemberSlots() {
        let slots: [(name: String, walStatus: String?)] = [
            ("pgha_n2", "lost"), ("pgha_n3", "reserved"), ("pgha_old", "lost"), ("admin", "lost"), ("pgha_n1", "lost"),
            ("pgha_n4", nil),
        ]
        let lost = SlotLoss.lostMemberSlots(slots: slots, members: ["n3", "n2", "n1", "n4"], primary: "n1")
        #expect(lost.map(\.node) == ["n2"])
        #expect(lost.map(\.slot) == ["pgha_n2"])
        #expect(SlotLoss.lostMemberSlots(slots: slots, members: [], primary: "n1").isEmpty)
    }

    @Test("nothing says lost: follow", arguments: [nil, "reserved", "extended", "unreserved"] as [String?])
    func follow(walStatus: String?) {
        #expect(decide(walStatus, nil, bootstrap: true) == .follow)
        #expect(decide(walStatus, nil, bootstrap: false) == .follow)
    }

    @Test("the slot lost on the primary: reclone with bootstrap, else refuse naming bootstrap=true")
    func slotLost() {
        let facts = "slot pgha_n2 on n1 was invalidated (max_slot_wal_keep_size): the WAL this node needs next is gone"
        #expect(decide("lost", nil, bootstrap: true) == .reclone(facts))
        #expect(decide("lost", nil, bootstrap: false)
                == .refuse(facts + ": set bootstrap=true to clone it again, or rebuild it with pg_basebackup"))
    }

    @Test("only the attribute remembers (the slot replaced): reclone with bootstrap, else refuse naming both")
    func recorded() {
        let value = SlotLoss(primary: "n1", slot: "pgha_n2", lsn: "0/5000060", time: 1).value
        let facts = "slot pgha_n2 was invalidated (max_slot_wal_keep_size; recorded by n1 at 0/5000060 in node attribute pgha-slot-lost-pgsqld): the WAL this node needs next is gone"
        for walStatus in [nil, "reserved"] as [String?] {
            #expect(decide(walStatus, value, bootstrap: true) == .reclone(facts))
            #expect(decide(walStatus, value, bootstrap: false) == .refuse(facts
                + ": set bootstrap=true to clone it again, or rebuild it with pg_basebackup and delete the node attribute pgha-slot-lost-pgsqld"))
        }
    }

    @Test("a value this version cannot parse is still evidence")
    func unparsedValue() {
        guard case .refuse(let reason) = decide(nil, "something else", bootstrap: false) else {
            Issue.record("not refused")
            return
        }
        #expect(reason.contains("recorded as 'something else'") && reason.contains("set bootstrap=true"))
        guard case .reclone = decide(nil, "something else", bootstrap: true) else {
            Issue.record("not recloned")
            return
        }
    }

    @Test("both: the slot's own status is named")
    func both() {
        let value = SlotLoss(primary: "n1", slot: "pgha_n2", lsn: "0/1", time: 1).value
        guard case .refuse(let reason) = decide("lost", value, bootstrap: false) else {
            Issue.record("not refused")
            return
        }
        #expect(reason.hasPrefix("slot pgha_n2 on n1 was invalidated"))
        #expect(reason.hasSuffix("and delete the node attribute pgha-slot-lost-pgsqld"))
    }

    @Test("crm_attribute's status for a missing attribute, old and new")
    func noSuchAttribute() {
        #expect(Cluster.isNoSuchAttribute(105) && Cluster.isNoSuchAttribute(6))
        #expect(!Cluster.isNoSuchAttribute(0) && !Cluster.isNoSuchAttribute(102) && !Cluster.isNoSuchAttribute(1))
    }

    @Test("the tools are where HA_SBIN_DIR says, else in /usr/sbin")
    func sbindir() {
        #expect(Cluster(environment: OCFEnvironment([:])).sbindir == "/usr/sbin")
        #expect(Cluster(environment: OCFEnvironment(["HA_SBIN_DIR": ""])).sbindir == "/usr/sbin")
        #expect(Cluster(environment: OCFEnvironment(["HA_SBIN_DIR": "/opt/pcmk/sbin"])).sbindir == "/opt/pcmk/sbin")
    }
}
