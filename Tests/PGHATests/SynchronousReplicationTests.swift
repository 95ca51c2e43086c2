import Testing
@testable import PGHA

@Suite("SynchronousStandbyNames")
struct SynchronousStandbyNamesTests {
    @Test("the setting lists the standbys sorted and double-quoted")
    func setting() {
        let names = SynchronousStandbyNames(count: 1, standbys: ["n3", "n2", "n3"])
        #expect(names.setting == #"ANY 1 ("n2", "n3")"#)
        #expect(SynchronousStandbyNames(count: 2, standbys: ["db-1.lan", #"odd"name"#]).setting
                == #"ANY 2 ("db-1.lan", "odd""name")"#)
    }

    @Test("the agent's own form parses back, quoted or not, in any case")
    func roundTrip() {
        let names = SynchronousStandbyNames(count: 2, standbys: ["n1", #"a"b"#, "n 5"])
        #expect(SynchronousStandbyNames(setting: names.setting) == names)
        #expect(SynchronousStandbyNames(setting: "any 1 (n2,n3)") == SynchronousStandbyNames(count: 1, standbys: ["n2", "n3"]))
    }

    @Test("other forms are not the agent's", arguments: ["", "*", "n2, n3", "FIRST 1 (n2, n3)", "2 (n2, n3)",
                                                          "ANY (n2)", "ANY 1 (n2", #"ANY 1 ("n2)"#, "ANY 1 (n2,,n3)"])
    func otherForms(text: String) {
        #expect(SynchronousStandbyNames(setting: text) == nil)
    }
}

@Suite("Synchronous setting")
struct SynchronousSettingTests {
    let members = ["n1", "n2", "n3"]

    @Test("k > 0: ANY k over every other member, written when it differs")
    func wanted() {
        let wanted = SynchronousStandbyNames(count: 1, standbys: ["n2", "n3"])
        #expect(synchronousSettingChange(syncStandbys: 1, node: "n1", members: members, current: nil) == .set(wanted))
        #expect(synchronousSettingChange(syncStandbys: 1, node: "n1", members: members, current: "ANY 1 (n2)")
                == .set(wanted))
        #expect(synchronousSettingChange(syncStandbys: 1, node: "n1", members: members, current: #"ANY 1 ("n3", "n2")"#)
                == .keep)
        #expect(synchronousSettingChange(syncStandbys: 2, node: "n1", members: members, current: wanted.setting)
                == .set(SynchronousStandbyNames(count: 2, standbys: ["n2", "n3"])))
    }

    @Test("a member that joins is added, one that left is removed")
    func membership() {
        #expect(synchronousSettingChange(syncStandbys: 1, node: "n2", members: members + ["n4"],
                                         current: #"ANY 1 ("n1", "n3")"#)
                == .set(SynchronousStandbyNames(count: 1, standbys: ["n1", "n3", "n4"])))
        #expect(synchronousSettingChange(syncStandbys: 1, node: "n2", members: ["n1", "n2"],
                                         current: #"ANY 1 ("n1", "n3")"#)
                == .set(SynchronousStandbyNames(count: 1, standbys: ["n1"])))
    }

    @Test("k > 0 with fewer other members than k cannot be satisfied")
    func unsatisfiable() {
        #expect(synchronousSettingChange(syncStandbys: 2, node: "n1", members: ["n1", "n2"], current: nil)
                == .unsatisfiable(others: ["n2"]))
        #expect(synchronousSettingChange(syncStandbys: 1, node: "n1", members: [], current: nil)
                == .unsatisfiable(others: []))
    }

    @Test("k = 0 removes the agent's earlier value and nothing else")
    func asynchronous() {
        #expect(synchronousSettingChange(syncStandbys: 0, node: "n1", members: members, current: #"ANY 1 ("n2", "n3")"#)
                == .reset)
        #expect(synchronousSettingChange(syncStandbys: 0, node: "n1", members: members, current: nil) == .keep)
        #expect(synchronousSettingChange(syncStandbys: 0, node: "n1", members: members, current: "FIRST 1 (n2, n3)")
                == .keep)
        #expect(synchronousSettingChange(syncStandbys: 0, node: "n1", members: members, current: "ANY 1 (n2, reporting)")
                == .keep, "a name that is not a member: the admin's setting")
        #expect(synchronousSettingChange(syncStandbys: 0, node: "n1", members: [], current: "ANY 1 (n2)") == .keep)
    }
}

