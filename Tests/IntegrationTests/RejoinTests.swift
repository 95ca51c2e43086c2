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

    /// The build's binaries behind links, with `program` wrapped: before running the real one it freezes
    /// (SIGSTOP) the postmaster whose pid is in `frozen` and that postmaster's children, so that what the
    /// agent does next meets a primary that accepts TCP connections and never answers, as behind a link
    /// cut mid-way (where TCP keepalives would at least notice: a frozen peer is the harder case).
    static func freezingBindir(_ workspace: Workspace, _ build: PostgresBuild, frozen: String,
                               at program: String) throws -> String {
        let directory = workspace.path + "/freezing-bin"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: build.bindir) {
            let path = directory + "/" + name
            if name == program {
                let script = """
                    #!/bin/sh
                    pid=$(cat '\(frozen)')
                    kill -STOP $pid $(cat /proc/$pid/task/*/children 2>/dev/null)
                    exec '\(build.bindir)/\(program)' "$@"

                    """
                FileManager.default.createFile(atPath: path, contents: script.data(using: .utf8),
                                               attributes: [.posixPermissions: 0o755])
            } else {
                try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: build.bindir + "/" + name)
            }
        }
        return directory
    }

    /// The primary freezes at two points of a start with rewind=true: as the start reads its local WAL
    /// (pg_waldump), before it asks the primary for its timeline history; and as pg_rewind starts.
    @Test("a start with rewind=true whose primary stops answering fails before Pacemaker's timeout",
          arguments: PostgresBuild.available.prefix(1), ["pg_waldump", "pg_rewind"])
    func rewindAgainstFrozenPrimary(build: PostgresBuild, freezeAt program: String) throws {
        let workspace = try Workspace()
        let (a, b) = try Self.pair(workspace, build)
        try Self.failOver(a, b)
        try a.sql("INSERT INTO t SELECT generate_series(100, 1100)")
        try Self.crash(a)

        let pidFile = workspace.path + "/frozen.pid"
        try #require(FileManager.default.createFile(atPath: pidFile, contents: (b.postmasterPID ?? "").data(using: .utf8)))
        let postmaster = try #require(b.postmasterPID.flatMap { Int32($0) })
        defer {
            // Thaw n2 whatever happened, so that the workspace's cleanup can stop it.
            _ = try? run("/bin/sh", ["-c", "kill -CONT \(postmaster) $(cat /proc/\(postmaster)/task/*/children 2>/dev/null)"])
        }
        a.parameters["rewind"] = "true"
        a.parameters["bindir"] = try Self.freezingBindir(workspace, build, frozen: pidFile, at: program)
        // Pacemaker's timeout for this start: 8 s, less than the connect_timeout of 10 s the agent gives
        // its connections to other nodes when the action has time: every step must fit in what is left.
        let timeout = 8.0
        let started = Date()
        let result = try a.pgha("start", ["OCF_RESKEY_CRM_meta_timeout": String(Int(timeout * 1000))])
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.code == 1, "start fails: \(result.log)")
        #expect(elapsed < timeout, "start returned after \(elapsed) s, Pacemaker's timeout is \(timeout) s: \(result.log)")
        #expect(result.log.contains("ocf-exit-reason:"), "a reason: \(result.log)")
        if program == "pg_rewind" {
            #expect(result.log.contains("pg_rewind"), "the reason names pg_rewind: \(result.log)")
        }
        #expect(try run("/usr/bin/pgrep", ["-f", a.datadir]).status != 0, "no pg_rewind or server of n1 left running")
        #expect(try a.pgha("monitor", ["OCF_RESKEY_CRM_meta_interval": "15000"]).code != 0, "n1 does not run")
    }
}
