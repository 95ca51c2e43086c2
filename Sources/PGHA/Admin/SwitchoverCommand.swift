#if canImport(Glibc)
import Glibc
#endif

/// `pgha switchover`: a planned move of the primary role, through Pacemaker's own command
/// (`crm_resource --move --promoted`), which leaves a location constraint behind; this command removes it
/// whatever happens (done, timed out, interrupted with Ctrl-C), so that the next failover may go anywhere.
/// Pacemaker stays the one that demotes and promotes; the agent's switchover proof (the candidate has
/// replayed the old primary's shutdown checkpoint) still guards the promotion.
public struct SwitchoverRequest: Sendable {
    public var resource: String?
    public var target: String?
    public var timeoutSeconds: Double
    /// Skip the question on a terminal (and allow running without one).
    public var confirmed: Bool

    public init(resource: String?, target: String?, timeoutSeconds: Double, confirmed: Bool) {
        self.resource = resource
        self.target = target
        self.timeoutSeconds = timeoutSeconds
        self.confirmed = confirmed
    }
}

/// Runs a switchover and returns the exit status: 0 done, 1 refused, failed or timed out (the state left as
/// Pacemaker decided), 2 when the cluster could not be read, 130 interrupted.
public func runSwitchover(_ request: SwitchoverRequest, cluster: Cluster = Cluster()) -> Int32 {
    func say(_ text: String) { print(text); fflush(stdout) }
    func fail(_ text: String, _ code: Int32 = 1) -> Int32 {
        fputs("pgha switchover: \(text)\n", stderr)
        return code
    }
    let snapshot: ClusterSnapshot
    do throws(StatusError) {
        snapshot = try ClusterSnapshot.read(resource: request.resource, cluster: cluster)
    } catch {
        return fail(error.message, 2)
    }
    guard let clone = snapshot.status.clone else { return fail("\(snapshot.resource.id) is not in a clone") }
    // One switchover per resource on this node; another node's shows as its move constraint (refused below).
    let lock = SwitchoverLock(resource: snapshot.resource.id)
    guard lock.acquired else {
        return fail("another pgha switchover of \(snapshot.resource.id) is running on this node (\(lock.path))")
    }
    defer { lock.release() }
    let facts = SwitchoverFacts(status: snapshot.status, crmMon: snapshot.crmMon,
                                maintenanceMode: snapshot.cib.maintenanceMode,
                                locationConstraints: snapshot.cib.locationConstraints,
                                maxlag: snapshot.parameters.maxlag)
    let (from, to): (String, String)
    switch decideSwitchover(facts, target: request.target) {
    case .refuse(let why): return fail("refused: \(why)")
    case .go(let old, let new): (from, to) = (old, new)
    }
    if !request.confirmed {
        guard isatty(0) == 1 else { return fail("refused: not asked on a terminal; add --yes to switch over \(from) → \(to)") }
        print("Switch \(snapshot.resource.id)'s primary over from \(from) to \(to)? [y/N] ", terminator: "")
        fflush(stdout)
        let answer = readLine()?.lowercased() ?? ""
        guard answer == "y" || answer == "yes" else { return fail("not confirmed: nothing changed") }
    }

    // From here on an interrupt must not skip the cleanup: SIGINT, SIGTERM and SIGHUP are held pending and
    // looked at while waiting.
    var signals = sigset_t()
    sigemptyset(&signals)
    for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, signal) }
    var previous = sigset_t()
    sigprocmask(SIG_BLOCK, &signals, &previous)
    defer { sigprocmask(SIG_SETMASK, &previous, nil) }

    let started = Clock.now
    say("\(from) → \(to): moving the promoted role of \(clone) (crm_resource --move --promoted)")
    var outcome: SwitchoverProgress.Outcome = .timedOut
    // The standbys streaming now are waited for; one that is not (stopped, banned) is not coming.
    let streaming = snapshot.status.nodes.filter { $0.replicationState == "streaming" }.map(\.node)
    var progress = SwitchoverProgress(old: from, new: to, others: streaming.filter { $0 != from && $0 != to })
    do {
        try cluster.movePromoted(clone: clone, to: to)
        outcome = progress.wait(until: started + request.timeoutSeconds, signals: signals) { () -> ServerAnswer? in
            gatherServerFacts(nodes: [to], parameters: snapshot.parameters, user: snapshot.user,
                              connectTimeoutSeconds: 2)[to]
        }
    } catch {
        outcome = .failed(error.reason)
    }
    // Whatever happened: the constraint goes, and the CIB is asked whether it went.
    var removed = cluster.clearMove(clone: clone, node: to)
    if removed == nil, let text = try? cluster.cibXML(), let cib = try? CIB(xml: text),
       cib.locationConstraints.contains(moveConstraintID(clone: clone)) {
        removed = "\(moveConstraintID(clone: clone)) is still in the CIB (crm_resource --clear --resource \(clone))"
    }
    let summary = progress.summary() + "; " + (removed == nil ? "constraint removed" : "constraint NOT removed: \(removed!)")
    switch outcome {
    case .done:
        say(summary)
        return removed == nil ? 0 : 1
    case .timedOut:
        return fail("\(summary); not finished within \(Int(request.timeoutSeconds)) s: Pacemaker goes on as it decided (pgha status)")
    case .interrupted:
        return fail("\(summary); interrupted: Pacemaker goes on as it decided (pgha status)", 130)
    case .failed(let why):
        return fail("\(summary); \(why)")
    }
}

