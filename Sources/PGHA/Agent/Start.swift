/// start: the instance always starts as a standby, its recovery configuration written first, and the action
/// returns once it accepts connections in recovery. 0 on success; 1 when it cannot be started or came up
/// as something else.
func start(_ context: ActionContext) throws(AgentError) -> OCFReturnCode {
    let resource: Resource
    do {
        resource = try Resource.resolve(context, checks: .binariesVersion)
    } catch .noData(let path, let empty) {
        let parameters = try parametersForBootstrap(context.environment, path: path, empty: empty)
        let primary = try bootstrapDataDirectory(parameters, context: context)
        // A clone just taken from the primary has nothing to compare with it: it starts as its standby.
        let cloned = try Resource.resolve(context, checks: .binariesVersion)
        try startAsStandby(cloned, context: context, promoted: primary)
        setInitialPromotionScore(cloned, context: context)
        return .success
    }
    let state = try instanceState(resource, context: context)
    switch state {
    case .standby:
        context.log.info("instance already runs as a standby")
        return .success
    case .primary, .unresponsive(.inProduction, _):
        // Pacemaker starts what it believes stopped: a primary it does not know of (started by hand) must
        // not keep accepting writes beside the cluster's. Stopped, it is compared with the known primary
        // like any former primary, then started as a standby.
        context.log.warning("\(state.description) where Pacemaker expects none: stopping it before it starts as a standby")
        try stopWritablePrimary(resource, timeoutSeconds: context.deadline.seconds() / 3)
    case .stopped, .crashed, .unresponsive:
        // A postmaster that does not answer may be what is left of one killed moments ago: startAsStandby
        // waits for it to go.
        break
    }
    try checkAndStartAsStandby(resource, context: context)
    setInitialPromotionScore(resource, context: context)
    return .success
}

/// A standby with no promotion score could never be promoted when no primary is left to rank it (a whole
/// cluster starting): give it the lowest positive one. The primary's monitor replaces it with a ranking,
/// and the election at promote time decides between equals.
func setInitialPromotionScore(_ resource: Resource, context: ActionContext) {
    guard context.environment.hasCloneMeta else { return }
    let cluster = context.cluster
    let name = context.environment.resourceName
    guard cluster.promotionScore(resource: name, node: resource.node) == nil else { return }
    do {
        try cluster.setPromotionScore(1, resource: name, node: resource.node)
        context.log.info("promotion score of \(resource.node) set to 1: it had none")
    } catch {
        context.log.warning("could not set the promotion score of \(resource.node): \(error.reason)")
    }
}

/// Starts a stopped instance as a standby of the known primary, once it is clear that it can follow it.
func checkAndStartAsStandby(_ resource: Resource, context: ActionContext) throws(AgentError) {
    let promoted = knownPromotedNode(resource, context: context)
    if let primary = promoted, primary != resource.node {
        if try recloneIfSlotLost(resource, primary: primary, context: context) {
            try startAsStandby(resource, context: context, promoted: primary)
            return
        }
        let control = try resource.controlData()
        if control.wasPrimary {
            try rejoinFormerPrimary(resource, control: control, primary: primary, context: context)
        } else if let marker = DivergenceMarker.read(context: context), marker.checkpoint == control.checkpointLocation {
            try rejoinDivergedStandby(resource, marker: marker, primary: primary, context: context)
        } else if let point = control.minimumRecoveryPoint {
            try rejoinStandbyReplayedPastFork(resource, recoveryPoint: point, primary: primary, context: context)
        }
    }
    // A primary that crashed (its control file says "in production") also starts as a standby: its crash
    // recovery then runs in standby mode and cannot end with a checkpoint on the old timeline.
    try startAsStandby(resource, context: context, promoted: promoted == resource.node ? nil : promoted)
}

/// Writes the standby configuration and starts the server, then checks it runs in recovery.
func startAsStandby(_ resource: Resource, context: ActionContext, promoted: String?) throws(AgentError) {
    forgetSynchronousSet(context: context)
    let files = RecoveryFiles(dataDirectory: resource.dataDirectory, version: resource.version)
    let configuration = standbyConfiguration(current: try files.current(), node: resource.node, promoted: promoted,
                                             parameters: resource.parameters)
    try files.write(configuration)
    try keepSynchronousStandbys(resource, members: memberNodes(context: context, adding: [resource.node]), session: nil,
                                context: context)
    context.log.info("starting as a standby: primary_conninfo '\(Conninfo.redacted(configuration.primaryConninfo))' slot \(configuration.primarySlotName)")
    let deadline = context.deadline
    // Moments after a crash (kill -9, on-fail=restart) the old postmaster and its children may not be gone
    // yet, and PostgreSQL refuses to start beside them: they go on their own within a second or two.
    var leftovers: String?
    let patience = max(1, deadline.seconds() / 3)
    let clean = deadline.waitUntil(atMost: Double(patience), interval: 0.1) {
        leftovers = resource.dataDirectory.leftoversOfPreviousServer
        return leftovers == nil
    }
    guard clean else {
        throw .unexpectedState("cannot start: \(leftovers ?? "the previous postmaster") still there after \(patience) s")
    }
    try resource.control.start()
    // pg_ctl -w returns once the postmaster runs; a standby opens for connections only when consistent,
    // which after pg_rewind means once it has streamed up to the source's position.
    var state = InstanceState.stopped
    let ready = deadline.waitUntil {
        state = (try? instanceState(resource, context: context)) ?? .stopped
        switch state {
        case .standby, .primary, .stopped, .crashed: return true
        // Still starting (a standby opens for connections once consistent), or refusing the agent.
        case .unresponsive(let control, _): return control == .inProduction
        }
    }
    guard ready, state == .standby else {
        // A start that gives up must not leave behind an instance that accepts writes.
        if state.mayAcceptWrites {
            try stopWritablePrimary(resource, timeoutSeconds: deadline.seconds())
            throw .unexpectedState("\(state.description) where a standby was wanted: stopped it")
        }
        throw .unexpectedState("instance did not come up as a standby: \(state.description)")
    }
    context.log.info("instance started as a standby")
    recordDecision("started as a standby: primary_conninfo '\(Conninfo.redacted(configuration.primaryConninfo))' slot \(configuration.primarySlotName)", context: context)
}
