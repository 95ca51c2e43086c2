/// The primary keeps its synchronous set and the cluster's record of it in step (DESIGN.md §3, "A recorded
/// synchronous set"): the steps `planSynchronousChange` orders, run by the monitor one at a time.
///
/// Where things live:
/// - the record: the CIB's crm_config section, `pgha-sync-<resource>` = `v1 k=1 standbys=n2,n3`
///   (cluster-wide: it survives the primary's node, and every node's promote reads it);
/// - the primary's setting: its `synchronous_standby_names` (ALTER SYSTEM);
/// - per-boot hints under HA_RSCTMP, which save work but decide nothing the cluster's safety rests on:
///   `sync-record` (the record as this primary last read or wrote it: the monitor's steady state reads no
///   CIB), `sync-absent` (since when each named standby has not streamed), `sync-flush` (where a
///   narrowing waits). Promote, demote, start and stop forget them.

/// The crm_config name of `resource`'s record.
func synchronousRecordName(resource: String) -> String { "pgha-sync-" + resource }

/// True when this node keeps a recorded set: synchronous mode inside a cluster (outside one, as in hand
/// runs, nothing can record it, and the setting names every other member as without a record).
func usesSynchronousRecord(_ resource: Resource, context: ActionContext) -> Bool {
    resource.parameters.syncStandbys > 0 && context.environment.hasCloneMeta && context.cluster.isInstalled
}

/// The record as the CIB holds it now: nil when there is none (a cluster from before the record).
func readSynchronousRecord(context: ActionContext) throws(AgentError) -> SynchronousRecord.Reading? {
    try context.cluster.clusterOption(synchronousRecordName(resource: context.environment.resourceName))
        .map(SynchronousRecord.read)
}

/// Writes the record (only with quorum, see `Cluster.setClusterOption`) and remembers it.
func writeSynchronousRecord(_ set: SynchronousSet, previous: SynchronousSet?, primary: String,
                            context: ActionContext) throws(AgentError) {
    let since = set.count == 0
        ? (previous?.count == 0 ? cachedRecord(context: context)?.aloneSince : nil) ?? wallClockSeconds() : nil
    let record = SynchronousRecord(count: set.count, standbys: set.standbys, aloneSince: since, primary: primary)
    try context.cluster.setClusterOption(synchronousRecordName(resource: context.environment.resourceName),
                                         value: record.text)
    context.writeState("sync-record", record.text)
    let rule = record.publishersNeeded.map { "a promotion needs \($0) of them to publish" }
        ?? "no automatic promotion until it is raised again"
    context.log.info("synchronous set recorded: \(record.text) (was \(previous.map { $0.description } ?? "none")): \(rule)")
}

/// The record this primary last read or wrote; nil when unknown or when there was none ("none").
private func cachedRecord(context: ActionContext) -> SynchronousRecord? {
    guard let text = context.readState("sync-record"), case .record(let record) = SynchronousRecord.read(text) else { return nil }
    return record
}

/// Remembers what promote read, so that the monitor's steady state reads no CIB.
func rememberSynchronousRecord(_ record: SynchronousRecord?, context: ActionContext) {
    context.writeState("sync-record", record?.text ?? "none")
}

/// Forgets the per-boot hints: they belong to one term as the primary.
func forgetSynchronousSet(context: ActionContext) {
    for name in ["sync-record", "sync-absent", "sync-flush"] { context.removeState(name) }
}

