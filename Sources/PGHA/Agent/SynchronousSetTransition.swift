/// How the primary changes its synchronous set without ever leaving an acknowledged commit outside what the
/// recorded set promises (`../shared/DESIGN.md` §3, "A recorded synchronous set").
///
/// The primary runs `ANY k (S)`; the record says `(k', V)`; the promote rule accepts any |V| - k' + 1
/// publishers of V. Every acknowledged commit is on k members of S, so every accepted group meets every
/// group of holders exactly when S ⊆ V and k ≥ k'. Hence: widen the record first (add to V, lower k'),
/// then change the setting, and narrow the record (drop from V, raise k') only once k members of the new S
/// have flushed past the position where the setting changed: WAL is sequential, so they then hold every
/// commit acknowledged under any earlier setting too. k = 0 (no synchronous standby: the primary commits
/// alone) is recorded as k' = 0 before the setting drops, and k' = 0 accepts no group at all.

/// k standbys of `standbys` (k = 0: none, the primary commits alone).
public struct SynchronousSet: Equatable, Sendable, CustomStringConvertible {
    public let count: Int
    public let standbys: [String]

    public init(count: Int, standbys: [String]) {
        self.count = count
        self.standbys = Array(Set(standbys)).sorted()
    }

    public var description: String { "\(count) of [\(standbys.joined(separator: " "))]" }
}

/// One step of a change, in the order they must happen.
public enum SynchronousStep: Equatable, Sendable {
    /// Write the record (`SynchronousRecord`), and wait until it is stored cluster-wide.
    case record(SynchronousSet)
    /// Write `synchronous_standby_names` (count 0: remove it) and reload; remember the primary's WAL
    /// position once the new value is in force.
    case setting(SynchronousSet)
    /// Wait until `count` of `standbys` have flushed past that position (pg_stat_replication.flush_lsn).
    /// Until then the steps after it wait: the record stays the wider one, which is safe.
    case awaitFlush(count: Int, of: [String])
}

/// Pure: the steps from the primary's current `setting` and `record` to `wanted`. A record that does not
/// cover the current setting (none yet, or one written for another primary) is first widened to cover
/// it too: commits acknowledged under it must stay covered.
public func planSynchronousChange(setting: SynchronousSet, record: SynchronousSet?,
                                  to wanted: SynchronousSet) -> [SynchronousStep] {
    var steps: [SynchronousStep] = []
    let current = record ?? setting
    let widened = SynchronousSet(count: min(current.count, setting.count, wanted.count),
                                 standbys: current.standbys + setting.standbys + wanted.standbys)
    if widened != record { steps.append(.record(widened)) }
    if wanted != setting { steps.append(.setting(wanted)) }
    // k' = 0 accepts no group: nothing to narrow, and nothing a narrower record could promise.
    if wanted.count > 0, wanted != widened {
        steps.append(.awaitFlush(count: wanted.count, of: wanted.standbys))
        steps.append(.record(wanted))
    }
    return steps
}
