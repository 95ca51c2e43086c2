/// The evidence that a member's slot on the primary was invalidated (the member stayed away while more than
/// max_slot_wal_keep_size of WAL was written, and the WAL it needs next is gone).
///
/// The primary writes it as a permanent node attribute of the member (`crm_attribute --lifetime forever`)
/// before it replaces the invalidated slot with a new one that pins no WAL: the slot then no longer shows
/// the loss, the attribute does, through reboots of either node, until the member's next clone deletes it.
public struct SlotLoss: Equatable, Sendable {
    /// The primary that found the slot invalidated.
    public var primary: String
    public var slot: String
    /// The slot's restart_lsn before it was replaced when PostgreSQL still showed one, else the primary's
    /// position when it found the slot invalidated: the member's data ends before it.
    public var lsn: String
    /// Seconds since the epoch.
    public var time: Int

    public init(primary: String, slot: String, lsn: String, time: Int) {
        self.primary = SlotLoss.field(primary)
        self.slot = SlotLoss.field(slot)
        self.lsn = SlotLoss.field(lsn)
        self.time = time
    }

    /// The node attribute that holds `resource`'s evidence, on the member whose slot was lost.
    public static func attributeName(resource: String) -> String { "pgha-slot-lost-" + resource }

    /// The stored form: `primary=n1 slot=pgha_n2 lsn=0/5000060 time=1795762878`.
    public var value: String { "primary=\(primary) slot=\(slot) lsn=\(lsn) time=\(time)" }

    /// Parses the stored form; nil for anything else (which still counts as evidence: see `SlotLossCheck`).
    public init?(value: String) {
        var fields: [Substring: Substring] = [:]
        for word in value.split(separator: " ") {
            guard let equals = word.firstIndex(of: "=") else { return nil }
            fields[word[..<equals]] = word[word.index(after: equals)...]
        }
        guard let primary = fields["primary"], let slot = fields["slot"], let lsn = fields["lsn"],
              let time = fields["time"].flatMap({ Int($0) }), !primary.isEmpty, !slot.isEmpty
        else { return nil }
        self.init(primary: String(primary), slot: String(slot), lsn: String(lsn), time: time)
    }

    /// One word per field: white space and control characters would split or break the stored line.
    static func field(_ text: String) -> String {
        String(text.map { $0.isWhitespace || ($0.asciiValue.map { $0 < 32 || $0 == 127 } ?? false) ? "_" : $0 })
    }

    /// The members whose slot is invalidated (`wal_status` 'lost', 13+), with their slot; slots of nodes
    /// that are not members are not among them (the slot synchronisation drops those).
    public static func lostMemberSlots(slots: [(name: String, walStatus: String?)], members: [String],
                                       primary: String) -> [(node: String, slot: String)] {
        let lost = Set(slots.filter { $0.walStatus == "lost" }.map(\.name))
        return members.filter { $0 != primary }.sorted()
            .map { (node: $0, slot: ReplicationSlot.name(for: $0)) }
            .filter { lost.contains($0.slot) }
    }
}

/// What start does about this node's slot on the primary, from what the primary's slot says and what its
/// node attribute recorded.
public enum SlotLossCheck: Equatable, Sendable {
    /// Nothing says the slot was lost: the node follows the primary as usual.
    case follow
    /// Lost, bootstrap=true: the data directory is cloned again; the facts for the log.
    case reclone(String)
    /// Lost, no bootstrap: start fails with this reason.
    case refuse(String)

    /// Pure: `walStatus` is the slot's on the primary (nil when absent, unreadable, or before 13),
    /// `recorded` the node attribute's value (nil when unset or unreadable).
    public static func decide(slot: String, primary: String, walStatus: String?, recorded: String?,
                              attribute: String, bootstrap: Bool) -> SlotLossCheck {
        let gone = "the WAL this node needs next is gone"
        let facts: String
        if walStatus == "lost" {
            facts = "slot \(slot) on \(primary) was invalidated (max_slot_wal_keep_size): \(gone)"
        } else if let recorded {
            // The primary replaced the slot: only the attribute remembers. A value this version cannot
            // parse is still evidence, quoted as it is.
            let origin = SlotLoss(value: recorded).map { "recorded by \($0.primary) at \($0.lsn)" } ?? "recorded as '\(recorded)'"
            facts = "slot \(slot) was invalidated (max_slot_wal_keep_size; \(origin) in node attribute \(attribute)): \(gone)"
        } else {
            return .follow
        }
        guard bootstrap else {
            // A hand-made clone must also remove the evidence, or the next start refuses again.
            let rebuild = recorded == nil ? "rebuild it with pg_basebackup"
                : "rebuild it with pg_basebackup and delete the node attribute \(attribute)"
            return .refuse("\(facts): set bootstrap=true to clone it again, or \(rebuild)")
        }
        return .reclone(facts)
    }
}
