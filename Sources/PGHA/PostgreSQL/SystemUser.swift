import CPosix
#if canImport(Glibc)
import Glibc
#endif

/// The operating system user PostgreSQL runs as, and the identity switches the agent makes to act as it.
public struct SystemUser: Sendable, Equatable {
    public let name: String
    public let uid: uid_t
    public let gid: gid_t
    public let home: String
    /// The user's groups, as a login gives them: while the agent acts as the user it holds these and no
    /// group of root's.
    public let groups: [gid_t]

    public init(name: String) throws(AgentError) {
        guard let entry = getpwnam(name) else { throw .unknownSystemUser(name) }
        self.name = name
        uid = entry.pointee.pw_uid
        gid = entry.pointee.pw_gid
        home = String(cString: entry.pointee.pw_dir)
        var count: Int32 = 32
        var list = [gid_t](repeating: 0, count: Int(count))
        while getgrouplist(name, gid, &list, &count) < 0 {
            list = [gid_t](repeating: 0, count: Int(count) + 1)
            count = Int32(list.count)
        }
        groups = Array(list.prefix(Int(count)))
    }

    /// True when the agent must switch identity to act as this user (it runs as root).
    public var needsSwitch: Bool { geteuid() != uid }

    /// Runs `body` with the effective uid and gid of this user, then switches back. Peer
    /// authentication reads the uid at `connect()`, so the connection is opened inside `body`.
    public func asEffectiveUser<T>(_ body: () throws -> T) throws -> T {
        let switched = try switchToUser()
        defer { if switched { switchBack() } }
        return try body()
    }

    /// The same, for a body that throws only `AgentError`.
    public func actingAs<T>(_ body: () throws(AgentError) -> T) throws(AgentError) -> T {
        let switched = try switchToUser()
        defer { if switched { switchBack() } }
        return try body()
    }

    /// Root's own groups, read before the first switch, to take back after acting as the user.
    private static let rootGroups: [gid_t] = {
        let count = getgroups(0, nil)
        var list = [gid_t](repeating: 0, count: Int(max(0, count)))
        let read = getgroups(count, &list)
        return Array(list.prefix(Int(max(0, read))))
    }()

    /// True when this call switched (and must switch back); false when the thread already acts as the
    /// user (the agent run as system_user, or a call nested in another).
    private func switchToUser() throws(AgentError) -> Bool {
        guard needsSwitch else { return false }
        guard getuid() == 0 else {
            throw .notPermitted("the agent runs as uid \(getuid()), neither root nor system_user '\(name)'")
        }
        let rootGroups = Self.rootGroups
        // This thread only (the agent has no other; a test runner does).
        guard pgha_thread_become(Int32(uid), Int32(gid), Int32(groups.count), groups) == 0 else {
            let failure = errno
            _ = pgha_thread_become_root(Int32(rootGroups.count), rootGroups)
            throw .notPermitted("could not switch to system_user '\(name)' (errno \(failure))")
        }
        return true
    }

    private func switchBack() {
        let rootGroups = Self.rootGroups
        _ = pgha_thread_become_root(Int32(rootGroups.count), rootGroups)
    }
}
