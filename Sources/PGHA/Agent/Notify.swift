/// notify: never fails the cluster (always 0); what goes wrong is logged.
///
/// - pre-promote: every running standby publishes its WAL position for the election.
/// - post-promote: the new primary creates and drops slots; every standby points primary_conninfo at it.
/// - post-start: a standby that just started points at the primary; the primary adds slots for newcomers.
func notify(_ context: ActionContext) -> OCFReturnCode {
    guard let event = NotifyEvent(environment: context.environment) else {
        context.log.warning("notification without a known type and operation: ignored")
        return .success
    }
    do {
        let resource = try Resource.resolve(context, checks: .binaries)
        let members = event.knownNodes
        if !members.isEmpty { saveMembers(members, context: context) }
        if event.timing == .post, let promoted = event.promotedAfter { context.writeState("promoted", promoted) }
        // Membership or roles change: the primary's next monitor re-asserts every promotion score.
        if event.timing == .post { context.removeState("scores") }
        switch (event.timing, event.operation) {
        case (.pre, .promote):
            noteSwitchover(event, resource: resource, context: context)
            try publishWALPosition(resource, context: context)
        case (.post, .promote), (.post, .start):
            try followPromoted(event, resource: resource, context: context)
        default:
            break
        }
    } catch {
        context.log.error("\(event.timing.rawValue)-\(event.operation.rawValue): \(error.reason)")
    }
    return .success
}

func publishWALPosition(_ resource: Resource, context: ActionContext) throws(AgentError) {
    guard try instanceState(resource, context: context) == .standby else { return }
    let position = try localWALPosition(try resource.connect())
    try context.cluster.setPrivateAttribute(walPositionAttribute, value: position.published, node: resource.node)
    context.log.info("published \(position) for the election")
}

/// After a promotion or a start: the primary keeps slots for the members, a standby streams from the primary.
func followPromoted(_ event: NotifyEvent, resource: Resource, context: ActionContext) throws(AgentError) {
    guard let promoted = event.promotedAfter else {
        context.log.debug("no promoted node in this transition")
        return
    }
    let state = try instanceState(resource, context: context)
    if state == .standby || (state == .primary && !usesSynchronousRecord(resource, context: context)) {
        // Membership may have changed: every running node keeps the setting it needs as a primary. Not a
        // primary that keeps a recorded set: its setting must never name a standby the record does not
        // (widen the record first), and its monitor adds a newcomer once it streams (`keepSynchronousSet`).
        do {
            try keepSynchronousStandbys(resource, members: memberNodes(context: context, adding: event.knownNodes),
                                        session: try resource.connect(), context: context)
        } catch {
            context.log.error("synchronous_standby_names not kept in step: \(error.reason)")
        }
    }
    if promoted == resource.node {
        guard state == .primary else { return }
        if event.operation == .promote { context.cluster.deletePrivateAttribute(walPositionAttribute, node: resource.node) }
        try synchronizeSlots(resource, members: memberNodes(context: context, adding: event.knownNodes),
                             context: context)
        clearDeferredPromotions(resource, nodes: event.knownNodes, context: context)
        return
    }
    guard state == .standby else { return }
    if event.operation == .promote { context.cluster.deletePrivateAttribute(walPositionAttribute, node: resource.node) }
    // Post-promote notifications come also after a promote that failed (the election deferred it).
    guard isWritablePrimary(resource, node: promoted, context: context) else { return }
    if try stopIfDiverged(from: promoted, resource: resource, context: context) { return }
    try pointStandby(at: promoted, resource: resource, context: context)
}

/// A standby with WAL the new primary does not have (a demoted primary whose shutdown checkpoint never reached
/// the promoted node, a standby that followed another timeline) would run but never stream. It is stopped:
/// Pacemaker's monitor then finds it stopped and recovers it through start, which refuses it with the facts
/// or, with rewind=true, rewinds it.
func stopIfDiverged(from promoted: String, resource: Resource, context: ActionContext) throws(AgentError) -> Bool {
    let local = try localWALPosition(try resource.connect())
    let primary: (timeline: UInt32, lsn: LSN, history: TimelineHistory)
    do {
        primary = try primaryHistory(resource, primary: promoted)
    } catch {
        context.log.warning("cannot read \(promoted)'s timeline history (\(error.reason)): divergence not checked")
        return false
    }
    let verdict = divergence(local: local, primaryTimeline: primary.timeline, primaryLSN: primary.lsn,
                             history: primary.history)
    guard case .diverged(let fork) = verdict else { return false }
    let facts = "local \(local), primary timeline \(primary.timeline) lsn \(primary.lsn), fork point \(fork.map { "\($0)" } ?? "none")"
    context.log.error("diverged from \(promoted): \(facts): stopping so that start deals with it")
    recordDecision("diverged from \(promoted): \(facts): stopping so that start deals with it", context: context)
    try stopForStart(resource, facts: facts, context: context)
    return true
}

