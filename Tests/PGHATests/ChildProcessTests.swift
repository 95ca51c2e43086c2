import PGHA
import Testing

@Suite("ChildProcess")
struct ChildProcessTests {
    @Test("a child that exits while a process it started keeps the pipe open: its result, not a hang")
    func strayHolderOfThePipe() throws {
        // Without the exit check this read would last until the timeout and throw .timedOut.
        let result = try ChildProcess.run("/bin/sh", ["-c", "echo first; sleep 45 & echo second; exit 3"],
                                          timeoutSeconds: 30)
        #expect(result.status == 3)
        #expect(result.output == "first\nsecond\n")
    }

    @Test("a child that runs past its timeout is killed and reported")
    func timeout() {
        #expect(throws: AgentError.timedOut("sleep 30 after 1 s")) {
            try ChildProcess.run("/bin/sleep", ["30"], timeoutSeconds: 1)
        }
    }

    @Test("a child that closes its output and goes on running is killed at the deadline, not waited for")
    func closedOutputStillRunning() {
        let started = Clock.now
        #expect(throws: AgentError.timedOut("sh -c after 1 s")) {
            try ChildProcess.run("/bin/sh", ["-c", "exec >&- 2>&-; sleep 30"], timeoutSeconds: 1)
        }
        #expect(Clock.now - started < 10)
    }

    @Test("output larger than the pipe's buffer is read whole")
    func largeOutput() throws {
        let result = try ChildProcess.run("/usr/bin/seq", ["1", "100000"], timeoutSeconds: 30)
        #expect(result.status == 0)
        #expect(result.output.split(separator: "\n").count == 100_000)
        #expect(result.output.hasSuffix("99999\n100000\n"))
    }
}
