/// promote: only when no other standby has more WAL (see `elect`), then `pg_ctl promote`, waiting until the
/// instance accepts writes, then one replication slot per other member. 0 promoted (or already primary);
/// 1 when this node must not or could not be promoted.
func promote(_ context: ActionContext) throws(AgentError) -> OCFReturnCode {
    let resource = try Resource.resolve(context, checks: .binaries)
    switch try instanceState(resource, context: context) {
    case .primary:
        context.log.info("instance already runs as the primary")
        return .success
    case .standby:
        break
    case .stopped, .crashed, .unresponsive:
        throw .unexpectedState("only a running standby can be promoted")
    }

    try checkSwitchover(resource, context: context)
    // The promotion score is only a hint, set by a monitor that may be old: the published positions of
    // this transition decide.
    var record: SynchronousRecord?
    var recordedSetting: SynchronousSet?
    if context.environment.hasCloneMeta, context.cluster.isInstalled {
        record = try checkElection(resource, context: context)
    }

    // Synchronous mode: the setting is in force before the first write is possible, so that no commit is
    // ever acknowledged by this node alone. A setting that cannot be written (no other member known) would
    // leave a primary that acknowledges alone: no promotion then.
    if resource.parameters.syncStandbys > 0 {
        let members = memberNodes(context: context, adding: [resource.node])
        guard let wanted = try keepSynchronousStandbys(resource, members: members, session: try resource.connect(),
                                                       context: context) else {
            recordDecision("must not promote: sync_standbys=\(resource.parameters.syncStandbys) cannot be met by the known members [\(members.joined(separator: " "))]", context: context)
            throw .refused("sync_standbys=\(resource.parameters.syncStandbys) cannot be met by the known members [\(members.joined(separator: " "))]: not promoting")
        }
        guard waitForSynchronousSetting(wanted, resource: resource) else {
            throw .unexpectedState("synchronous_standby_names = '\(wanted)' is not in force after a reload: not promoting")
        }
        if usesSynchronousRecord(resource, context: context) {
            let set = SynchronousSet(count: wanted.count, standbys: wanted.standbys)
            try widenSynchronousRecord(for: set, record: record, node: resource.node, context: context)
            recordedSetting = set
        }
    } else {
        try keepSynchronousStandbys(resource, members: memberNodes(context: context, adding: [resource.node]),
                                    session: try resource.connect(), context: context)
    }

    try resource.control.promote()
    let writable = context.deadline.waitUntil(atMost: 10) { (try? instanceState(resource, context: context)) == .primary }
    guard writable else { throw .unexpectedState("instance did not become writable after pg_ctl promote") }
    let session = try resource.connect()
    let timeline = try primaryTimeline(session).map(String.init) ?? "?"
    let sync = resource.parameters.syncStandbys > 0
        ? "synchronous_standby_names '\(try session.value("SELECT current_setting('synchronous_standby_names')") ?? "")'"
        : "asynchronous"
    context.log.info("\(resource.node) promoted: now primary on timeline \(timeline), \(sync)")
    recordDecision("promoted: now primary on timeline \(timeline), \(sync)", context: context)
    if let recordedSetting, let text = try? session.value("SELECT pg_current_wal_lsn()"), let lsn = LSN(text) {
        // Every commit of the old term lies before this position, and every later one waits for this
        // setting: once its standbys flushed past it, the record may narrow to them (the first monitor
        // checks, instead of taking a mark of its own and waiting one more interval).
        context.writeState("sync-flush", SynchronousFlushMark(setting: recordedSetting, lsn: lsn).text)
    }
    if resource.version >= ServerVersion(major: 13),
       (try? session.value("SELECT current_setting('max_slot_wal_keep_size')")) == "-1" {
        context.log.warning("max_slot_wal_keep_size is -1: a member that stays down keeps its slot, and the WAL it pins can fill this primary's disk")
    }
    // The top score at once: a standby's older score must not draw the role away once a move constraint
    // (crm_resource --move, a ban) is cleared, before this primary's first monitor ranks everyone.
    if context.environment.hasCloneMeta {
        try? context.cluster.setPromotionScore(PromotionScore.primary, resource: context.environment.resourceName,
                                         node: resource.node)
    }
    context.writeState("promoted-at", String(wallClockSeconds()))
    do {
        try synchronizeSlots(resource, members: memberNodes(context: context), context: context)
    } catch {
        // The promotion stands; post-promote notify synchronises the slots again.
        context.log.warning("replication slots not synchronised: \(error.reason)")
    }
    return .success
}

/// Before the first commit this node acknowledges as the primary, the record covers its setting (widen
/// first, DESIGN.md §3): the old primary's record names the standbys that hold its commits, this node's
/// setting those that will hold its own. A record that cannot be widened refuses the promotion: a commit
/// acknowledged by standbys the record does not name could be lost by the next failover. With no record
/// (a cluster from before it), the rule from the member count holds for this setting too: writing one is
/// then best effort, and the monitor writes it otherwise.
func widenSynchronousRecord(for setting: SynchronousSet, record: SynchronousRecord?, node: String,
                            context: ActionContext) throws(AgentError) {
    forgetSynchronousSet(context: context)
    let known = record.map(SynchronousSet.init)
    // Rewritten even when it covers the setting already: it must name this node as its primary before the
    // first commit, or the old primary's position would count as proof of commits it never saw.
    let widened: SynchronousSet
    if case .record(let wider)? = planSynchronousChange(setting: setting, record: known, to: setting).first {
        widened = wider
    } else if let known, record?.primary != node {
        widened = known
    } else {
        rememberSynchronousRecord(record, context: context)
        return
    }
    do {
        try writeSynchronousRecord(widened, previous: known, primary: node, context: context)
    } catch {
        guard let known else {
            context.log.warning("synchronous set not recorded (\(error.reason)): the monitor records it")
            return
        }
        let why = "the recorded synchronous set (\(known)) could not be widened to \(widened) before the first commit: \(error.reason)"
        context.log.error("must not promote: \(why)")
        recordDecision("must not promote: \(why)", context: context)
        throw .refused(why)
    }
}

