/// The physical replication slots the primary keeps, one per other member node.
public enum ReplicationSlot {
    /// Only slots with this prefix are the agent's: it never drops a slot an admin made.
    public static let prefix = "pgha_"

    /// The slot of `node`: lower case, anything outside `[a-z0-9_]` made `_`, at most 63 bytes (NAMEDATALEN - 1).
    public static func name(for node: String) -> String {
        let sanitized = node.lowercased().unicodeScalars.map { scalar -> Character in
            let c = Character(scalar)
            return (("a"..."z").contains(c) || ("0"..."9").contains(c) || c == "_") ? c : "_"
        }
        return String((prefix + String(sanitized)).prefix(63))
    }

    /// What the primary must do so that exactly the members other than itself have a slot.
    public struct Plan: Equatable, Sendable {
        public var create: [String]
        public var drop: [String]
    }

    /// Pure: from the slots that exist and the member nodes, which to create and which to drop.
    /// Slots without the agent's prefix are left alone.
    public static func plan(existing: [String], members: [String], primary: String) -> Plan {
        let wanted = Set(members.filter { $0 != primary }.map(name(for:)))
        let ours = Set(existing.filter { $0.hasPrefix(prefix) })
        return Plan(create: wanted.subtracting(ours).sorted(), drop: ours.subtracting(wanted).sorted())
    }
}
