import Foundation
import Testing

/// sync_standbys on a real primary and standby: the setting every node carries, commits that wait without a
/// standby, a switchover that keeps the setting in force, and the way back to asynchronous.
@Suite(.serialized) struct SynchronousTests {
    /// An INSERT on `node`: true when its commit waits for a standby. A waiting commit is cancelled after
    /// 2 s from another session (statement_timeout cannot: it is off while a commit waits); PostgreSQL then
    /// returns it with a WARNING that it may not be replicated, which the test checks.
    static func insertWaits(_ node: Node, _ value: Int) throws -> Bool {
        let insert = Process()
        insert.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        insert.arguments = ["-u", "postgres", "--", node.build.bindir + "/psql", "-h", node.socketDirectory,
                            "-p", String(node.port), "-d", "postgres", "-AtX", "-c", "INSERT INTO t VALUES (\(value))"]
        let errors = Pipe()
        insert.standardError = errors
        insert.standardOutput = FileHandle.nullDevice
        insert.standardInput = FileHandle.nullDevice
        try insert.run()
        let waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'"
        let waited = eventually(timeout: 2) { !insert.isRunning || (try? node.sql(waiting)) != "0" } && insert.isRunning
        if waited {
            try node.sql("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE wait_event = 'SyncRep'")
        }
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        insert.waitUntilExit()
        #expect(!waited || stderr.contains("canceling wait for synchronous replication"), "\(stderr)")
        return waited
    }

    static func setting(_ node: Node) throws -> String {
        try node.sql("SHOW synchronous_standby_names")
    }

    @Test("sync_standbys=1: ANY 1 on every node, commits wait without a standby, promote keeps it in force",
          arguments: PostgresBuild.available)
    func synchronousPair(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (a, b) = try workspace.primaryAndStandby(build)
        for node in [a, b] { node.parameters["sync_standbys"] = "1" }

        let postStart = notification("post", "start", promoted: ["n1"], unpromoted: ["n2"], active: ["n1", "n2"],
                                     start: ["n2"])
        let notifyA = try a.pgha("notify", postStart)
        #expect(notifyA.code == 0)
        #expect(try b.pgha("notify", postStart).code == 0)
        #expect(try Self.setting(a) == #"ANY 1 ("n2")"#, "the primary waits for n2: \(notifyA.log)")
        #expect(try Self.setting(b) == #"ANY 1 ("n1")"#, "the standby carries the setting it needs as a primary")
        #expect(eventually {
            (try? a.sql("SELECT state || ':' || sync_state FROM pg_stat_replication WHERE application_name = 'n2'"))
                == "streaming:quorum"
        }, "n2 is a quorum standby of n1\n\(b.serverLog)")
        try a.sql("CREATE TABLE t(i int)")
        #expect(try !Self.insertWaits(a, 1), "n2 confirms the commit")

        // Without its standby the primary acknowledges nothing.
        #expect(try b.pgha("stop").code == 0)
        #expect(try Self.insertWaits(a, 2), "the commit waits for a standby")
        #expect(try a.pgha("monitor").code == 8)

        // A standby started by pgha has the setting in its file before the server reads it.
        let started = try b.pgha("start")
        try #require(started.code == 0, "start n2: \(started.log)")
        #expect(try String(contentsOfFile: b.datadir + "/postgresql.auto.conf", encoding: .utf8)
                    .contains(#"synchronous_standby_names = 'ANY 1 ("n1")'"#))
        #expect(try b.pgha("notify", postStart).code == 0)
        #expect(eventually { (try? Self.insertWaits(a, 3)) == false }, "n2 confirms commits again")

        // Switchover: the new primary is synchronous from its first commit, before any notification.
        try #require(try a.pgha("demote").code == 0)
        #expect(eventually { (try? b.sql("SELECT pg_last_wal_replay_lsn() = pg_last_wal_receive_lsn()")) == "t" })
        let promoted = try b.pgha("promote")
        try #require(promoted.code == 0, "promote n2: \(promoted.log)")
        #expect(promoted.log.contains(#"synchronous_standby_names 'ANY 1 ("n1")'"#), "\(promoted.log)")
        #expect(try Self.setting(b) == #"ANY 1 ("n1")"#)
        #expect(try Self.insertWaits(b, 4), "n1 does not stream from n2 yet: the commit waits")
        let switchover = notification("post", "promote", promote: ["n2"], unpromoted: ["n1", "n2"], active: ["n1", "n2"])
        #expect(try b.pgha("notify", switchover).code == 0)
        #expect(try a.pgha("notify", switchover).code == 0)
        #expect(eventually { (try? Self.insertWaits(b, 5)) == false }, "n1 confirms commits on n2\n\(a.serverLog)")

        // Back to asynchronous: the agent's setting goes, on both nodes, and commits no longer wait.
        for node in [a, b] { node.parameters["sync_standbys"] = "0" }
        #expect(try b.pgha("notify", postStart).code == 0)
        #expect(try a.pgha("notify", postStart).code == 0)
        #expect(eventually { (try? Self.setting(b)) == "" })
        #expect(try Self.setting(a) == "")
        #expect(try a.pgha("stop").code == 0)
        #expect(try !Self.insertWaits(b, 6), "asynchronous: no wait without a standby")
    }

    @Test("sync_standbys=1 with no other member known: promote refuses rather than acknowledge alone",
          arguments: PostgresBuild.available.prefix(1))
    func noMembersNoPromotion(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (_, b) = try workspace.primaryAndStandby(build)
        // No notification reached n2 and no cluster answers crm_node: it knows no other member.
        let promoted = try b.pgha("promote", ["OCF_RESKEY_sync_standbys": "1"])
        #expect(promoted.code == 1, "\(promoted.log)")
        #expect(promoted.log.contains("sync_standbys=1 cannot be met by the known members [n2]"), "\(promoted.log)")
        #expect(try b.sql("SELECT pg_is_in_recovery()") == "t", "n2 is still a standby")
    }

    @Test("an admin's own synchronous_standby_names is left alone with sync_standbys=0",
          arguments: PostgresBuild.available.prefix(1))
    func adminSettingKept(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (a, b) = try workspace.primaryAndStandby(build)
        try a.sql("ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (n2)'")
        try a.sql("SELECT pg_reload_conf()")
        let postStart = notification("post", "start", promoted: ["n1"], unpromoted: ["n2"], active: ["n1", "n2"],
                                     start: ["n2"])
        #expect(try a.pgha("notify", postStart).code == 0)
        #expect(try b.pgha("notify", postStart).code == 0)
        #expect(eventually { (try? Self.setting(a)) == "FIRST 1 (n2)" })
    }
}