/// Compares this node's WAL position with what the other nodes published in pre-promote notify, and fails
/// the promotion in favour of a better node. In synchronous mode the rule comes from the recorded set when
/// there is one (`electRecorded`), from the member count otherwise (`electSynchronous`); the record read
/// is returned for the promotion to widen.
@discardableResult
func checkElection(_ resource: Resource, context: ActionContext) throws(AgentError) -> SynchronousRecord? {
    let cluster = context.cluster
    let session = try resource.connect()
    let local = Candidate(node: resource.node, position: try localWALPosition(session))
    // Nodes outside this partition (fenced, down) cannot be promoted and publish nothing.
    let others = (cluster.partition() ?? cluster.nodes() ?? []).filter { $0 != resource.node }
    var candidates: [Candidate] = []
    // attrd is asynchronous: values published moments ago in pre-promote may not be readable yet.
    let published = Deadline(instant: min(Clock.now + 5, context.deadline.instant))
    for node in others {
        var value: String?
        _ = published.waitUntil(interval: 0.25) {
            value = cluster.privateAttribute(walPositionAttribute, node: node)
            return value != nil
        }
        candidates.append(Candidate(node: node, position: value.flatMap { WALPosition(published: $0) }))
    }
    let summary = candidates.map { "\($0.node) \($0.position?.description ?? "nothing published")" }
        .joined(separator: ", ")
    let sync = resource.parameters.syncStandbys
    let members = memberNodes(context: context, adding: [resource.node])
    let record = sync > 0 ? try recordForElection(context: context) : nil
    let outcome: ElectionOutcome
    if let record {
        outcome = electRecorded(local: local, others: candidates, record: record)
    } else {
        outcome = sync > 0 ? electSynchronous(local: local, others: candidates, members: members.count, syncStandbys: sync)
                           : elect(local: local, others: candidates)
    }
    switch outcome {
    case .promote:
        context.log.info("\(local.node) may promote: \(local.position!) >= \(summary.isEmpty ? "no other candidate" : summary)")
        recordDecision("may promote: \(local.position!) >= \(summary.isEmpty ? "no other candidate" : summary)", context: context)
    case .deferTo(let better):
        context.log.warning("\(local.node) must not promote: \(better.node) \(better.position!) is ahead of \(local.position!)")
        recordDecision("must not promote: \(better.node) \(better.position!) is ahead of \(local.position!)", context: context)
        try? cluster.setPromotionScore(1000, resource: context.environment.resourceName, node: better.node)
        try? cluster.setPromotionScore(1, resource: context.environment.resourceName, node: local.node)
        // The failed promote Pacemaker records is the election's, not a fault: the node promoted in its
        // place clears it (post-promote notify), so that elections do not add up to a ban.
        try? cluster.setPrivateAttribute(deferredPromotionAttribute, value: better.node, node: local.node)
        throw .refused("\(better.node) has more WAL (\(better.position!)) than \(local.node) (\(local.position!))")
    case .refuse(let why):
        context.log.warning("\(local.node) must not promote: \(why)")
        recordDecision("must not promote: \(why)", context: context)
        throw .refused(why)
    case .noQuorum(let publishers, let needed):
        let published = publishers.map { "\($0.node) \($0.position!)" }.joined(separator: ", ")
        let silent = (record?.standbys ?? members).filter { node in !publishers.contains { $0.node == node } }
        let rule = record.map { "the recorded synchronous set (\($0.text)) needs positions from \(needed) of [\($0.standbys.joined(separator: " "))]" }
            ?? "synchronous mode (sync_standbys=\(sync), \(members.count) members) needs positions from \(needed) nodes"
        let why = "\(rule) to prove no acknowledged commit is lost; published: \(published.isEmpty ? "none" : published)" + (silent.isEmpty ? "" : "; nothing from \(silent.joined(separator: " "))") + ": waiting for the old primary or another standby"
        context.log.warning("\(local.node) must not promote: \(why)")
        recordDecision("must not promote: \(why)", context: context)
        throw .refused(why)
    }
    return record
}

/// The recorded synchronous set the election follows: nil when the CIB has none (a cluster from before it:
/// the rule from the member count applies). A record this pgha cannot read, or one a newer pgha wrote,
/// refuses the promotion with the reason rather than guess at its rule; so does a CIB that does not answer.
func recordForElection(context: ActionContext) throws(AgentError) -> SynchronousRecord? {
    let name = synchronousRecordName(resource: context.environment.resourceName)
    let why: String
    do {
        switch try readSynchronousRecord(context: context) {
        case nil: return nil
        case .record(let record)?: return record
        case .newerFormat(let version)?:
            why = "the synchronous set record \(name) was written by a newer pgha (format v\(version), this one reads v\(SynchronousRecord.formatVersion)): its rule is not guessed at; upgrade this node's pgha"
        case .unreadable(let text)?:
            why = "the synchronous set record \(name) is unreadable ('\(text)'): which standbys hold the acknowledged commits is unknown"
        }
    } catch {
        why = "the synchronous set record \(name) could not be read (\(error.reason)): which standbys hold the acknowledged commits is unknown"
    }
    context.log.error("must not promote: \(why)")
    recordDecision("must not promote: \(why)", context: context)
    throw .refused(why)
}

