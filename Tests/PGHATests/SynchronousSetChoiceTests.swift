import Testing
@testable import PGHA

@Suite("SynchronousSetChoice")
struct SynchronousSetChoiceTests {
    let members = ["n1", "n2", "n3"]

    func row(_ node: String, _ state: String = "streaming", slot: String? = nil) -> StandbyReplication {
        StandbyReplication(node: node, state: state, lag: 0, syncState: "quorum", slot: slot ?? ReplicationSlot.name(for: node))
    }

    func choose(_ current: SynchronousSet, _ replication: [StandbyReplication], absent: [String: Int] = [:],
                now: Int = 1000, count: Int = 1, members: [String]? = nil) -> SynchronousSetChoice {
        SynchronousSetChoice.choose(count: count, primary: "n1", members: members ?? self.members,
                                    replication: replication, current: current, absentSince: absent, now: now, grace: 20)
    }

    @Test("every named standby streams: nothing changes, nothing is absent")
    func steady() {
        let both = SynchronousSet(count: 1, standbys: ["n2", "n3"])
        #expect(choose(both, [row("n2"), row("n3")]) == SynchronousSetChoice(wanted: both, absentSince: [:]))
    }

    @Test("a standby that stops streaming stays within the grace, leaves after it")
    func dropAfterGrace() {
        let both = SynchronousSet(count: 1, standbys: ["n2", "n3"])
        let first = choose(both, [row("n2")], now: 1000)
        #expect(first == SynchronousSetChoice(wanted: both, absentSince: ["n3": 1000]))
        let within = choose(both, [row("n2")], absent: first.absentSince, now: 1019)
        #expect(within.wanted == both)
        #expect(within.absentSince == ["n3": 1000], "the first sighting is kept, not renewed")
        let after = choose(both, [row("n2")], absent: within.absentSince, now: 1020)
        #expect(after.wanted == SynchronousSet(count: 1, standbys: ["n2"]))
        // Once the set no longer names it, it is not tracked any more.
        #expect(choose(after.wanted, [row("n2")], absent: after.absentSince, now: 1030).absentSince == [:])
    }

    @Test("a standby that streams again is added back at once")
    func addBack() {
        let one = SynchronousSet(count: 1, standbys: ["n2"])
        #expect(choose(one, [row("n2"), row("n3")]).wanted == SynchronousSet(count: 1, standbys: ["n2", "n3"]))
    }

    @Test("a streaming standby comes back before the grace ends: its absence is forgotten")
    func blip() {
        let both = SynchronousSet(count: 1, standbys: ["n2", "n3"])
        #expect(choose(both, [row("n2"), row("n3")], absent: ["n3": 990]) == SynchronousSetChoice(wanted: both, absentSince: [:]))
    }

