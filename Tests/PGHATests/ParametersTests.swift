import Testing
@testable import PGHA

/// An environment with the given resource parameters (`OCF_RESKEY_<name>`).
private func parameters(_ values: [String: String]) -> OCFEnvironment {
    var variables: [String: String] = ["OCF_RESOURCE_INSTANCE": "pgsqld:0"]
    for (key, value) in values { variables["OCF_RESKEY_" + key] = value }
    return OCFEnvironment(variables)
}

private let pgdata = "/var/lib/postgresql/15/main"

@Suite("Parameters")
struct ParametersTests {
    @Test("defaults come from the meta-data definitions")
    func defaults() throws {
        let p = try Parameters(environment: parameters(["pgdata": pgdata]))
        #expect(p.pgdata == pgdata)
        #expect(p.datadir == pgdata)
        #expect(p.bindir == nil)
        #expect(p.pghost == "/var/run/postgresql")
        #expect(p.pgport == 5432)
        #expect(p.systemUser == "postgres")
        #expect(p.startOptions == "")
        #expect(p.logfile == "/dev/null")
        #expect(p.maxlag == 0)
        #expect(p.syncStandbys == 0)
        #expect(!p.rewind)
        #expect(!p.bootstrap)
        #expect(p.nodeHosts.isEmpty)
        #expect(p.replicationOptions.isEmpty)
    }

    @Test("empty values fall back to the defaults")
    func emptyValues() throws {
        let p = try Parameters(environment: parameters(["pgdata": pgdata, "pgport": "", "system_user": "",
                                                        "pghost": "", "bindir": "", "datadir": ""]))
        #expect(p.pgport == 5432)
        #expect(p.systemUser == "postgres")
        #expect(p.pghost == "/var/run/postgresql")
        #expect(p.bindir == nil)
        #expect(p.datadir == pgdata)
    }

    @Test("every parameter set is read")
    func allSet() throws {
        let p = try Parameters(environment: parameters([
            "pgdata": "/etc/postgresql/15/main", "datadir": "/var/lib/postgresql/15/main",
            "bindir": "/usr/local/pgsql/bin", "pghost": "/tmp", "pgport": "5433", "system_user": "pg",
            "start_opts": "-c config_file=/x", "logfile": "/tmp/pg.log", "maxlag": "1048576",
            "node_hosts": "n1=10.0.0.1", "replication_options": "user=replicator sslmode=prefer",
            "sync_standbys": "2", "rewind": "yes", "bootstrap": "true",
        ]))
        #expect(p.syncStandbys == 2)
        #expect(p.rewind)
        #expect(p.bootstrap)
        #expect(p.pgdata == "/etc/postgresql/15/main")
        #expect(p.datadir == "/var/lib/postgresql/15/main")
        #expect(p.bindir == "/usr/local/pgsql/bin")
        #expect(p.pghost == "/tmp")
        #expect(p.pgport == 5433)
        #expect(p.systemUser == "pg")
        #expect(p.startOptions == "-c config_file=/x")
        #expect(p.logfile == "/tmp/pg.log")
        #expect(p.maxlag == 1_048_576)
        #expect(p.nodeHosts == ["n1": NodeAddress(host: "10.0.0.1", port: 0)])
        #expect(p.replicationOptions.map { "\($0.0)=\($0.1)" } == ["user=replicator", "sslmode=prefer"])
    }

