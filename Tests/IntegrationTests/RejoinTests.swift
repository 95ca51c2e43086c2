import Foundation
import Testing

/// A former primary coming back after another node was promoted: it follows when it can, is refused when
/// it diverged, and is rewound when the admin opted in.
@Suite(.serialized) struct RejoinTests {
    /// n1 primary with n2 streaming through its slot.
    static func pair(_ workspace: Workspace, _ build: PostgresBuild) throws -> (Node, Node) {
        let (a, b) = try workspace.primaryAndStandby(build)
        let promoted = notification("post", "promote", promote: ["n1"], unpromoted: ["n2"], active: ["n1", "n2"])
        try #require(try a.pgha("notify", promoted).code == 0)
        try #require(try b.pgha("notify", promoted).code == 0)
        try a.sql("CREATE TABLE t(i int); INSERT INTO t VALUES (1)")
        try #require(eventually { (try? b.sql("SELECT count(*) FROM t")) == "1" })
        return (a, b)
    }

    /// n2 becomes the primary; n1 (stopped) hears of it as Pacemaker's notifications would tell it.
    static func failOver(_ a: Node, _ b: Node) throws {
        try #require(try b.pgha("promote").code == 0)
        let promoted = notification("post", "promote", promote: ["n2"], unpromoted: ["n1"], active: ["n1", "n2"])
        try #require(try b.pgha("notify", promoted).code == 0)
        try #require(try a.pgha("notify", promoted).code == 0)
        try b.sql("INSERT INTO t VALUES (2)")
    }

    static func crash(_ node: Node) throws {
        let pid = try #require(node.postmasterPID.flatMap { Int32($0) })
        kill(pid, SIGKILL)
        // As after fencing: the postmaster is gone (reaped), and its children exit once they notice.
        try #require(eventually(timeout: 10) { kill(pid, 0) != 0 })
        try #require(eventually(timeout: 20) { (try? node.pgha("monitor", ["OCF_RESKEY_CRM_meta_interval": "15000"]).code) == 9 })
    }

