/// Where this standby's WAL ends: the greater of received and replayed LSN, on the latest timeline it knows
/// (the WAL receiver's, else the last restartpoint's).
func localWALPosition(_ session: Session) throws(AgentError) -> WALPosition {
    let row = try session.query("""
        SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(),
               (SELECT timeline_id FROM pg_control_checkpoint()),
               (SELECT received_tli FROM pg_stat_wal_receiver)
        """).first ?? []
    let received = row.count > 0 ? row[0].flatMap { LSN($0) } : nil
    let replayed = row.count > 1 ? row[1].flatMap { LSN($0) } : nil
    let checkpointTimeline = row.count > 2 ? row[2].flatMap { UInt32($0) } : nil
    let receiverTimeline = row.count > 3 ? row[3].flatMap { UInt32($0) } : nil
    guard let lsn = [received, replayed].compactMap({ $0 }).max(),
          let timeline = [checkpointTimeline, receiverTimeline].compactMap({ $0 }).max()
    else { throw .query("no WAL position: the instance is not in recovery") }
    return WALPosition(timeline: timeline, lsn: lsn)
}

/// The private attribute the election reads.
let walPositionAttribute = "pgha-lsn"
