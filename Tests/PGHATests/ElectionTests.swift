import Testing
@testable import PGHA

private func at(_ published: String) -> WALPosition? { WALPosition(published: published) }

@Suite("Election")
struct ElectionTests {
    @Test("promotes when alone")
    func alone() {
        #expect(elect(local: Candidate(node: "n1", position: at("1#0/3000000")), others: []) == .promote)
    }

    @Test("promotes when ahead of every other candidate")
    func ahead() {
        let outcome = elect(local: Candidate(node: "n1", position: at("2#0/5000000")),
                            others: [Candidate(node: "n2", position: at("2#0/4000000")),
                                     Candidate(node: "n3", position: at("1#0/9000000"))])
        #expect(outcome == .promote)
    }

    @Test("promotes on a tie: Pacemaker's choice stands")
    func tie() {
        let outcome = elect(local: Candidate(node: "n1", position: at("2#0/5000000")),
                            others: [Candidate(node: "n2", position: at("2#0/5000000")),
                                     Candidate(node: "n3", position: at("2#0/5000000"))])
        #expect(outcome == .promote)
    }

    @Test("defers to the best node when another is ahead by LSN on the same timeline")
    func behindByLSN() throws {
        let n2 = Candidate(node: "n2", position: at("2#0/5000010"))
        let n3 = Candidate(node: "n3", position: at("2#0/6000000"))
        let outcome = elect(local: Candidate(node: "n1", position: at("2#0/5000000")), others: [n3, n2])
        #expect(outcome == .deferTo(n3))
        #expect(elect(local: Candidate(node: "n1", position: at("2#0/5000000")), others: [n2, n3]) == .deferTo(n3))
    }

    @Test("defers to a node on a higher timeline even with a lower LSN")
    func behindByTimeline() {
        let n2 = Candidate(node: "n2", position: at("3#0/1000000"))
        let n3 = Candidate(node: "n3", position: at("2#0/9000000"))
        let outcome = elect(local: Candidate(node: "n1", position: at("2#0/8000000")), others: [n3, n2])
        #expect(outcome == .deferTo(n2))
    }

    @Test("a candidate that published nothing never wins")
    func nilNeverWins() {
        let outcome = elect(local: Candidate(node: "n1", position: at("1#0/1")),
                            others: [Candidate(node: "n2", position: nil), Candidate(node: "n3", position: nil)])
        #expect(outcome == .promote)
        let n4 = Candidate(node: "n4", position: at("1#0/2"))
        #expect(elect(local: Candidate(node: "n1", position: at("1#0/1")),
                      others: [Candidate(node: "n2", position: nil), n4]) == .deferTo(n4))
    }

    @Test("refuses when this node has no position of its own")
    func refuseWithoutPosition() {
        let outcome = elect(local: Candidate(node: "n1", position: nil),
                            others: [Candidate(node: "n2", position: at("1#0/1"))])
        guard case .refuse(let why) = outcome else {
            Issue.record("expected refuse, got \(outcome)")
            return
        }
        #expect(why.contains("n1"))
        #expect(elect(local: Candidate(node: "n1", position: nil), others: []) != .promote)
    }
}
