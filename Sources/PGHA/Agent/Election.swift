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
