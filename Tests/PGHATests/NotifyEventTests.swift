import Testing
@testable import PGHA

/// An environment as Pacemaker sets it for a notify action: meta attributes under OCF_RESKEY_CRM_meta_.
private func notifyEnvironment(_ meta: [String: String]) -> OCFEnvironment {
    var variables = ["OCF_RESOURCE_INSTANCE": "pgsqld:0", "OCF_RESKEY_pgdata": "/var/lib/postgresql/15/main"]
    for (key, value) in meta { variables["OCF_RESKEY_CRM_meta_" + key] = value }
    return OCFEnvironment(variables)
}

@Suite("NotifyEvent")
struct NotifyEventTests {
    @Test("Pacemaker 2.0 names only (master/slave)")
    func pacemaker20() throws {
        let event = try #require(NotifyEvent(environment: notifyEnvironment([
            "notify_type": "pre", "notify_operation": "promote",
            "notify_promote_uname": "n2 ",
            "notify_master_uname": " ",
            "notify_slave_uname": "n2  n3 ",
            "notify_active_uname": " n2 n3",
            "notify_inactive_uname": "n1 ",
            "notify_start_uname": " ", "notify_stop_uname": " ", "notify_demote_uname": " ",
        ])))
        #expect(event.timing == .pre)
        #expect(event.operation == .promote)
        #expect(event.promote == ["n2"])
        #expect(event.promoted == [])
        #expect(event.unpromoted == ["n2", "n3"])
        #expect(event.active == ["n2", "n3"])
        #expect(event.inactive == ["n1"])
        #expect(event.start.isEmpty && event.stop.isEmpty && event.demote.isEmpty)
    }

    @Test("Pacemaker 2.0 names only: master is read as promoted")
    func pacemaker20Master() throws {
        let event = try #require(NotifyEvent(environment: notifyEnvironment([
            "notify_type": "post", "notify_operation": "start",
            "notify_master_uname": "n1", "notify_slave_uname": "n2 n3", "notify_start_uname": "n3",
        ])))
        #expect(event.promoted == ["n1"])
        #expect(event.unpromoted == ["n2", "n3"])
        #expect(event.promotedAfter == "n1")
    }

    @Test("Pacemaker 2.1 names only (promoted/unpromoted)")
    func pacemaker21() throws {
        let event = try #require(NotifyEvent(environment: notifyEnvironment([
            "notify_type": "post", "notify_operation": "start",
            "notify_promoted_uname": "n1 ",
            "notify_unpromoted_uname": "  n2   n3  ",
            "notify_start_uname": "n3",
            "notify_active_uname": "n1 n2 n3",
        ])))
        #expect(event.timing == .post)
        #expect(event.operation == .start)
        #expect(event.promoted == ["n1"])
        #expect(event.unpromoted == ["n2", "n3"])
        #expect(event.start == ["n3"])
        #expect(event.promotedAfter == "n1")
    }

    @Test("both name sets: the union without duplicates")
    func bothNames() throws {
        let event = try #require(NotifyEvent(environment: notifyEnvironment([
            "notify_type": "pre", "notify_operation": "demote",
            "notify_promoted_uname": "n1 ", "notify_master_uname": "n1",
            "notify_unpromoted_uname": "n2 n3", "notify_slave_uname": " n3 n2 n4 ",
            "notify_demote_uname": "n1",
        ])))
        #expect(event.promoted == ["n1"])
        #expect(event.unpromoted == ["n2", "n3", "n4"])
    }

    @Test("tabs and newlines separate names too")
    func otherWhitespace() throws {
        let event = try #require(NotifyEvent(environment: notifyEnvironment([
            "notify_type": "pre", "notify_operation": "start", "notify_start_uname": "n1\tn2\nn3",
        ])))
        #expect(event.start == ["n1", "n2", "n3"])
    }

    @Test("promotedAfter is the node being promoted")
    func promotedAfterPromote() throws {
        let event = try #require(NotifyEvent(environment: notifyEnvironment([
            "notify_type": "post", "notify_operation": "promote",
            "notify_promote_uname": "n2", "notify_promoted_uname": " ", "notify_unpromoted_uname": "n2 n3",
        ])))
        #expect(event.promotedAfter == "n2")
    }

    @Test("promotedAfter prefers the promotion over a primary being demoted")
    func promotedAfterSwitchover() throws {
        let event = try #require(NotifyEvent(environment: notifyEnvironment([
            "notify_type": "post", "notify_operation": "promote",
            "notify_promote_uname": "n2", "notify_demote_uname": "n1", "notify_promoted_uname": "n1",
        ])))
        #expect(event.promotedAfter == "n2")
    }

    @Test("promotedAfter is nil when the primary is demoted and nobody is promoted")
    func promotedAfterDemote() throws {
        let event = try #require(NotifyEvent(environment: notifyEnvironment([
            "notify_type": "post", "notify_operation": "demote",
            "notify_demote_uname": "n1", "notify_promoted_uname": "n1", "notify_master_uname": "n1",
            "notify_unpromoted_uname": "n2 n3",
        ])))
        #expect(event.promotedAfter == nil)
    }

    @Test("promotedAfter is nil when the primary stops")
    func promotedAfterStop() throws {
        let event = try #require(NotifyEvent(environment: notifyEnvironment([
            "notify_type": "pre", "notify_operation": "stop",
            "notify_stop_uname": "n1 n3", "notify_promoted_uname": "n1", "notify_unpromoted_uname": "n2 n3",
        ])))
        #expect(event.promotedAfter == nil)
    }

    @Test("promotedAfter keeps a primary untouched by a standby's stop")
    func promotedAfterStandbyStop() throws {
        let event = try #require(NotifyEvent(environment: notifyEnvironment([
            "notify_type": "post", "notify_operation": "stop",
            "notify_stop_uname": "n3", "notify_promoted_uname": "n1", "notify_unpromoted_uname": "n2 n3",
        ])))
        #expect(event.promotedAfter == "n1")
    }

    @Test("promotedAfter is nil without any promoted node")
    func promotedAfterNone() throws {
        let event = try #require(NotifyEvent(environment: notifyEnvironment([
            "notify_type": "post", "notify_operation": "start", "notify_start_uname": "n1 n2",
        ])))
        #expect(event.promotedAfter == nil)
    }

    @Test("knownNodes lists every node named, once, in order of first mention")
    func knownNodes() throws {
        let event = try #require(NotifyEvent(environment: notifyEnvironment([
            "notify_type": "post", "notify_operation": "promote",
            "notify_active_uname": "n2 n3",
            "notify_inactive_uname": "n1",
            "notify_promoted_uname": " ", "notify_master_uname": " ",
            "notify_unpromoted_uname": "n2 n3", "notify_slave_uname": "n3 n2",
            "notify_start_uname": "n4",
            "notify_stop_uname": " ",
            "notify_promote_uname": "n2",
            "notify_demote_uname": "n5",
        ])))
        #expect(event.knownNodes == ["n2", "n3", "n1", "n4", "n5"])
    }

    @Test("knownNodes is empty when nothing is named")
    func knownNodesEmpty() throws {
        let event = try #require(NotifyEvent(environment: notifyEnvironment([
            "notify_type": "pre", "notify_operation": "start",
        ])))
        #expect(event.knownNodes.isEmpty)
    }

    @Test("nil without a known type and operation", arguments: [
        [String: String](),
        ["notify_type": "pre"],
        ["notify_operation": "promote"],
        ["notify_type": "during", "notify_operation": "promote"],
        ["notify_type": "pre", "notify_operation": "migrate_to"],
        ["notify_type": "PRE", "notify_operation": "promote"],
        ["notify_type": "", "notify_operation": ""],
    ])
    func unknown(meta: [String: String]) {
        #expect(NotifyEvent(environment: notifyEnvironment(meta)) == nil)
    }

    @Test("every known type and operation is read", arguments: ["pre", "post"], ["start", "stop", "promote", "demote"])
    func known(type: String, operation: String) throws {
        let event = try #require(NotifyEvent(environment: notifyEnvironment([
            "notify_type": type, "notify_operation": operation,
        ])))
        #expect(event.timing.rawValue == type)
        #expect(event.operation.rawValue == operation)
    }

    @Test("variables without the CRM_meta prefix are not read")
    func wrongPrefix() {
        let environment = OCFEnvironment(["OCF_RESKEY_notify_type": "pre", "OCF_RESKEY_notify_operation": "promote"])
        #expect(NotifyEvent(environment: environment) == nil)
    }
}

@Suite("Cluster tool output")
struct ClusterOutputTests {
    @Test("crm_resource --locate names the promoted node (2.1 Promoted, 2.0 Master)")
    func promoted() {
        #expect(Cluster.parsePromoted("resource pgsqld is running on: n1\nresource pgsqld is running on: n2 Promoted\n") == "n2")
        #expect(Cluster.parsePromoted("resource pgsqld is running on: n3 Master\n") == "n3")
        #expect(Cluster.parsePromoted("resource pgsqld is running on: n1\nresource pgsqld is running on: n2\n") == nil)
        #expect(Cluster.parsePromoted("resource pgsqld is NOT running\n") == nil)
    }

    @Test("crm_node -l lists node names")
    func nodeList() {
        #expect(Cluster.parseNodeList("1 n1 member\n2 n2 lost\n3 n3 member\n") == ["n1", "n2", "n3"])
    }
}