/// Monitor on the primary: chooses the set (`SynchronousSetChoice.choose`) and runs the next steps of the
/// plan towards it. In the steady state (the wanted set is the one in force and recorded) it reads two
/// small files and returns: no child process, no query beyond the monitor's own. Never throws: a step
/// that fails is logged and tried again at the next monitor, and the order of the steps keeps every
/// intermediate state safe.
func keepSynchronousSet(_ resource: Resource, replication: [StandbyReplication], setting: String,
                        context: ActionContext) {
    guard usesSynchronousRecord(resource, context: context) else { return }
    let current = SynchronousSet(setting: setting)
    let absentBefore = SynchronousSetChoice.parseAbsent(context.readState("sync-absent") ?? "")
    let choice = SynchronousSetChoice.choose(count: resource.parameters.syncStandbys, primary: resource.node,
                                             members: savedMembers(context: context), replication: replication,
                                             current: current, absentSince: absentBefore, now: wallClockSeconds())
    if choice.absentSince != absentBefore {
        for (node, since) in choice.absentSince where absentBefore[node] == nil {
            context.log.warning("synchronous standby \(node) does not stream: it leaves the synchronous set if it still does not in \(SynchronousSetChoice.dropGraceSeconds) s (since \(since))")
        }
        if choice.absentSince.isEmpty { context.removeState("sync-absent") } else {
            context.writeState("sync-absent", SynchronousSetChoice.formatAbsent(choice.absentSince))
        }
    }
    let cached = context.readState("sync-record")
    if choice.wanted == current, let cached, case .record(let record) = SynchronousRecord.read(cached),
       SynchronousSet(record) == current, record.primary == resource.node { return }

    // Something to do: from here on, child processes and queries are fine.
    let record: SynchronousSet?
    var recordPrimary: String?
    if let cached, cached == "none" {
        record = nil
    } else if let cached, case .record(let known) = SynchronousRecord.read(cached) {
        record = SynchronousSet(known)
        recordPrimary = known.primary
    } else {
        do {
            let stored: SynchronousRecord?
            switch try readSynchronousRecord(context: context) {
            case nil:
                stored = nil
            case .record(let known)?:
                stored = known
            case .newerFormat(let version)?:
                // A newer pgha wrote it (a rolling upgrade): its rule may differ, and this one must not
                // overwrite what it does not understand. Promote refuses with the same reason.
                context.log.error("synchronous set record \(synchronousRecordName(resource: context.environment.resourceName)) is of format v\(version), newer than this pgha's v\(SynchronousRecord.formatVersion): left as it is, the set is not changed")
                return
            case .unreadable(let text)?:
                context.log.error("synchronous set record \(synchronousRecordName(resource: context.environment.resourceName)) is unreadable ('\(text)'): left as it is, the set is not changed")
                return
            }
            rememberSynchronousRecord(stored, context: context)
            record = stored.map(SynchronousSet.init)
            recordPrimary = stored?.primary
        } catch {
            context.log.warning("synchronous set record not read: \(error.reason): the set is not changed")
            return
        }
    }

    var plan = planSynchronousChange(setting: current, record: record, to: choice.wanted)
    if let record, recordPrimary != resource.node, plan.first.map({ if case .record = $0 { false } else { true } }) ?? true {
        // Written by another primary (or before the record named one): the promote rule must not take that
        // node's position as proof of this one's commits.
        plan.insert(.record(record), at: 0)
    }
    var recorded = record
    var inForce = current
    for step in plan {
        do {
            switch step {
            case .record(let set):
                try writeSynchronousRecord(set, previous: recorded, primary: resource.node, context: context)
                recorded = set
            case .setting(let set):
                try applySynchronousSetting(set, was: current, resource: resource, context: context)
                context.writeState("sync-flush", SynchronousFlushMark(setting: set, lsn: nil).text)
                inForce = set
                // The WAL senders take the new value when they handle the reload's signal, moments after a
                // new session sees it: the position the narrowing waits for is taken at the next monitor,
                // when every acknowledgement certainly follows the new setting. Unless the standbys it
                // drops have no WAL sender now: then none can acknowledge under the old value, and a sender
                // they start from here on reads the new one, so the position can be taken at once.
                guard try droppedHaveNoSender(from: current, to: set, resource: resource) else { return }
            case .awaitFlush(let count, let standbys):
                guard try flushedPastChange(count: count, of: standbys, setting: inForce, resource: resource,
                                            context: context) else { return }
            }
        } catch {
            context.log.warning("synchronous set towards \(choice.wanted) (now \(current), recorded \(recorded.map { $0.description } ?? "none")): \(error.reason): tried again at the next monitor")
            return
        }
    }
}

