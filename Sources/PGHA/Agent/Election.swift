/// A node that may be promoted, with the WAL position it published before the promotion (nil: it
/// published nothing, e.g. it was down during pre-promote).
public struct Candidate: Equatable, Sendable {
    public let node: String
    public let position: WALPosition?

    public init(node: String, position: WALPosition?) {
        self.node = node
        self.position = position
    }
}

/// What the node Pacemaker chose to promote should do.
public enum ElectionOutcome: Equatable, Sendable {
    /// Go ahead: no other candidate is ahead.
    case promote
    /// Another candidate has more WAL: give it the promotion and fail this one.
    case deferTo(Candidate)
    /// This node cannot tell where its own WAL ends.
    case refuse(String)
    /// Synchronous mode: too few nodes published a position to prove that any of them holds every
    /// acknowledged commit. Nobody may promote until more publish (the old primary coming back counts).
    case noQuorum(publishers: [Candidate], needed: Int)
}

/// Pure: may `local` promote, given what the others published? Timeline first (a node on a later timeline
/// has history the others lack), then LSN. Ties go to the node Pacemaker chose, which avoids another
/// transition for nothing. A candidate that published nothing cannot win.
public func elect(local: Candidate, others: [Candidate]) -> ElectionOutcome {
    guard let mine = local.position else { return .refuse("\(local.node) has no WAL position to compare") }
    let ahead = others.filter { ($0.position.map { $0 > mine }) ?? false }
    guard let best = ahead.max(by: { $0.position! < $1.position! }) else { return .promote }
    return .deferTo(best)
}

/// Pure: the rule of synchronous mode (`ANY k` over the other members of a cluster of `members` nodes).
/// Each acknowledged commit was flushed by the old primary and by k of its m = members - 1 standbys. Any
/// members - k nodes include one of those k + 1 holders, whichever node the old primary was: so when at
/// least members - k nodes published (this one included), the most advanced of them holds every
/// acknowledged commit, and `elect` makes sure that is this node. With fewer, a commit may exist only on
/// nodes that did not speak, and promoting would lose it.
public func electSynchronous(local: Candidate, others: [Candidate], members: Int, syncStandbys: Int) -> ElectionOutcome {
    guard local.position != nil else { return elect(local: local, others: others) }
    let publishers = [local] + others.filter { $0.position != nil && $0.node != local.node }
    let needed = members - syncStandbys
    guard publishers.count >= needed else { return .noQuorum(publishers: publishers, needed: needed) }
    return elect(local: local, others: others)
}

/// Pure: the rule of synchronous mode with a recorded set (`SynchronousRecord`, k' of V). Every
/// acknowledged commit is on k' members of V, so any |V| - k' + 1 of them include a holder, and the most
/// advanced publisher holds every commit: this node may promote when at least that many members of V
/// published and none is ahead of it. k' = 0 (the primary committed alone): no group of standbys suffices.
/// The record's primary publishing suffices in every case.
public func electRecorded(local: Candidate, others: [Candidate], record: SynchronousRecord) -> ElectionOutcome {
    guard local.position != nil else { return elect(local: local, others: others) }
    // The primary that wrote the record holds every commit it acknowledged: once it published (back after
    // its failure, in recovery), the most advanced publisher holds them all, whatever the record's k'.
    if let primary = record.primary,
       ([local] + others).contains(where: { $0.node == primary && $0.position != nil }) {
        return elect(local: local, others: others)
    }
    guard let needed = record.publishersNeeded else {
        return .refuse("the primary committed without a synchronous standby" + (record.aloneSince.map { " since \($0)" } ?? "")
                       + ": no standby may hold every acknowledged commit")
    }
    let publishers = ([local] + others.filter { $0.node != local.node })
        .filter { $0.position != nil && record.standbys.contains($0.node) }
    guard publishers.count >= needed else { return .noQuorum(publishers: publishers, needed: needed) }
    return elect(local: local, others: others)
}
