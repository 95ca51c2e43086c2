import Foundation
import Testing

/// bootstrap=true: a node without data is cloned from the primary at start; without it, the same start
/// fails with code 5 and names the parameter.
@Suite(.serialized) struct BootstrapTests {
    /// n1 primary, n2 its standby (slots in place, the promoted node known to n2), n2 then stopped.
    static func pairWithStoppedStandby(_ workspace: Workspace, _ build: PostgresBuild) throws -> (Node, Node) {
        let (a, b) = try RejoinTests.pair(workspace, build)
        try #require(try b.pgha("stop").code == 0)
        return (a, b)
    }

    static func streams(_ standby: Node, from primary: Node) -> Bool {
        eventually { (try? primary.sql("SELECT application_name || ':' || state FROM pg_stat_replication")) == "\(standby.name):streaming" }
    }

    @Test("a removed data directory: code 5 naming bootstrap without it; with it, monitor says 7 and start clones",
          arguments: PostgresBuild.available)
    func removedDataDirectory(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (a, b) = try Self.pairWithStoppedStandby(workspace, build)
        try FileManager.default.removeItem(atPath: b.datadir)

        let monitor = try b.pgha("monitor", ["OCF_RESKEY_CRM_meta_interval": "16000"])
        #expect(monitor.code == 5, "\(monitor.log)")
        #expect(try b.pgha("monitor").code == 7, "a probe: not running")
        let refused = try b.pgha("start")
        #expect(refused.code == 5, "\(refused.log)")
        #expect(refused.log.contains("ocf-exit-reason:data directory '\(b.datadir)' does not exist: set bootstrap=true"), "\(refused.log)")
        #expect(!FileManager.default.fileExists(atPath: b.datadir), "a refused start creates nothing")

        b.parameters["bootstrap"] = "true"
        #expect(try b.pgha("monitor", ["OCF_RESKEY_CRM_meta_interval": "16000"]).code == 7,
                "not running: Pacemaker recovers it through start")
        let valid = try b.pgha("validate-all")
        #expect(valid.code == 0, "\(valid.log)")
        let started = try b.pgha("start")
        try #require(started.code == 0, "start: \(started.log)\n\(b.serverLog)")
        #expect(started.log.contains("cloning it from n1"), "\(started.log)")
        #expect(started.log.contains("pg_basebackup from n1 done") && started.log.contains("through slot pgha_n2"), "\(started.log)")
        #expect(try b.pgha("monitor").code == 0)
        #expect(Self.streams(b, from: a), "n2 streams from n1: \(b.serverLog)")
        try a.sql("INSERT INTO t VALUES (2)")
        #expect(eventually { (try? b.sql("SELECT count(*) FROM t")) == "2" })
        let entries = try FileManager.default.contentsOfDirectory(atPath: b.datadir)
        #expect(!entries.contains(".pgha-clone") && !entries.contains(".pgha-clone-partial"), "\(entries)")
        var info = stat()
        #expect(stat(b.datadir, &info) == 0 && info.st_mode & 0o777 == 0o700, "mode 0700")
    }

    @Test("an empty data directory, and one holding an abandoned partial clone, are cloned",
          arguments: ["empty", "partial"])
    func emptyOrPartial(kind: String) throws {
        let workspace = try Workspace()
        let build = try #require(PostgresBuild.available.first)
        let (a, b) = try Self.pairWithStoppedStandby(workspace, build)
        try FileManager.default.removeItem(atPath: b.datadir)
        try run("/usr/bin/install", ["-d", "-o", "postgres", "-g", "postgres", "-m", "0700", b.datadir])
        if kind == "partial" {
            // As pg_basebackup leaves it when cut short: the system user's files.
            try run("/usr/bin/mkdir", ["-p", b.datadir + "/.pgha-clone-partial/base"], user: "postgres")
            try run("/usr/bin/touch", [b.datadir + "/.pgha-clone-partial/base/left-over"], user: "postgres")
        }
        let refused = try b.pgha("start")
        #expect(refused.code == 5 && refused.log.contains("is empty: set bootstrap=true"), "\(refused.log)")
        b.parameters["bootstrap"] = "true"
        #expect(try b.pgha("monitor").code == 7)
        let started = try b.pgha("start")
        try #require(started.code == 0, "start: \(started.log)\n\(b.serverLog)")
        #expect(Self.streams(b, from: a), "\(b.serverLog)")
        #expect(!FileManager.default.fileExists(atPath: b.datadir + "/base/left-over"))
    }

    @Test("a directory with files that are not PostgreSQL's is refused and left as it is")
    func foreignFiles() throws {
        let workspace = try Workspace()
        let build = try #require(PostgresBuild.available.first)
        let (_, b) = try Self.pairWithStoppedStandby(workspace, build)
        try FileManager.default.removeItem(atPath: b.datadir + "/PG_VERSION")
        b.parameters["bootstrap"] = "true"
        let before = try BadInputTests.snapshot(b.datadir)
        let refused = try b.pgha("start")
        #expect(refused.code == 6, "\(refused.log)")
        #expect(refused.log.contains("has no PG_VERSION"), "\(refused.log)")
        #expect(try BadInputTests.snapshot(b.datadir) == before, "nothing removed")
        #expect(try b.pgha("monitor", ["OCF_RESKEY_CRM_meta_interval": "16000"]).code == 6)
    }

    @Test("without a primary to clone from, start fails with the reason and writes nothing")
    func noPrimary() throws {
        let workspace = try Workspace()
        let build = try #require(PostgresBuild.available.first)
        let (a, b) = try Self.pairWithStoppedStandby(workspace, build)
        try #require(try a.pgha("stop").code == 0)
        try FileManager.default.removeItem(atPath: b.datadir)
        b.parameters["bootstrap"] = "true"
        let refused = try b.pgha("start")
        #expect(refused.code == 1, "\(refused.log)")
        #expect(refused.log.contains("ocf-exit-reason:cannot clone from n1"), "\(refused.log)")
        #expect(!FileManager.default.fileExists(atPath: b.datadir))
    }

    @Test("a diverged standby whose pg_rewind fails is cloned again when bootstrap=true")
    func rewindFailsThenClone() throws {
        let workspace = try Workspace()
        let build = try #require(PostgresBuild.available.first)
        let (a, b) = try RejoinTests.pair(workspace, build)
        // As in RejoinTests: n2 promoted while n1 writes, n1 demoted past the fork point, notify stops it.
        try #require(try b.pgha("promote").code == 0)
        try a.sql("INSERT INTO t SELECT generate_series(100, 1100)")
        try #require(try a.pgha("demote").code == 0)
        let promoted = notification("post", "promote", promote: ["n2"], unpromoted: ["n1"], active: ["n1", "n2"])
        try #require(try b.pgha("notify", promoted).code == 0)
        try #require(try a.pgha("notify", promoted).log.contains("diverged from n2"))
        // pg_rewind reads the target's WAL back to the last common checkpoint: without it, it fails.
        for file in try FileManager.default.contentsOfDirectory(atPath: a.datadir + "/pg_wal") where file.hasPrefix("0000") {
            try FileManager.default.removeItem(atPath: a.datadir + "/pg_wal/" + file)
        }
        a.parameters["rewind"] = "true"
        let failed = try a.pgha("start")
        #expect(failed.code == 1 && failed.log.contains("pg_rewind"), "without bootstrap the failure stands: \(failed.log)")
        a.parameters["bootstrap"] = "true"
        let cloned = try a.pgha("start")
        try #require(cloned.code == 0, "start: \(cloned.log)\n\(a.serverLog)")
        #expect(cloned.log.contains("pg_rewind from n2 failed") && cloned.log.contains("cloning the data directory again"), "\(cloned.log)")
        #expect(cloned.log.contains("pg_basebackup from n2 done"), "\(cloned.log)")
        #expect(Self.streams(a, from: b), "\(a.serverLog)")
        #expect(eventually { (try? a.sql("SELECT count(*) FROM t")) == "1" }, "n1's diverged rows are gone")
    }

    @Test("a standby whose slot was invalidated while it was away: refused without bootstrap, cloned with it",
          arguments: PostgresBuild.available)
    func invalidatedSlot(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (a, b) = try Self.pairWithStoppedStandby(workspace, build)
        try Self.invalidateSlot(of: b, on: a)

        let before = try BadInputTests.snapshot(b.datadir)
        let refused = try b.pgha("start")
        #expect(refused.code == 1, "\(refused.log)")
        #expect(refused.log.contains("ocf-exit-reason:slot pgha_n2 on n1 was invalidated"), "\(refused.log)")
        #expect(refused.log.contains("set bootstrap=true"), "\(refused.log)")
        #expect(try BadInputTests.snapshot(b.datadir) == before, "a refused start changes nothing")

        b.parameters["bootstrap"] = "true"
        let cloned = try b.pgha("start")
        try #require(cloned.code == 0, "start: \(cloned.log)\n\(b.serverLog)")
        #expect(cloned.log.contains("cloning the data directory again"), "\(cloned.log)")
        #expect(cloned.log.contains("through slot pgha_n2 (created)"), "\(cloned.log)")
        #expect(Self.streams(b, from: a), "\(b.serverLog)")
        #expect(try a.sql("SELECT wal_status <> 'lost' AND active FROM pg_replication_slots WHERE slot_name = 'pgha_n2'") == "t")
        #expect(eventually { (try? b.sql("SELECT count(*) FROM t")) == "5" })
    }

    /// Writes four rows and four WAL segments on `primary` with a bound of 1 MB and no wal_keep_size: the
    /// checkpoint then invalidates the stopped `standby`'s slot.
    static func invalidateSlot(of standby: Node, on primary: Node) throws {
        try primary.sql("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'")
        try primary.sql("ALTER SYSTEM SET wal_keep_size = 0")
        try primary.sql("SELECT pg_reload_conf()")
        for i in 1...4 {
            try primary.sql("INSERT INTO t VALUES (\(100 + i))")
            try primary.sql("SELECT pg_switch_wal()")
        }
        try primary.sql("CHECKPOINT")
        try #require(eventually { (try? primary.sql("SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'pgha_\(standby.name)'")) == "lost" },
                     "\(standby.name)'s slot invalidated: \(primary.serverLog)")
    }

    @Test("an invalidated slot is recorded on its node and replaced by one that pins nothing; the node is cloned through it or refused",
          arguments: PostgresBuild.available)
    func invalidatedSlotReplaced(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (a, b) = try Self.pairWithStoppedStandby(workspace, build)
        let tools = try workspace.clusterTools()
        a.clusterTools = tools
        b.clusterTools = tools
        let attribute = "pgha-slot-lost-pgsqld"
        try Self.invalidateSlot(of: b, on: a)
        // As when a third member starts while n2 is away: the primary synchronises its slots.
        var started = notification("post", "start", promoted: ["n1"], active: ["n1", "n3"], start: ["n3"])
        started["OCF_RESKEY_CRM_meta_notify_inactive_uname"] = "n2"
        let slot = "SELECT coalesce(wal_status, 'none') || ' ' || (restart_lsn IS NULL) FROM pg_replication_slots WHERE slot_name = 'pgha_n2'"

        // Without the record the invalidated slot is the only evidence: it stays.
        FileManager.default.createFile(atPath: workspace.path + "/attributes.fail", contents: nil)
        let unrecorded = try a.pgha("notify", started)
        #expect(unrecorded.code == 0)
        #expect(unrecorded.log.contains("slot pgha_n2 of n2 was invalidated") && unrecorded.log.contains("left as it is"), "\(unrecorded.log)")
        #expect(try a.sql(slot) == "lost true")
        #expect(workspace.nodeAttribute(attribute, node: "n2") == nil)
        try FileManager.default.removeItem(atPath: workspace.path + "/attributes.fail")

        // The primary's monitor finds it too (one column of its status query) and replaces it.
        let replaced = try a.pgha("monitor")
        #expect(replaced.code == 8)
        #expect(replaced.log.contains("recorded in node attribute \(attribute) of n2") && replaced.log.contains("created again without reserved WAL"), "\(replaced.log)")
        #expect(try a.sql(slot) == "none true", "the new slot reserves no WAL")
        let recorded = try #require(workspace.nodeAttribute(attribute, node: "n2"))
        #expect(recorded.hasPrefix("primary=n1 slot=pgha_n2 lsn=") && recorded.contains(" time="), "\(recorded)")

        // Only the attribute remembers now.
        let before = try BadInputTests.snapshot(b.datadir)
        let refused = try b.pgha("start")
        #expect(refused.code == 1, "\(refused.log)")
        #expect(refused.log.contains("ocf-exit-reason:slot pgha_n2 was invalidated (max_slot_wal_keep_size; recorded by n1 at"), "\(refused.log)")
        #expect(refused.log.contains("set bootstrap=true") && refused.log.contains("delete the node attribute \(attribute)"), "\(refused.log)")
        #expect(try BadInputTests.snapshot(b.datadir) == before, "a refused start changes nothing")
        #expect(workspace.nodeAttribute(attribute, node: "n2") == recorded, "the evidence stays")

        b.parameters["bootstrap"] = "true"
        let cloned = try b.pgha("start")
        try #require(cloned.code == 0, "start: \(cloned.log)\n\(b.serverLog)")
        #expect(cloned.log.contains("cloning the data directory again"), "\(cloned.log)")
        #expect(cloned.log.contains("through slot pgha_n2") && !cloned.log.contains("(created)"), "the new slot is used as it is: \(cloned.log)")
        #expect(workspace.nodeAttribute(attribute, node: "n2") == nil, "the clone deletes the evidence: \(cloned.log)")
        #expect(Self.streams(b, from: a), "\(b.serverLog)")
        #expect(eventually { (try? a.sql("SELECT wal_status <> 'lost' AND active AND restart_lsn IS NOT NULL FROM pg_replication_slots WHERE slot_name = 'pgha_n2'")) == "t" })
        #expect(eventually { (try? b.sql("SELECT count(*) FROM t")) == "5" })

        // A later start of the new standby follows the primary as any other.
        try #require(try b.pgha("stop").code == 0)
        let again = try b.pgha("start")
        #expect(again.code == 0 && !again.log.contains("cloning"), "\(again.log)")
    }
}
