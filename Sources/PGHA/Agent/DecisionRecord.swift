#if canImport(Glibc)
import Glibc
#endif

/// The last decision the agent took about its node, kept where `pgha status` on any node can read it: a
/// private node attribute (`attrd_updater --private`: attrd holds it on every node, it never reaches the CIB
/// and so never triggers a transition). One line per node; each decision replaces the previous one.
///
/// Written by promote, demote, notify and start's rejoin checks, never by monitor: each record is an
/// `attrd_updater` child process, which the monitor's steady state must not pay for.
public struct DecisionRecord: Equatable, Sendable {
    /// Seconds since the epoch.
    public var time: Int
    /// The action that decided (promote, demote, notify, start...).
    public var action: String
    public var text: String

    public init(time: Int, action: String, text: String) {
        self.time = time
        self.action = action
        self.text = DecisionRecord.clean(text)
    }

    /// The attribute that holds `resource`'s decisions, one value per node.
    public static func attributeName(resource: String) -> String { "pgha-decision-" + resource }

    /// Long enough for the agent's longest reasons (a refused synchronous election names every node).
    static let maximumTextLength = 480

    /// `attrd_updater --query` prints the value between double quotes without escaping it, and a line break
    /// would split it: both are replaced, and the text is bounded.
    static func clean(_ text: String) -> String {
        // Every cluster user reads these: no secret goes in, whatever the decision quoted.
        let flat = String(Conninfo.masked(in: text).map { $0 == "\"" ? "'" : ($0.isNewline || $0 == "\t" ? " " : $0) })
        return flat.count > maximumTextLength ? String(flat.prefix(maximumTextLength - 3)) + "..." : flat
    }

    /// The stored form: `<epoch seconds> <action> <text>`.
    public var line: String { "\(time) \(action) \(text)" }

    /// Parses the stored form; nil for anything else (an empty value is what a delete leaves).
    public init?(line: String) {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let time = Int(parts[0]), !parts[1].isEmpty else { return nil }
        self.init(time: time, action: String(parts[1]), text: parts.count == 3 ? String(parts[2]) : "")
    }

    /// UTC, `2026-11-27 07:01:18Z`: the same on every node whatever its time zone.
    public var timeText: String {
        var seconds = time_t(time)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}

/// Records `text` as this node's last decision, best effort: a record that fails is a line in the log, never
/// a failed action (Pacemaker's decisions must not depend on what status shows). Outside a cluster (hand
/// runs, the integration tests) nothing is recorded.
func recordDecision(_ text: String, context: ActionContext) {
    guard context.environment.hasCloneMeta else { return }
    let cluster = context.cluster
    guard cluster.isInstalled else { return }
    let record = DecisionRecord(time: wallClockSeconds(), action: context.action, text: text)
    do {
        try cluster.setPrivateAttribute(DecisionRecord.attributeName(resource: context.environment.resourceName),
                                        value: record.line, node: context.environment.nodeName, timeoutSeconds: 3)
    } catch {
        context.log.warning("decision not recorded for pgha status: \(error.reason)")
    }
}