/// Rewrites a running standby's primary_conninfo and primary_slot_name when they differ from what
/// `promoted` needs: a reload on 13 and later, a restart before.
func pointStandby(at promoted: String, resource: Resource, context: ActionContext) throws(AgentError) {
    let files = RecoveryFiles(dataDirectory: resource.dataDirectory, version: resource.version)
    let session = try resource.connect()
    let current = try files.running(through: session)
    let wanted = standbyConfiguration(current: current, node: resource.node, promoted: promoted,
                                      parameters: resource.parameters)
    guard wanted != current else {
        context.log.info("primary_conninfo already points at \(promoted)")
        recordDecision("follows \(promoted): primary_conninfo already points at it", context: context)
        confirmStreaming(from: promoted, resource: resource, context: context)
        return
    }
    let needsRestart = try files.apply(wanted, through: session)
    defer { if !needsRestart { confirmStreaming(from: promoted, resource: resource, context: context) } }
    if needsRestart {
        context.log.info("primary is now \(promoted): restarting (PostgreSQL \(resource.version) reads primary_conninfo only at start)")
        recordDecision("follows \(promoted): restarting with primary_conninfo '\(Conninfo.redacted(wanted.primaryConninfo))' slot \(wanted.primarySlotName)", context: context)
        try resource.control.stop(timeoutSeconds: context.deadline.seconds() / 2)
        try startAsStandby(resource, context: context, promoted: promoted)
    } else {
        context.log.info("primary is now \(promoted): primary_conninfo '\(Conninfo.redacted(wanted.primaryConninfo))' slot \(wanted.primarySlotName), reloaded")
        recordDecision("follows \(promoted): primary_conninfo '\(Conninfo.redacted(wanted.primaryConninfo))' slot \(wanted.primarySlotName), reloaded", context: context)
    }
}

/// A standby pointed at a primary that answers, but not streaming from it after a while, is a standby
/// PostgreSQL itself refuses to let follow (it replayed WAL past the primary's fork point: the timelines
/// a running standby reports cannot always show that). It is stopped with a marker, and start runs pg_rewind
/// (which does nothing when no rewind is needed) or refuses it.
func confirmStreaming(from promoted: String, resource: Resource, context: ActionContext) {
    let seconds = 20.0
    var last = ""
    let streaming = context.deadline.waitUntil(atMost: seconds, interval: 0.5) {
        guard let session = try? resource.connect(),
              let row = try? session.query("SELECT status, received_tli FROM pg_stat_wal_receiver").first
        else { return false }
        last = "\(row[0] ?? "none") on timeline \(row.count > 1 ? row[1] ?? "?" : "?")"
        return row[0] == "streaming"
    }
    guard !streaming else { return }
    guard isWritablePrimary(resource, node: promoted, context: context) else { return }
    let facts = "WAL receiver \(last.isEmpty ? "absent" : last) \(Int(seconds)) s after pointing at \(promoted)"
    context.log.error("does not stream from \(promoted) (\(facts)): stopping so that start deals with it")
    recordDecision("does not stream from \(promoted) (\(facts)): stopping so that start deals with it", context: context)
    do {
        try stopForStart(resource, facts: facts, context: context)
    } catch {
        context.log.error("could not stop the standby that does not stream: \(error.reason)")
    }
}

/// Stops a standby that cannot follow the primary and leaves the facts for the start that Pacemaker's
/// recovery runs next (see `rejoinDivergedStandby`).
func stopForStart(_ resource: Resource, facts: String, context: ActionContext) throws(AgentError) {
    try resource.control.stop(timeoutSeconds: context.deadline.seconds() / 2)
    let control = try resource.controlData()
    if let checkpoint = control.checkpointLocation {
        DivergenceMarker(checkpoint: checkpoint, facts: facts).write(context: context)
    }
}

/// Set by a node whose promote the election refused (it had less WAL than another): which node it
/// deferred to.
let deferredPromotionAttribute = "pgha-deferred"

/// On the new primary: the promotes other nodes refused in its favour are forgotten (failure record and
/// fail count). Pacemaker counts them as failures; with a migration-threshold, a few elections would ban a
/// healthy standby from the role.
func clearDeferredPromotions(_ resource: Resource, nodes: [String], context: ActionContext) {
    let cluster = context.cluster
    for node in Set(nodes).subtracting([resource.node]).sorted() {
        guard let deferredTo = cluster.privateAttribute(deferredPromotionAttribute, node: node) else { continue }
        do {
            try cluster.clearFailedOperation("promote", resource: context.environment.resourceName, node: node)
            cluster.deletePrivateAttribute(deferredPromotionAttribute, node: node)
            context.log.info("cleared \(node)'s refused promote (the election deferred it to \(deferredTo)): not a failure")
        } catch {
            context.log.warning("could not clear \(node)'s refused promote: \(error.reason)")
        }
    }
}
