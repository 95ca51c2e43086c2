/// What to do with this node's `synchronous_standby_names` (in postgresql.auto.conf, where ALTER SYSTEM
/// writes it).
public enum SynchronousSettingChange: Equatable, Sendable {
    /// It is already what it should be, or it is not the agent's to touch.
    case keep
    /// Write this value.
    case set(SynchronousStandbyNames)
    /// Remove the agent's value: the resource is asynchronous now.
    case reset
    /// k standbys are wanted but fewer other members are known: nothing can satisfy it.
    case unsatisfiable(others: [String])
}

/// Pure: the setting a node should carry for the day it runs as the primary. Every node carries it, standbys
/// too (a standby ignores it): postgresql.auto.conf is a file, not WAL, so a promoted standby does not
/// inherit the old primary's, and the first commit after a promotion must already wait.
///
/// - `syncStandbys` > 0: `ANY k (every other member)`. Members, not running instances: a standby that is
///   down stays named, so it is counted again as soon as it streams.
/// - 0: an `ANY` value naming only members is the agent's own from an earlier synchronous configuration;
///   it is removed, so a node switched back to asynchronous never makes its writes wait. Anything else is
///   the admin's and kept.
public func synchronousSettingChange(syncStandbys: Int, node: String, members: [String],
                                     current: String?) -> SynchronousSettingChange {
    let existing = current.flatMap { SynchronousStandbyNames(setting: $0) }
    guard syncStandbys > 0 else {
        guard let existing, !members.isEmpty, Set(existing.standbys).isSubset(of: Set(members)) else { return .keep }
        return .reset
    }
    let others = Array(Set(members.filter { $0 != node })).sorted()
    guard others.count >= syncStandbys else { return .unsatisfiable(others: others) }
    let wanted = SynchronousStandbyNames(count: syncStandbys, standbys: others)
    return existing == wanted ? .keep : .set(wanted)
}

/// Brings this node's synchronous_standby_names in step with the members: through `session` (ALTER SYSTEM
/// and a reload) on a running server, by an atomic rewrite of postgresql.auto.conf on a stopped one.
/// Returns the value the node should now run with (nil: asynchronous, or left to the admin).
@discardableResult
func keepSynchronousStandbys(_ resource: Resource, members: [String], session: Session?,
                             context: ActionContext) throws(AgentError) -> SynchronousStandbyNames? {
    let path = resource.dataDirectory.file(RecoveryConfiguration.File.autoConf)
    let fileText = try resource.dataDirectory.files.read(path) ?? ""
    let current = ConfigFile.value(of: "synchronous_standby_names", in: fileText)
    let change = synchronousSettingChange(syncStandbys: resource.parameters.syncStandbys, node: resource.node,
                                          members: members, current: current)
    let wanted: SynchronousStandbyNames?
    switch change {
    case .keep:
        return resource.parameters.syncStandbys > 0 ? current.flatMap { SynchronousStandbyNames(setting: $0) } : nil
    case .unsatisfiable(let others):
        context.log.error("sync_standbys=\(resource.parameters.syncStandbys) but the other members are [\(others.joined(separator: " "))]: synchronous_standby_names left as it is")
        return nil
    case .set(let names):
        wanted = names
    case .reset:
        wanted = nil
    }
    if let session {
        if let wanted {
            try session.query("ALTER SYSTEM SET synchronous_standby_names = \(try session.literal(wanted.setting))")
        } else {
            try session.query("ALTER SYSTEM RESET synchronous_standby_names")
        }
        try session.query("SELECT pg_reload_conf()")
    } else {
        try resource.dataDirectory.files.writeAtomically(
            path, ConfigFile.rewrite(fileText, setting: [("synchronous_standby_names", wanted?.setting)]))
    }
    if let wanted {
        context.log.info("synchronous_standby_names = '\(wanted)' (was '\(current ?? "")'): commits wait for \(wanted.count) of the other members")
    } else {
        context.log.info("synchronous_standby_names '\(current ?? "")' removed: sync_standbys=0, replication is asynchronous")
    }
    return wanted
}

/// After a reload the postmaster forks new backends with the new value only once it has handled the
/// signal: wait until a fresh session reports `wanted`, so that a commit after this returns waits.
func waitForSynchronousSetting(_ wanted: SynchronousStandbyNames, resource: Resource) -> Bool {
    resource.deadline.waitUntil(atMost: 5, interval: 0.1) {
        guard let session = try? resource.connect(),
              let value = try? session.value("SELECT current_setting('synchronous_standby_names')") else { return false }
        return SynchronousStandbyNames(setting: value) == wanted
    }
}
