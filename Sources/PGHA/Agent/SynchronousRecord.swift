/// The synchronous set as the cluster records it (Patroni's `/sync` key): which standbys may hold
/// acknowledged commits and how many of them each commit waited for. The promote rule reads this record,
/// not the members: a standby that was already gone when the primary failed is then no longer counted,
/// and a primary that committed alone (k = 0, `sync_durability=preferred`) forbids automatic promotion.
///
/// Kept in the CIB, where it survives the primary's node; the primary changes it and its own
/// `synchronous_standby_names` in the order `SynchronousSetTransition` plans.
public struct SynchronousRecord: Equatable, Sendable {
    /// k': how many members of `standbys` every acknowledged commit is on (0: some commits may be on the
    /// primary alone).
    public let count: Int
    /// V: the standbys that may hold acknowledged commits, sorted.
    public let standbys: [String]
    /// When the record last said k' = 0 (epoch seconds), nil otherwise: what status and a refusal show.
    public let aloneSince: Int?
    /// The primary that wrote it: every commit it acknowledged is on it, so its own published position is
    /// proof enough (nil in a record written before the field: then only members of `standbys` count).
    public let primary: String?

    public init(count: Int, standbys: [String], aloneSince: Int? = nil, primary: String? = nil) {
        self.count = count
        self.standbys = Array(Set(standbys)).sorted()
        self.aloneSince = count == 0 ? aloneSince : nil
        self.primary = primary
    }

    /// The record's format version; a record of a later one (a newer pgha) is not guessed at.
    public static let formatVersion = 1

    /// How many of `standbys` must publish a position before one of them may be promoted: |V| - k' + 1.
    /// None can when k' is 0: a commit may exist on the old primary alone.
    public var publishersNeeded: Int? { count == 0 ? nil : standbys.count - count + 1 }

    /// The stored form: `v1 k=1 standbys=n2,n3 primary=n1` (`alone-since=<epoch>` added when k is 0). A
    /// reader ignores fields it does not know, so `primary=` needed no new format version.
    public var text: String {
        "v\(Self.formatVersion) k=\(count) standbys=\(standbys.joined(separator: ","))"
            + (aloneSince.map { " alone-since=\($0)" } ?? "") + (primary.map { " primary=\($0)" } ?? "")
    }

    /// What reading a stored value gave.
    public enum Reading: Equatable, Sendable {
        case record(SynchronousRecord)
        /// Written by a later pgha: its rule may differ, so promotion refuses rather than guess.
        case newerFormat(version: Int)
        case unreadable(String)
    }

    /// Pure: parses the stored form.
    public static func read(_ text: String) -> Reading {
        let words = text.split(separator: " ").map(String.init)
        guard let first = words.first, first.hasPrefix("v"), let version = Int(first.dropFirst()) else {
            return .unreadable(text)
        }
        guard version <= formatVersion else { return .newerFormat(version: version) }
        var fields: [String: String] = [:]
        for word in words.dropFirst() {
            guard let equals = word.firstIndex(of: "=") else { return .unreadable(text) }
            fields[String(word[..<equals])] = String(word[word.index(after: equals)...])
        }
        guard let count = fields["k"].flatMap({ Int($0) }), count >= 0, let list = fields["standbys"] else {
            return .unreadable(text)
        }
        let standbys = list.split(separator: ",").map(String.init)
        guard count <= standbys.count else { return .unreadable(text) }
        let since = fields["alone-since"].flatMap { Int($0) }
        let primary = fields["primary"].flatMap { $0.isEmpty ? nil : $0 }
        return .record(SynchronousRecord(count: count, standbys: standbys, aloneSince: since, primary: primary))
    }
}
