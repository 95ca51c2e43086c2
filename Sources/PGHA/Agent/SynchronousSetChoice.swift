/// Which standbys the primary's `synchronous_standby_names` should name, from what its monitor sees
/// (`../shared/DESIGN.md` §3, "A recorded synchronous set"). The recorded set follows it (see
/// `planSynchronousChange`): a standby that stopped streaming is dropped after a grace, so that a primary
/// that fails later is replaced without waiting for a standby that was already gone.

/// What the primary wants, and since when each named standby has been seen not streaming.
public struct SynchronousSetChoice: Equatable, Sendable {
    public let wanted: SynchronousSet
    /// Members of the current set not streaming, with the time (epoch seconds) a monitor first saw it:
    /// kept under HA_RSCTMP between monitors.
    public let absentSince: [String: Int]
}

extension SynchronousSetChoice {
    /// How long a named standby may not stream before it leaves the set. A WAL receiver restarting (a
    /// reload of primary_conninfo, a standby restarted, `wal_retrieve_retry_interval`'s 5 s between tries)
    /// is back within seconds, and every change costs a reload and a CIB write (one scheduler run): 20 s
    /// lets such blips pass and drops a stopped standby at the second or third monitor (10–15 s intervals).
    public static let dropGraceSeconds = 20

    /// Pure: the set the primary should run with.
    ///
    /// - `count` (sync_standbys = k) of the members whose standby streams through its own slot (a client
    ///   borrowing a member's application_name does not hold its slot), plus the named ones not streaming
    ///   for less than `grace` seconds, when at least k stream. A member that streams again is added back.
    /// - Fewer than k stream: the current set stays (strict: commits wait either way, and a change would
    ///   buy nothing), unless it cannot be one for k (none yet, k changed); then k of every other member,
    ///   as without a record.
    /// - `members` empty (no notification since boot): every streaming row holding its own slot counts.
    public static func choose(count: Int, primary: String, members: [String], replication: [StandbyReplication],
                              current: SynchronousSet, absentSince: [String: Int], now: Int,
                              grace: Int = dropGraceSeconds) -> SynchronousSetChoice {
        let others = Set(members.filter { $0 != primary })
        let isMember = { (node: String) in node != primary && (others.isEmpty || others.contains(node)) }
        let streaming = Set(replication.filter { $0.holdsOwnSlot && $0.state == "streaming" && isMember($0.node) }
            .map(\.node))
        var absent: [String: Int] = [:]
        var kept: [String] = []
        for node in current.standbys where !streaming.contains(node) {
            let since = absentSince[node] ?? now
            absent[node] = since
            // A node that left the cluster is not waited for.
            if now - since < grace, isMember(node) { kept.append(node) }
        }
        let wanted: SynchronousSet
        if streaming.count >= count {
            wanted = SynchronousSet(count: count, standbys: Array(streaming) + kept)
        } else if current.count == count, current.standbys.count >= count {
            wanted = current
        } else {
            let everyone = Array(others.union(streaming).union(current.standbys.filter(isMember)))
            wanted = everyone.count >= count ? SynchronousSet(count: count, standbys: everyone) : current
        }
        return SynchronousSetChoice(wanted: wanted, absentSince: absent)
    }

    /// The state file's form: `node epoch` per line.
    public static func parseAbsent(_ text: String) -> [String: Int] {
        var result: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let since = Int(fields[1]) { result[String(fields[0])] = since }
        }
        return result
    }

    public static func formatAbsent(_ absent: [String: Int]) -> String {
        absent.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "\n")
    }
}

extension SynchronousSet {
    /// The set a `synchronous_standby_names` value runs: `ANY k (...)` as written; anything else (empty, an
    /// admin's FIRST or `*`) as 0 of none. Taking an unknown form for "commits may be on the primary alone"
    /// is the cautious reading: the plan then records k' = 0, which blocks promotion, before it changes.
    public init(setting: String) {
        let names = SynchronousStandbyNames(setting: setting)
        self.init(count: names?.count ?? 0, standbys: names?.standbys ?? [])
    }

    public init(_ record: SynchronousRecord) {
        self.init(count: record.count, standbys: record.standbys)
    }
}

/// Where a narrowing waits (`SynchronousStep.awaitFlush`): the primary's WAL position taken once the
/// setting `setting` was in force, or not taken yet (`lsn` nil: the setting changed in the monitor that
/// wrote this). Kept under HA_RSCTMP as `<lsn or -> <setting>`.
public struct SynchronousFlushMark: Equatable, Sendable {
    public let setting: SynchronousSet
    public let lsn: LSN?

    public init(setting: SynchronousSet, lsn: LSN?) {
        self.setting = setting
        self.lsn = lsn
    }

    public var text: String {
        "\(lsn.map { "\($0)" } ?? "-") \(setting.count) \(setting.standbys.joined(separator: ","))"
    }

    public static func parse(_ text: String) -> SynchronousFlushMark? {
        let fields = text.split(separator: " ").map(String.init)
        guard fields.count == 3 || fields.count == 2, let count = Int(fields[1]) else { return nil }
        let standbys = fields.count == 3 ? fields[2].split(separator: ",").map(String.init) : []
        let lsn: LSN?
        if fields[0] == "-" { lsn = nil } else {
            guard let parsed = LSN(fields[0]) else { return nil }
            lsn = parsed
        }
        return SynchronousFlushMark(setting: SynchronousSet(count: count, standbys: standbys), lsn: lsn)
    }

    /// Pure: the position a flush check of `setting` compares against, and whether it is this mark's.
    /// A mark of another setting (or none: the setting changed elsewhere, e.g. at promote) or one whose
    /// position is not taken yet means: take it now. Any position later than the change is as good (WAL
    /// is sequential), only slower to reach.
    public static func usable(_ mark: SynchronousFlushMark?, for setting: SynchronousSet) -> LSN? {
        guard let mark, mark.setting == setting else { return nil }
        return mark.lsn
    }

    /// Pure: whether `count` of `standbys` have flushed past `lsn`, from (node, flush position) rows of
    /// pg_stat_replication whose WAL sender holds the node's own slot.
    public static func confirmed(count: Int, of standbys: [String], past lsn: LSN, flushed: [(node: String, lsn: LSN)]) -> Bool {
        Set(flushed.filter { standbys.contains($0.node) && $0.lsn >= lsn }.map(\.node)).count >= count
    }
}
