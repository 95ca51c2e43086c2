/// A clone notification as Pacemaker describes it in `OCF_RESKEY_CRM_meta_notify_*`.
public struct NotifyEvent: Equatable, Sendable {
    public enum Timing: String, Sendable { case pre, post }
    public enum Operation: String, Sendable { case start, stop, promote, demote }

    public var timing: Timing
    public var operation: Operation
    /// Nodes where the operation runs in this transition.
    public var start: [String]
    public var stop: [String]
    public var promote: [String]
    public var demote: [String]
    /// Nodes running an instance before the transition, and where one could run but does not.
    public var active: [String]
    public var inactive: [String]
    /// Promoted and unpromoted instances before the transition: Pacemaker 2.1 names them
    /// promoted/unpromoted, 2.0 master/slave; 2.1 sets both. The union is kept.
    public var promoted: [String]
    public var unpromoted: [String]

    /// Reads the notification, nil when type or operation is missing or unknown.
    public init?(environment: OCFEnvironment) {
        guard let timing = environment.meta("notify_type").flatMap(Timing.init(rawValue:)),
              let operation = environment.meta("notify_operation").flatMap(Operation.init(rawValue:))
        else { return nil }
        self.timing = timing
        self.operation = operation
        func nodes(_ names: String...) -> [String] {
            var seen: [String] = []
            for name in names {
                for node in (environment.meta("notify_\(name)_uname") ?? "").split(whereSeparator: \.isWhitespace)
                where !seen.contains(String(node)) {
                    seen.append(String(node))
                }
            }
            return seen
        }
        start = nodes("start")
        stop = nodes("stop")
        promote = nodes("promote")
        demote = nodes("demote")
        active = nodes("active")
        inactive = nodes("inactive")
        promoted = nodes("promoted", "master")
        unpromoted = nodes("unpromoted", "slave")
    }

    /// The promoted node once the transition is done: the one being promoted, else the one already
    /// promoted and not being demoted or stopped.
    public var promotedAfter: String? {
        if let node = promote.first { return node }
        return promoted.first { !demote.contains($0) && !stop.contains($0) }
    }

    /// Every node the notification names: the members Pacemaker knows of for this clone.
    public var knownNodes: [String] {
        var all: [String] = []
        for node in active + inactive + promoted + unpromoted + start + stop + promote + demote
        where !all.contains(node) {
            all.append(node)
        }
        return all
    }
}
