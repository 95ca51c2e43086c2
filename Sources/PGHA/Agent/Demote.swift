/// demote: primary to standby. A clean stop (the shutdown checkpoint reaches the standbys), the recovery
/// configuration, a start as standby. A stopped instance is started as a standby too. A crashed primary is
/// left stopped: Pacemaker demotes one only to recover it (on-fail=restart: demote, stop, start), and the
/// start that follows runs its crash recovery as a standby, once, after comparing it with the primary.
/// 0 when the instance runs as a standby, or is a crashed primary left for that start.
func demote(_ context: ActionContext) throws(AgentError) -> OCFReturnCode {
    let resource = try Resource.resolve(environment: context.environment, checks: .binaries)
    switch try instanceState(resource, context: context) {
    case .standby:
        context.log.info("instance already runs as a standby")
        return .success
    case .primary:
        context.log.info("stopping the primary cleanly before it starts again as a standby")
        recordDecision("demoting: stopping the primary cleanly to start it again as a standby", context: context)
        try resource.control.stop(timeoutSeconds: context.budget(default: 120) / 2)
    case .failed(let why) where resource.dataDirectory.runningPostmasterPID != nil:
        throw .unexpectedState(why)
    case .crashedPrimary(let why):
        context.log.info("\(why): left stopped, the start of Pacemaker's recovery brings it back as a standby")
        recordDecision("crashed primary left stopped for the start that follows", context: context)
        return .success
    case .stopped, .failed:
        break
    }
    try checkAndStartAsStandby(resource, context: context)
    recordDecision("demoted: runs as a standby", context: context)
    return .success
}
