/// A PostgreSQL major version and the questions the agent asks of it. Nothing else compares
/// version numbers.
public struct ServerVersion: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// 96 for 9.6, then 10, 11, ... as PG_VERSION spells them (9.6 is kept as 96 to stay ordered).
    public let major: Int

    public init(major: Int) { self.major = major }

    /// Reads the content of PG_VERSION (`15`, `9.6`).
    public init?(pgVersionFile text: String) {
        let trimmed = text.trimmingWhitespace
        if trimmed.hasPrefix("9.") {
            guard let minor = Int(trimmed.dropFirst(2)) else { return nil }
            major = 90 + minor
        } else {
            guard let value = Int(trimmed), value >= 10 else { return nil }
            major = value
        }
    }

    /// Reads `pg_ctl --version` output (`pg_ctl (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`).
    public init?(versionOutput text: String) {
        guard let range = text.firstRange(of: "(PostgreSQL) ") else { return nil }
        let number = text[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        let parts = number.split(separator: ".")
        guard let first = parts.first.flatMap({ Int($0) }) else { return nil }
        if first == 9, parts.count > 1, let minor = Int(parts[1]) { major = 90 + minor } else { major = first }
    }

    public var description: String { major >= 90 ? "9.\(major - 90)" : "\(major)" }

    /// 10 and later: older releases name the WAL functions differently (xlog) and are long out of support.
    public var isSupported: Bool { major >= 10 && major < 90 }

    public static func < (lhs: ServerVersion, rhs: ServerVersion) -> Bool {
        lhs.ordinal < rhs.ordinal
    }

    /// Tenths of a release: 9.6 -> 96, 10 -> 100, so 9.x stay distinct and below 10.
    private var ordinal: Int { major >= 90 ? major : major * 10 }

    /// ≤ 11 keeps standby settings in recovery.conf; 12 and later in the configuration plus standby.signal.
    public var usesRecoveryConf: Bool { ordinal <= 110 }

    /// 13 and later re-read primary_conninfo and primary_slot_name on reload (the WAL receiver restarts).
    public var reloadsPrimaryConninfo: Bool { ordinal >= 130 }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
