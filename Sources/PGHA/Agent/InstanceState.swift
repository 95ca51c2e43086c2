/// What the local instance is, as monitor reports it.
public enum InstanceState: Equatable, Sendable {
    case standby
    case primary
    case stopped
    /// Not running, and the control file says it was a primary when it stopped: it crashed.
    case crashedPrimary(String)
    /// Broken in another way (crashed standby, running but not answering...).
    case failed(String)

    public var code: OCFReturnCode {
        switch self {
        case .standby: return .success
        case .primary: return .runningPromoted
        case .stopped: return .notRunning
        case .crashedPrimary: return .failedPromoted
        case .failed: return .errGeneric
        }
    }

    /// Pure: what an instance that does not answer on its socket is, from whether its postmaster lives
    /// and what the control file says.
    public static func unreachable(postmasterAlive: Bool, control: ControlData.State, why: String) -> InstanceState {
        if postmasterAlive {
            if control == .inProduction {
                return .crashedPrimary("primary's postmaster runs but does not accept connections: \(why)")
            }
            return .failed("postmaster runs but does not accept connections (\(control.rawValue)): \(why)")
        }
        switch control {
        case .shutDown, .shutDownInRecovery:
            return .stopped
        case .inProduction:
            return .crashedPrimary("instance is not running but its control file says \"in production\": it crashed as a primary")
        default:
            return .failed("instance is not running and its control file says \"\(control.rawValue)\": it did not stop cleanly")
        }
    }
}
