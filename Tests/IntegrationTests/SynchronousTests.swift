import Foundation
import Testing

/// sync_standbys on a real primary and standby: the setting every node carries, commits that wait without a
/// standby, a switchover that keeps the setting in force, and the way back to asynchronous.
@Suite(.serialized) struct SynchronousTests {
    /// How one INSERT on a primary ended.
    enum Commit: Equatable {
        /// It returned on its own, without a warning: a standby confirmed it, or none was needed.
        case confirmed
        /// It was still waiting for a standby (wait event SyncRep) after the whole hold, and returned with
        /// PostgreSQL's warning once cancelled.
        case waitedUntilCancelled
        case failed(String)
    }

    /// An INSERT on `node`, watched for `hold` seconds. Every synchronous commit waits in SyncRep for a
    /// moment, so one sample of the wait event proves nothing: a commit that returns within the hold
    /// counts as confirmed, whatever a sample showed; only one still waiting at the end of the hold is
    /// cancelled (statement_timeout cannot: it is off while a commit waits) and checked for the warning.
    static func commit(_ node: Node, _ value: Int, hold: Double) throws -> Commit {
        let statement = "INSERT INTO t VALUES (\(value))"
        let insert = Process()
        insert.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        insert.arguments = ["-u", "postgres", "--", node.build.bindir + "/psql", "-h", node.socketDirectory,
                            "-p", String(node.port), "-d", "postgres", "-AtX", "-c", statement]
        let errors = Pipe()
        insert.standardError = errors
        insert.standardOutput = FileHandle.nullDevice
        insert.standardInput = FileHandle.nullDevice
        try insert.run()
        let returned = eventually(timeout: hold) { !insert.isRunning }
        var cancelled = false
        if !returned {
            let backend = "FROM pg_stat_activity WHERE wait_event = 'SyncRep' AND query = '\(statement)'"
            guard (try? node.sql("SELECT count(*) \(backend)")) == "1" else {
                insert.terminate()
                insert.waitUntilExit()
                return .failed("still running after \(hold) s but not waiting for a standby")
            }
            try node.sql("SELECT pg_cancel_backend(pid) \(backend)")
            cancelled = true
        }
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        insert.waitUntilExit()
        guard insert.terminationStatus == 0 else { return .failed("psql exited \(insert.terminationStatus): \(stderr)") }
        let warned = stderr.contains("canceling wait for synchronous replication")
        switch (cancelled, warned) {
        case (false, false): return .confirmed
        case (true, true): return .waitedUntilCancelled
        default: return .failed("cancelled: \(cancelled), stderr: \(stderr)")
        }
    }

    /// Confirmed commits return at once; 10 s leaves a loaded machine room.
    static func confirmed(_ node: Node, _ value: Int) throws -> Bool { try commit(node, value, hold: 10) == .confirmed }

    /// Still waiting after 3 s with no standby streaming: a commit that would wait for ever.
    static func waits(_ node: Node, _ value: Int) throws -> Bool { try commit(node, value, hold: 3) == .waitedUntilCancelled }

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
        // notify reloads without waiting for the postmaster to take the value: a new session sees it soon.
        #expect(eventually { (try? Self.setting(a)) == #"ANY 1 ("n2")"# }, "the primary waits for n2: \(notifyA.log)")
        #expect(eventually { (try? Self.setting(b)) == #"ANY 1 ("n1")"# }, "the standby carries the setting it needs as a primary")
        #expect(eventually {
            (try? a.sql("SELECT state || ':' || sync_state FROM pg_stat_replication WHERE application_name = 'n2'"))
                == "streaming:quorum"
        }, "n2 is a quorum standby of n1\n\(b.serverLog)")
        try a.sql("CREATE TABLE t(i int)")
        #expect(try Self.confirmed(a, 1), "n2 confirms the commit")

        // Without its standby the primary acknowledges nothing.
        #expect(try b.pgha("stop").code == 0)
        #expect(try Self.waits(a, 2), "the commit waits for a standby")
        #expect(try a.pgha("monitor").code == 8)

        // A standby started by pgha has the setting in its file before the server reads it.
        let started = try b.pgha("start")
        try #require(started.code == 0, "start n2: \(started.log)")
        #expect(try String(contentsOfFile: b.datadir + "/postgresql.auto.conf", encoding: .utf8)
                    .contains(#"synchronous_standby_names = 'ANY 1 ("n1")'"#))
        #expect(try b.pgha("notify", postStart).code == 0)
        #expect(eventually { (try? Self.confirmed(a, 3)) == true }, "n2 confirms commits again")

        // Switchover: the new primary is synchronous from its first commit, before any notification.
        try #require(try a.pgha("demote").code == 0)
        #expect(eventually { (try? b.sql("SELECT pg_last_wal_replay_lsn() = pg_last_wal_receive_lsn()")) == "t" })
        let promoted = try b.pgha("promote")
        try #require(promoted.code == 0, "promote n2: \(promoted.log)")
        #expect(promoted.log.contains(#"synchronous_standby_names 'ANY 1 ("n1")'"#), "\(promoted.log)")
        #expect(try Self.setting(b) == #"ANY 1 ("n1")"#)
        #expect(try Self.waits(b, 4), "n1 does not stream from n2 yet: the commit waits")
        let switchover = notification("post", "promote", promote: ["n2"], unpromoted: ["n1", "n2"], active: ["n1", "n2"])
        #expect(try b.pgha("notify", switchover).code == 0)
        #expect(try a.pgha("notify", switchover).code == 0)
        #expect(eventually { (try? Self.confirmed(b, 5)) == true }, "n1 confirms commits on n2\n\(a.serverLog)")

        // Back to asynchronous: the agent's setting goes, on both nodes, and commits no longer wait.
        for node in [a, b] { node.parameters["sync_standbys"] = "0" }
        #expect(try b.pgha("notify", postStart).code == 0)
        #expect(try a.pgha("notify", postStart).code == 0)
        #expect(eventually { (try? Self.setting(b)) == "" })
        #expect(eventually { (try? Self.setting(a)) == "" })
        #expect(try a.pgha("stop").code == 0)
        #expect(try Self.confirmed(b, 6), "asynchronous: no wait without a standby")
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
