/// The screen `pgha status` prints: a header, one table line per node, each node's last decision, the
/// problems (why a node does not answer among them). Pure: a function of the `ClusterStatus`.
public enum StatusText {
    public static func render(_ status: ClusterStatus) -> String {
        var lines: [String] = []
        let mode = status.syncStandbys > 0 ? "synchronous (sync_standbys=\(status.syncStandbys))" : "asynchronous"
        lines.append("\(status.resource)\(status.clone.map { " (clone \($0))" } ?? ""): primary \(status.primary ?? "none"), \(mode)")
        lines.append("")
        var rows = [["NODE", "PACEMAKER", "POSTGRESQL", "TL", "LSN", "REPLAYED", "LAG", "SLOT", "SYNC", "SCORE"]]
        for node in status.nodes {
            rows.append([
                node.node + (node.online ? "" : " (offline)"),
                node.pacemakerRole.name,
                node.error == nil ? node.role.rawValue : "not answering",
                node.timeline.map(String.init) ?? "-",
                node.lsn?.description ?? "-",
                node.role == .standby ? node.replayLSN?.description ?? "-" : "-",
                lag(node),
                node.slot.map { "\($0) \(node.slotExists == false ? "missing" : node.slotActive == true ? "active" : "inactive")" } ?? "-",
                node.syncState ?? "-",
                node.score.map(String.init) ?? "-",
            ])
        }
        lines += table(rows, rightAligned: [3, 9])
        lines.append("")
        lines.append("last decisions:")
        let width = status.nodes.map(\.node.count).max() ?? 0
        for node in status.nodes {
            let name = node.node.padding(to: width)
            if let decision = node.decision {
                lines.append("  \(name)  \(decision.timeText)  \(decision.action): \(decision.text)")
            } else {
                lines.append("  \(name)  none recorded")
            }
        }
        if !status.failedActions.isEmpty {
            lines.append("")
            lines.append("failed actions (history until crm_resource --cleanup):")
            for failure in status.failedActions { lines.append("  \(failure)") }
        }
        lines.append("")
        if status.problems.isEmpty {
            lines.append("no problems found")
        } else {
            lines.append("problems:")
            for problem in status.problems { lines.append("  - \(problem)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `0 B`, `1048576 B 0.250 s`: bytes exact (scripts and eyes compare them), seconds when PostgreSQL has them.
    static func lag(_ node: NodeStatus) -> String {
        guard let bytes = node.lagBytes else { return "-" }
        guard let seconds = node.lagSeconds else { return "\(bytes) B" }
        return "\(bytes) B \(formatSeconds(seconds)) s"
    }

    /// Three decimals, without Foundation's formatters.
    static func formatSeconds(_ seconds: Double) -> String {
        let milliseconds = Int((max(0, seconds) * 1000).rounded())
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// Columns padded to their widest cell, two spaces apart; numbers in `rightAligned` columns.
    static func table(_ rows: [[String]], rightAligned: Set<Int>) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                rightAligned.contains(column) ? cell.padding(to: widths[column], left: true)
                    : (column == row.count - 1 ? cell : cell.padding(to: widths[column]))
            }.joined(separator: "  ")
        }
    }
}

extension String {
    func padding(to width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - count))
        return left ? fill + self : self + fill
    }
}
