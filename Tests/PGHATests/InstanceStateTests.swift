import Testing
@testable import PGHA

private let allStates: [ControlData.State] = [
    .startingUp, .shutDown, .shutDownInRecovery, .shuttingDown, .inCrashRecovery, .inArchiveRecovery,
    .inProduction, .unknown,
]

@Suite("InstanceState")
struct InstanceStateTests {
    @Test("OCF codes: standby 0, primary 8, stopped 7, crashed primary 9, other crashes 1")
    func codes() {
        #expect(InstanceState.standby.code.rawValue == 0)
        #expect(InstanceState.primary.code.rawValue == 8)
        #expect(InstanceState.stopped.code.rawValue == 7)
        #expect(InstanceState.crashed(.inProduction).code.rawValue == 9)
        #expect(InstanceState.crashed(.inArchiveRecovery).code.rawValue == 1)
        #expect(InstanceState.unresponsive(.inProduction, why: "x").code.rawValue == 9)
        #expect(InstanceState.unresponsive(.inArchiveRecovery, why: "x").code.rawValue == 1)
    }

    @Test("postmaster dead, cleanly shut down: stopped", arguments: [ControlData.State.shutDown, .shutDownInRecovery])
    func deadClean(state: ControlData.State) {
        let result = InstanceState.unreachable(postmasterAlive: false, control: state, why: "no socket")
        #expect(result == .stopped)
        #expect(result.code.rawValue == 7)
        #expect(result.probeCode.rawValue == 7)
    }

    @Test("postmaster dead, in production: a crashed primary, 9 for a recurring monitor")
    func deadInProduction() {
        let result = InstanceState.unreachable(postmasterAlive: false, control: .inProduction, why: "no socket")
        #expect(result == .crashed(.inProduction))
        #expect(result.description.contains("in production"))
        #expect(result.code.rawValue == 9)
    }

    @Test("postmaster dead in any other state: crashed, 1 for a recurring monitor",
          arguments: [ControlData.State.startingUp, .shuttingDown, .inCrashRecovery, .inArchiveRecovery, .unknown])
    func deadOther(state: ControlData.State) {
        let result = InstanceState.unreachable(postmasterAlive: false, control: state, why: "no socket")
        #expect(result == .crashed(state))
        #expect(result.description.contains(state.rawValue))
        #expect(result.code.rawValue == 1)
    }

    @Test("a probe finds nothing running after any crash: 7, whatever the control file says",
          arguments: allStates.filter { $0 != .shutDown && $0 != .shutDownInRecovery })
    func probeOfCrash(state: ControlData.State) {
        let result = InstanceState.unreachable(postmasterAlive: false, control: state, why: "no socket")
        #expect(result.probeCode == .notRunning)
        #expect(result.code != .notRunning, "a recurring monitor still reports the crash")
        #expect(!result.mayAcceptWrites)
    }

    @Test("a probe of a live postmaster that does not answer reports the failure", arguments: allStates)
    func probeOfUnresponsive(state: ControlData.State) {
        let result = InstanceState.unreachable(postmasterAlive: true, control: state, why: "timeout expired")
        #expect(result.probeCode == result.code)
        #expect(result.probeCode.rawValue == (state == .inProduction ? 9 : 1))
    }

    @Test("postmaster alive, in production, not answering: a primary that may accept writes")
    func aliveInProduction() {
        let result = InstanceState.unreachable(postmasterAlive: true, control: .inProduction, why: "timeout expired")
        #expect(result == .unresponsive(.inProduction, why: "timeout expired"))
        #expect(result.description.contains("timeout expired"))
        #expect(result.mayAcceptWrites)
        #expect(result.code.rawValue == 9)
    }

    @Test("postmaster alive in any other state, not answering: unresponsive, never stopped, no writes",
          arguments: allStates.filter { $0 != .inProduction })
    func aliveOther(state: ControlData.State) {
        let result = InstanceState.unreachable(postmasterAlive: true, control: state, why: "timeout expired")
        #expect(result == .unresponsive(state, why: "timeout expired"))
        #expect(result.description.contains("timeout expired"))
        #expect(result.description.contains(state.rawValue))
        #expect(!result.mayAcceptWrites)
        #expect(result.code.rawValue == 1)
    }

    @Test("a live postmaster is never reported as stopped or as a healthy instance", arguments: allStates)
    func aliveNeverStopped(state: ControlData.State) {
        let result = InstanceState.unreachable(postmasterAlive: true, control: state, why: "x")
        #expect(result != .stopped)
        #expect(result != .standby)
        #expect(result != .primary)
    }

    @Test("only a primary and an unreachable one in production may accept writes")
    func writers() {
        #expect(InstanceState.primary.mayAcceptWrites)
        #expect(!InstanceState.standby.mayAcceptWrites)
        #expect(!InstanceState.stopped.mayAcceptWrites)
    }
}
