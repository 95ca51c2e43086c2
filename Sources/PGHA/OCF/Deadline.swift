/// The one moment an action must be done by, computed once from Pacemaker's timeout for it. Every step
/// (pg_ctl, pg_basebackup, pg_rewind, a remote query, a wait for attrd or for streaming) gets at most the
/// time left, so each path fails with its own reason before Pacemaker kills the agent: step budgets
/// given one by one add up past the timeout (a pg_rewind with the whole budget, then a start with the
/// whole budget again).
public struct Deadline: Sendable, Equatable {
    /// Monotonic seconds (`Clock.now`) at which the time is up.
    public let instant: Double

    public init(instant: Double) { self.instant = instant }

    /// `seconds` from now.
    public static func after(_ seconds: Double) -> Deadline { Deadline(instant: Clock.now + seconds) }

    /// For work that no Pacemaker operation bounds (the admin's commands): each step keeps its own limit.
    public static let none = Deadline(instant: .infinity)

    /// Pacemaker's timeout for this operation (its default when run by hand), less a margin of a tenth (at
    /// least 2 s) for the agent to report why it gave up.
    public static func forOperation(timeoutSeconds total: Int) -> Deadline {
        after(Double(max(2, total - max(2, total / 10))))
    }

    /// Seconds left; 0 once passed.
    public var remaining: Double { max(0, instant - Clock.now) }

    public var hasPassed: Bool { Clock.now >= instant }

    /// Whole seconds for a step whose tool counts in seconds: what is left, at most `cap` (the step's own
    /// limit), at least 1 (a tool given 0 would wait for ever or refuse).
    public func seconds(atMost cap: Int = Int.max) -> Int {
        let left = remaining
        guard left.isFinite else { return max(1, cap) }
        return max(1, min(cap, Int(left)))
    }

    /// What is left minus `reserve` seconds kept for the steps after this one, at least 1: for a long step
    /// (pg_basebackup, pg_rewind) that must leave the start after it some time.
    public func seconds(keeping reserve: Int) -> Int {
        let left = remaining
        guard left.isFinite else { return Int.max / 2 }
        return max(1, Int(left) - reserve)
    }

    /// Polls `condition` every `interval` seconds until it holds, `cap` seconds pass or the deadline does.
    public func waitUntil(atMost cap: Double = .infinity, interval: Double = 0.2,
                          _ condition: () throws -> Bool) rethrows -> Bool {
        try Clock.waitUntil(timeout: min(cap, remaining), interval: interval, condition)
    }
}
