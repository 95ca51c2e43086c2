import Testing
@testable import PGHA

private let allStates: [ControlData.State] = [
    .startingUp, .shutDown, .shutDownInRecovery, .shuttingDown, .inCrashRecovery, .inArchiveRecovery,
    .inProduction, .unknown,
]

@Suite("InstanceState")
struct InstanceStateTests {
    @Test("OCF codes: standby 0, primary 8, stopped 7, crashed primary 9, failed 1")
    func codes() {
        #expect(InstanceState.standby.code == .success)
        #expect(InstanceState.primary.code == .runningPromoted)
        #expect(InstanceState.stopped.code == .notRunning)
        #expect(InstanceState.crashedPrimary("x").code == .failedPromoted)
        #expect(InstanceState.failed("x").code == .errGeneric)
        #expect(InstanceState.standby.code.rawValue == 0)
        #expect(InstanceState.primary.code.rawValue == 8)
        #expect(InstanceState.stopped.code.rawValue == 7)
        #expect(InstanceState.crashedPrimary("x").code.rawValue == 9)
        #expect(InstanceState.failed("x").code.rawValue == 1)
    }

    @Test("postmaster dead, cleanly shut down: stopped", arguments: [ControlData.State.shutDown, .shutDownInRecovery])
    func deadClean(state: ControlData.State) {
        let result = InstanceState.unreachable(postmasterAlive: false, control: state, why: "no socket")
        #expect(result == .stopped)
        #expect(result.code.rawValue == 7)
    }

    @Test("postmaster dead, in production: a crashed primary")
    func deadInProduction() {
        let result = InstanceState.unreachable(postmasterAlive: false, control: .inProduction, why: "no socket")
        guard case .crashedPrimary(let why) = result else {
            Issue.record("expected crashedPrimary, got \(result)")
            return
        }
        #expect(why.contains("in production"))
        #expect(result.code.rawValue == 9)
    }

    @Test("postmaster dead in any other state: failed",
          arguments: [ControlData.State.startingUp, .shuttingDown, .inCrashRecovery, .inArchiveRecovery, .unknown])
    func deadOther(state: ControlData.State) {
        let result = InstanceState.unreachable(postmasterAlive: false, control: state, why: "no socket")
        guard case .failed(let why) = result else {
            Issue.record("expected failed, got \(result)")
            return
        }
        #expect(why.contains(state.rawValue))
        #expect(result.code.rawValue == 1)
    }

    @Test("postmaster alive, in production, not answering: a failed primary")
    func aliveInProduction() {
        let result = InstanceState.unreachable(postmasterAlive: true, control: .inProduction, why: "timeout expired")
        guard case .crashedPrimary(let why) = result else {
            Issue.record("expected crashedPrimary, got \(result)")
            return
        }
        #expect(why.contains("timeout expired"))
        #expect(result.code.rawValue == 9)
    }

    @Test("postmaster alive in any other state, not answering: failed, never stopped",
          arguments: allStates.filter { $0 != .inProduction })
    func aliveOther(state: ControlData.State) {
        let result = InstanceState.unreachable(postmasterAlive: true, control: state, why: "timeout expired")
        guard case .failed(let why) = result else {
            Issue.record("expected failed, got \(result)")
            return
        }
        #expect(why.contains("timeout expired"))
        #expect(why.contains(state.rawValue))
        #expect(result.code.rawValue == 1)
    }

    @Test("a live postmaster is never reported as stopped or as a healthy instance", arguments: allStates)
    func aliveNeverStopped(state: ControlData.State) {
        let result = InstanceState.unreachable(postmasterAlive: true, control: state, why: "x")
        #expect(result != .stopped)
        #expect(result != .standby)
        #expect(result != .primary)
    }
}
