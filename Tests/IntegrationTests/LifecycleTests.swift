import Foundation
import Testing

/// Every action on one real instance, on each PostgreSQL build found.
@Suite(.serialized) struct LifecycleTests {
    @Test("start, monitor, promote, demote, stop with the codes Pacemaker expects", arguments: PostgresBuild.available)
    func lifecycle(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let node = try workspace.node("n1", build)
        try node.initialize()

        #expect(try node.pgha("monitor").code == 7, "a stopped instance is not running")
        #expect(try node.pgha("monitor", ["OCF_RESKEY_CRM_meta_interval": "0"]).code == 7, "probe")
        let started = try node.pgha("start")
        try #require(started.code == 0, "start: \(started.log)\n\(node.serverLog)")
        #expect(try node.sql("SELECT pg_is_in_recovery()") == "t", "start always starts a standby")
        #expect(try node.pgha("monitor").code == 0)
        #expect(try node.pgha("start").code == 0, "starting a running standby succeeds")
        let deep = try node.pgha("validate-all", ["OCF_CHECK_LEVEL": "10"])
        #expect(deep.code == 0, "deep validation of a running standby: \(deep.log)")
        #expect(deep.log.contains("max_slot_wal_keep_size is -1"), "the default unbounded slot WAL is warned about")

        let promoted = try node.pgha("promote")
        try #require(promoted.code == 0, "promote: \(promoted.log)")
        #expect(try node.sql("SELECT pg_is_in_recovery()") == "f")
        #expect(try node.pgha("monitor").code == 8)
        try node.sql("CREATE TABLE t(i int); INSERT INTO t VALUES (1)")

        let demoted = try node.pgha("demote")
        try #require(demoted.code == 0, "demote: \(demoted.log)")
        #expect(try node.sql("SELECT pg_is_in_recovery()") == "t")
        #expect(try node.pgha("monitor").code == 0)
        #expect(try node.sql("SELECT count(*) FROM t") == "1", "the demoted instance kept its data")

        #expect(try node.pgha("stop").code == 0)
        #expect(try node.pgha("monitor").code == 7)
        #expect(try node.pgha("stop").code == 0, "stopping a stopped instance succeeds")
        #expect(try node.pgha("notify").code == 0, "notify without variables still returns 0")
    }

    @Test("a crashed instance: a recurring monitor says 9 (primary) or 1 (standby), a probe 7 with one warning, start recovers it as a standby",
          arguments: PostgresBuild.available, [true, false])
    func crashed(build: PostgresBuild, wasPrimary: Bool) throws {
        let workspace = try Workspace()
        let node = try workspace.node("n1", build)
        try node.initialize()
        try #require(try node.pgha("start").code == 0)
        if wasPrimary { try #require(try node.pgha("promote").code == 0) }
        let pid = try #require(node.postmasterPID.flatMap { Int32($0) })
        kill(pid, SIGKILL)
        #expect(eventually(timeout: 10) { kill(pid, 0) != 0 })
        // Children of a killed postmaster notice and exit on their own shortly after.
        let recurring = ["OCF_RESKEY_CRM_meta_interval": "15000"]
        #expect(eventually(timeout: 20) { (try? node.pgha("monitor", recurring).code) == (wasPrimary ? 9 : 1) })
        // A probe (after a reboot, a cleanup) reports what runs: nothing. No failure record for Pacemaker.
        let probe = try node.pgha("monitor")
        let state = wasPrimary ? "in production" : "in archive recovery"
        #expect(probe.code == 7, "\(probe.log)")
        #expect(probe.log.contains("WARNING: monitor: probe: not running; its control file says \(state): it crashed or was killed; start will recover it as a standby"),
                "\(probe.log)")
        let started = try node.pgha("start")
        try #require(started.code == 0, "start after a crash: \(started.log)\n\(node.serverLog)")
        #expect(try node.sql("SELECT pg_is_in_recovery()") == "t", "crash recovery ran as a standby")
        #expect(try node.pgha("monitor").code == 0)
    }

