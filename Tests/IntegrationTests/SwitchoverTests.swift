import Foundation
import Testing

/// A switchover: n1 demoted (clean stop, started again as a standby), n2 promoted once it replayed
/// everything n1 wrote, or refused with both positions when it did not.
@Suite(.serialized) struct SwitchoverTests {
    static let prePromote = notification("pre", "promote", promote: ["n2"], promoted: ["n1"], unpromoted: ["n2"],
                                         active: ["n1", "n2"], demote: ["n1"])

    @Test("the candidate that replayed the old primary's shutdown checkpoint promotes, and says so",
          arguments: PostgresBuild.available)
    func proven(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (a, b) = try RejoinTests.pair(workspace, build)
        try a.sql("INSERT INTO t VALUES (2)")
        try #require(try a.pgha("demote").code == 0)
        try #require(try b.pgha("notify", Self.prePromote).code == 0)
        let promoted = try b.pgha("promote")
        try #require(promoted.code == 0, "\(promoted.log)")
        #expect(promoted.log.contains("switchover from n1 proven: n1's WAL ends at"), "\(promoted.log)")
        #expect(try b.sql("SELECT count(*) FROM t") == "2")
    }

    @Test("a candidate that did not receive the shutdown checkpoint refuses, and the old primary is intact",
          arguments: PostgresBuild.available)
    func notProven(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (a, b) = try RejoinTests.pair(workspace, build)
        // n2's WAL receiver held back: it stops streaming, n1 writes on.
        try b.sql("ALTER SYSTEM SET primary_conninfo = ''")
        try b.sql("SELECT pg_reload_conf()")
        try #require(eventually { (try? a.sql("SELECT count(*) FROM pg_stat_replication")) == "0" })
        try a.sql("INSERT INTO t VALUES (2)")
        try #require(try a.pgha("demote").code == 0)
        try #require(try b.pgha("notify", Self.prePromote).code == 0)

        // The wait for the checkpoint is a share of promote's timeout: 3 s of a 12 s timeout (15 s of the 60 s
        // the other promotes get), so each build spends less time on a wait that cannot succeed here.
        let refused = try b.pgha("promote", ["OCF_RESKEY_CRM_meta_timeout": "12000"])
        #expect(refused.code == 1, "\(refused.log)")
        #expect(refused.log.contains("ocf-exit-reason:switchover from n1 not proven after 3 s"), "\(refused.log)")
        #expect(refused.log.contains("n1's WAL ends at") && refused.log.contains("replayed here up to"), "\(refused.log)")
        #expect(try b.pgha("monitor").code == 0, "n2 is still a standby")
        #expect(try b.sql("SELECT pg_is_in_recovery()") == "t")
        #expect(try a.pgha("monitor").code == 0, "n1 runs as a standby, as demote left it")
        #expect(try a.sql("SELECT string_agg(i::text, ',' ORDER BY i) FROM t") == "1,2", "n1 keeps every row it wrote")
    }

    @Test("a demote together with a stop is a failed primary's recovery: no switchover check")
    func failedPrimaryIsNoSwitchover() throws {
        let workspace = try Workspace()
        let build = try #require(PostgresBuild.available.first)
        let (a, b) = try RejoinTests.pair(workspace, build)
        try b.sql("ALTER SYSTEM SET primary_conninfo = ''")
        try b.sql("SELECT pg_reload_conf()")
        try #require(eventually { (try? a.sql("SELECT count(*) FROM pg_stat_replication")) == "0" })
        try #require(try a.pgha("stop").code == 0)
        let recovery = notification("pre", "promote", promote: ["n2"], promoted: ["n1"], unpromoted: ["n2"],
                                    active: ["n1", "n2"], demote: ["n1"], stop: ["n1"])
        try #require(try b.pgha("notify", recovery).code == 0)
        let promoted = try b.pgha("promote")
        #expect(promoted.code == 0, "\(promoted.log)")
        #expect(!promoted.log.contains("switchover"), "\(promoted.log)")
    }
}
