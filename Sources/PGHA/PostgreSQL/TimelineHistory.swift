/// A timeline history file (`0000000N.history`): for each earlier timeline, the LSN where the next one
/// branched off it.
public struct TimelineHistory: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public let timeline: UInt32
        public let switchpoint: LSN
    }

    public let entries: [Entry]

    /// Parses `parentTLI <tab> switchpoint <tab> reason` lines; comments and blank lines are skipped.
    public init(text: String) {
        entries = text.split(separator: "\n").compactMap { line in
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard fields.count >= 2, !fields[0].hasPrefix("#"), let timeline = UInt32(fields[0]),
                  let lsn = LSN(String(fields[1]))
            else { return nil }
            return Entry(timeline: timeline, switchpoint: lsn)
        }
    }

    /// Where `timeline` ended in this history, nil when it is not part of it.
    public func switchpoint(of timeline: UInt32) -> LSN? {
        entries.first { $0.timeline == timeline }?.switchpoint
    }
}
