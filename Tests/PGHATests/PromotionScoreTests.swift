import Testing
@testable import PGHA

@Suite("PromotionScore")
struct PromotionScoreTests {
    /// A row as a member's standby makes it: through the slot named after it.
    func standby(_ node: String, _ lag: UInt64?, state: String = "streaming", sync: String = "async") -> StandbyReplication {
        StandbyReplication(node: node, state: state, lag: lag, syncState: sync, slot: ReplicationSlot.name(for: node))
    }

    @Test("least lag gets the highest score; the primary gets 1001")
    func leastLagHighest() {
        let scores = PromotionScore.scores(primary: "n1", members: ["n1", "n2", "n3"],
                                           replication: [standby("n2", 5000), standby("n3", 10)], maxlag: 0)
        #expect(scores == ["n1": 1001, "n3": 1000, "n2": 999])
    }

    @Test("rows of programs that are no member (pg_receivewal, a backup tool) get no score and take no rank")
    func nonMembersIgnored() {
        let scores = PromotionScore.scores(primary: "n1", members: ["n1", "n2", "n3"],
                                           replication: [standby("pg_receivewal", 0), standby("n2", 5000),
                                                         standby("pgbackrest", 10, state: "catchup"), standby("n3", 10)],
                                           maxlag: 0)
        #expect(scores == ["n1": 1001, "n3": 1000, "n2": 999])
        let unknownMembers = PromotionScore.scores(primary: "n1", members: [], replication: [standby("x", 0)], maxlag: 0)
        #expect(unknownMembers == ["n1": 1001, "x": 1000], "no members known: every row counts, as before")
    }

    @Test("a row that borrows a member's name without its slot gets no score and takes no rank")
    func borrowedNameIgnored() {
        let borrower = StandbyReplication(node: "n2", state: "streaming", lag: 0, slot: nil)
        let otherSlot = StandbyReplication(node: "n3", state: "streaming", lag: 0, slot: "pgha_n2")
        let scores = PromotionScore.scores(primary: "n1", members: ["n1", "n2", "n3"],
                                           replication: [borrower, otherSlot, standby("n2", 5000)], maxlag: 0)
        #expect(scores == ["n1": 1001, "n2": 1000, "n3": -1000], "n2 ranked by its own row; n3 not connected")
        let alone = PromotionScore.scores(primary: "n1", members: [], replication: [borrower], maxlag: 0)
        #expect(alone == ["n1": 1001])
    }

    @Test("equal lag ranks by node name, so the result does not flap between monitors")
    func tiesAreStable() {
        let forward = PromotionScore.scores(primary: "n1", members: [],
                                            replication: [standby("n3", 0), standby("n2", 0)], maxlag: 0)
        let backward = PromotionScore.scores(primary: "n1", members: [],
                                             replication: [standby("n2", 0), standby("n3", 0)], maxlag: 0)
        #expect(forward == backward)
        #expect(forward["n2"] == 1000 && forward["n3"] == 999)
    }

    @Test("beyond maxlag, not streaming, unknown lag or not connected: -1000")
    func excluded() {
        let scores = PromotionScore.scores(
            primary: "n1", members: ["n1", "n2", "n3", "n4", "n5"],
            replication: [standby("n2", 2_000_000), standby("n3", 100, state: "catchup"), standby("n4", nil)],
            maxlag: 1_000_000)
        #expect(scores == ["n1": 1001, "n2": -1000, "n3": -1000, "n4": -1000, "n5": -1000])
    }

    @Test("maxlag 0 disables the limit")
    func maxlagDisabled() {
        let scores = PromotionScore.scores(primary: "n1", members: [], replication: [standby("n2", 1 << 40)], maxlag: 0)
        #expect(scores["n2"] == 1000)
    }

    @Test("within maxlag, ranks continue after excluded standbys")
    func rankingSkipsExcluded() {
        let scores = PromotionScore.scores(primary: "n1", members: [],
                                           replication: [standby("n2", 50), standby("n3", 500), standby("n4", 5)],
                                           maxlag: 100)
        #expect(scores == ["n1": 1001, "n4": 1000, "n2": 999, "n3": -1000])
    }

    @Test("the monitor query's list parses; malformed entries are skipped")
    func parseList() {
        let list = StandbyReplication.parseList("n2 streaming 0 quorum pgha_n2,n3 catchup - async pgha_n3,bad entry,n4 streaming 12 quorum pgha_n4,n5 streaming 0 async -")
        #expect(list == [standby("n2", 0, sync: "quorum"), standby("n3", nil, state: "catchup"),
                         standby("n4", 12, sync: "quorum"),
                         StandbyReplication(node: "n5", state: "streaming", lag: 0, slot: nil)])
        #expect(list.map(\.confirmsCommits) == [true, false, true, false])
        #expect(list.map(\.holdsOwnSlot) == [true, true, true, false])
        #expect(StandbyReplication.parseList("").isEmpty)
    }

    @Test("the cache round-trips")
    func cache() {
        let scores = ["n1": 1001, "n2": -1000, "n3": 999]
        #expect(PromotionScore.parseCache(PromotionScore.formatCache(scores)) == scores)
        #expect(PromotionScore.parseCache("garbage\nn2 x\n").isEmpty)
    }
}

@Suite("PromotionScore.changes")
struct PromotionScoreChangesTests {
    let wanted = ["n1": 1001, "n2": -1000, "n3": 1000]

    @Test("outside the grace period, only what differs from the cache is written")
    func onlyDifferences() {
        let changes = PromotionScore.changes(wanted: wanted, cached: ["n1": 1001, "n2": 999, "n3": 1000],
                                             replication: [], inGracePeriod: false)
        #expect(changes == ["n2": -1000])
        #expect(PromotionScore.changes(wanted: wanted, cached: wanted, replication: [], inGracePeriod: false).isEmpty)
    }

    @Test("within the grace period after a promotion, no standby is excluded, cached or not")
    func grace() {
        let changes = PromotionScore.changes(wanted: wanted, cached: [:], replication: [], inGracePeriod: true)
        #expect(changes == ["n1": 1001, "n3": 1000])
    }

    @Test("a standby already excluded stays excluded without a write")
    func alreadyExcluded() {
        let changes = PromotionScore.changes(wanted: wanted, cached: ["n2": -1000], replication: [], inGracePeriod: true)
        #expect(changes["n2"] == nil)
    }

    @Test("streaming without a flush position yet is not judged, even after the grace period")
    func unjudged() {
        let replication = [StandbyReplication(node: "n2", state: "streaming", lag: nil, slot: "pgha_n2")]
        let changes = PromotionScore.changes(wanted: wanted, cached: ["n2": 999], replication: replication,
                                             inGracePeriod: false)
        #expect(changes["n2"] == nil)
        let notStreaming = [StandbyReplication(node: "n2", state: "catchup", lag: 10, slot: "pgha_n2")]
        #expect(PromotionScore.changes(wanted: wanted, cached: ["n2": 999], replication: notStreaming,
                                       inGracePeriod: false)["n2"] == -1000)
    }
}
