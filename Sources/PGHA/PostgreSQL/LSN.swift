/// A WAL location, `X/Y` in PostgreSQL's text form.
public struct LSN: Comparable, Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value }

    /// Parses `16/B374D848`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        // Only hex digits, 1 to 8 each side, as pg_lsn_in accepts (UInt64(radix:) would take a sign).
        guard parts.count == 2, parts.allSatisfy({ (1...8).contains($0.count) && $0.allSatisfy(\.isHexDigit) }),
              let high = UInt64(parts[0], radix: 16), let low = UInt64(parts[1], radix: 16)
        else { return nil }
        value = high << 32 | low
    }

    public var description: String {
        String(value >> 32, radix: 16, uppercase: true) + "/" + String(value & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }

    public static func < (lhs: LSN, rhs: LSN) -> Bool { lhs.value < rhs.value }

    /// Bytes from `other` up to this location, 0 when `other` is ahead.
    public func distance(from other: LSN) -> UInt64 { value >= other.value ? value - other.value : 0 }
}

/// Where a node's WAL ends, as the election compares it: timeline first, then LSN.
public struct WALPosition: Comparable, Hashable, Sendable, CustomStringConvertible {
    public let timeline: UInt32
    public let lsn: LSN

    public init(timeline: UInt32, lsn: LSN) {
        self.timeline = timeline
        self.lsn = lsn
    }

    /// Parses the published form `timeline#LSN` (`3#0/5000120`).
    public init?(published text: String) {
        let parts = text.split(separator: "#", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].allSatisfy(\.isNumber), let timeline = UInt32(parts[0]), let lsn = LSN(String(parts[1])) else { return nil }
        self.init(timeline: timeline, lsn: lsn)
    }

    public var published: String { "\(timeline)#\(lsn)" }
    public var description: String { "timeline \(timeline) lsn \(lsn)" }

    public static func < (lhs: WALPosition, rhs: WALPosition) -> Bool {
        (lhs.timeline, lhs.lsn) < (rhs.timeline, rhs.lsn)
    }
}
