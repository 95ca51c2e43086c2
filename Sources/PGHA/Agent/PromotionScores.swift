/// One standby as the primary sees it in pg_stat_replication.
public struct StandbyReplication: Equatable, Sendable {
    public let node: String
    public let state: String
    /// Bytes of WAL the primary has written that the standby has not yet flushed; nil when unknown.
    public let lag: UInt64?
    /// `async`, `potential`, `sync` or `quorum` (pg_stat_replication.sync_state).
    public let syncState: String
    /// The replication slot its WAL sender holds, nil when none.
    public let slot: String?

    public init(node: String, state: String, lag: UInt64?, syncState: String = "async", slot: String?) {
        self.node = node
        self.state = state
        self.lag = lag
        self.syncState = syncState
        self.slot = slot
    }

    /// Streams and counts for synchronous commits.
    public var confirmsCommits: Bool { state == "streaming" && (syncState == "quorum" || syncState == "sync") }

    /// True when it streams through the slot of the node it names: a member's standby always does (start
    /// sets primary_slot_name, and PostgreSQL lets one WAL sender hold a slot at a time). Anything can
    /// set an application_name; a client that borrows a member's name from elsewhere does not hold its slot.
    public var holdsOwnSlot: Bool { slot == ReplicationSlot.name(for: node) }

    /// Parses the monitor query's `node state lag sync_state slot` list, comma separated (see `monitor`);
    /// `-` for no lag or no slot.
    public static func parseList(_ text: String) -> [StandbyReplication] {
        text.split(separator: ",").compactMap { entry in
            let fields = entry.split(separator: " ")
            guard fields.count == 5 else { return nil }
            return StandbyReplication(node: String(fields[0]), state: String(fields[1]), lag: UInt64(fields[2]),
                                      syncState: String(fields[3]), slot: fields[4] == "-" ? nil : String(fields[4]))
        }
    }
}

/// Promotion scores Pacemaker picks the next primary by.
public enum PromotionScore {
    public static let primary = 1001
    public static let best = 1000
    /// A standby that must not be promoted while a better one exists.
    public static let excluded = -1000

    /// Pure: scores for every member, from the primary's view of replication. Streaming standbys rank by
    /// lag, least lag highest (1000, 999, ...; ties by node name so the result is stable); one lagging more
    /// than `maxlag` bytes (when maxlag > 0), not streaming, or not connected at all gets -1000. A row
    /// whose application_name is no member (pg_receivewal, a backup tool, a client) gets nothing: it is no
    /// node Pacemaker could promote, and each score costs a crm_attribute call. Nor does a row that does
    /// not stream through the slot of the node it names (a client borrowing a member's name): its lag says
    /// nothing of that member's. With no members known (`members` empty: no notification since the node
    /// booted), every row holding its own slot counts.
    public static func scores(primary: String, members: [String], replication: [StandbyReplication],
                              maxlag: Int64) -> [String: Int] {
        var result: [String: Int] = [primary: Self.primary]
        let replication = replication.filter { $0.holdsOwnSlot && (members.isEmpty || members.contains($0.node)) }
        let streaming = replication
            .filter { $0.state == "streaming" && $0.node != primary && $0.lag != nil }
            .filter { maxlag <= 0 || $0.lag! <= UInt64(maxlag) }
            .sorted { ($0.lag!, $0.node) < ($1.lag!, $1.node) }
        for (rank, standby) in streaming.enumerated() where result[standby.node] == nil {
            result[standby.node] = best - rank
        }
        for node in members + replication.map(\.node) where result[node] == nil {
            result[node] = excluded
        }
        return result
    }

    /// How long after a promotion a standby that is not streaming yet keeps its score: the standbys
    /// reconnect within seconds, and a -1000 set in that window would leave no candidate if the new primary
    /// died before the next monitor.
    public static let reconnectGraceSeconds = 60

    /// Pure: which scores to write, given what is wanted and what was last written. A standby that is about
    /// to be excluded keeps the positive score it has (or may have) while it cannot be judged yet: within the grace period
    /// after a promotion, or while it streams but has not reported a flush position.
    public static func changes(wanted: [String: Int], cached: [String: Int], replication: [StandbyReplication],
                               inGracePeriod: Bool) -> [String: Int] {
        var result: [String: Int] = [:]
        for (node, score) in wanted where cached[node] != score {
            // Unknown (the cache is cleared by every notification) counts as positive.
            if score == excluded, cached[node] ?? 1 > 0 {
                let entry = replication.first { $0.node == node }
                let unjudged = entry.map { $0.state == "streaming" && $0.lag == nil } ?? false
                if inGracePeriod || unjudged { continue }
            }
            result[node] = score
        }
        return result
    }

    /// The score cache under HA_RSCTMP: `node score` per line.
    public static func parseCache(_ text: String) -> [String: Int] {
        var result: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let score = Int(fields[1]) { result[String(fields[0])] = score }
        }
        return result
    }

    public static func formatCache(_ scores: [String: Int]) -> String {
        scores.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)\n" }.joined()
    }
}
