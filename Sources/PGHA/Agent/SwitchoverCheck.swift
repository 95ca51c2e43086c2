/// A switchover: the primary was demoted (a clean shutdown) and another node is about to be promoted. The
/// old primary's last WAL record is its shutdown checkpoint; a candidate that did not receive it would
/// start a new timeline before that point, and the old primary could not follow without a rewind. In
/// pre-promote notify the candidate looks at the end of its own WAL and keeps the verdict for promote.
func checkSwitchover(_ event: NotifyEvent, resource: Resource, context: ActionContext) throws(AgentError) {
    let path = context.statePath("switchover")
    try? FileSystem.remove(path)
    guard event.promote.contains(resource.node),
          let demoted = event.demote.first(where: { event.promoted.contains($0) })
    else { return }
    let session = try resource.connect()
    let row = try session.query("SELECT redo_lsn, timeline_id FROM pg_control_checkpoint()").first ?? []
    guard row.count == 2, let redo = row[0].flatMap({ LSN($0) }), let timeline = row[1].flatMap({ UInt32($0) }) else {
        return
    }
    // The restartpoint's timeline must be the one the old primary wrote on, else its files are elsewhere.
    let position = try localWALPosition(session)
    guard position.timeline == timeline else {
        context.log.info("switchover from \(demoted): restartpoint on timeline \(timeline), WAL on \(position.timeline): shutdown checkpoint not checked")
        return
    }
    let xlog = WALDump.records(try WALDump.run(bindir: resource.bindir, datadir: resource.parameters.datadir,
                                               timeline: timeline, start: redo, xlogOnly: true, as: resource.user))
    var fromLast: [WALDump.Record] = []
    if let last = xlog.last {
        fromLast = WALDump.records(try WALDump.run(bindir: resource.bindir, datadir: resource.parameters.datadir,
                                                   timeline: timeline, start: last.lsn, xlogOnly: false,
                                                   as: resource.user))
    }
    switch ShutdownCheckpoint.judge(xlogRecords: xlog, recordsFromLast: fromLast) {
    case .received(let lsn):
        context.log.info("switchover from \(demoted): its shutdown checkpoint at \(lsn) was received")
    case .missing(let why):
        context.log.warning("switchover from \(demoted): its shutdown checkpoint was not received (\(why))")
        FileSystem.makeDirectories(context.environment.stateDirectory)
        try FileSystem.writeAtomically(path, "\(demoted) \(why)\n", owner: nil, mode: 0o644)
    case .unknown:
        context.log.info("switchover from \(demoted): pg_waldump shows no checkpoint record: not checked")
    }
}

/// Promote's side: refuses when pre-promote found the shutdown checkpoint missing.
func refuseIfSwitchoverUnsafe(context: ActionContext) throws(AgentError) {
    let path = context.statePath("switchover")
    guard let text = FileSystem.read(path) else { return }
    try? FileSystem.remove(path)
    let parts = text.trimmingWhitespace.split(separator: " ", maxSplits: 1).map(String.init)
    guard parts.count == 2 else { return }
    throw .refused("\(parts[0])'s shutdown checkpoint was not received (\(parts[1])): promoting this node would fork \(parts[0]) off")
}
