/// demote: primary to standby. A clean stop (the shutdown checkpoint reaches the standbys), the recovery
/// configuration, a start as standby. A stopped instance is started as a standby too. A crashed primary is
/// left stopped: Pacemaker demotes one only to recover it (on-fail=restart: demote, stop, start), and the
/// start that follows runs its crash recovery as a standby, once, after comparing it with the primary.
/// 0 only when nothing on the node accepts writes any more: the instance runs as a standby, or is a
/// crashed primary left for that start. A primary whose postmaster lives but refuses the agent is stopped
/// (fast, immediate when that does not end it) and left stopped the same way; when it cannot be stopped,
/// demote fails so that Pacemaker stops or fences the node, never believing it demoted while clients
/// still write to it.
func demote(_ context: ActionContext) throws(AgentError) -> OCFReturnCode {
    let resource = try Resource.resolve(context, checks: .binaries)
    // Its term as the primary ends: what it remembered of the recorded synchronous set goes with it.
    forgetSynchronousSet(context: context)
    let state = try instanceState(resource, context: context)
    switch state {
    case .standby:
        context.log.info("instance already runs as a standby")
        return .success
    case .primary:
        context.log.info("stopping the primary cleanly before it starts again as a standby")
        recordDecision("demoting: stopping the primary cleanly to start it again as a standby", context: context)
        // Half the time left: the start as a standby after it needs the rest.
        try resource.control.stop(timeoutSeconds: context.deadline.seconds() / 2)
    case .unresponsive(.inProduction, _):
        context.log.warning("\(state.description): stopping it, it may still accept writes from clients")
        try stopWritablePrimary(resource, timeoutSeconds: context.deadline.seconds())
        // Like a crashed primary: Pacemaker demotes it to recover it, and the start that follows compares
        // it with the primary and starts it as a standby (where the agent may not reach it either).
        context.log.info("primary that did not answer stopped: left stopped for the start that follows")
        recordDecision("primary that did not answer the agent stopped, left for the start that follows", context: context)
        return .success
    case .unresponsive:
        throw .unexpectedState(state.description)
    case .crashed(.inProduction):
        context.log.info("\(state.description): left stopped, the start of Pacemaker's recovery brings it back as a standby")
        recordDecision("crashed primary left stopped for the start that follows", context: context)
        return .success
    case .stopped, .crashed:
        break
    }
    try checkAndStartAsStandby(resource, context: context)
    recordDecision("demoted: runs as a standby", context: context)
    return .success
}

/// Stops an instance that may accept writes and must not (fast, then immediate), and checks that no
/// postmaster is left: an error here fails the action, so that Pacemaker stops or fences the node.
func stopWritablePrimary(_ resource: Resource, timeoutSeconds: Int) throws(AgentError) {
    do {
        try resource.control.stopAtAnyCost(timeoutSeconds: max(2, timeoutSeconds))
    } catch {
        throw .unexpectedState("a primary that must not run could not be stopped: \(error.reason)")
    }
    if let pid = resource.dataDirectory.runningPostmasterPID {
        throw .unexpectedState("a primary that must not run still runs after pg_ctl stop (postmaster \(pid))")
    }
}