/// What a running switchover has seen, and when (seconds from the move).
struct SwitchoverProgress {
    let old: String
    let new: String
    let others: [String]
    var writableAt: Double?
    var streamingAt: [String: Double] = [:]

    enum Outcome: Equatable { case done, timedOut, interrupted, failed(String) }

    /// Polls the new primary every 0.2 s (the wait for a pending signal is the pause) until it is writable
    /// and every other node, the old primary last, streams from it.
    mutating func wait(until deadline: Double, signals: sigset_t, ask: () -> ServerAnswer?) -> Outcome {
        let start = Clock.now
        var signals = signals
        while Clock.now < deadline {
            if case .answered(let facts)? = ask(), !facts.inRecovery {
                if writableAt == nil { writableAt = Clock.now - start }
                for row in facts.replication where row.state == "streaming" && streamingAt[row.node] == nil {
                    streamingAt[row.node] = Clock.now - start
                }
                if (others + [old]).allSatisfy({ streamingAt[$0] != nil }) { return .done }
            }
            var pause = timespec(tv_sec: 0, tv_nsec: 200_000_000)
            if sigtimedwait(&signals, nil, &pause) > 0 { return .interrupted }
        }
        return .timedOut
    }

    /// `n1 → n2: writable after 1.1 s, n3 streaming after 1.4 s, n1 streaming after 1.6 s`
    func summary() -> String {
        func seconds(_ value: Double) -> String {
            let tenths = Int((value * 10).rounded())
            return "\(tenths / 10).\(tenths % 10) s"
        }
        var parts = ["writable " + (writableAt.map { "after " + seconds($0) } ?? "not seen")]
        for node in others + [old] {
            parts.append("\(node) streaming " + (streamingAt[node].map { "after " + seconds($0) } ?? "not seen"))
        }
        return "\(old) → \(new): " + parts.joined(separator: ", ")
    }
}

/// A lock file per resource under /run (root's), held with flock for the command's life.
struct SwitchoverLock {
    let path: String
    private let fd: Int32

    init(resource: String) {
        path = "/run/pgha-switchover-" + resource.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" } + ".lock"
        let opened = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if opened >= 0, flock(opened, LOCK_EX | LOCK_NB) == 0 {
            fd = opened
        } else {
            if opened >= 0 { close(opened) }
            fd = -1
        }
    }

    var acquired: Bool { fd >= 0 }

    func release() { if fd >= 0 { close(fd) } }
}
