#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import PGHA

/// A path that does not exist on any machine the tests run on.
private let missingDirectory = "/nonexistent/pgha-unit-tests/data"

private func run(_ arguments: [String], _ variables: [String: String] = [:]) -> Int32 {
    var environment = ["OCF_RESOURCE_INSTANCE": "pgsqld:0", "HA_RSCTMP": "/nonexistent/pgha-unit-tests/run"]
    for (key, value) in variables { environment[key] = value }
    return runAgent(arguments: arguments, environment: OCFEnvironment(environment))
}

@Suite("runAgent")
struct DispatchTests {
    @Test("no action is a usage error (2)")
    func noArguments() {
        #expect(run([]) == 2)
    }

    @Test("two arguments are a usage error (2)")
    func twoArguments() {
        #expect(run(["monitor", "start"]) == 2)
        #expect(run(["meta-data", "extra"]) == 2)
    }

    @Test("an unknown action is unimplemented (3)", arguments: ["frobnicate", "migrate_to", "reload", "", "Monitor"])
    func unknownAction(action: String) {
        #expect(run([action], ["OCF_RESKEY_pgdata": missingDirectory]) == 3)
    }

    @Test("meta-data succeeds (0) without any parameter")
    func metaData() {
        #expect(run(["meta-data"]) == 0)
    }

    @Test("usage and help succeed (0)")
    func usage() {
        #expect(run(["usage"]) == 0)
        #expect(run(["help"]) == 0)
    }

    @Test("validate-all without pgdata: not configured (6)")
    func validateNoPgdata() {
        #expect(run(["validate-all"]) == 6)
    }

    @Test("validate-all with a relative pgdata: not configured (6)")
    func validateRelativePgdata() {
        #expect(run(["validate-all"], ["OCF_RESKEY_pgdata": "relative/data"]) == 6)
    }

    @Test("validate-all with pgdata that does not exist: not installed (5)")
    func validateMissingDirectory() {
        #expect(run(["validate-all"], ["OCF_RESKEY_pgdata": missingDirectory, "OCF_RESKEY_system_user": "root"]) == 5)
    }

    @Test("validate-all with a system_user that does not exist: not configured (6)")
    func validateUnknownUser() {
        #expect(run(["validate-all"], ["OCF_RESKEY_pgdata": "/tmp",
                                       "OCF_RESKEY_system_user": "pgha-no-such-user-4711"]) == 6)
    }

    @Test("validate-all with a directory holding other files than PostgreSQL's: not configured (6); empty: not installed (5), valid with bootstrap=true")
    func validateNotADataDirectory() throws {
        var template = Array("/tmp/pgha-dispatch-XXXXXX".utf8CString)
        let directory = try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
            .map { String(cString: $0) })
        defer { rmdir(directory) }
        let environment = ["OCF_RESKEY_pgdata": directory, "OCF_RESKEY_system_user": "root"]
        #expect(run(["validate-all"], environment) == 5)
        #expect(run(["validate-all"], environment.merging(["OCF_RESKEY_bootstrap": "true"]) { $1 }) == 0)
        let file = directory + "/notes.txt"
        #expect(creat(file, 0o600) >= 0)
        defer { unlink(file) }
        #expect(run(["validate-all"], environment) == 6)
        #expect(run(["validate-all"], environment.merging(["OCF_RESKEY_bootstrap": "true"]) { $1 }) == 6)
    }

    @Test("a probe with pgdata missing: not running (7)")
    func probeMissing() {
        #expect(run(["monitor"], ["OCF_RESKEY_pgdata": missingDirectory, "OCF_RESKEY_system_user": "root",
                                  "OCF_RESKEY_CRM_meta_interval": "0"]) == 7)
    }

    @Test("a probe without an interval set is a probe too (7)")
    func probeNoInterval() {
        #expect(run(["monitor"], ["OCF_RESKEY_pgdata": missingDirectory, "OCF_RESKEY_system_user": "root"]) == 7)
    }

    @Test("a recurring monitor with pgdata missing: not installed (5)")
    func recurringMonitorMissing() {
        #expect(run(["monitor"], ["OCF_RESKEY_pgdata": missingDirectory, "OCF_RESKEY_system_user": "root",
                                  "OCF_RESKEY_CRM_meta_interval": "15000"]) == 5)
    }

    @Test("a probe without the pgdata parameter: not configured (6)")
    func probeNoPgdata() {
        #expect(run(["monitor"], ["OCF_RESKEY_CRM_meta_interval": "0"]) == 6)
    }

    @Test("stop with pgdata missing: nothing runs, success (0)")
    func stopMissing() {
        #expect(run(["stop"], ["OCF_RESKEY_pgdata": missingDirectory, "OCF_RESKEY_system_user": "root"]) == 0)
    }

    @Test("start of a clone without notify=true: not configured (6)")
    func startWithoutNotify() {
        #expect(run(["start"], ["OCF_RESKEY_pgdata": missingDirectory, "OCF_RESKEY_system_user": "root",
                                "OCF_RESKEY_CRM_meta_clone_max": "3", "OCF_RESKEY_CRM_meta_notify": "false",
                                "OCF_RESKEY_CRM_meta_promotable": "true"]) == 6)
    }

    @Test("start of a clone that is not promotable: not configured (6)")
    func startNotPromotable() {
        #expect(run(["start"], ["OCF_RESKEY_pgdata": missingDirectory, "OCF_RESKEY_system_user": "root",
                                "OCF_RESKEY_CRM_meta_clone_max": "3", "OCF_RESKEY_CRM_meta_notify": "true",
                                "OCF_RESKEY_CRM_meta_promotable": "false"]) == 6)
    }

    @Test("notify without a known type is ignored (0)")
    func notifyUnknown() {
        #expect(run(["notify"], ["OCF_RESKEY_pgdata": missingDirectory]) == 0)
    }
}
