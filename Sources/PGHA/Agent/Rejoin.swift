/// Bringing a former primary back as a standby of the node promoted in its place.
///
/// A node that last ran as a primary ("in production": it crashed; "shut down": it was stopped as one), or a
/// standby that received WAL from one, may hold WAL the new primary never received. Such a node cannot stream from the
/// primary, and must not run as if it were a healthy standby: with `rewind=true` pg_rewind brings it back
/// first; without, start refuses it with the facts. Nothing is written before that decision.
func rejoinFormerPrimary(_ resource: Resource, control: ControlData, primary: String,
                         context: ActionContext) throws(AgentError) {
    guard let timeline = control.checkpointTimeline, let redo = control.redoLocation else {
        throw .refused("control data has no checkpoint: cannot tell whether this node diverged from \(primary)")
    }
    let end = try WALEnd.find(bindir: resource.bindir, datadir: resource.parameters.datadir, timeline: timeline,
                              start: redo, as: resource.user, timeoutSeconds: resource.deadline.seconds(atMost: 60))
    guard let end else {
        throw .refused("could not find where the local WAL ends (pg_waldump): cannot tell whether this node diverged")
    }
    let local = WALPosition(timeline: timeline, lsn: end)
    let (primaryTimeline, primaryLSN, history) = try primaryHistory(resource, primary: primary)
    let verdict = divergence(local: local, primaryTimeline: primaryTimeline, primaryLSN: primaryLSN, history: history)
    let facts = "local \(local) (\(control.state.rawValue)), primary \(primary) timeline \(primaryTimeline) lsn \(primaryLSN)"
    switch verdict {
    case .canFollow:
        context.log.info("can follow \(primary): \(facts)")
        recordDecision("former primary can follow \(primary): \(facts)", context: context)
    case .diverged(let fork):
        let forkText = fork.map { "fork point \($0)" } ?? "timeline \(timeline) not in its history"
        try rewindOrRefuse(resource, primary: primary, why: "diverged from \(primary) (\(forkText); \(facts))",
                           context: context)
    }
}

/// A node that cannot follow `primary` as it is: rewound with rewind=true, else refused, `why` saying so.
func rewindOrRefuse(_ resource: Resource, primary: String, why: String, context: ActionContext) throws(AgentError) {
    guard resource.parameters.rewind else {
        recordDecision("refused: \(why); rewind=false", context: context)
        throw .refused("\(why): set rewind=true or rebuild this node with pg_basebackup")
    }
    context.log.warning("\(why): rewinding")
    recordDecision("\(why): rewinding", context: context)
    try rewind(resource, primary: primary, context: context)
}

/// The primary's timeline, WAL position and timeline history, over a replication connection (the same
/// credentials the WAL receiver uses).
func primaryHistory(_ resource: Resource, primary: String) throws(AgentError) -> (UInt32, LSN, TimelineHistory) {
    let session = try remoteSession(resource.parameters, to: primary, as: resource.user, deadline: resource.deadline,
                                    extra: [("replication", "true")])
    let identity = try session.simpleQuery("IDENTIFY_SYSTEM").first ?? []
    guard identity.count >= 3, let timeline = identity[1].flatMap({ UInt32($0) }),
          let lsn = identity[2].flatMap({ LSN($0) })
    else { throw .query("IDENTIFY_SYSTEM on \(primary) gave no timeline") }
    guard timeline > 1 else { return (timeline, lsn, TimelineHistory(text: "")) }
    let file = try session.simpleQuery("TIMELINE_HISTORY \(timeline)").first ?? []
    return (timeline, lsn, TimelineHistory(text: (file.count >= 2 ? file[1] : nil) ?? ""))
}

/// A connection string to `primary` for the agent's own use (history, rewind), with the admin's options.
func primarySourceConninfo(_ resource: Resource, primary: String, extra: [(String, String)] = []) -> String {
    primarySourceConninfo(resource.parameters, primary: primary, deadline: resource.deadline, extra: extra)
}

