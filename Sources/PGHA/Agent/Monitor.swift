/// monitor: 0 running standby, 8 running primary, 7 cleanly stopped, 9 crashed primary, 1 anything broken.
///
/// This is the hot path: Pacemaker runs it on every node every few seconds for years. The steady state is
/// one libpq connection and one round trip, no child process and no file written. `pg_controldata` runs only
/// when the server does not answer.
func monitor(_ context: ActionContext) throws(AgentError) -> OCFReturnCode {
    let resource: Resource
    do {
        resource = try Resource.resolve(environment: context.environment, checks: .dataDirectory)
    } catch {
        // A probe runs on every node, also on those without PostgreSQL or its data: "not running" is the
        // honest answer there, and an error would make Pacemaker believe the resource is broken.
        if context.environment.isProbe(action: context.action), error.code == .errInstalled || error.code == .errConfigured,
           error != .missingParameter("pgdata") {
            context.log.info("probe: \(error.reason): reporting not running")
            return .notRunning
        }
        throw error
    }
    let state: InstanceState
    do {
        state = try instanceState(resource, context: context)
    } catch .binaryMissing(let path) where context.environment.isProbe(action: context.action)
        && resource.dataDirectory.runningPostmasterPID == nil {
        // Binaries are needed only when the server does not answer; without them and without a
        // postmaster, nothing of ours runs here.
        context.log.info("probe: \(path) missing and no postmaster: reporting not running")
        return .notRunning
    }
    switch state {
    case .crashedPrimary(let why), .failed(let why):
        context.log.error(why)
        context.log.exitReason(why)
    case .standby, .primary, .stopped:
        break
    }
    return state.code
}

/// What the local instance is now: a query when it answers, its postmaster and control file when not.
func instanceState(_ resource: Resource, context: ActionContext) throws(AgentError) -> InstanceState {
    let why: String
    do {
        let session = try resource.connect(timeoutSeconds: min(5, context.budget(default: 15)))
        let inRecovery = try session.value("SELECT pg_is_in_recovery()")
        return inRecovery == "t" ? .standby : .primary
    } catch {
        why = error.reason
    }
    let alive = resource.dataDirectory.runningPostmasterPID != nil
    try resource.checkBinaries()
    let control = try ControlData.read(bindir: resource.bindir, datadir: resource.parameters.datadir, as: resource.user)
    return InstanceState.unreachable(postmasterAlive: alive, control: control.state, why: why)
}
