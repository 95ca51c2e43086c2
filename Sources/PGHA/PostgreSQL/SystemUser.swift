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

    public init(name: String) throws(AgentError) {
        guard let entry = getpwnam(name) else { throw .unknownSystemUser(name) }
        self.name = name
        uid = entry.pointee.pw_uid
        gid = entry.pointee.pw_gid
        home = String(cString: entry.pointee.pw_dir)
    }

    /// True when the agent must switch identity to act as this user (it runs as root).
    public var needsSwitch: Bool { geteuid() != uid }

    /// Runs `body` with the effective uid and gid of this user, then switches back. Peer
    /// authentication reads the uid at `connect()`, so the connection is opened inside `body`.
    public func asEffectiveUser<T>(_ body: () throws -> T) throws -> T {
        guard needsSwitch else { return try body() }
        guard getuid() == 0 else {
            throw AgentError.notPermitted("the agent runs as uid \(getuid()), neither root nor system_user '\(name)'")
        }
        // This thread only (the agent has no other; a test runner does).
        guard pgha_thread_become(Int32(uid), Int32(gid)) == 0 else {
            let failure = errno
            _ = pgha_thread_become_root()
            throw AgentError.notPermitted("could not switch to system_user '\(name)' (errno \(failure))")
        }
        defer { _ = pgha_thread_become_root() }
        return try body()
    }
}
