/// `pgha status --json`: one object for scripts. Pure: a function of the `ClusterStatus`.
///
/// Top level: `resource`, `clone`, `primary` (null when not exactly one), `sync_standbys`, `healthy`, `nodes`,
/// `problems`, `failed_actions` (Pacemaker's failed operations until a cleanup: history, not health). Each node: `node`, `role` (primary, standby, stopped, failed), `pacemaker_role`, `online`,
/// `timeline`, `lsn`, `receive_lsn`, `replay_lsn`, `lag_bytes`, `lag_seconds`, `slot`, `slot_exists`, `slot_active`,
/// `replication_state`, `sync_state`, `score`, `decision` ({time, time_text, action, text}) and `error`
/// (why PostgreSQL did not answer). What is unknown is null, never a made-up value.
public enum StatusJSON {
    public static func render(_ status: ClusterStatus) -> String {
        let nodes = status.nodes.map { node in
            object([
                ("node", string(node.node)),
                ("role", string(node.role.rawValue)),
                ("pacemaker_role", string(node.pacemakerRole.name)),
                ("online", node.online ? "true" : "false"),
                ("timeline", node.timeline.map { String($0) } ?? "null"),
                ("lsn", optional(node.lsn?.description)),
                ("receive_lsn", optional(node.receiveLSN?.description)),
                ("replay_lsn", optional(node.replayLSN?.description)),
                ("lag_bytes", node.lagBytes.map { String($0) } ?? "null"),
                ("lag_seconds", node.lagSeconds.map(number) ?? "null"),
                ("slot", optional(node.slot)),
                ("slot_exists", node.slotExists.map { $0 ? "true" : "false" } ?? "null"),
                ("slot_active", node.slotActive.map { $0 ? "true" : "false" } ?? "null"),
                ("replication_state", optional(node.replicationState)),
                ("sync_state", optional(node.syncState)),
                ("score", node.score.map { String($0) } ?? "null"),
                ("decision", node.decision.map { decision in
                    object([("time", String(decision.time)), ("time_text", string(decision.timeText)),
                            ("action", string(decision.action)), ("text", string(decision.text))])
                } ?? "null"),
                ("error", optional(node.error)),
            ])
        }
        return object([
            ("resource", string(status.resource)),
            ("clone", optional(status.clone)),
            ("primary", optional(status.primary)),
            ("sync_standbys", String(status.syncStandbys)),
            ("healthy", status.problems.isEmpty ? "true" : "false"),
            ("nodes", "[" + nodes.joined(separator: ",") + "]"),
            ("problems", "[" + status.problems.map(string).joined(separator: ",") + "]"),
            ("failed_actions", "[" + status.failedActions.map(string).joined(separator: ",") + "]"),
        ]) + "\n"
    }

    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    static func optional(_ text: String?) -> String { text.map(string) ?? "null" }

    /// A JSON number; NaN and infinities have none, so they are null.
    static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "null"
    }

    /// A JSON string: quotes, backslashes and control characters escaped.
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