    @Test("demote of a primary that refuses the agent stops it: no writable primary is left behind",
          arguments: PostgresBuild.available.prefix(1))
    func demoteUnreachablePrimary(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let node = try workspace.node("n1", build)
        try node.initialize()
        try #require(try node.pgha("start").code == 0)
        try #require(try node.pgha("promote").code == 0)
        // The agent connects over the Unix socket: reject that, clients on TCP still write.
        let hba = node.datadir + "/pg_hba.conf"
        let rules = try String(contentsOfFile: hba, encoding: .utf8)
        try ("local all all reject\n" + rules).write(toFile: hba, atomically: false, encoding: .utf8)
        try node.sql("SELECT pg_reload_conf()")
        let tcp = ["-h", "127.0.0.1", "-p", String(node.port), "-d", "postgres", "-AtX", "-c"]
        #expect(eventually(timeout: 10) {
            (try? run(node.build.bindir + "/psql", tcp + ["SELECT 1"], user: "postgres").status) == 0
                && (try? node.pgha("monitor", ["OCF_RESKEY_CRM_meta_interval": "15000"]).code) == 9
        }, "the primary answers clients on TCP and the agent sees it failed (9)")
        let pid = try #require(node.postmasterPID.flatMap { Int32($0) })
        let demoted = try node.pgha("demote")
        #expect(demoted.code == 0, "\(demoted.log)")
        #expect(demoted.log.contains("stopping it, it may still accept writes"), "\(demoted.log)")
        // pg_ctl stop returns once postmaster.pid is gone, the process exits a moment later.
        #expect(eventually(timeout: 5) { kill(pid, 0) != 0 }, "the postmaster is gone once demote returned 0")
        #expect((try run(node.build.bindir + "/psql", tcp + ["CREATE TABLE after_demote(i int)"], user: "postgres")).status != 0,
                "no client can write any more")
        // The start that follows in Pacemaker's recovery runs it as a standby again, once the agent may connect.
        try rules.write(toFile: hba, atomically: false, encoding: .utf8)
        let started = try node.pgha("start")
        #expect(started.code == 0, "\(started.log)\n\(node.serverLog)")
        #expect(try node.sql("SELECT pg_is_in_recovery()") == "t")
    }

    @Test("start waits for what is left of a killed postmaster (a process still named postgres in postmaster.pid)")
    func startWaitsForLeftovers() throws {
        let workspace = try Workspace()
        let build = try #require(PostgresBuild.available.first)
        let node = try workspace.node("n1", build)
        try node.initialize()
        try #require(try node.pgha("start").code == 0)
        try #require(try node.pgha("stop").code == 0)
        // A stand-in for the previous postmaster: a process named postgres, its pid in postmaster.pid.
        let fake = workspace.path + "/postgres"
        try FileManager.default.createSymbolicLink(atPath: fake, withDestinationPath: "/bin/sleep")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: fake)
        process.arguments = ["3"]
        try process.run()
        try "\(process.processIdentifier)\n\(node.datadir)\n".write(toFile: node.datadir + "/postmaster.pid", atomically: true, encoding: .utf8)
        try run("/bin/chown", ["postgres:postgres", node.datadir + "/postmaster.pid"])
        let started = try node.pgha("start")
        #expect(started.code == 0, "start once the stand-in is gone: \(started.log)\n\(node.serverLog)")
        // Foundation marks the process ended only after reaping it, a moment later: ask the kernel instead.
        #expect(kill(process.processIdentifier, 0) != 0, "start waited for it")
        #expect(try node.pgha("monitor").code == 0)
    }

    @Test("the agent also works when run as system_user itself", arguments: PostgresBuild.available.prefix(1))
    func runAsSystemUser(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let node = try workspace.node("n1", build)
        try node.initialize()
        let started = try node.pgha("start", user: "postgres")
        try #require(started.code == 0, "start as postgres: \(started.log)")
        #expect(try node.pgha("monitor", user: "postgres").code == 0)
        #expect(try node.pgha("promote", user: "postgres").code == 0)
        #expect(try node.pgha("monitor", user: "postgres").code == 8)
        #expect(try node.pgha("stop", user: "postgres").code == 0)
    }
}

/// Paths that reach pg_ctl's shell: configuration apart from the data (Debian's layout), and a data
/// directory whose name has a space, a quote and non-ASCII letters.
@Suite(.serialized) struct ShellPathTests {
    @Test("a data directory named 'data dir \\'é' apart from its configuration: start, promote, monitor, stop")
    func pathWithSpaceQuoteAndAccent() throws {
        let build = try #require(PostgresBuild.available.first { $0.major == 15 })
        let workspace = try Workspace()
        let node = try workspace.node("n1", build)
        try node.initialize()
        let datadir = node.root + "/data dir 'é"
        let confdir = node.root + "/conf"
        try FileManager.default.moveItem(atPath: node.datadir, toPath: datadir)
        try run("/usr/bin/install", ["-d", "-o", "postgres", "-g", "postgres", "-m", "0700", confdir])
        for file in ["postgresql.conf", "pg_hba.conf", "pg_ident.conf"] {
            try FileManager.default.moveItem(atPath: datadir + "/" + file, toPath: confdir + "/" + file)
        }
        let environment = ["OCF_RESKEY_pgdata": confdir, "OCF_RESKEY_datadir": datadir]
        defer { _ = try? run(build.bindir + "/pg_ctl", ["stop", "-D", datadir, "-m", "immediate"], user: "postgres") }
        let started = try node.pgha("start", environment)
        #expect(started.code == 0, "start: \(started.log)\n\(node.serverLog)")
        #expect(try node.sql("SHOW data_directory") == datadir)
        #expect(try node.pgha("monitor", environment).code == 0)
        #expect(try node.pgha("promote", environment).code == 0)
        #expect(try node.pgha("monitor", environment).code == 8)
        #expect(try node.pgha("validate-all", environment).code == 0)
        #expect(try node.pgha("stop", environment).code == 0)
        #expect(try node.pgha("monitor", environment).code == 7)
    }
}
