import Foundation
import Testing

/// Notify variables as Pacemaker sets them. `legacy` uses the 2.0 names (master/slave), else the 2.1 ones.
func notification(_ timing: String, _ operation: String, promote: [String] = [], promoted: [String] = [],
                  unpromoted: [String] = [], active: [String], start: [String] = [], demote: [String] = [],
                  stop: [String] = [], legacy: Bool = false) -> [String: String] {
    let prefix = "OCF_RESKEY_CRM_meta_notify_"
    var environment = [
        prefix + "type": timing, prefix + "operation": operation,
        prefix + "promote_uname": promote.joined(separator: " ") + " ",
        prefix + "start_uname": " " + start.joined(separator: "  "),
        prefix + "active_uname": active.joined(separator: " "),
        prefix + "stop_uname": stop.joined(separator: " "), prefix + "demote_uname": demote.joined(separator: " "),
    ]
    environment[prefix + (legacy ? "master_uname" : "promoted_uname")] = promoted.joined(separator: " ")
    environment[prefix + (legacy ? "slave_uname" : "unpromoted_uname")] = unpromoted.joined(separator: " ")
    return environment
}

/// A primary and a pg_basebackup standby on one machine: streaming through slots after notify, then a
/// switchover.
@Suite(.serialized) struct ReplicationTests {
    @Test("post-promote notify makes the standby stream through its slot; switchover reverses it",
          arguments: PostgresBuild.available)
    func streamingAndSwitchover(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (a, b) = try workspace.primaryAndStandby(build)
        let pidB = b.postmasterPID

        // The transition that promoted n1, as seen by both nodes.
        let postPromote = notification("post", "promote", promote: ["n1"], unpromoted: ["n2"], active: ["n1", "n2"])
        #expect(try a.pgha("notify", postPromote).code == 0)
        let notifyB = try b.pgha("notify", postPromote)
        #expect(notifyB.code == 0)

        #expect(try a.sql("SELECT slot_name FROM pg_replication_slots") == "pgha_n2")
        let streaming = eventually {
            (try? a.sql("SELECT application_name || ':' || state FROM pg_stat_replication")) == "n2:streaming"
        }
        #expect(streaming, "n2 streams from n1: \(notifyB.log)\n\(b.serverLog)")
        #expect(eventually { (try? a.sql("SELECT active FROM pg_replication_slots WHERE slot_name = 'pgha_n2'")) == "t" })
        if build.major >= 13 {
            #expect(b.postmasterPID == pidB, "13 and later re-read primary_conninfo on reload: no restart")
        }
        try a.sql("CREATE TABLE t(i int); INSERT INTO t VALUES (1)")
        #expect(eventually { (try? b.sql("SELECT count(*) FROM t")) == "1" })

        // Switchover: demote n1, promote n2, then the post-promote notification (2.0 names this time).
        let demoted = try a.pgha("demote")
        try #require(demoted.code == 0, "demote n1: \(demoted.log)\n\(a.serverLog)")
        let pidA = a.postmasterPID
        #expect(eventually { (try? b.sql("SELECT pg_last_wal_replay_lsn() = pg_last_wal_receive_lsn()")) == "t" })
        let promotedB = try b.pgha("promote")
        try #require(promotedB.code == 0, "promote n2: \(promotedB.log)")
        let switchover = notification("post", "promote", promote: ["n2"], promoted: [], unpromoted: ["n1", "n2"],
                                      active: ["n1", "n2"], legacy: true)
        #expect(try b.pgha("notify", switchover).code == 0)
        let notifyA = try a.pgha("notify", switchover)
        #expect(notifyA.code == 0)

        #expect(try b.sql("SELECT slot_name FROM pg_replication_slots") == "pgha_n1")
        #expect(eventually {
            (try? b.sql("SELECT application_name || ':' || state FROM pg_stat_replication")) == "n1:streaming"
        }, "n1 streams from n2: \(notifyA.log)\n\(a.serverLog)")
        if build.major >= 13 {
            #expect(a.postmasterPID == pidA, "the demoted node followed the new primary without a restart")
        }
        try b.sql("INSERT INTO t VALUES (2)")
        #expect(eventually { (try? a.sql("SELECT count(*) FROM t")) == "2" }, "writes on n2 reach n1")
        #expect(try a.pgha("monitor").code == 0)
        #expect(try b.pgha("monitor").code == 8)
    }

    @Test("slots of nodes that left are dropped, admin slots are kept", arguments: PostgresBuild.available.prefix(1))
    func slotMembership(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let a = try workspace.node("n1", build)
        try a.initialize()
        try #require(try a.pgha("start").code == 0)
        try #require(try a.pgha("promote").code == 0)
        try a.sql("SELECT pg_create_physical_replication_slot('admin_slot')")
        let three = notification("post", "start", promoted: ["n1"], active: ["n1", "n2", "n3"], start: ["n3"])
        #expect(try a.pgha("notify", three).code == 0)
        #expect(try a.sql("SELECT string_agg(slot_name, ',' ORDER BY slot_name) FROM pg_replication_slots")
                == "admin_slot,pgha_n2,pgha_n3")
        let two = notification("post", "start", promoted: ["n1"], active: ["n1", "n3"], start: ["n3"])
        #expect(try a.pgha("notify", two).code == 0)
        #expect(try a.sql("SELECT string_agg(slot_name, ',' ORDER BY slot_name) FROM pg_replication_slots")
                == "admin_slot,pgha_n3")
    }
}
