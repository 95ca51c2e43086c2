#if canImport(Glibc)
import Glibc
#endif

/// The one door to files the system user controls: the data directory and what it holds, the
/// configuration directory, the clone directories, the server's log file.
///
/// The agent runs as root there, and anyone who runs code as the system user (every PostgreSQL superuser
/// can: `COPY ... TO PROGRAM`) can plant a symbolic link, a FIFO or a file there at any moment. So every
/// operation here runs with the system user's identity (effective uid, gid and groups of this thread,
/// `SystemUser.actingAs`): whatever was planted, through any component of the path, root does nothing the
/// user could not do itself. That one rule covers every path, where descriptor tricks (`openat`,
/// `O_NOFOLLOW`) protect only the components they are applied to. On top of it the last component is
/// never followed: a planted link is an error naming it, and what it points at is not opened. Files that
/// the user creates this way are the user's without a chown; temporary names are unpredictable and
/// created with `O_EXCL`.
public struct SystemUserFiles: Sendable {
    public let user: SystemUser

    public init(user: SystemUser) { self.user = user }

    /// The content of a regular file, nil when there is none at `path`. Throws when `path` is a symbolic
    /// link or not a regular file (a FIFO would block the agent), or cannot be read.
    public func read(_ path: String) throws(AgentError) -> String? {
        try user.actingAs { () throws(AgentError) -> String? in
            // O_NONBLOCK: opening a planted FIFO must not wait for a writer.
            let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else {
                if errno == ENOENT { return nil }
                throw Self.failure(path, errno)
            }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw .fileRead(path: path, errno: errno) }
            guard (info.st_mode & S_IFMT) == S_IFREG else { throw .untrustedPath(path: path, why: "is not a regular file") }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let count = Glibc.read(fd, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count < 0 { throw .fileRead(path: path, errno: errno) }
                if count == 0 { break }
                bytes.append(contentsOf: buffer[0..<count])
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Like `read`, nil also when the file cannot be read: for facts the agent can do without
    /// (postmaster.pid, PG_VERSION, the server's log).
    public func readIfPossible(_ path: String) -> String? {
        (try? read(path)) ?? nil
    }

    /// Replaces `path` with `content` atomically (`FileSystem.writeAtomically`), as the system user: the
    /// file is the user's without a chown.
    public func writeAtomically(_ path: String, _ content: String, mode: mode_t = 0o600) throws(AgentError) {
        try user.actingAs { () throws(AgentError) in try FileSystem.writeAtomically(path, content, mode: mode) }
    }

    /// Removes the entry `path` (a link itself, never what it points at), if there is one, durably.
    public func remove(_ path: String) throws(AgentError) {
        try user.actingAs { () throws(AgentError) in
            guard unlink(path) == 0 else {
                if errno == ENOENT { return }
                throw .fileWrite(path: path, errno: errno)
            }
            FileSystem.syncDirectory(FileSystem.parent(of: path))
        }
    }

    /// Renames the entry `from` to `to` (names, not what links point at).
    public func rename(_ from: String, to: String) throws(AgentError) {
        try user.actingAs { () throws(AgentError) in
            guard Glibc.rename(from, to) == 0 else { throw .fileWrite(path: to, errno: errno) }
        }
    }

    /// What is at `path`, without following a link there.
    public enum Kind: Equatable, Sendable { case missing, directory, symbolicLink, other }

    public func kind(_ path: String) -> Kind {
        (try? user.actingAs { () throws(AgentError) -> Kind in
            var info = stat()
            guard lstat(path, &info) == 0 else { return errno == ENOENT ? .missing : .other }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: return .directory
            case S_IFLNK: return .symbolicLink
            default: return .other
            }
        }) ?? .other
    }

    /// The names in a directory (not `.` and `..`), nil when there is none at `path`. Throws when `path`
    /// is a symbolic link or cannot be read.
    public func entries(_ path: String) throws(AgentError) -> [String]? {
        try user.actingAs { () throws(AgentError) -> [String]? in
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else {
                if errno == ENOENT { return nil }
                throw Self.failure(path, errno)
            }
            guard let directory = fdopendir(fd) else {
                close(fd)
                throw .fileRead(path: path, errno: errno)
            }
            defer { closedir(directory) }
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
                }
                if name != "." && name != ".." { names.append(name) }
            }
            return names
        }
    }

    /// Removes the empty directory `path` (a link there is refused, not followed).
    public func removeDirectory(_ path: String) throws(AgentError) {
        try user.actingAs { () throws(AgentError) in
            guard rmdir(path) == 0 else {
                throw errno == ENOTDIR ? .untrustedPath(path: path, why: "is not a directory") : .fileWrite(path: path, errno: errno)
            }
        }
    }

    /// Creates the directory `path` (mode 0700, as PostgreSQL wants its data directory), or checks that
    /// the one there is a real directory and sets its mode.
    public func makeDirectory(_ path: String) throws(AgentError) {
        try user.actingAs { () throws(AgentError) in
            if mkdir(path, 0o700) != 0 && errno != EEXIST { throw .fileWrite(path: path, errno: errno) }
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw Self.failure(path, errno) }
            defer { close(fd) }
            guard fchmod(fd, 0o700) == 0 else { throw .fileWrite(path: path, errno: errno) }
        }
    }

    /// Makes what `path`'s directory holds durable.
    public func syncDirectory(_ path: String) {
        _ = try? user.actingAs { () throws(AgentError) in FileSystem.syncDirectory(path) }
    }

    /// ELOOP from O_NOFOLLOW means a link where the agent expects a file or directory of the system
    /// user's; ENOTDIR from O_DIRECTORY, something else than a directory (or a link to one).
    private static func failure(_ path: String, _ code: Int32, writing: Bool = false) -> AgentError {
        if code == ELOOP { return .untrustedPath(path: path, why: "is a symbolic link") }
        if code == ENOTDIR { return .untrustedPath(path: path, why: "is not a directory") }
        return writing ? .fileWrite(path: path, errno: code) : .fileRead(path: path, errno: code)
    }
}
