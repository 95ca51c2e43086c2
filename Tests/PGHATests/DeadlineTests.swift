import Testing
@testable import PGHA

@Suite("Deadline")
struct DeadlineTests {
    @Test("an operation's deadline keeps a tenth of Pacemaker's timeout, at least 2 s, for the report")
    func margin() {
        #expect(abs(Deadline.forOperation(timeoutSeconds: 60).remaining - 54) < 1)
        #expect(abs(Deadline.forOperation(timeoutSeconds: 10).remaining - 8) < 1)
        #expect(abs(Deadline.forOperation(timeoutSeconds: 3).remaining - 2) < 1, "never under 2 s")
    }

    @Test("a step gets what is left, at most its own limit, at least 1 s")
    func stepSeconds() {
        let deadline = Deadline.after(30.5)
        #expect(deadline.seconds(atMost: 10) == 10)
        #expect(deadline.seconds() == 30)
        #expect(Deadline.after(-5).seconds(atMost: 10) == 1, "passed: 1 s, never 0 (a tool's 'for ever')")
        #expect(Deadline.after(-5).hasPassed && Deadline.after(-5).remaining == 0)
        #expect(Deadline.none.seconds(atMost: 10) == 10, "no deadline: the step's own limit")
    }

    @Test("a long step keeps a reserve for the steps after it")
    func reserve() {
        #expect(Deadline.after(50.5).seconds(keeping: 20) == 30)
        #expect(Deadline.after(10.5).seconds(keeping: 20) == 1)
    }

    @Test("a wait ends at the deadline, not at its own limit")
    func waitEndsAtDeadline() {
        let started = Clock.now
        let held = Deadline.after(0.3).waitUntil(atMost: 30, interval: 0.05) { false }
        #expect(!held)
        #expect(Clock.now - started < 5)
    }
}