    @Test("fewer than k stream: the set stays as it is (strict), absences are still tracked")
    func tooFewStream() {
        let both = SynchronousSet(count: 1, standbys: ["n2", "n3"])
        let none = choose(both, [], absent: ["n2": 900, "n3": 900], now: 1000)
        #expect(none.wanted == both)
        #expect(none.absentSince == ["n2": 900, "n3": 900])
        let two = SynchronousSet(count: 2, standbys: ["n2", "n3", "n4", "n5"])
        #expect(choose(two, [row("n2")], absent: ["n3": 0, "n4": 0, "n5": 0], count: 2,
                       members: ["n1", "n2", "n3", "n4", "n5"]).wanted == two)
    }

    @Test("no usable set yet (none, or k changed) and too few streaming: k of every other member")
    func fallBackToEveryMember() {
        let none = SynchronousSet(count: 0, standbys: [])
        #expect(choose(none, []).wanted == SynchronousSet(count: 1, standbys: ["n2", "n3"]))
        let one = SynchronousSet(count: 1, standbys: ["n2"])
        #expect(choose(one, [row("n2")], count: 2).wanted == SynchronousSet(count: 2, standbys: ["n2", "n3"]))
        // Nothing can satisfy k: the current set stays (the caller cannot do better).
        #expect(choose(one, [], count: 3).wanted == one)
    }

    @Test("k raised with enough streaming: k of those streaming")
    func raiseK() {
        let one = SynchronousSet(count: 1, standbys: ["n2"])
        #expect(choose(one, [row("n2"), row("n3")], count: 2).wanted == SynchronousSet(count: 2, standbys: ["n2", "n3"]))
    }

    @Test("rows that are not a member's standby on its own slot, the primary itself, or not streaming do not count")
    func onlyMembersOnTheirSlot() {
        let one = SynchronousSet(count: 1, standbys: ["n2"])
        let noSlot = StandbyReplication(node: "n3", state: "streaming", lag: 0, syncState: "quorum", slot: nil)
        let rows = [row("n2"), noSlot, row("n3", slot: "pgha_n9"), row("n9"), row("n1"), row("n3", "catchup")]
        #expect(choose(one, rows).wanted == one)
        // A node that left the cluster (no longer a member) is dropped without a grace, once k others stream.
        let both = SynchronousSet(count: 1, standbys: ["n2", "n3"])
        #expect(choose(both, [row("n2")], members: ["n1", "n2"]).wanted == one)
        // No members known (no notification since boot): every streaming row on its own slot counts.
        #expect(choose(one, [row("n2"), row("n7")], members: []).wanted == SynchronousSet(count: 1, standbys: ["n2", "n7"]))
    }

    @Test("the absence file round-trips")
    func absentFile() {
        let absent = ["n3": 1764000000, "n2": 5]
        #expect(SynchronousSetChoice.formatAbsent(absent) == "n2 5\nn3 1764000000")
        #expect(SynchronousSetChoice.parseAbsent(SynchronousSetChoice.formatAbsent(absent)) == absent)
        #expect(SynchronousSetChoice.parseAbsent("garbage\nn2 x\n") == [:])
    }

    @Test("a setting is read as the set it runs; anything but ANY k counts as 0 of none")
    func settingAsSet() {
        #expect(SynchronousSet(setting: #"ANY 1 ("n3", "n2")"#) == SynchronousSet(count: 1, standbys: ["n2", "n3"]))
        #expect(SynchronousSet(setting: "") == SynchronousSet(count: 0, standbys: []))
        #expect(SynchronousSet(setting: "FIRST 1 (n2)") == SynchronousSet(count: 0, standbys: []))
        #expect(SynchronousSet(SynchronousRecord(count: 1, standbys: ["n2"])) == SynchronousSet(count: 1, standbys: ["n2"]))
    }
}

@Suite("SynchronousFlushMark")
struct SynchronousFlushMarkTests {
    let set = SynchronousSet(count: 1, standbys: ["n2", "n3"])

    @Test("round-trips with and without a position")
    func roundTrip() {
        for lsn in [LSN(0x5000120), nil] {
            let mark = SynchronousFlushMark(setting: set, lsn: lsn)
            #expect(SynchronousFlushMark.parse(mark.text) == mark)
        }
        #expect(SynchronousFlushMark(setting: set, lsn: LSN(0x5000120)).text == "0/5000120 1 n2,n3")
        #expect(SynchronousFlushMark.parse("0/5000120 0 ") == SynchronousFlushMark(setting: SynchronousSet(count: 0, standbys: []), lsn: LSN(0x5000120)))
        #expect(SynchronousFlushMark.parse("x 1 n2") == nil)
        #expect(SynchronousFlushMark.parse("") == nil)
    }

    @Test("a position is used only for the setting it was taken under, and only once taken")
    func usable() {
        let taken = SynchronousFlushMark(setting: set, lsn: LSN(100))
        #expect(SynchronousFlushMark.usable(taken, for: set) == LSN(100))
        #expect(SynchronousFlushMark.usable(taken, for: SynchronousSet(count: 1, standbys: ["n2"])) == nil)
        #expect(SynchronousFlushMark.usable(SynchronousFlushMark(setting: set, lsn: nil), for: set) == nil)
        #expect(SynchronousFlushMark.usable(nil, for: set) == nil)
    }

    @Test("confirmed once count of the named standbys flushed at or past the position")
    func confirmed() {
        let at = LSN(100)
        #expect(SynchronousFlushMark.confirmed(count: 1, of: ["n2"], past: at, flushed: [("n2", LSN(100))]))
        #expect(!SynchronousFlushMark.confirmed(count: 1, of: ["n2"], past: at, flushed: [("n2", LSN(99))]))
        #expect(!SynchronousFlushMark.confirmed(count: 1, of: ["n2"], past: at, flushed: [("n3", LSN(200))]),
                "a standby outside the set does not count")
        #expect(!SynchronousFlushMark.confirmed(count: 2, of: ["n2", "n3"], past: at, flushed: [("n2", LSN(200)), ("n2", LSN(300))]),
                "one standby counts once")
        #expect(SynchronousFlushMark.confirmed(count: 2, of: ["n2", "n3", "n4"], past: at,
                                               flushed: [("n2", LSN(200)), ("n3", LSN(100)), ("n4", LSN(1))]))
    }
}
