import Testing
@testable import PGHA

@Suite("validate-all server settings (OCF_CHECK_LEVEL 10)")
struct ServerSettingsTests {
    let good = ["wal_level": "replica", "hot_standby": "on", "max_wal_senders": "10", "max_replication_slots": "10",
                "max_slot_wal_keep_size": "1024"]

    @Test("settings fit for a 3-node cluster raise nothing")
    func good3() {
        #expect(serverSettingIssues(good, members: 3).isEmpty)
    }

    @Test("wal_level minimal and hot_standby off are errors")
    func errors() {
        var settings = good
        settings["wal_level"] = "minimal"
        settings["hot_standby"] = "off"
        let issues = serverSettingIssues(settings, members: 3)
        #expect(issues.contains(.error(name: "wal_level", why: "must be replica or logical for streaming replication")))
        #expect(issues.contains { if case .error(name: "hot_standby", _) = $0 { true } else { false } })
    }

    @Test("too few senders or slots for the members")
    func tooFew() {
        var settings = good
        settings["max_wal_senders"] = "1"
        settings["max_replication_slots"] = "1"
        #expect(serverSettingIssues(settings, members: 2).isEmpty, "one standby needs one of each")
        let issues = serverSettingIssues(settings, members: 3)
        #expect(issues.count == 2)
        #expect(issues.contains(.error(name: "max_replication_slots", why: "must be at least 2, one per standby")))
    }

    @Test("unbounded slot WAL is a warning, not an error")
    func unboundedSlots() {
        var settings = good
        settings["max_slot_wal_keep_size"] = "-1"
        let issues = serverSettingIssues(settings, members: 3)
        #expect(issues.count == 1)
        guard case .warning(let text) = issues.first else {
            Issue.record("expected a warning, got \(issues)")
            return
        }
        #expect(text.contains("max_slot_wal_keep_size"))
    }

    @Test("synchronous mode: synchronous_commit off or local is an error, remote_write a warning")
    func synchronousCommit() {
        var settings = good
        settings["synchronous_commit"] = "local"
        #expect(serverSettingIssues(settings, members: 3).isEmpty, "asynchronous: any value goes")
        #expect(serverSettingIssues(settings, members: 3, syncStandbys: 1) == [
            .error(name: "synchronous_commit",
                   why: "must be on or remote_apply with sync_standbys: 'local' acknowledges commits no standby has"),
        ])
        settings["synchronous_commit"] = "remote_write"
        guard case .warning(let text) = serverSettingIssues(settings, members: 3, syncStandbys: 1).first else {
            Issue.record("expected a warning")
            return
        }
        #expect(text.contains("remote_write"))
        settings["synchronous_commit"] = "on"
        #expect(serverSettingIssues(settings, members: 3, syncStandbys: 1).isEmpty)
    }
}
