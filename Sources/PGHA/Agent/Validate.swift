#if canImport(Glibc)
import Glibc
#endif

/// validate-all: parameters, user, binaries, data directory and versions, and, when Pacemaker's clone meta
/// attributes are present, that the resource is a promotable clone with notify=true. Needs no running server.
/// 0, or 2/5/6 with a reason.
func validateAll(_ context: ActionContext) throws(AgentError) -> OCFReturnCode {
    let resource: Resource
    do {
        resource = try Resource.resolve(context, checks: .binariesVersion)
    } catch .noData(let path, let empty) {
        let parameters = try parametersForBootstrap(context.environment, path: path, empty: empty)
        _ = try SystemUser(name: parameters.systemUser)
        try checkCloneMeta(context.environment, parameters: parameters)
        context.log.info("data directory \(path) \(empty ? "is empty" : "is missing"): start clones it from the primary (bootstrap=true)")
        return .success
    }
    try checkCloneMeta(context.environment, parameters: resource.parameters)
    try checkConnectionFiles(resource.parameters, user: resource.user)
    let paths = [("pgdata", resource.parameters.pgdata), ("datadir", resource.parameters.datadir),
                 ("bindir", resource.bindir), ("logfile", resource.parameters.logfile)]
    for (name, path) in paths {
        if let concern = PathTrust.concern(path, user: resource.user) {
            context.log.warning("\(name) '\(path)': \(concern): root follows it in every action")
        }
    }
    if context.environment.checkLevel >= 10 {
        try checkServerSettings(resource, context: context)
    }
    context.log.info("PostgreSQL \(resource.version) in \(resource.parameters.datadir), binaries in \(resource.bindir): valid")
    return .success
}

/// replication_options as the agent's remote connections will use it: a TLS mode this libpq can make, and
/// the certificate, key and password files readable by the system user (libpq reads them as that user).
/// Otherwise the first failover would fail on the other nodes, long after the mistake.
func checkConnectionFiles(_ parameters: Parameters, user: SystemUser) throws(AgentError) {
    let options = parameters.replicationOptions
    let shown = Conninfo.redacted(Conninfo.build(options))
    if let mode = options.last(where: { $0.0 == "sslmode" })?.1, ["require", "verify-ca", "verify-full"].contains(mode),
       !libpqSupportsTLS {
        throw .invalidParameter(name: "replication_options", value: shown,
                                why: "sslmode=\(mode) needs TLS, and this pgha's libpq was built without it")
    }
    for (keyword, path) in options where Parameters.conninfoFileKeywords.contains(keyword) {
        // sslrootcert=system (libpq 16+) names the system's store, not a file.
        if keyword == "sslrootcert" && path == "system" { continue }
        let readable = (try? user.actingAs { () throws(AgentError) -> Bool in access(path, R_OK) == 0 }) ?? false
        guard readable else {
            throw .invalidParameter(name: "replication_options", value: shown,
                                    why: "\(keyword) '\(path)' cannot be read by system_user \(user.name)")
        }
    }
}

/// OCF_CHECK_LEVEL 10 and above: when the server runs, its settings must allow streaming replication with
/// slots. Settings that are legal but risky are warnings.
func checkServerSettings(_ resource: Resource, context: ActionContext) throws(AgentError) {
    guard resource.dataDirectory.runningPostmasterPID != nil else {
        context.log.info("server not running: its settings are not checked")
        return
    }
    let session = try resource.connect()
    let rows = try session.query("""
        SELECT name, setting FROM pg_settings
         WHERE name IN ('wal_level', 'hot_standby', 'max_wal_senders', 'max_replication_slots', 'max_slot_wal_keep_size',
                        'synchronous_commit')
        """)
    var settings: [String: String] = [:]
    for row in rows { if let name = row[0], let value = row[1] { settings[name] = value } }
    for issue in serverSettingIssues(settings, members: savedMembers(context: context).count,
                                     syncStandbys: resource.parameters.syncStandbys) {
        switch issue {
        case .error(let name, let why):
            throw .invalidParameter(name: name, value: settings[name] ?? "", why: why)
        case .warning(let text):
            context.log.warning(text)
        }
    }
}

/// A problem found in the server's settings.
enum SettingIssue: Equatable {
    case error(name: String, why: String)
    case warning(String)
}

/// Pure: what is wrong with these pg_settings values for a pgha cluster of `members` nodes.
func serverSettingIssues(_ settings: [String: String], members: Int, syncStandbys: Int = 0) -> [SettingIssue] {
    var issues: [SettingIssue] = []
    if let level = settings["wal_level"], level == "minimal" {
        issues.append(.error(name: "wal_level", why: "must be replica or logical for streaming replication"))
    }
    if settings["hot_standby"] == "off" {
        issues.append(.error(name: "hot_standby", why: "must be on: the agent checks standbys with a query"))
    }
    let needed = max(1, members - 1)
    if let senders = settings["max_wal_senders"].flatMap({ Int($0) }), senders < needed {
        issues.append(.error(name: "max_wal_senders", why: "must be at least \(needed), one per standby"))
    }
    if let slots = settings["max_replication_slots"].flatMap({ Int($0) }), slots < needed {
        issues.append(.error(name: "max_replication_slots", why: "must be at least \(needed), one per standby"))
    }
    if settings["max_slot_wal_keep_size"] == "-1" {
        issues.append(.warning("max_slot_wal_keep_size is -1: a member that stays down keeps its slot and can fill the primary's disk with WAL"))
    }
    // The promotion rule reads what standbys flushed (pg_last_wal_receive_lsn): a commit acknowledged
    // before the flush, or without waiting at all, is outside the promise.
    if syncStandbys > 0, let commit = settings["synchronous_commit"] {
        switch commit {
        case "off", "local":
            issues.append(.error(name: "synchronous_commit",
                                 why: "must be on or remote_apply with sync_standbys: '\(commit)' acknowledges commits no standby has"))
        case "remote_write":
            issues.append(.warning("synchronous_commit is remote_write: a commit is acknowledged before the standbys flush it, so a standby's operating system crash can lose it"))
        default:
            break
        }
    }
    return issues
}

/// Pacemaker sets clone meta attributes for actions it runs; `pcs resource create` validation and hand runs
/// have none, and are not judged on them.
func checkCloneMeta(_ environment: OCFEnvironment, parameters: Parameters) throws(AgentError) {
    guard environment.hasCloneMeta else { return }
    guard OCFEnvironment.isTrue(environment.meta("notify")) else { throw .notifyDisabled }
    let promotable = environment.meta("promotable") ?? environment.meta("master_max").map { Int($0) ?? 0 > 0 ? "true" : "false" }
    guard OCFEnvironment.isTrue(promotable) else { throw .notPromotable }
    // ANY k over the other instances: with k at or above their number no commit could ever be acknowledged.
    if let instances = environment.meta("clone_max").flatMap({ Int($0) }), parameters.syncStandbys >= instances {
        throw .invalidParameter(name: "sync_standbys", value: String(parameters.syncStandbys),
                                why: "must be less than the \(instances) clone instances: a primary has only \(instances - 1) standbys")
    }
}