private func at(_ node: String, _ published: String?) -> Candidate {
    Candidate(node: node, position: published.flatMap { WALPosition(published: $0) })
}

@Suite("Synchronous election")
struct SynchronousElectionTests {
    @Test("3 nodes, k = 1: both standbys published, the most advanced promotes")
    func bothPublished() {
        #expect(electSynchronous(local: at("n2", "1#0/5000000"), others: [at("n3", "1#0/4000000")],
                                 members: 3, syncStandbys: 1) == .promote)
        #expect(electSynchronous(local: at("n2", "1#0/4000000"), others: [at("n3", "1#0/5000000")],
                                 members: 3, syncStandbys: 1) == .deferTo(at("n3", "1#0/5000000")))
    }

    @Test("3 nodes, k = 1: one standby alone cannot know whether the other holds the last commit")
    func alone() {
        let outcome = electSynchronous(local: at("n2", "1#0/5000000"), others: [at("n3", nil)],
                                       members: 3, syncStandbys: 1)
        #expect(outcome == .noQuorum(publishers: [at("n2", "1#0/5000000")], needed: 2))
        #expect(electSynchronous(local: at("n2", "1#0/5000000"), others: [], members: 3, syncStandbys: 1)
                == .noQuorum(publishers: [at("n2", "1#0/5000000")], needed: 2))
    }

    @Test("k = 2 of 2 standbys: every commit is on both, one publisher is enough")
    func allStandbysSynchronous() {
        #expect(electSynchronous(local: at("n2", "1#0/5000000"), others: [at("n3", nil)],
                                 members: 3, syncStandbys: 2) == .promote)
    }

    @Test("5 nodes, k = 2: three publishers are needed, the best of them promotes")
    func fiveNodes() {
        let three = [at("n3", "1#0/5000000"), at("n4", "1#0/4800000"), at("n5", nil)]
        #expect(electSynchronous(local: at("n2", "1#0/5000000"), others: three, members: 5, syncStandbys: 2) == .promote)
        let two = [at("n3", "1#0/5000000"), at("n4", nil), at("n5", nil)]
        #expect(electSynchronous(local: at("n2", "1#0/5000000"), others: two, members: 5, syncStandbys: 2)
                == .noQuorum(publishers: [at("n2", "1#0/5000000"), at("n3", "1#0/5000000")], needed: 3))
        let better = [at("n3", "1#0/5000000"), at("n4", "1#0/6000000"), at("n5", nil)]
        #expect(electSynchronous(local: at("n2", "1#0/5000000"), others: better, members: 5, syncStandbys: 2)
                == .deferTo(at("n4", "1#0/6000000")))
    }

    @Test("a later timeline wins over a higher LSN, as in the asynchronous election")
    func timelineFirst() {
        #expect(electSynchronous(local: at("n2", "2#0/3000000"), others: [at("n3", "1#0/9000000")],
                                 members: 3, syncStandbys: 1) == .promote)
    }

    @Test("this node without a position is refused, whatever the quorum")
    func noLocalPosition() {
        guard case .refuse = electSynchronous(local: at("n2", nil), others: [at("n3", "1#0/1000000")],
                                              members: 3, syncStandbys: 1) else {
            Issue.record("expected refuse")
            return
        }
    }

    @Test("a node listed twice counts once")
    func duplicates() {
        #expect(electSynchronous(local: at("n2", "1#0/5000000"), others: [at("n2", "1#0/5000000")],
                                 members: 3, syncStandbys: 1)
                == .noQuorum(publishers: [at("n2", "1#0/5000000")], needed: 2))
    }
}
