/// Where a stopped instance's local WAL ends, read with pg_waldump from the last checkpoint's redo point.
/// Used only at start of a former primary, to compare with the new primary's fork point.
public enum WALEnd {
    /// The end of valid WAL after `start` on `timeline`, nil when pg_waldump's output does not say.
    public static func find(bindir: String, datadir: String, timeline: UInt32, start: LSN,
                            as user: SystemUser, timeoutSeconds: Int = 60) throws(AgentError) -> LSN? {
        // --stats keeps the output to a summary (a record list can run to gigabytes); -q would be shorter but
        // from 17 on it also hides the end-of-WAL message this reads.
        let arguments = ["--stats", "-p", datadir + "/pg_wal", "-t", String(timeline), "-s", start.description]
        let result = try ChildProcess.run(bindir + "/pg_waldump", arguments, as: user, timeoutSeconds: timeoutSeconds)
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
