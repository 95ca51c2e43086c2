import Foundation
import Testing
@testable import PGHA

/// A password in replication_options reaches the one place PostgreSQL needs it (primary_conninfo in
/// postgresql.auto.conf, mode 0600) and nothing else: no log line or exit reason, no recorded decision or
/// node attribute, no argument vector of a program the agent runs. Start, post-promote notify, rewind and
/// bootstrap run with a marker password; stand-ins record every argument vector.
@Suite(.serialized) struct SecretTests {
    static let marker = "MarkerPw7f3a"

    /// The build's binaries behind links, with pg_basebackup and pg_rewind wrapped to record their
    /// argument vectors in `log` before running the real ones.
    static func recordingBindir(_ workspace: Workspace, _ build: PostgresBuild, log: String) throws -> String {
        let directory = workspace.path + "/wrapped-bin"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: build.bindir) {
            let path = directory + "/" + name
            if name == "pg_basebackup" || name == "pg_rewind" {
                let script = "#!/bin/sh\nprintf '%s\\n' \"$0 $*\" >> '\(log)'\nexec '\(build.bindir)/\(name)' \"$@\"\n"
                FileManager.default.createFile(atPath: path, contents: script.data(using: .utf8),
                                               attributes: [.posixPermissions: 0o755])
            } else {
                try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: build.bindir + "/" + name)
            }
        }
        return directory
    }

    /// Pacemaker's tools as stand-ins: the workspace's crm_attribute, and crm_node and attrd_updater that
    /// record their argument vectors in `log` (crm_node names both nodes).
    static func recordingClusterTools(_ workspace: Workspace, log: String) throws -> String {
        let directory = try workspace.clusterTools()
        for (name, answer) in [("crm_node", "case \"$1\" in -l) printf '1 n1 member\\n2 n2 member\\n' ;; -p) echo 'n1 n2' ;; esac"),
                               ("attrd_updater", ":")] {
            let script = "#!/bin/sh\nprintf '%s\\n' \"\(name) $*\" >> '\(log)'\n\(answer)\nexit 0\n"
            FileManager.default.createFile(atPath: directory + "/" + name, contents: script.data(using: .utf8),
                                           attributes: [.posixPermissions: 0o755])
        }
        return directory
    }

    @Test("a marker password is in postgresql.auto.conf and in no log, reason, attribute or argument vector",
          arguments: PostgresBuild.available.prefix(1))
    func markerPassword(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let argv = workspace.path + "/argv.log"
        FileManager.default.createFile(atPath: argv, contents: nil, attributes: [.posixPermissions: 0o666])
        let bindir = try Self.recordingBindir(workspace, build, log: argv)
        let tools = try Self.recordingClusterTools(workspace, log: argv)
        let a = try workspace.node("n1", build)
        let b = try workspace.node("n2", build)
        let hosts = "n1=127.0.0.1:\(a.port) n2=127.0.0.1:\(b.port)"
        for node in [a, b] {
            node.parameters["node_hosts"] = hosts
            node.parameters["bindir"] = bindir
            // sslpassword too (libpq uses it only to decrypt a client key, so it is harmless here): no
            // environment variable carries it, a service file does.
            node.parameters["replication_options"] = "user=postgres password=\(Self.marker) sslpassword=\(Self.marker)Key"
            node.clusterTools = tools
        }
        // As Pacemaker runs a clone: decisions are recorded (attrd_updater) only then. Not for promote, whose
        // election would wait for positions the stand-ins do not keep.
        let clone = ["OCF_RESKEY_CRM_meta_clone_max": "2", "OCF_RESKEY_CRM_meta_notify": "true",
                     "OCF_RESKEY_CRM_meta_promotable": "true"]
        let secretDirectories = { Set(((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter { $0.hasPrefix("pgha-secrets.") }) }
        let directoriesBefore = secretDirectories()
        var outputs: [String] = []
        func step(_ node: Node, _ action: String, _ extra: [String: String] = [:]) throws -> Int32 {
            let result = try node.pgha(action, extra)
            outputs.append("\(node.name) \(action): \(result.log)")
            return result.code
        }

        try a.initialize()
        try #require(try step(a, "start", clone) == 0, "\(outputs)")
        try #require(try step(a, "promote") == 0, "\(outputs)")
        try b.cloneFrom(a)
        try #require(try step(b, "start", clone) == 0, "\(outputs)")
        let promotedA = notification("post", "promote", promote: ["n1"], unpromoted: ["n2"], active: ["n1", "n2"])
            .merging(clone) { $1 }
        try #require(try step(a, "notify", promotedA) == 0)
        try #require(try step(b, "notify", promotedA) == 0)
        #expect(BootstrapTests.streams(b, from: a), "\(outputs)")
        let settings = try String(contentsOfFile: b.datadir + "/postgresql.auto.conf", encoding: .utf8)
        #expect(settings.contains("password=\(Self.marker)"), "the WAL receiver gets the password: \(settings)")
        try a.sql("CREATE TABLE t(i int); INSERT INTO t VALUES (1)")

        // n2 promoted while n1 still writes; n1 crashes and comes back through pg_rewind.
        try #require(try step(b, "promote") == 0, "\(outputs)")
        let promotedB = notification("post", "promote", promote: ["n2"], unpromoted: ["n1"], active: ["n1", "n2"])
            .merging(clone) { $1 }
        try #require(try step(b, "notify", promotedB) == 0)
        try a.sql("INSERT INTO t SELECT generate_series(100, 1100)")
        try RejoinTests.crash(a)
        _ = try step(a, "notify", promotedB)
        a.parameters["rewind"] = "true"
        try #require(try step(a, "start", clone) == 0, "\(outputs)\n\(a.serverLog)")
        #expect(outputs.last?.contains("pg_rewind from n2 done") == true, "\(outputs.last ?? "")")

        // n1's data lost: bootstrap clones it from n2 with pg_basebackup.
        try #require(try step(a, "stop") == 0)
        try FileManager.default.removeItem(atPath: a.datadir)
        a.parameters["bootstrap"] = "true"
        try #require(try step(a, "start", clone) == 0, "\(outputs)\n\(a.serverLog)")
        #expect(outputs.last?.contains("pg_basebackup from n2 done") == true, "\(outputs.last ?? "")")

        let vectors = try String(contentsOfFile: argv, encoding: .utf8)
        #expect(vectors.contains("pg_rewind ") && vectors.contains("pg_basebackup "), "both ran: \(vectors)")
        #expect(vectors.contains("attrd_updater "), "decisions were recorded: \(vectors)")
        #expect(!vectors.contains(Self.marker), "no argument vector has the password or sslpassword: \(vectors)")
        #expect(secretDirectories() == directoriesBefore, "the service files for sslpassword are removed")
        let everything = outputs.joined(separator: "\n")
        #expect(everything.contains("password=***"), "conninfo is shown, masked")
        #expect(!everything.contains(Self.marker), "no log line or exit reason has the password: \(everything)")
        let attributes = workspace.path + "/attributes"
        for file in FileManager.default.enumerator(atPath: attributes)?.compactMap({ $0 as? String }) ?? [] {
            let text = (try? String(contentsOfFile: attributes + "/" + file, encoding: .utf8)) ?? ""
            #expect(!text.contains(Self.marker), "node attribute \(file): \(text)")
        }
    }

    @Test("pgha status: text and JSON carry no password, from replication_options or a recorded decision",
          arguments: PostgresBuild.available.prefix(1))
    func statusOutput(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (a, b) = try workspace.primaryAndStandby(build)
        let promoted = notification("post", "promote", promote: ["n1"], unpromoted: ["n2"], active: ["n1", "n2"])
        #expect(try a.pgha("notify", promoted).code == 0)
        #expect(try b.pgha("notify", promoted).code == 0)
        // n3: an address where nothing listens, so that libpq's error message is shown too.
        var variables = a.environment()
        variables["OCF_RESKEY_node_hosts"] = (a.parameters["node_hosts"] ?? "") + " n3=127.0.0.1:\(PortAllocator.shared.take())"
        variables["OCF_RESKEY_replication_options"] = "user=postgres password=\(Self.marker) sslpassword=\(Self.marker)Key"
        let parameters = try Parameters(environment: OCFEnvironment(variables))
        let answers = gatherServerFacts(nodes: ["n1", "n2", "n3"], parameters: parameters,
                                        user: try SystemUser(name: "postgres"))
        // A decision as an agent before masking would have recorded it.
        let decisions = ["n2": "1764000000 notify follows n1: primary_conninfo 'host=n1 password=\(Self.marker)'"]
        let facts = ClusterStatus.Facts(resource: CIB.Resource(id: "pgsqld", clone: "pgsql-ha", parameters: [:]),
                                        parameters: parameters, nodes: ["n1", "n2", "n3"],
                                        crmMon: try CrmMon(xml: StatusTests.crmMon(), resource: "pgsqld"),
                                        cibAttributes: [:], answers: answers, decisions: decisions)
        let status = ClusterStatus.assess(facts)
        let text = StatusText.render(status), json = StatusJSON.render(status)
        #expect(text.contains("follows n1"), "the decision is shown: \(text)")
        #expect(!text.contains(Self.marker), "\(text)")
        #expect(!json.contains(Self.marker), "\(json)")
    }
}
