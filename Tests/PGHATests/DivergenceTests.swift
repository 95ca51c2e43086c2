import Testing
@testable import PGHA

@Suite("TimelineHistory")
struct TimelineHistoryTests {
    @Test("parses PostgreSQL's history file, skipping comments and blank lines")
    func parses() {
        let history = TimelineHistory(text: "1\t0/3000158\tno recovery target specified\n\n# comment\n2\t0/5000A8\tno recovery target specified\n")
        #expect(history.entries.map(\.timeline) == [1, 2])
        #expect(history.switchpoint(of: 1) == LSN("0/3000158"))
        #expect(history.switchpoint(of: 2) == LSN("0/5000A8"))
        #expect(history.switchpoint(of: 3) == nil)
    }

    @Test("garbage gives an empty history")
    func garbage() {
        #expect(TimelineHistory(text: "x y z\n1\tnot-an-lsn\n").entries.isEmpty)
    }
}

@Suite("divergence")
struct DivergenceTests {
    let history = TimelineHistory(text: "1\t0/3000000\tx\n2\t0/5000000\tx\n")

    func position(_ timeline: UInt32, _ lsn: String) -> WALPosition { WALPosition(timeline: timeline, lsn: LSN(lsn)!) }

    @Test("a node that ends at or before its timeline's switchpoint can follow")
    func canFollow() {
        #expect(divergence(local: position(2, "0/5000000"), primaryTimeline: 3, primaryLSN: LSN("0/6000000")!,
                           history: history) == .canFollow)
        #expect(divergence(local: position(1, "0/2000000"), primaryTimeline: 3, primaryLSN: LSN("0/6000000")!,
                           history: history) == .canFollow)
    }

    @Test("a node past its timeline's switchpoint diverged, and the fork point is named")
    func diverged() {
        #expect(divergence(local: position(2, "0/5000001"), primaryTimeline: 3, primaryLSN: LSN("0/6000000")!,
                           history: history) == .diverged(forkPoint: LSN("0/5000000")))
    }

    @Test("a timeline the primary's history does not know is a fork")
    func unknownTimeline() {
        #expect(divergence(local: position(7, "0/1000000"), primaryTimeline: 3, primaryLSN: LSN("0/6000000")!,
                           history: history) == .diverged(forkPoint: nil))
    }

    @Test("a node on a later timeline than the primary cannot follow it")
    func laterTimeline() {
        #expect(divergence(local: position(4, "0/1000000"), primaryTimeline: 3, primaryLSN: LSN("0/6000000")!,
                           history: history) == .diverged(forkPoint: nil))
    }

    @Test("on the primary's own timeline, a node may be behind but not ahead")
    func sameTimeline() {
        #expect(divergence(local: position(3, "0/5FFFFFF"), primaryTimeline: 3, primaryLSN: LSN("0/6000000")!,
                           history: history) == .canFollow)
        #expect(divergence(local: position(3, "0/6000001"), primaryTimeline: 3, primaryLSN: LSN("0/6000000")!,
                           history: history) == .diverged(forkPoint: LSN("0/6000000")))
    }
}

@Suite("standbyTimeline")
struct StandbyTimelineTests {
    let history = TimelineHistory(text: "1\t0/3000000\tx\n2\t0/5000000\tx\n")

    @Test("the newest history file places the LSN on its timeline, whatever the stale restartpoint says")
    func fromHistory() {
        #expect(standbyTimeline(lsn: LSN("0/6000000")!, checkpoint: 1, received: nil, latestHistory: (3, history)) == 3)
        #expect(standbyTimeline(lsn: LSN("0/5000000")!, checkpoint: 1, received: nil, latestHistory: (3, history)) == 3)
        #expect(standbyTimeline(lsn: LSN("0/4000000")!, checkpoint: 1, received: nil, latestHistory: (3, history)) == 2)
        #expect(standbyTimeline(lsn: LSN("0/1000000")!, checkpoint: 1, received: nil, latestHistory: (3, history)) == 1)
    }

    @Test("the WAL receiver's timeline counts; without history, the checkpoint's")
    func otherSources() {
        #expect(standbyTimeline(lsn: LSN("0/1000000")!, checkpoint: 1, received: 2, latestHistory: nil) == 2)
        #expect(standbyTimeline(lsn: LSN("0/1000000")!, checkpoint: 4, received: nil, latestHistory: nil) == 4)
        #expect(standbyTimeline(lsn: LSN("0/1000000")!, checkpoint: nil, received: nil, latestHistory: nil) == nil)
    }
}