/// TCP keepalives (the admin's replication_options may override them): a link cut while the agent waits
/// on another node ends the wait within seconds, not after the kernel's two hours. The connect timeout is
/// 10 s, or what is left of the action's time when that is less.
func primarySourceConninfo(_ parameters: Parameters, primary: String, deadline: Deadline,
                           extra: [(String, String)] = []) -> String {
    let address = parameters.address(of: primary)
    return Conninfo.build([("host", address.host), ("port", String(address.port)), ("dbname", "postgres"),
                           ("application_name", "pgha"), ("connect_timeout", String(deadline.seconds(atMost: 10))),
                           ("keepalives", "1"), ("keepalives_idle", "5"), ("keepalives_interval", "2"),
                           ("keepalives_count", "3")]
                          + parameters.replicationOptions + extra)
}

/// A session to another node for the agent's own queries, bounded by a statement_timeout as the local
/// ones are (added to the admin's own `options` when there are some), never past the action's deadline.
func remoteSession(_ parameters: Parameters, to node: String, as user: SystemUser, deadline: Deadline,
                   extra: [(String, String)] = [], statementTimeoutSeconds: Int = 10) throws(AgentError) -> Session {
    let limit = "-c statement_timeout=\(deadline.seconds(atMost: statementTimeoutSeconds) * 1000)"
    let admin = parameters.replicationOptions.last { $0.0 == "options" }?.1
    let options = [("options", admin.map { $0 + " " + limit } ?? limit)]
    return try Session(conninfo: primarySourceConninfo(parameters, primary: node, deadline: deadline,
                                                       extra: extra + options), as: user)
}

/// pg_rewind from the primary. The primary checkpoints first: pg_rewind reads the source's timeline from its
/// control file, which still names the old timeline until the first checkpoint after promotion.
/// With bootstrap=true, a rewind that fails (the WAL it needs is gone, the source refused it) is followed
/// by a clone from the primary.
func rewind(_ resource: Resource, primary: String, context: ActionContext) throws(AgentError) {
    let source = primarySourceConninfo(resource, primary: primary)
    do {
        // A checkpoint may take a while on a busy primary: half the time this action has left, not the
        // default; pg_rewind and the start after it share the rest.
        try remoteSession(resource.parameters, to: primary, as: resource.user, deadline: context.deadline,
                          statementTimeoutSeconds: context.deadline.seconds() / 2).query("CHECKPOINT")
        // Passwords outside pg_rewind's argument vector, which is world-readable.
        let secrets = try ChildSecrets(conninfo: source, user: resource.user)
        defer { secrets.remove() }
        let output = try ChildProcess.check(resource.bindir + "/pg_rewind",
                                            ["--target-pgdata", resource.parameters.datadir, "--source-server", secrets.conninfo],
                                            as: resource.user, environment: secrets.environment,
                                            workingDirectory: resource.parameters.datadir,
                                            timeoutSeconds: context.deadline.seconds(keeping: startReserve(context)))
        let summary = output.split(separator: "\n").last.map(String.init) ?? ""
        context.log.info("pg_rewind from \(primary) done: \(summary)")
        recordDecision("rewound from \(primary): \(summary)", context: context)
    } catch {
        guard resource.parameters.bootstrap else { throw error }
        context.log.warning("pg_rewind from \(primary) failed (\(error.reason)): cloning the data directory again (bootstrap=true)")
        let clone = try cloneSource(resource.parameters, user: resource.user, node: resource.node, context: context)
        try cloneDataDirectory(resource.parameters, user: resource.user, source: clone, context: context)
        recordDecision("pg_rewind from \(primary) failed: cloned again", context: context)
    }
}

/// The promoted node as Pacemaker sees it now, else as the last notification named it, once it is confirmed
/// to run as a primary. Pacemaker also lists a node whose promote just failed (the election deferred it) as
/// promoted: following it, or judging divergence against it, would be wrong.
func knownPromotedNode(_ resource: Resource, context: ActionContext) -> String? {
    var candidate = context.cluster.promotedNode(resource: context.environment.resourceName)
    if candidate == nil {
        let saved = context.readState("promoted") ?? ""
        candidate = saved.isEmpty ? nil : saved
    }
    guard let node = candidate else { return nil }
    if node == resource.node { return node }
    return isWritablePrimary(resource, node: node, context: context) ? node : nil
}

