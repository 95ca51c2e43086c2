/// stop: fast shutdown (sessions cut, shutdown checkpoint written), waiting until the server is gone.
/// Stopping a stopped instance succeeds: Pacemaker fences a node whose stop fails.
func stop(_ context: ActionContext) throws(AgentError) -> OCFReturnCode {
    let resource: Resource
    do {
        resource = try Resource.resolve(context, checks: .binaries)
    } catch {
        // Without binaries or data nothing of ours can be running; the configuration error is for
        // validate and start to report.
        let parameters = try? Parameters(environment: context.environment)
        let owner = parameters.flatMap { try? SystemUser(name: $0.systemUser) }
        let running = owner.flatMap { DataDirectory(path: parameters?.datadir ?? "", owner: $0).runningPostmasterPID }
        if error.code == .errInstalled, running == nil {
            context.log.info("\(error.reason): nothing to stop")
            return .success
        }
        throw error
    }
    forgetSynchronousSet(context: context)
    guard resource.dataDirectory.runningPostmasterPID != nil else {
        context.log.info("instance is not running")
        return .success
    }
    try resource.control.stop()
    guard resource.dataDirectory.runningPostmasterPID == nil else {
        throw .unexpectedState("instance still runs after pg_ctl stop")
    }
    context.log.info("instance stopped")
    return .success
}
