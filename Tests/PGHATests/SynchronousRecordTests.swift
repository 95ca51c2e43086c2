import Testing
@testable import PGHA

@Suite("SynchronousRecord")
struct SynchronousRecordTests {
    func at(_ node: String, _ lsn: UInt64?) -> Candidate {
        Candidate(node: node, position: lsn.map { WALPosition(timeline: 2, lsn: LSN($0)) })
    }

    @Test("the stored form round-trips; k = 0 keeps when it began")
    func roundTrip() {
        let record = SynchronousRecord(count: 1, standbys: ["n3", "n2"])
        #expect(record.text == "v1 k=1 standbys=n2,n3")
        #expect(SynchronousRecord.read(record.text) == .record(record))
        let alone = SynchronousRecord(count: 0, standbys: ["n2"], aloneSince: 1764000000)
        #expect(alone.text == "v1 k=0 standbys=n2 alone-since=1764000000")
        #expect(SynchronousRecord.read(alone.text) == .record(alone))
        #expect(SynchronousRecord(count: 1, standbys: ["n2"], aloneSince: 5).aloneSince == nil)
    }

    @Test("a later format or an unreadable value is said so, never guessed at",
          arguments: ["", "k=1 standbys=n2", "v1 k=x standbys=n2", "v1 k=2 standbys=n2", "v1 k=1", "v1 k=1 standbys"])
    func unreadable(text: String) {
        #expect(SynchronousRecord.read(text) == .unreadable(text))
        #expect(SynchronousRecord.read("v2 k=1 standbys=n2 quorum=new") == .newerFormat(version: 2))
    }

    @Test("publishers needed: |V| - k' + 1; none suffices at k' = 0")
    func publishersNeeded() {
        #expect(SynchronousRecord(count: 1, standbys: ["n2", "n3"]).publishersNeeded == 2)
        #expect(SynchronousRecord(count: 1, standbys: ["n2"]).publishersNeeded == 1)
        #expect(SynchronousRecord(count: 2, standbys: ["n2", "n3", "n4", "n5"]).publishersNeeded == 3)
        #expect(SynchronousRecord(count: 0, standbys: ["n2", "n3"]).publishersNeeded == nil)
    }

    @Test("with the record: a standby already gone before the primary failed is not waited for")
    func recordedSetOnly() {
        // 3 nodes, k = 1: n3 was banned and left the record (k'=1 of [n2]); n2 alone may promote.
        let narrowed = SynchronousRecord(count: 1, standbys: ["n2"])
        #expect(electRecorded(local: at("n2", 100), others: [at("n3", nil)], record: narrowed) == .promote)
        // The same with the record still naming both: n3 must publish too.
        let both = SynchronousRecord(count: 1, standbys: ["n2", "n3"])
        #expect(electRecorded(local: at("n2", 100), others: [at("n3", nil)], record: both)
                == .noQuorum(publishers: [at("n2", 100)], needed: 2))
        // A publisher outside the record does not count towards the quorum, but is compared.
        #expect(electRecorded(local: at("n4", 100), others: [at("n2", 200)], record: narrowed) == .deferTo(at("n2", 200)))
        #expect(electRecorded(local: at("n4", 300), others: [at("n2", 200)], record: narrowed) == .promote)
        #expect(electRecorded(local: at("n4", 300), others: [], record: narrowed)
                == .noQuorum(publishers: [], needed: 1))
    }

    @Test("k' = 0: the primary committed alone, no automatic promotion")
    func committedAlone() {
        let alone = SynchronousRecord(count: 0, standbys: ["n2"], aloneSince: 1764000000)
        guard case .refuse(let why) = electRecorded(local: at("n2", 100), others: [], record: alone) else {
            Issue.record("not refused"); return
        }
        #expect(why.contains("committed without a synchronous standby since 1764000000"))
    }

    @Test("the primary that wrote the record: stored, read back, ignored by a reader that predates it")
    func primaryField() {
        let record = SynchronousRecord(count: 1, standbys: ["n2", "n3"], primary: "n1")
        #expect(record.text == "v1 k=1 standbys=n2,n3 primary=n1")
        #expect(SynchronousRecord.read(record.text) == .record(record))
        let alone = SynchronousRecord(count: 0, standbys: ["n2"], aloneSince: 7, primary: "n1")
        #expect(SynchronousRecord.read(alone.text) == .record(alone))
        #expect(SynchronousRecord.read("v1 k=1 standbys=n2,n3") == .record(SynchronousRecord(count: 1, standbys: ["n2", "n3"])))
    }

    @Test("the record's primary back and publishing is proof enough, at any k'; another node's is not")
    func primaryPublishes() {
        // 3 nodes, k = 1: n1 (primary) killed with the record naming n2 and n3; n2 stopped before. n1 is
        // back in recovery and publishes: n3 compares with it, and the more advanced of them promotes.
        let both = SynchronousRecord(count: 1, standbys: ["n2", "n3"], primary: "n1")
        #expect(electRecorded(local: at("n3", 100), others: [at("n1", 100), at("n2", nil)], record: both) == .promote)
        #expect(electRecorded(local: at("n3", 100), others: [at("n1", 150), at("n2", nil)], record: both)
                == .deferTo(at("n1", 150)))
        #expect(electRecorded(local: at("n1", 150), others: [at("n3", 100)], record: both) == .promote)
        // Without n1's position, still |V| - k' + 1 members of V.
        #expect(electRecorded(local: at("n3", 100), others: [at("n1", nil)], record: both)
                == .noQuorum(publishers: [at("n3", 100)], needed: 2))
        // A record another primary wrote: n4's position proves nothing of n1's commits.
        #expect(electRecorded(local: at("n3", 100), others: [at("n4", 90)], record: both)
                == .noQuorum(publishers: [at("n3", 100)], needed: 2))
        // k' = 0: only the old primary holds every commit; with it back, it is compared like any node.
        let alone = SynchronousRecord(count: 0, standbys: ["n2"], aloneSince: 7, primary: "n1")
        #expect(electRecorded(local: at("n2", 100), others: [at("n1", 120)], record: alone) == .deferTo(at("n1", 120)))
        #expect(electRecorded(local: at("n1", 120), others: [at("n2", 100)], record: alone) == .promote)
    }
}
