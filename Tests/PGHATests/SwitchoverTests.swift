import Testing
@testable import PGHA

private func event(demote: String, stop: String) -> NotifyEvent? {
    NotifyEvent(environment: OCFEnvironment([
        "OCF_RESOURCE_INSTANCE": "pgsqld:1", "OCF_RESKEY_pgdata": "/var/lib/postgresql/15/main",
        "OCF_RESKEY_CRM_meta_notify_type": "pre", "OCF_RESKEY_CRM_meta_notify_operation": "promote",
        "OCF_RESKEY_CRM_meta_notify_promote_uname": "n2 ", "OCF_RESKEY_CRM_meta_notify_demote_uname": demote,
        "OCF_RESKEY_CRM_meta_notify_stop_uname": stop, "OCF_RESKEY_CRM_meta_notify_start_uname": " ",
        "OCF_RESKEY_CRM_meta_notify_promoted_uname": "n1 ", "OCF_RESKEY_CRM_meta_notify_unpromoted_uname": "n2 n3",
        "OCF_RESKEY_CRM_meta_notify_active_uname": "n1 n2 n3",
    ]))
}

@Suite("Switchover")
struct SwitchoverTests {
    @Test("a demote without a stop is a switchover; demote and stop together recover a failed primary")
    func source() throws {
        #expect(switchoverSource(try #require(event(demote: "n1 ", stop: " ")), node: "n2") == "n1")
        #expect(switchoverSource(try #require(event(demote: "n1 ", stop: "n1 ")), node: "n2") == nil)
        #expect(switchoverSource(try #require(event(demote: " ", stop: " ")), node: "n2") == nil)
        #expect(switchoverSource(try #require(event(demote: "n1 ", stop: "n3 ")), node: "n2") == "n1")
    }

    @Test("replayed up to the old primary's WAL end, on its timeline or a later one", arguments: [
        ("2#0/5000148", "2#0/5000148", true),
        ("2#0/5000148", "2#0/5000200", true),
        ("2#0/5000148", "2#0/5000120", false),
        ("2#0/5000148", "3#0/5000000", true),
        ("3#0/5000148", "2#0/6000000", false),
    ])
    func replayed(end: String, replayed: String, expected: Bool) throws {
        let end = try #require(WALPosition(published: end)), replayed = try #require(WALPosition(published: replayed))
        #expect(hasReplayed(upTo: end, replayed: replayed) == expected)
    }
}
