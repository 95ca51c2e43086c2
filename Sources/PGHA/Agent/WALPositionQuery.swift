/// Where this standby's WAL ends: the greater of received and replayed LSN, on the timeline that LSN lies
/// on. `pg_control_checkpoint()` alone is not enough: it names the timeline of the last restartpoint, which
/// lags behind a standby that followed a promotion.
/// `replayedOnly`: the end of the last replayed record instead (what a switchover must prove).
func localWALPosition(_ session: Session, replayedOnly: Bool = false) throws(AgentError) -> WALPosition {
    let row = try session.query("""
        SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(),
               (SELECT timeline_id FROM pg_control_checkpoint()),
               (SELECT received_tli FROM pg_stat_wal_receiver),
               (SELECT f FROM pg_ls_dir('pg_wal') f WHERE f ~ '^[0-9A-F]{8}\\.history$' ORDER BY f DESC LIMIT 1)
        """).first ?? []
    func field(_ index: Int) -> String? { row.count > index ? row[index] : nil }
    guard let lsn = (replayedOnly ? [field(1)] : [field(0), field(1)]).compactMap({ $0.flatMap { LSN($0) } }).max() else {
        throw .query("no WAL position: the instance is not in recovery")
    }
    var latestHistory: (timeline: UInt32, history: TimelineHistory)?
    if let file = field(4), let timeline = UInt32(file.prefix(8), radix: 16),
       let text = try session.value("SELECT pg_read_file('pg_wal/' || $1)", [file]) {
        latestHistory = (timeline, TimelineHistory(text: text))
    }
    let timeline = standbyTimeline(lsn: lsn, checkpoint: field(2).flatMap { UInt32($0) },
                                   received: field(3).flatMap { UInt32($0) }, latestHistory: latestHistory)
    guard let timeline else { throw .query("no timeline known for this standby") }
    return WALPosition(timeline: timeline, lsn: lsn)
}

/// Pure: the timeline `lsn` lies on. The newest history file maps LSN ranges to timelines (each entry ends
/// its timeline at the switchpoint); the WAL receiver's and the last restartpoint's timelines can only be
/// at or behind the truth, so the highest of the three wins.
func standbyTimeline(lsn: LSN, checkpoint: UInt32?, received: UInt32?,
                     latestHistory: (timeline: UInt32, history: TimelineHistory)?) -> UInt32? {
    var fromHistory: UInt32?
    if let latest = latestHistory {
        fromHistory = latest.history.entries.first { lsn < $0.switchpoint }?.timeline ?? latest.timeline
    }
    return [checkpoint, received, fromHistory].compactMap { $0 }.max()
}

/// The current timeline of a primary, from the name of the WAL file it writes.
func primaryTimeline(_ session: Session) throws(AgentError) -> UInt32? {
    try session.value("SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)").flatMap { UInt32($0, radix: 16) }
}

/// The private attribute the election reads.
let walPositionAttribute = "pgha-lsn"
