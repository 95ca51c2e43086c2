import Testing
@testable import PGHA

@Suite("AgentError")
struct AgentErrorTests {
    @Test("every case maps to its OCF code", arguments: [
        (AgentError.usage("usage: pgha"), 2),
        (.unknownAction("frobnicate"), 3),
        (.missingParameter("pgdata"), 6),
        (.invalidParameter(name: "pgport", value: "x", why: "must be a port number"), 6),
        (.unknownSystemUser("nobody-here"), 6),
        (.notPermitted("not root"), 4),
        (.binaryMissing("/usr/lib/postgresql/15/bin/pg_ctl"), 5),
        (.pgdataMissing("/var/lib/postgresql/15/main"), 5),
        (.noData(path: "/var/lib/postgresql/15/main", empty: true), 5),
        (.notADataDirectory("/tmp"), 6),
        (.versionMismatch(data: 15, binaries: 16), 6),
        (.unsupportedVersion(96), 5),
        (.notifyDisabled, 6),
        (.notPromotable, 6),
        (.unexpectedState("down"), 1),
        (.commandFailed(command: "pg_ctl start", status: 1, output: ""), 1),
        (.timedOut("pg_ctl start after 60 s"), 1),
        (.query("connection refused"), 1),
        (.fileWrite(path: "/x", errno: 13), 1),
        (.refused("n2 has more WAL"), 1),
    ] as [(AgentError, Int32)])
    func code(error: AgentError, expected: Int32) {
        #expect(error.code.rawValue == expected)
        #expect(!error.reason.isEmpty)
    }

    @Test("the named codes")
    func namedCodes() {
        #expect(AgentError.missingParameter("pgdata").code == .errConfigured)
        #expect(AgentError.binaryMissing("x").code == .errInstalled)
        #expect(AgentError.pgdataMissing("x").code == .errInstalled)
        #expect(AgentError.versionMismatch(data: 15, binaries: 16).code == .errConfigured)
        #expect(AgentError.unknownAction("x").code == .errUnimplemented)
        #expect(AgentError.usage("x").code == .errArgs)
        #expect(AgentError.unknownSystemUser("x").code == .errConfigured)
        #expect(AgentError.notifyDisabled.code == .errConfigured)
        #expect(AgentError.notPromotable.code == .errConfigured)
    }

    @Test("versionMismatch names both versions")
    func versionMismatchReason() {
        let reason = AgentError.versionMismatch(data: 15, binaries: 16).reason
        #expect(reason.contains("PostgreSQL 15"))
        #expect(reason.contains("PostgreSQL 16"))
        #expect(reason.firstRange(of: "15")!.lowerBound < reason.firstRange(of: "16")!.lowerBound)
    }

    @Test("reasons name the facts")
    func reasons() {
        #expect(AgentError.missingParameter("pgdata").reason.contains("'pgdata'"))
        #expect(AgentError.unknownAction("frob").reason.contains("'frob'"))
        #expect(AgentError.unknownSystemUser("pgx").reason.contains("'pgx'"))
        #expect(AgentError.pgdataMissing("/srv/pg").reason.contains("/srv/pg"))
        #expect(AgentError.noData(path: "/srv/pg", empty: false).reason
            == "data directory '/srv/pg' does not exist: set bootstrap=true to clone it from the primary at start, or create it with pg_basebackup")
        #expect(AgentError.noData(path: "/srv/pg", empty: true).reason.hasPrefix("data directory '/srv/pg' is empty: set bootstrap=true"))
        #expect(AgentError.binaryMissing("/opt/bin/pg_ctl").reason.contains("/opt/bin/pg_ctl"))
        #expect(AgentError.invalidParameter(name: "pgport", value: "x", why: "must be a port number").reason
            == "parameter 'pgport'='x': must be a port number")
        #expect(AgentError.notifyDisabled.reason.contains("notify=true"))
        #expect(AgentError.notPromotable.reason.contains("promotable"))
    }

    @Test("commandFailed shows the last line of the output")
    func commandFailedReason() {
        let error = AgentError.commandFailed(command: "pg_ctl start", status: 1,
                                             output: "waiting for server to start....\npg_ctl: could not start server\n")
        #expect(error.reason == "pg_ctl start exited with status 1: pg_ctl: could not start server")
        #expect(AgentError.commandFailed(command: "pg_ctl stop", status: 3, output: "").reason
            == "pg_ctl stop exited with status 3")
    }

    @Test("OCF return codes and names")
    func returnCodes() {
        let expected: [(OCFReturnCode, Int32, String)] = [
            (.success, 0, "OCF_SUCCESS"), (.errGeneric, 1, "OCF_ERR_GENERIC"), (.errArgs, 2, "OCF_ERR_ARGS"),
            (.errUnimplemented, 3, "OCF_ERR_UNIMPLEMENTED"), (.errPerm, 4, "OCF_ERR_PERM"),
            (.errInstalled, 5, "OCF_ERR_INSTALLED"), (.errConfigured, 6, "OCF_ERR_CONFIGURED"),
            (.notRunning, 7, "OCF_NOT_RUNNING"), (.runningPromoted, 8, "OCF_RUNNING_PROMOTED"),
            (.failedPromoted, 9, "OCF_FAILED_PROMOTED"),
        ]
        for (code, value, name) in expected {
            #expect(code.rawValue == value)
            #expect(code.description == name)
        }
    }
}