/// ALTER SYSTEM and a reload on the primary, then waits until a new session runs with it. (The standbys'
/// files keep naming every other member, as their own notify writes them: a standby ignores the value,
/// and the day one is promoted its promote widens the record before its first commit.)
private func applySynchronousSetting(_ set: SynchronousSet, was current: SynchronousSet, resource: Resource,
                                     context: ActionContext) throws(AgentError) {
    let session = try resource.connect()
    guard set.count > 0 else {
        try session.query("ALTER SYSTEM RESET synchronous_standby_names")
        try session.query("SELECT pg_reload_conf()")
        context.log.warning("synchronous_standby_names removed (was '\(current)'): commits no longer wait for a standby")
        return
    }
    let names = SynchronousStandbyNames(count: set.count, standbys: set.standbys)
    try session.query("ALTER SYSTEM SET synchronous_standby_names = \(try session.literal(names.setting))")
    try session.query("SELECT pg_reload_conf()")
    guard waitForSynchronousSetting(names, resource: resource) else {
        throw .unexpectedState("synchronous_standby_names = '\(names)' not in force after a reload")
    }
    let was = current.count == 0 ? "none" : SynchronousStandbyNames(count: current.count, standbys: current.standbys).setting
    context.log.info("synchronous_standby_names = '\(names)' (was '\(was)'): commits wait for \(set.count) of [\(set.standbys.joined(separator: " "))]")
}

/// True when the change from `old` to `new` only drops standbys (same count) and none of those it drops
/// has a WAL sender on the primary now, asked after the new value is in force.
private func droppedHaveNoSender(from old: SynchronousSet, to new: SynchronousSet,
                                 resource: Resource) throws(AgentError) -> Bool {
    let dropped = Set(old.standbys).subtracting(new.standbys)
    guard new.count == old.count, new.count > 0, !dropped.isEmpty, Set(new.standbys).isSubset(of: old.standbys) else {
        return false
    }
    let senders = try resource.connect().query("SELECT application_name FROM pg_stat_replication").compactMap { $0.first ?? nil }
    return dropped.isDisjoint(with: senders)
}

/// The `awaitFlush` step: true once `count` of `standbys` have flushed past the position taken after
/// `setting` came in force. Takes that position first when there is none for this setting.
private func flushedPastChange(count: Int, of standbys: [String], setting: SynchronousSet, resource: Resource,
                               context: ActionContext) throws(AgentError) -> Bool {
    let session = try resource.connect()
    let mark = SynchronousFlushMark.parse(context.readState("sync-flush") ?? "")
    let lsn: LSN
    if let known = SynchronousFlushMark.usable(mark, for: setting) {
        lsn = known
    } else {
        guard let text = try session.value("SELECT pg_current_wal_lsn()"), let now = LSN(text) else {
            throw .query("pg_current_wal_lsn() gave nothing")
        }
        lsn = now
        context.writeState("sync-flush", SynchronousFlushMark(setting: setting, lsn: lsn).text)
        context.log.info("synchronous set narrows to \(count) of [\(standbys.joined(separator: " "))] once \(count) of them flushed past \(lsn)")
    }
    let rows = try session.query("""
        SELECT application_name, flush_lsn::text,
               coalesce((SELECT slot_name FROM pg_replication_slots WHERE active_pid = r.pid), '-')
          FROM pg_stat_replication r WHERE flush_lsn IS NOT NULL
        """)
    let flushed = rows.compactMap { row -> (node: String, lsn: LSN)? in
        guard row.count == 3, let node = row[0], let text = row[1], let position = LSN(text),
              row[2] == ReplicationSlot.name(for: node) else { return nil }
        return (node, position)
    }
    let done = SynchronousFlushMark.confirmed(count: count, of: standbys, past: lsn, flushed: flushed)
    if !done {
        let facts = flushed.filter { standbys.contains($0.node) }.map { "\($0.node) \($0.lsn)" }.joined(separator: ", ")
        context.log.debug("synchronous set: waiting until \(count) of [\(standbys.joined(separator: " "))] flushed past \(lsn) (\(facts.isEmpty ? "none streams" : facts))")
    }
    return done
}
