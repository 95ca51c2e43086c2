/// A switchover (the role moved with `crm_resource --move`/`--ban`, not a failure): demote stops the old
/// primary cleanly, so its last record is its shutdown checkpoint, and starts it again as a standby of
/// nobody, so its WAL ends there and stays there. The candidate promotes only once it has replayed up to
/// that end: nothing the old primary wrote is left behind, and the old primary follows the new one without
/// a rewind. Otherwise promote refuses with both positions, and the old primary is left as it is.
///
/// Pre-promote notify tells a switchover from the recovery of a failed primary, which Pacemaker demotes and
/// stops in the same transition (no clean shutdown to wait for: the election alone decides then).

/// Pure: the node demoted in this transition and kept running as a standby, when there is one: the
/// switchover's old primary. A node also stopped is a failed primary being recovered.
public func switchoverSource(_ event: NotifyEvent, node: String) -> String? {
    event.demote.first { $0 != node && !event.stop.contains($0) }
}

/// Pure: whether a standby that replayed up to `replayed` holds all the WAL of a node whose WAL ends at
/// `end` (the old primary, stopped cleanly: the end of its shutdown checkpoint).
public func hasReplayed(upTo end: WALPosition, replayed: WALPosition) -> Bool {
    replayed.timeline == end.timeline ? replayed.lsn >= end.lsn : replayed.timeline > end.timeline
}

/// pre-promote notify: remembers, for this transition's promote, which node the role moves from.
func noteSwitchover(_ event: NotifyEvent, resource: Resource, context: ActionContext) {
    if let source = switchoverSource(event, node: resource.node) {
        context.writeState("switchover-from", source)
    } else {
        context.removeState("switchover-from")
    }
}

/// promote, after a pre-promote notify that named a switchover: waits, a few seconds at most, until this
/// standby replayed everything the old primary wrote. Where its WAL ends, the old primary says itself
/// (IDENTIFY_SYSTEM over a replication connection, as the WAL receiver would ask it).
func checkSwitchover(_ resource: Resource, context: ActionContext) throws(AgentError) {
    guard let source = context.readState("switchover-from"), !source.isEmpty else { return }
    context.removeState("switchover-from")
    let end: WALPosition
    do {
        end = try walEnd(of: source, resource: resource)
    } catch {
        // Unreachable: the old primary cannot lose anything it has not sent either; the election decides.
        context.log.warning("switchover from \(source): its WAL end unknown (\(error.reason)), the election alone decides")
        return
    }
    let session = try resource.connect()
    var replayed: WALPosition?
    let seconds = min(15, max(2, context.deadline.seconds() / 3))
    let done = context.deadline.waitUntil(atMost: Double(seconds), interval: 0.2) {
        replayed = try? localWALPosition(session, replayedOnly: true)
        return replayed.map { hasReplayed(upTo: end, replayed: $0) } ?? false
    }
    let facts = "\(source)'s WAL ends at \(end) (its shutdown checkpoint), replayed here up to \(replayed?.description ?? "unknown")"
    guard done else {
        recordDecision("must not promote: switchover from \(source) not proven: \(facts)", context: context)
        throw .refused("switchover from \(source) not proven after \(seconds) s: \(facts); \(source) is left as it is")
    }
    context.log.info("switchover from \(source) proven: \(facts)")
}

/// Where `node`'s WAL ends, as it reports it to a WAL receiver.
func walEnd(of node: String, resource: Resource) throws(AgentError) -> WALPosition {
    let session = try remoteSession(resource.parameters, to: node, as: resource.user, deadline: resource.deadline,
                                    extra: [("replication", "true"), ("connect_timeout", "3")], statementTimeoutSeconds: 5)
    let identity = try session.simpleQuery("IDENTIFY_SYSTEM").first ?? []
    guard identity.count >= 3, let timeline = identity[1].flatMap({ UInt32($0) }), let lsn = identity[2].flatMap({ LSN($0) })
    else { throw .query("IDENTIFY_SYSTEM on \(node) gave no position") }
    return WALPosition(timeline: timeline, lsn: lsn)
}
