/// The exit codes of the OCF resource agent API, as Pacemaker reads them.
public enum OCFReturnCode: Int32, Sendable, CustomStringConvertible {
    case success = 0
    case errGeneric = 1
    case errArgs = 2
    case errUnimplemented = 3
    case errPerm = 4
    case errInstalled = 5
    case errConfigured = 6
    case notRunning = 7
    case runningPromoted = 8
    case failedPromoted = 9

    public var description: String {
        switch self {
        case .success: return "OCF_SUCCESS"
        case .errGeneric: return "OCF_ERR_GENERIC"
        case .errArgs: return "OCF_ERR_ARGS"
        case .errUnimplemented: return "OCF_ERR_UNIMPLEMENTED"
        case .errPerm: return "OCF_ERR_PERM"
        case .errInstalled: return "OCF_ERR_INSTALLED"
        case .errConfigured: return "OCF_ERR_CONFIGURED"
        case .notRunning: return "OCF_NOT_RUNNING"
        case .runningPromoted: return "OCF_RUNNING_PROMOTED"
        case .failedPromoted: return "OCF_FAILED_PROMOTED"
        }
    }
}
