import Foundation
import Testing

/// Bad input gets the right OCF code and an ocf-exit-reason, and changes nothing on disk.
@Suite(.serialized) struct BadInputTests {
    /// A stopped PostgreSQL 15 instance to misconfigure.
    static func stoppedNode(_ workspace: Workspace) throws -> Node {
        let build = try #require(PostgresBuild.available.first { $0.major == 15 })
        let node = try workspace.node("n1", build)
        try node.initialize()
        return node
    }

    /// The files of a data directory with their sizes and modification times, to prove nothing changed.
    static func snapshot(_ directory: String) throws -> [String: String] {
        var result: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let file = enumerator?.nextObject() as? String {
            let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/" + file)
            result[file] = "\(attributes[.size] ?? 0) \(attributes[.modificationDate] ?? "")"
        }
        return result
    }

    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let action: String
        let environment: [String: String]
        let code: Int32
        let reason: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "pgdata not set", action: "validate-all", environment: ["OCF_RESKEY_pgdata": ""], code: 6,
             reason: "parameter 'pgdata' is required"),
        Case(name: "pgdata not set, start", action: "start", environment: ["OCF_RESKEY_pgdata": ""], code: 6,
             reason: "parameter 'pgdata' is required"),
        Case(name: "pgdata missing", action: "start", environment: ["OCF_RESKEY_pgdata": "/nonexistent/data"], code: 5,
             reason: "data directory '/nonexistent/data' does not exist"),
        Case(name: "pgdata missing, probe", action: "monitor",
             environment: ["OCF_RESKEY_pgdata": "/nonexistent/data", "OCF_RESKEY_CRM_meta_interval": "0"],
             code: 7, reason: ""),
        Case(name: "pgdata missing, recurring monitor", action: "monitor",
             environment: ["OCF_RESKEY_pgdata": "/nonexistent/data", "OCF_RESKEY_CRM_meta_interval": "16000"],
             code: 5, reason: "does not exist"),
        Case(name: "binaries missing", action: "start", environment: ["OCF_RESKEY_bindir": "/nonexistent/bin"],
             code: 5, reason: "'/nonexistent/bin/pg_ctl' is missing or not executable"),
        Case(name: "binaries missing, validate", action: "validate-all",
             environment: ["OCF_RESKEY_bindir": "/nonexistent/bin"], code: 5, reason: "missing or not executable"),
        Case(name: "binaries missing, probe", action: "monitor",
             environment: ["OCF_RESKEY_bindir": "/nonexistent/bin", "OCF_RESKEY_CRM_meta_interval": "0"],
             code: 7, reason: ""),
        Case(name: "binaries missing, stop of a stopped instance", action: "stop",
             environment: ["OCF_RESKEY_bindir": "/nonexistent/bin"], code: 0, reason: ""),
        Case(name: "system_user unknown", action: "validate-all",
             environment: ["OCF_RESKEY_system_user": "no_such_user_pgha"], code: 6,
             reason: "system_user 'no_such_user_pgha' does not exist"),
        Case(name: "system_user unknown, probe", action: "monitor",
             environment: ["OCF_RESKEY_system_user": "no_such_user_pgha", "OCF_RESKEY_CRM_meta_interval": "0"],
             code: 7, reason: ""),
        Case(name: "system_user does not own pgdata", action: "validate-all",
             environment: ["OCF_RESKEY_system_user": "nobody"], code: 6, reason: "does not own the data directory"),
        Case(name: "pgport not a port", action: "validate-all", environment: ["OCF_RESKEY_pgport": "99999"], code: 6,
             reason: "parameter 'pgport'='99999'"),
        Case(name: "maxlag negative", action: "validate-all", environment: ["OCF_RESKEY_maxlag": "-1"], code: 6,
             reason: "parameter 'maxlag'"),
        Case(name: "node_hosts malformed", action: "validate-all", environment: ["OCF_RESKEY_node_hosts": "n1"],
             code: 6, reason: "'n1' is not node=host[:port]"),
        Case(name: "replication_options sets host", action: "validate-all",
             environment: ["OCF_RESKEY_replication_options": "host=x user=r"], code: 6, reason: "'host' is set by the agent"),
        Case(name: "replication_options unparsable", action: "validate-all",
             environment: ["OCF_RESKEY_replication_options": "user='r"], code: 6, reason: "not a libpq keyword=value list"),
        Case(name: "clone without notify", action: "validate-all",
             environment: ["OCF_RESKEY_CRM_meta_clone_max": "3", "OCF_RESKEY_CRM_meta_notify": "false",
                           "OCF_RESKEY_CRM_meta_promotable": "true"], code: 6, reason: "notify=true"),
        Case(name: "clone without notify, start", action: "start",
             environment: ["OCF_RESKEY_CRM_meta_clone_max": "3", "OCF_RESKEY_CRM_meta_promotable": "true"], code: 6,
             reason: "notify=true"),
        Case(name: "clone not promotable", action: "validate-all",
             environment: ["OCF_RESKEY_CRM_meta_clone_max": "3", "OCF_RESKEY_CRM_meta_notify": "true"], code: 6,
             reason: "promotable clone"),
        Case(name: "promotable clone with notify", action: "validate-all",
             environment: ["OCF_RESKEY_CRM_meta_clone_max": "3", "OCF_RESKEY_CRM_meta_notify": "true",
                           "OCF_RESKEY_CRM_meta_promotable": "true"], code: 0, reason: ""),
        Case(name: "sync_standbys negative", action: "validate-all", environment: ["OCF_RESKEY_sync_standbys": "-1"],
             code: 6, reason: "parameter 'sync_standbys'='-1': must be a whole number of standbys >= 0"),
        Case(name: "sync_standbys not a number, start", action: "start", environment: ["OCF_RESKEY_sync_standbys": "one"],
             code: 6, reason: "parameter 'sync_standbys'='one'"),
        Case(name: "sync_standbys as many as the clones", action: "validate-all",
             environment: ["OCF_RESKEY_sync_standbys": "3", "OCF_RESKEY_CRM_meta_clone_max": "3",
                           "OCF_RESKEY_CRM_meta_notify": "true", "OCF_RESKEY_CRM_meta_promotable": "true"], code: 6,
             reason: "must be less than the 3 clone instances: a primary has only 2 standbys"),
        Case(name: "sync_standbys as many as the clones, start", action: "start",
             environment: ["OCF_RESKEY_sync_standbys": "2", "OCF_RESKEY_CRM_meta_clone_max": "2",
                           "OCF_RESKEY_CRM_meta_notify": "true", "OCF_RESKEY_CRM_meta_promotable": "true"], code: 6,
             reason: "must be less than the 2 clone instances"),
        Case(name: "sync_standbys below the clones", action: "validate-all",
             environment: ["OCF_RESKEY_sync_standbys": "2", "OCF_RESKEY_CRM_meta_clone_max": "3",
                           "OCF_RESKEY_CRM_meta_notify": "true", "OCF_RESKEY_CRM_meta_promotable": "true"], code: 0,
             reason: ""),
        Case(name: "start_opts with a shell command", action: "validate-all",
             environment: ["OCF_RESKEY_start_opts": "-c work_mem=4MB; touch /tmp/pgha-pwned"], code: 6,
             reason: "';' is not allowed: pg_ctl -o hands these options to a shell"),
        Case(name: "start_opts with a substitution, start", action: "start",
             environment: ["OCF_RESKEY_start_opts": "-c cluster_name=$(id)"], code: 6, reason: "'$' is not allowed"),
        Case(name: "start_opts quoted", action: "validate-all",
             environment: ["OCF_RESKEY_start_opts": "-c search_path='a, b'"], code: 6, reason: "''' is not allowed"),
        Case(name: "pgdata with a double quote", action: "start",
             environment: ["OCF_RESKEY_pgdata": "/var/lib/pg\"data"], code: 6,
             reason: "'\"' is not allowed: pg_ctl passes this path through a shell"),
        Case(name: "logfile with a backquote", action: "validate-all",
             environment: ["OCF_RESKEY_logfile": "/tmp/`id`.log"], code: 6, reason: "parameter 'logfile'"),
        Case(name: "a misspelt sslmode", action: "validate-all",
             environment: ["OCF_RESKEY_replication_options": "sslmode=verify_full"], code: 6,
             reason: "sslmode 'verify_full' is none of disable, allow, prefer, require, verify-ca, verify-full"),
        Case(name: "an sslrootcert the system user cannot read", action: "validate-all",
             environment: ["OCF_RESKEY_replication_options": "sslmode=verify-full sslrootcert=/root/pgha-missing.crt"],
             code: 6, reason: "sslrootcert '/root/pgha-missing.crt' cannot be read by system_user postgres"),
        Case(name: "a reserved keyword beside a password: the reason masks the password", action: "validate-all",
             environment: ["OCF_RESKEY_replication_options": "host=n9 password=S3cr3tMarker"], code: 6,
             reason: "password=***"),
        Case(name: "unknown action", action: "reticulate", environment: [:], code: 3, reason: "unknown action 'reticulate'"),
        Case(name: "promote of a stopped instance", action: "promote", environment: [:], code: 1,
             reason: "only a running standby can be promoted"),
    ]

    @Test("bad input", arguments: cases)
    func badInput(_ testCase: Case) throws {
        let workspace = try Workspace()
        let node = try Self.stoppedNode(workspace)
        let before = try Self.snapshot(node.datadir)
        let result = try node.pgha(testCase.action, testCase.environment)
        #expect(result.code == testCase.code, "\(testCase.name): \(result.log)")
        if testCase.code != 0 && testCase.code != 7 {
            #expect(result.log.contains("ocf-exit-reason:"), "\(testCase.name) gives a reason: \(result.log)")
            #expect(result.log.contains(testCase.reason), "\(testCase.name): \(result.log)")
        }
        #expect(try Self.snapshot(node.datadir) == before, "\(testCase.name) changed nothing on disk")
    }

    @Test("data directory of another major version than bindir: 6 with both versions named")
    func versionMismatch() throws {
        let other = try #require(PostgresBuild.available.first { $0.major != 15 },
                                 "a second PostgreSQL build (14, 16, 17 or 18 from PGHA_VENV) is installed")
        let workspace = try Workspace()
        let node = try Self.stoppedNode(workspace)
        let before = try Self.snapshot(node.datadir)
        for action in ["validate-all", "start"] {
            let result = try node.pgha(action, ["OCF_RESKEY_bindir": other.bindir])
            #expect(result.code == 6, "\(action): \(result.log)")
            #expect(result.log.contains("data directory is PostgreSQL 15 but bindir has PostgreSQL \(other.major)"))
        }
        #expect(try Self.snapshot(node.datadir) == before)
    }

    @Test("wrong argument count: 2")
    func argumentCount() throws {
        #expect(try run(pghaPath, []).status == 2)
        let two = try run(pghaPath, ["start", "stop"])
        #expect(two.status == 2)
        #expect(two.stderr.contains("ocf-exit-reason:usage: pgha"))
    }

    @Test("meta-data runs as nobody, without PostgreSQL, and is valid against ra-api-1.dtd")
    func metaData() throws {
        let result = try run(pghaPath, ["meta-data"], user: "nobody", environment: [:])
        #expect(result.status == 0)
        let file = "/tmp/pgha-metadata-\(getpid()).xml"
        try result.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let lint = try run("/usr/bin/xmllint", ["--noout", "--dtdvalid", "/usr/share/resource-agents/ra-api-1.dtd", file])
        #expect(lint.status == 0, "xmllint: \(lint.stderr)")
    }

    @Test("every available build is tested: PGHA_REQUIRE_VERSIONS are all found, each the major version it is named for")
    func requiredVersions() throws {
        let required = (ProcessInfo.processInfo.environment["PGHA_REQUIRE_VERSIONS"] ?? "15")
            .split(separator: ",").compactMap { Int($0) }
        let found = PostgresBuild.available.map(\.major)
        for major in required {
            #expect(found.contains(major), "PostgreSQL \(major) is installed for the tests (found \(found))")
        }
        // A build is what its directory claims: the tests named after 14 run a 14 server.
        for build in PostgresBuild.available {
            let version = try run(build.bindir + "/postgres", ["--version"], user: "postgres")
            #expect(version.stdout.hasPrefix("postgres (PostgreSQL) \(build.major)."), "\(build.bindir): \(version.stdout)\(version.stderr)")
        }
    }
}
