import Testing
@testable import PGHA

/// A small model check of `planSynchronousChange`: for clusters of 2 to 5 nodes and k = 0 to 3, every change
/// of the synchronous set from every consistent state, with a commit acknowledged and a crash of the
/// primary possible between any two steps. The invariant, checked by brute force at every point: every
/// acknowledged commit is on at least one member of every group of publishers the promote rule (the
/// record in force) would accept.
@Suite("Synchronous set: model check")
struct SynchronousSetModelTests {
    /// Every subset of `items` of size `size`.
    static func subsets(_ items: [String], size: Int) -> [[String]] {
        guard size > 0 else { return [[]] }
        guard items.count >= size else { return [] }
        let first = items[0], rest = Array(items.dropFirst())
        return subsets(rest, size: size - 1).map { [first] + $0 } + subsets(rest, size: size)
    }

    /// An acknowledged commit, known by the setting it waited for: it is on (at least) `count` of
    /// `standbys`, which ones unknown (count 0: on the primary alone).
    typealias Commit = SynchronousSet

    /// Pure brute force: may the promote rule, with `record` in force, accept a group of publishers that
    /// holds no copy of `commit`? Every possible holder group against every group the rule accepts.
    static func canLose(_ commit: Commit, record: SynchronousSet) -> Bool {
        guard record.count > 0 else { return false }   // k' = 0: no group is accepted
        let needed = record.standbys.count - record.count + 1
        let accepted = subsets(record.standbys, size: needed)
        guard commit.count > 0 else { return !accepted.isEmpty }   // on the primary alone: any group loses it
        for holders in subsets(commit.standbys, size: commit.count) {
            for group in accepted where Set(group).isDisjoint(with: holders) { return true }
        }
        return false
    }

    /// Runs `steps` from `setting`/`record`, a commit acknowledged before and after every step, and
    /// returns the first violation found (a crash at that point could lose it), nil when none.
    static func violation(setting start: SynchronousSet, record: SynchronousSet,
                          steps: [SynchronousStep]) -> String? {
        var setting = start, record = record
        var commits: [Commit] = [setting]
        let points: [SynchronousStep?] = [nil] + steps.map { Optional($0) }
        for (index, step) in points.enumerated() {
            switch step {
            case nil: break
            case .record(let next): record = next
            case .setting(let next): setting = next
            case .awaitFlush(let count, let standbys):
                // `count` of `standbys` flushed past where the setting changed: they hold every commit
                // made before it; those made since waited for the new setting anyway.
                commits = commits.map { _ in SynchronousSet(count: count, standbys: standbys) }
            }
            commits.append(setting)
            if let lost = commits.first(where: { canLose($0, record: record) }) {
                return "after step \(index) of \(steps): a commit on \(lost) can be lost with record \(record)"
            }
        }
        return nil
    }

    /// Every consistent starting state and every target of a cluster of `nodes` nodes (one primary).
    static func cases(nodes: Int) -> [(SynchronousSet, SynchronousSet)] {
        let standbys = (1..<nodes).map { "s\($0)" }
        var sets: [SynchronousSet] = []
        for size in 1...standbys.count {
            for members in subsets(standbys, size: size) {
                for k in 0...min(3, size) { sets.append(SynchronousSet(count: k, standbys: members)) }
            }
        }
        return sets.flatMap { from in sets.map { (from, $0) } }
    }

    @Test("every change keeps every acknowledged commit within what the record promises", arguments: [2, 3, 4, 5])
    func plannedOrderIsSafe(nodes: Int) {
        var checked = 0
        for (from, to) in Self.cases(nodes: nodes) {
            let steps = planSynchronousChange(setting: from, record: from, to: to)
            if let problem = Self.violation(setting: from, record: from, steps: steps) {
                Issue.record("\(from) -> \(to): \(problem)")
                return
            }
            // It ends where it was asked to: the setting wanted, and a record that allows promotion again
            // (k' > 0) whenever k > 0.
            var setting = from, record = from
            for step in steps {
                if case .setting(let s) = step { setting = s }
                if case .record(let r) = step { record = r }
            }
            #expect(setting == to)
            #expect(to.count == 0 ? record.count == 0 : record == to, "\(from) -> \(to): \(steps)")
            checked += 1
        }
        #expect(checked == Self.cases(nodes: nodes).count && checked > 0)
    }

    @Test("a record that does not cover the setting (none yet, another primary's) is widened first")
    func uncoveredRecord() {
        let setting = SynchronousSet(count: 1, standbys: ["s1", "s2"])
        let steps = planSynchronousChange(setting: setting, record: nil, to: setting)
        #expect(steps.isEmpty == false)
        #expect(steps.first == .record(setting))
        let old = SynchronousSet(count: 2, standbys: ["s1", "s3"])
        let widened = planSynchronousChange(setting: setting, record: old, to: setting)
        #expect(widened.first == .record(SynchronousSet(count: 1, standbys: ["s1", "s2", "s3"])))
    }

    @Test("the checker catches the wrong orders: setting before record, narrowing without the flush")
    func checkerCatchesWrongOrders() {
        let from = SynchronousSet(count: 1, standbys: ["s1", "s2"])
        let to = SynchronousSet(count: 1, standbys: ["s2", "s3"])
        // Setting first, record after: a commit on s3 alone is outside the record (s1, s2) meanwhile.
        #expect(Self.violation(setting: from, record: from, steps: [.setting(to), .record(to)]) != nil)
        // Record narrowed to (s2, s3) before s1's commits are known to be elsewhere.
        let widened = SynchronousSet(count: 1, standbys: ["s1", "s2", "s3"])
        #expect(Self.violation(setting: from, record: from,
                               steps: [.record(widened), .setting(to), .record(to)]) != nil)
        // Committing alone before the record says so.
        let alone = SynchronousSet(count: 0, standbys: ["s1", "s2"])
        #expect(Self.violation(setting: from, record: from, steps: [.setting(alone), .record(alone)]) != nil)
        // And the planned order of the same changes passes.
        #expect(Self.violation(setting: from, record: from, steps: planSynchronousChange(setting: from, record: from, to: to)) == nil)
        #expect(Self.violation(setting: from, record: from, steps: planSynchronousChange(setting: from, record: from, to: alone)) == nil)
    }
}