    @Test("missing pgdata is a configuration error")
    func missingPgdata() {
        #expect(throws: AgentError.missingParameter("pgdata")) { try Parameters(environment: parameters([:])) }
        #expect(throws: AgentError.missingParameter("pgdata")) {
            try Parameters(environment: parameters(["pgdata": ""]))
        }
        #expect(AgentError.missingParameter("pgdata").code == .errConfigured)
    }

    @Test("relative pgdata and datadir are rejected")
    func relativePaths() {
        #expect(throws: AgentError.invalidParameter(name: "pgdata", value: "data", why: "must be an absolute path")) {
            try Parameters(environment: parameters(["pgdata": "data"]))
        }
        #expect(throws: AgentError.invalidParameter(name: "datadir", value: "./x", why: "must be an absolute path")) {
            try Parameters(environment: parameters(["pgdata": pgdata, "datadir": "./x"]))
        }
    }

    @Test("a bad pgport is rejected", arguments: ["0", "65536", "-1", "abc", "5432x", "54 32"])
    func badPort(port: String) {
        do {
            _ = try Parameters(environment: parameters(["pgdata": pgdata, "pgport": port]))
            Issue.record("pgport '\(port)' was accepted")
        } catch {
            guard case .invalidParameter(let name, let value, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(name == "pgport")
            #expect(value == port)
            #expect(error.code == .errConfigured)
        }
    }

    @Test("ports at the limits are accepted", arguments: [1, 65535])
    func portLimits(port: Int) throws {
        #expect(try Parameters(environment: parameters(["pgdata": pgdata, "pgport": String(port)])).pgport == port)
    }

    @Test("a negative or unreadable maxlag is rejected", arguments: ["-1", "1MB", "x"])
    func badMaxlag(maxlag: String) {
        #expect(throws: AgentError.invalidParameter(name: "maxlag", value: maxlag,
                                                    why: "must be a number of bytes >= 0")) {
            try Parameters(environment: parameters(["pgdata": pgdata, "maxlag": maxlag]))
        }
    }

    @Test("bootstrap and rewind take true or false only", arguments: ["bootstrap", "rewind"])
    func booleans(name: String) throws {
        #expect(throws: AgentError.invalidParameter(name: name, value: "maybe", why: "must be true or false")) {
            try Parameters(environment: parameters(["pgdata": pgdata, name: "maybe"]))
        }
        #expect(try Parameters(environment: parameters(["pgdata": pgdata, name: "off"])) == Parameters(environment: parameters(["pgdata": pgdata])))
    }

    @Test("a negative or unreadable sync_standbys is rejected", arguments: ["-1", "1.5", "one", "2 "])
    func badSyncStandbys(value: String) {
        #expect(throws: AgentError.invalidParameter(name: "sync_standbys", value: value,
                                                    why: "must be a whole number of standbys >= 0 (0: asynchronous)")) {
            try Parameters(environment: parameters(["pgdata": pgdata, "sync_standbys": value]))
        }
    }

    @Test("sync_standbys below the number of clone instances passes; at or above it is refused")
    func syncStandbysAgainstClones() throws {
        func check(_ sync: String, clones: String) throws {
            var variables = ["OCF_RESOURCE_INSTANCE": "pgsqld:0", "OCF_RESKEY_pgdata": pgdata,
                             "OCF_RESKEY_sync_standbys": sync, "OCF_RESKEY_CRM_meta_clone_max": clones,
                             "OCF_RESKEY_CRM_meta_notify": "true", "OCF_RESKEY_CRM_meta_promotable": "true"]
            variables["OCF_RESKEY_CRM_meta_clone_max"] = clones
            let environment = OCFEnvironment(variables)
            try checkCloneMeta(environment, parameters: try Parameters(environment: environment))
        }
        try check("2", clones: "3")
        try check("0", clones: "1")
        #expect(throws: AgentError.invalidParameter(name: "sync_standbys", value: "3",
                                                    why: "must be less than the 3 clone instances: a primary has only 2 standbys")) {
            try check("3", clones: "3")
        }
        #expect(throws: AgentError.self) { try check("1", clones: "1") }
    }

    @Test("node_hosts: node=host, node=host:port, node=[v6], node=[v6]:port")
    func nodeHosts() throws {
        let p = try Parameters(environment: parameters([
            "pgdata": pgdata, "pgport": "5433",
            "node_hosts": "  n1=db1.lan n2=10.0.0.2:6432\tn3=[fd00::3]:5434,n4=[fd00::4]  ",
        ]))
        #expect(p.nodeHosts == [
            "n1": NodeAddress(host: "db1.lan", port: 0),
            "n2": NodeAddress(host: "10.0.0.2", port: 6432),
            "n3": NodeAddress(host: "fd00::3", port: 5434),
            "n4": NodeAddress(host: "fd00::4", port: 0),
        ])
        #expect(p.address(of: "n1") == NodeAddress(host: "db1.lan", port: 5433))
        #expect(p.address(of: "n2") == NodeAddress(host: "10.0.0.2", port: 6432))
        #expect(p.address(of: "n3") == NodeAddress(host: "fd00::3", port: 5434))
        #expect(p.address(of: "n4") == NodeAddress(host: "fd00::4", port: 5433))
    }

    @Test("address(of:) falls back to the node name and pgport")
    func addressFallback() throws {
        let p = try Parameters(environment: parameters(["pgdata": pgdata, "pgport": "5433", "node_hosts": "n1=h1"]))
        #expect(p.address(of: "n9") == NodeAddress(host: "n9", port: 5433))
        let plain = try Parameters(environment: parameters(["pgdata": pgdata]))
        #expect(plain.address(of: "n1") == NodeAddress(host: "n1", port: 5432))
    }

    @Test("invalid node_hosts entries are rejected", arguments: [
        "n1",                 // no '='
        "n1=",                // no host
        "=host",              // no node
        "n1=host:",           // empty port
        "n1=host:0",          // port out of range
        "n1=host:70000",      // port out of range
        "n1=host:abc",        // not a port
        "n1=:5432",           // empty host
        "n1=fd00::1",         // v6 without brackets
        "n1=[fd00::1",        // unclosed bracket
        "n1=[fd00::1]5432",   // no ':' after the bracket
        "n1=[fd00::1]:",      // empty port after the bracket
        "n1=[]",              // empty v6 host
        "n1=[]:5432",         // empty v6 host with a port
        "n1=h1 n2",           // second entry broken
    ])
    func invalidNodeHosts(value: String) {
        do {
            let p = try Parameters(environment: parameters(["pgdata": pgdata, "node_hosts": value]))
            Issue.record("node_hosts '\(value)' was accepted as \(p.nodeHosts)")
        } catch {
            guard case .invalidParameter(let name, let got, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(name == "node_hosts")
            #expect(got == value)
            #expect(error.code == .errConfigured)
        }
    }

    @Test("replication_options may not set the agent's keywords",
          arguments: ["host=h", "port=5432", "application_name=x", "hostaddr=10.0.0.1", "dbname=postgres",
                      "user=replicator host=h"])
    func reservedKeywords(options: String) {
        do {
            _ = try Parameters(environment: parameters(["pgdata": pgdata, "replication_options": options]))
            Issue.record("replication_options '\(options)' was accepted")
        } catch {
            guard case .invalidParameter(let name, let value, let why) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(name == "replication_options")
            #expect(value == options)
            #expect(why.contains("is set by the agent"))
            #expect(error.code == .errConfigured)
        }
    }

    @Test("replication_options must parse as a conninfo")
    func unparsableOptions() {
        #expect(throws: AgentError.invalidParameter(name: "replication_options", value: "user='x",
                                                    why: "not a libpq keyword=value list")) {
            try Parameters(environment: parameters(["pgdata": pgdata, "replication_options": "user='x"]))
        }
    }

    @Test("an sslpassword that cannot reach pg_rewind outside argv is refused at once",
          arguments: ["sslpassword=' x'", "sslpassword='a\nb'", "service=s sslpassword=x"])
    func unusableKeyPassphrase(options: String) {
        #expect(throws: AgentError.self) {
            try Parameters(environment: parameters(["pgdata": pgdata, "replication_options": "user=r " + options]))
        }
        #expect(throws: Never.self) {
            try Parameters(environment: parameters(["pgdata": pgdata, "replication_options": "user=r sslpassword='x y'"]))
        }
    }

    @Test("replication_options keeps the admin's order and quoting")
    func optionsKept() throws {
        let p = try Parameters(environment: parameters([
            "pgdata": pgdata, "replication_options": "user=replicator passfile='/a b/.pgpass' sslmode=prefer",
        ]))
        #expect(p.replicationOptions.map(\.0) == ["user", "passfile", "sslmode"])
        #expect(p.replicationOptions.map(\.1) == ["replicator", "/a b/.pgpass", "prefer"])
    }

    @Test("datadir defaults to pgdata, else is its own")
    func datadir() throws {
        #expect(try Parameters(environment: parameters(["pgdata": "/etc/postgresql/15/main"])).datadir
            == "/etc/postgresql/15/main")
        let split = try Parameters(environment: parameters(["pgdata": "/etc/postgresql/15/main",
                                                            "datadir": "/var/lib/postgresql/15/main"]))
        #expect(split.pgdata == "/etc/postgresql/15/main")
        #expect(split.datadir == "/var/lib/postgresql/15/main")
    }

    @Test("equality compares replication options too")
    func equality() throws {
        let a = try Parameters(environment: parameters(["pgdata": pgdata, "replication_options": "user=a"]))
        let b = try Parameters(environment: parameters(["pgdata": pgdata, "replication_options": "user=a"]))
        let c = try Parameters(environment: parameters(["pgdata": pgdata, "replication_options": "user=b"]))
        #expect(a == b)
        #expect(a != c)
    }
}
