/// Whether a former primary can follow the current primary, or forked off its history.
public enum Divergence: Equatable, Sendable {
    /// Its WAL ends at or before the point where the primary's history left its timeline.
    case canFollow
    /// It wrote WAL past the fork point: it cannot stream from the primary until rewound.
    case diverged(forkPoint: LSN?)
}

/// Pure: compares where this node's WAL ends (`local`) with the primary's position and history. On the
/// same timeline it must not be ahead of the primary; on an older one its end must not pass the switchpoint
/// the primary's history records for it. A timeline missing from that history is a fork too.
public func divergence(local: WALPosition, primaryTimeline: UInt32, primaryLSN: LSN,
                       history: TimelineHistory) -> Divergence {
    if local.timeline == primaryTimeline {
        return local.lsn <= primaryLSN ? .canFollow : .diverged(forkPoint: primaryLSN)
    }
    guard local.timeline < primaryTimeline, let switchpoint = history.switchpoint(of: local.timeline) else {
        return .diverged(forkPoint: nil)
    }
    return local.lsn <= switchpoint ? .canFollow : .diverged(forkPoint: switchpoint)
}