/// True when `node` answers and is not in recovery.
func isWritablePrimary(_ resource: Resource, node: String, context: ActionContext) -> Bool {
    do {
        let session = try remoteSession(resource.parameters, to: node, as: resource.user, deadline: context.deadline)
        if try session.value("SELECT pg_is_in_recovery()") == "f" { return true }
        context.log.info("\(node) is listed as promoted but is in recovery: not followed")
    } catch {
        context.log.info("\(node) is listed as promoted but does not answer (\(error.reason)): not followed")
    }
    return false
}

/// What notify found when it stopped a standby that diverged, kept under HA_RSCTMP for the start that
/// follows. The checkpoint location identifies the data directory as it was: a node rebuilt since
/// (pg_basebackup) has another one, and the marker no longer applies.
struct DivergenceMarker: Equatable {
    var checkpoint: LSN
    var facts: String

    static func read(context: ActionContext) -> DivergenceMarker? {
        guard let text = context.readState("diverged") else { return nil }
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2, let checkpoint = LSN(parts[0]) else { return nil }
        return DivergenceMarker(checkpoint: checkpoint, facts: parts[1])
    }

    func write(context: ActionContext) {
        context.writeState("diverged", "\(checkpoint) \(facts)")
    }

    static func clear(context: ActionContext) {
        context.removeState("diverged")
    }
}

/// A standby that notify stopped for divergence: refused, or rewound when the admin opted in.
func rejoinDivergedStandby(_ resource: Resource, marker: DivergenceMarker, primary: String,
                           context: ActionContext) throws(AgentError) {
    guard resource.parameters.rewind else {
        recordDecision("refused: cannot follow \(primary) (\(marker.facts)); rewind=false", context: context)
        throw .refused("cannot follow \(primary) (\(marker.facts)): set rewind=true, or rebuild this node with pg_basebackup; \(context.statePath("diverged")) keeps this verdict until the data directory changes or it is deleted")
    }
    context.log.warning("cannot follow \(primary) (\(marker.facts)): rewinding")
    recordDecision("cannot follow \(primary) (\(marker.facts)): rewinding", context: context)
    try rewind(resource, primary: primary, context: context)
    DivergenceMarker.clear(context: context)
}

/// A standby whose replay went past the point where the primary's history leaves its timeline: a crashed
/// primary that demote started as a standby before the new primary was known (its local WAL replayed, so its
/// control file no longer says it was a primary), or a standby that followed the old primary to its end.
/// PostgreSQL would stop it at once ("requested timeline ... does not contain minimum recovery point"): it
/// is rewound, or refused with the facts. Its control file's minimum recovery point tells, no WAL is read.
/// A primary that does not answer leaves the decision to PostgreSQL and notify: the start is not refused.
func rejoinStandbyReplayedPastFork(_ resource: Resource, recoveryPoint: WALPosition, primary: String,
                                   context: ActionContext) throws(AgentError) {
    let primaryTimeline: UInt32, primaryLSN: LSN, history: TimelineHistory
    do {
        (primaryTimeline, primaryLSN, history) = try primaryHistory(resource, primary: primary)
    } catch {
        context.log.warning("cannot read \(primary)'s timeline history (\(error.reason)): minimum recovery point \(recoveryPoint) not checked")
        return
    }
    let verdict = divergence(local: recoveryPoint, primaryTimeline: primaryTimeline, primaryLSN: primaryLSN,
                             history: history)
    guard case .diverged(let fork) = verdict else { return }
    let facts = "minimum recovery point \(recoveryPoint), primary \(primary) timeline \(primaryTimeline) lsn \(primaryLSN), fork point \(fork.map { "\($0)" } ?? "none")"
    try rewindOrRefuse(resource, primary: primary, why: "replayed past \(primary)'s fork point (\(facts))", context: context)
}
