/// monitor: 0 running standby, 8 running primary, 7 cleanly stopped, 9 crashed primary, 1 anything broken.
///
/// This is the hot path: Pacemaker runs it on every node every few seconds for years. The steady state is
/// one libpq connection and one round trip, no child process and no file written. `pg_controldata` runs only
/// when the server does not answer.
func monitor(_ context: ActionContext) throws(AgentError) -> OCFReturnCode {
    let resource: Resource
    do {
        resource = try Resource.resolve(context, checks: .dataDirectory)
    } catch .noData(let path, let empty) where (try? Parameters(environment: context.environment))?.bootstrap == true {
        // Start clones it: "not running" lets Pacemaker recover the node through start, where "not
        // installed" would ban it from the node for good.
        context.log.info("data directory \(path) \(empty ? "is empty" : "is missing"): not running, start clones it (bootstrap=true)")
        return .notRunning
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
    let status: ServerStatus
    do {
        status = try serverStatus(resource, context: context)
    } catch .binaryMissing(let path) where context.environment.isProbe(action: context.action)
        && resource.dataDirectory.runningPostmasterPID == nil {
        // Binaries are needed only when the server does not answer; without them and without a
        // postmaster, nothing of ours runs here.
        context.log.info("probe: \(path) missing and no postmaster: reporting not running")
        return .notRunning
    }
    if context.environment.isProbe(action: context.action), case .crashed(let control) = status.state {
        // See `InstanceState.probeCode`: nothing runs, and start recovers it as a standby.
        context.log.warning("probe: not running; its control file says \(control.rawValue): it crashed or was killed; start will recover it as a standby")
        return status.state.probeCode
    }
    switch status.state {
    case .crashed, .unresponsive:
        context.log.error(status.state.description)
        context.log.exitReason(status.state.description)
    case .primary:
        updatePromotionScores(resource, replication: status.replication, context: context)
        reportSynchronousStandbys(resource, replication: status.replication, context: context)
        // Synchronous mode in a cluster: the set and its record follow the standbys that stream. Only when
        // the wanted set differs from the one in force and recorded does this run a query or a tool.
        keepSynchronousSet(resource, replication: status.replication, setting: status.synchronousSetting,
                           context: context)
        if !status.lostSlots.isEmpty {
            // Rare (a member away past max_slot_wal_keep_size): only then does the monitor ask the cluster
            // for its members, record the loss on the member and replace the slot.
            do {
                try synchronizeSlots(resource, members: memberNodes(context: context), context: context)
            } catch {
                context.log.warning("invalidated slots \(status.lostSlots.joined(separator: " ")) not replaced: \(error.reason)")
            }
        }
    case .standby, .stopped:
        break
    }
    return status.state.code
}

/// The local instance as one query sees it: its state and, on a primary, its standbys.
struct ServerStatus {
    var state: InstanceState
    var replication: [StandbyReplication] = []
    /// On a primary, the agent's slots that max_slot_wal_keep_size invalidated (13+).
    var lostSlots: [String] = []
    /// On a primary, the synchronous_standby_names in force.
    var synchronousSetting = ""
}

/// One round trip: recovery state and, on a primary, each standby's state, flush lag in bytes, sync state and
/// the slot its WAL sender holds, and the agent's invalidated slots (wal_status read through jsonb: the
/// column exists from 13 on), and the synchronous_standby_names in force.
/// pg_current_wal_lsn() fails during recovery: the CASE keeps it off standbys.
let statusQuery = """
    SELECT pg_is_in_recovery(),
           CASE WHEN pg_is_in_recovery() THEN '' ELSE
             (SELECT coalesce(string_agg(application_name || ' ' || state || ' ' ||
                        coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn)::bigint::text, '-') || ' ' ||
                        sync_state || ' ' ||
                        coalesce((SELECT slot_name FROM pg_replication_slots WHERE active_pid = r.pid), '-'), ','), '')
                FROM pg_stat_replication r)
           END,
           CASE WHEN pg_is_in_recovery() THEN '' ELSE
             (SELECT coalesce(string_agg(slot_name, ' '), '') FROM pg_replication_slots s
               WHERE slot_name LIKE 'pgha\\_%' AND to_jsonb(s) ->> 'wal_status' = 'lost')
           END,
           current_setting('synchronous_standby_names')
    """

/// What the local instance is now: a query when it answers, its postmaster and control file when not.
func serverStatus(_ resource: Resource, context: ActionContext) throws(AgentError) -> ServerStatus {
    let why: String
    do throws(AgentError) {
        let session = try resource.connect(timeoutSeconds: 5)
        let row = try session.query(statusQuery).first ?? []
        guard row.count == 4, let inRecovery = row[0] else { throw .query("unexpected status row") }
        if inRecovery == "t" { return ServerStatus(state: .standby) }
        return ServerStatus(state: .primary, replication: StandbyReplication.parseList(row[1] ?? ""),
                            lostSlots: (row[2] ?? "").split(separator: " ").map(String.init),
                            synchronousSetting: row[3] ?? "")
    } catch {
        why = error.reason
    }
    let alive = resource.dataDirectory.runningPostmasterPID != nil
    try resource.checkBinaries()
    let control = try resource.controlData()
    return ServerStatus(state: InstanceState.unreachable(postmasterAlive: alive, control: control.state, why: why))
}

func instanceState(_ resource: Resource, context: ActionContext) throws(AgentError) -> InstanceState {
    try serverStatus(resource, context: context).state
}

/// The primary ranks the standbys (see `PromotionScore.scores`) and tells Pacemaker, but only the scores
/// that changed since the last monitor: the cache under HA_RSCTMP keeps the steady state free of child
/// processes. Notifications clear the cache, so a membership change re-asserts every score.
func updatePromotionScores(_ resource: Resource, replication: [StandbyReplication], context: ActionContext) {
    // Outside a cluster (hand runs, tests) there is nobody to tell.
    guard context.environment.hasCloneMeta else { return }
    let cached = PromotionScore.parseCache(context.readState("scores") ?? "")
    let wanted = PromotionScore.scores(primary: resource.node, members: savedMembers(context: context),
                                       replication: replication, maxlag: resource.parameters.maxlag)
    guard wanted != cached else { return }
    let promotedAt = Int(context.readState("promoted-at") ?? "") ?? 0
    let inGrace = wallClockSeconds() - promotedAt < PromotionScore.reconnectGraceSeconds
    let changes = PromotionScore.changes(wanted: wanted, cached: cached, replication: replication,
                                         inGracePeriod: inGrace)
    guard !changes.isEmpty else { return }
    let cluster = context.cluster
    var applied = cached
    for (node, score) in changes.sorted(by: { $0.key < $1.key }) {
        let facts = replication.first { $0.node == node }
            .map { "\($0.state), lag \($0.lag.map(String.init) ?? "unknown") bytes" } ?? (node == resource.node ? "primary" : "not connected")
        do {
            try cluster.setPromotionScore(score, resource: context.environment.resourceName, node: node)
            applied[node] = score
            context.log.info("promotion score of \(node) set to \(score) (\(facts))")
        } catch {
            context.log.warning("could not set the promotion score of \(node): \(error.reason)")
        }
    }
    context.writeState("scores", PromotionScore.formatCache(applied).trimmingWhitespace)
}

/// Synchronous mode: one log line when fewer than k standbys confirm commits (commits wait: the strict
/// rule, there is no falling back to asynchronous) and one when enough do again. The last verdict is kept
/// under HA_RSCTMP and written only when it changes: the steady state reads one small file.
func reportSynchronousStandbys(_ resource: Resource, replication: [StandbyReplication], context: ActionContext) {
    let wanted = resource.parameters.syncStandbys
    guard wanted > 0 else { return }
    let confirming = replication.filter(\.confirmsCommits).map(\.node).sorted()
    let verdict = confirming.count >= wanted ? "enough" : "waiting"
    guard context.readState("sync") != verdict else { return }
    let facts = "\(confirming.count) of \(wanted) needed standbys confirm commits (\(confirming.isEmpty ? "none" : confirming.joined(separator: " ")))"
    if verdict == "waiting" {
        context.log.warning("synchronous replication: \(facts): commits wait until one more streams")
    } else {
        context.log.info("synchronous replication: \(facts): commits are acknowledged")
    }
    context.writeState("sync", verdict)
}
