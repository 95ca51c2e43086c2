/// Where a stopped instance's local WAL ends, read with pg_waldump from the last checkpoint's redo point.
/// Used only at start of a former primary, to compare with the new primary's fork point.
public enum WALEnd {
    /// The end of valid WAL after `start` on `timeline`, nil when pg_waldump's output does not say.
    public static func find(bindir: String, datadir: String, timeline: UInt32, start: LSN,                             as user: SystemUser) throws(AgentError) -> LSN? {
        // --stats keeps the output to a summary (a record list can run to gigabytes); -q would be shorter but
        // from 17 on it also hides the end-of-WAL message this reads.
        let arguments = ["--stats", "-p", datadir + "/pg_wal", "-t", String(timeline), "-s", start.description]
        let result = try ChildProcess.run(bindir + "/pg_waldump", arguments, as: user, timeoutSeconds: 60)
        return parse(result.output)
    }

    /// pg_waldump stops at the first invalid record and names where: `error in WAL record at 0/1500870:
    /// invalid record length at 0/15008E8: wanted 24, got 0`. The last location in that message is the end.
    public static func parse(_ output: String) -> LSN? {
        guard let line = output.split(separator: "\n").last(where: { $0.contains("error") }) else { return nil }
        let words = line.split(whereSeparator: { $0 == " " || $0 == ":" || $0 == "," }).map(String.init)
        // The last "at <LSN>" (17 says "expected at least 24", which is not a location).
        return zip(words, words.dropFirst()).reversed().lazy.compactMap { $0 == "at" ? LSN($1) : nil }.first
    }
}

/// Records as pg_waldump lists them, and the question a switchover asks of them.
public enum WALDump {
    /// One record line: `rmgr: XLOG len (rec/tot): 114/ 114, tx: 0, lsn: 0/01500870, prev ..., desc: CHECKPOINT_SHUTDOWN ...`.
    public struct Record: Equatable, Sendable {
        public let lsn: LSN
        public let description: String
    }

    public static func records(_ output: String) -> [Record] {
        output.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("rmgr:"), let lsnRange = line.firstRange(of: "lsn: "),
                  let descRange = line.firstRange(of: "desc: ")
            else { return nil }
            let lsnText = line[lsnRange.upperBound...].prefix { $0 != "," }
            guard let lsn = LSN(String(lsnText)) else { return nil }
            return Record(lsn: lsn, description: String(line[descRange.upperBound...]))
        }
    }

    /// Runs pg_waldump from `start` on `timeline` (only the XLOG resource manager's records when `xlogOnly`).
    public static func run(bindir: String, datadir: String, timeline: UInt32, start: LSN, xlogOnly: Bool,
                           as user: SystemUser) throws(AgentError) -> String {
        var arguments = ["-p", datadir + "/pg_wal", "-t", String(timeline), "-s", start.description]
        if xlogOnly { arguments = ["-r", "XLOG"] + arguments }
        return try ChildProcess.run(bindir + "/pg_waldump", arguments, as: user, timeoutSeconds: 60).output
    }
}

/// Whether a standby's WAL ends with the demoted primary's shutdown checkpoint.
public enum ShutdownCheckpoint: Equatable, Sendable {
    case received(LSN)
    /// The last WAL record is something else: promoting this node would fork the old primary off.
    case missing(String)
    /// pg_waldump said nothing usable: the check cannot decide.
    case unknown

    /// Pure: from the XLOG records since the last restartpoint and the records from the last of them on.
    public static func judge(xlogRecords: [WALDump.Record], recordsFromLast: [WALDump.Record]) -> ShutdownCheckpoint {
        guard let last = xlogRecords.last else { return .unknown }
        guard last.description.hasPrefix("CHECKPOINT_SHUTDOWN") else {
            return .missing("last checkpoint record at \(last.lsn) is \(last.description.prefix { $0 != " " })")
        }
        guard recordsFromLast.count == 1, recordsFromLast.first?.lsn == last.lsn else {
            return .missing("\(max(0, recordsFromLast.count - 1)) WAL records follow the shutdown checkpoint at \(last.lsn)")
        }
        return .received(last.lsn)
    }
}