    @Test("a primary stopped cleanly before the failover follows the new primary without a rewind",
          arguments: PostgresBuild.available)
    func cleanStopFollows(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (a, b) = try Self.pair(workspace, build)
        try #require(try a.pgha("stop").code == 0)
        try Self.failOver(a, b)
        let started = try a.pgha("start")
        try #require(started.code == 0, "start: \(started.log)\n\(a.serverLog)")
        #expect(started.log.contains("can follow n2"), "\(started.log)")
        #expect(!started.log.contains("pg_rewind"))
        #expect(eventually { (try? b.sql("SELECT application_name || ':' || state FROM pg_stat_replication")) == "n1:streaming" },
                "n1 streams from n2: \(a.serverLog)")
        #expect(eventually { (try? a.sql("SELECT count(*) FROM t")) == "2" })
    }

    @Test("a crashed primary that wrote past the fork point is refused, then rewound when rewind=true",
          arguments: PostgresBuild.available)
    func divergedIsRefusedThenRewound(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (a, b) = try Self.pair(workspace, build)
        // n2 is promoted while n1 still runs: what n1 writes from now on, n2 never gets.
        try Self.failOver(a, b)
        try a.sql("INSERT INTO t SELECT generate_series(100, 1100)")
        try Self.crash(a)

        let before = try BadInputTests.snapshot(a.datadir)
        let refused = try a.pgha("start")
        #expect(refused.code == 1, "\(refused.log)")
        #expect(refused.log.contains("ocf-exit-reason:diverged from n2"), "\(refused.log)")
        #expect(refused.log.contains("set rewind=true"), "\(refused.log)")
        #expect(try BadInputTests.snapshot(a.datadir) == before, "a refused start changes nothing on disk")
        #expect(try a.pgha("monitor", ["OCF_RESKEY_CRM_meta_interval": "15000"]).code == 9, "still a crashed primary")

        a.parameters["rewind"] = "true"
        let rewound = try a.pgha("start")
        try #require(rewound.code == 0, "start with rewind: \(rewound.log)\n\(a.serverLog)")
        #expect(rewound.log.contains("pg_rewind from n2 done"), "\(rewound.log)")
        #expect(try a.pgha("monitor").code == 0)
        #expect(eventually { (try? b.sql("SELECT application_name || ':' || state FROM pg_stat_replication")) == "n1:streaming" },
                "n1 streams from n2 after the rewind: \(a.serverLog)")
        try b.sql("INSERT INTO t VALUES (3)")
        #expect(eventually { (try? a.sql("SELECT string_agg(i::text, ',' ORDER BY i) FROM t")) == "1,2,3" },
                "n1 has n2's rows and none of its own diverged ones")
    }

    @Test("a demoted primary that diverged is stopped by post-promote notify, then start refuses or rewinds it",
          arguments: PostgresBuild.available.prefix(1))
    func divergedDemotedIsStopped(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (a, b) = try Self.pair(workspace, build)
        // n2 is promoted while n1 still writes; n1 is then demoted: it runs as a standby, past the fork point.
        try #require(try b.pgha("promote").code == 0)
        try a.sql("INSERT INTO t SELECT generate_series(100, 1100)")
        try #require(try a.pgha("demote").code == 0)
        let promoted = notification("post", "promote", promote: ["n2"], unpromoted: ["n1"], active: ["n1", "n2"])
        try #require(try b.pgha("notify", promoted).code == 0)
        let notified = try a.pgha("notify", promoted)
        #expect(notified.code == 0, "notify never fails")
        #expect(notified.log.contains("diverged from n2"), "\(notified.log)")
        #expect(try a.pgha("monitor").code == 7, "stopped, for Pacemaker to recover it through start")
        let refused = try a.pgha("start")
        #expect(refused.code == 1 && refused.log.contains("cannot follow n2"), "\(refused.log)")
        a.parameters["rewind"] = "true"
        let rewound = try a.pgha("start")
        try #require(rewound.code == 0, "start with rewind: \(rewound.log)\n\(a.serverLog)")
        #expect(eventually { (try? b.sql("SELECT application_name || ':' || state FROM pg_stat_replication")) == "n1:streaming" })
        #expect(eventually { (try? a.sql("SELECT count(*) FROM t")) == "1" }, "n1's diverged rows are gone")
    }

    @Test("a crashed primary started before the new primary is known replays its own WAL; start then rewinds it",
          arguments: PostgresBuild.available)
    func crashedThenDemotedBlind(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (a, b) = try Self.pair(workspace, build)
        try Self.failOver(a, b)
        try a.sql("INSERT INTO t SELECT generate_series(100, 1100)")
        try Self.crash(a)
        // Demote leaves a crashed primary stopped, for the start of Pacemaker's recovery.
        let demoted = try a.pgha("demote")
        #expect(demoted.code == 0 && demoted.log.contains("left stopped"), "demote: \(demoted.log)")
        #expect(try a.pgha("monitor").code == 7, "nothing runs (a probe)")
        // As after a reboot by fencing: HA_RSCTMP is empty, and Pacemaker starts the crashed primary before
        // the new primary is known. It starts as a standby of nobody and replays its own WAL, so its
        // control file no longer says it was a primary.
        for file in try FileManager.default.contentsOfDirectory(atPath: a.stateDirectory) {
            try FileManager.default.removeItem(atPath: a.stateDirectory + "/" + file)
        }
        let blind = try a.pgha("start")
        try #require(blind.code == 0, "start with no primary known: \(blind.log)\n\(a.serverLog)")
        try #require(try a.pgha("stop").code == 0)
        let promoted = notification("post", "promote", promote: ["n2"], unpromoted: ["n1"], active: ["n1", "n2"])
        try #require(try a.pgha("notify", promoted).code == 0)

        let refused = try a.pgha("start")
        #expect(refused.code == 1, "\(refused.log)")
        #expect(refused.log.contains("ocf-exit-reason:replayed past n2's fork point"), "\(refused.log)")
        #expect(refused.log.contains("set rewind=true"), "\(refused.log)")
        #expect(try a.pgha("monitor").code == 7, "left stopped")

        a.parameters["rewind"] = "true"
        let rewound = try a.pgha("start")
        try #require(rewound.code == 0, "start with rewind: \(rewound.log)\n\(a.serverLog)")
        #expect(rewound.log.contains("pg_rewind from n2 done"), "\(rewound.log)")
        #expect(eventually { (try? b.sql("SELECT application_name || ':' || state FROM pg_stat_replication")) == "n1:streaming" },
                "n1 streams from n2 after the rewind: \(a.serverLog)")
        #expect(eventually { (try? a.sql("SELECT string_agg(i::text, ',' ORDER BY i) FROM t")) == "1,2" },
                "n1 has n2's rows and none of its own diverged ones")
    }
}
