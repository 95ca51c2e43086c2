/// What the local instance is, as monitor reports it.
public enum InstanceState: Equatable, Sendable {
    case standby
    case primary
    case stopped
    /// No postmaster, and the control file says it did not stop cleanly: it was killed, crashed or lost
    /// power while in that state ("in production" for a primary, "in archive recovery" for a standby...).
    case crashed(ControlData.State)
    /// A postmaster runs but does not answer the agent (a hang, a removed socket, pg_hba.conf rejecting
    /// the local connection). In "in production" it may still accept writes from other clients.
    case unresponsive(ControlData.State, why: String)

    /// What a recurring monitor reports: a crash is a failure Pacemaker must act on, 9 when the instance
    /// was a primary, 1 otherwise.
    public var code: OCFReturnCode {
        switch self {
        case .standby: return .success
        case .primary: return .runningPromoted
        case .stopped: return .notRunning
        case .crashed(let control), .unresponsive(let control, _):
            return control == .inProduction ? .failedPromoted : .errGeneric
        }
    }

    /// What a probe reports. A probe asks what runs on the node, and after a crash nothing does: start
    /// always starts a standby, runs the crash recovery in standby mode, compares the node with the
    /// primary first (rewound or refused when it diverged), and the election decides any promotion. An
    /// error here would only leave a failure record and a fail count after every reboot. A live postmaster
    /// that does not answer is still an error: something runs that the agent cannot see into.
    public var probeCode: OCFReturnCode {
        if case .crashed = self { return .notRunning }
        return code
    }

    /// True when a postmaster of this instance runs and may accept writes: a primary, or one whose
    /// control file says "in production" but that the agent cannot reach.
    public var mayAcceptWrites: Bool {
        switch self {
        case .primary: return true
        case .unresponsive(let control, _): return control == .inProduction
        case .standby, .stopped, .crashed: return false
        }
    }

    /// One sentence for the log and the exit reason.
    public var description: String {
        switch self {
        case .standby: return "instance runs as a standby"
        case .primary: return "instance runs as the primary"
        case .stopped: return "instance is not running (stopped cleanly)"
        case .crashed(.inProduction):
            return "instance is not running but its control file says \"in production\": it crashed as a primary"
        case .crashed(let control):
            return "instance is not running and its control file says \"\(control.rawValue)\": it did not stop cleanly"
        case .unresponsive(.inProduction, let why):
            return "primary's postmaster runs but does not accept connections: \(why)"
        case .unresponsive(let control, let why):
            return "postmaster runs but does not accept connections (\(control.rawValue)): \(why)"
        }
    }

    /// Pure: what an instance that does not answer on its socket is, from whether its postmaster lives
    /// and what the control file says.
    public static func unreachable(postmasterAlive: Bool, control: ControlData.State, why: String) -> InstanceState {
        if postmasterAlive { return .unresponsive(control, why: why) }
        switch control {
        case .shutDown, .shutDownInRecovery: return .stopped
        default: return .crashed(control)
        }
    }
}
