#if canImport(Glibc)
import Glibc
#endif

/// The few file operations the agent needs on plain paths, without Foundation: for places root owns
/// (HA_RSCTMP, /proc). Files in the system user's directories go through `SystemUserFiles`.
public enum FileSystem {
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The file's content, nil when it cannot be read.
    public static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Replaces `path` with `content` so that a crash leaves either the old file or the new one, never a
    /// mix: a new temporary file beside it (`O_EXCL`, a random name: nothing planted under a predictable
    /// one is ever opened), fsync, mode, rename over the name (a link there is replaced, not followed),
    /// fsync of the directory.
    public static func writeAtomically(_ path: String, _ content: String, mode: mode_t = 0o600) throws(AgentError) {
        let directory = parent(of: path)
        var temporary = ""
        var fd: Int32 = -1
        for _ in 0..<8 {
            temporary = "\(path).pgha-\(UInt64.random(in: 0...UInt64.max)).tmp"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw .fileWrite(path: temporary, errno: errno) }
        var failure: Int32 = 0
        let bytes = Array(content.utf8)
        var written = 0
        while written < bytes.count && failure == 0 {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 { if errno != EINTR { failure = errno } } else { written += count }
        }
        if failure == 0, fchmod(fd, mode) != 0 { failure = errno }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        guard failure == 0 else {
            unlink(temporary)
            throw .fileWrite(path: path, errno: failure)
        }
        syncDirectory(directory)
    }

    /// Removes `path` if it exists and makes the removal durable.
    public static func remove(_ path: String) throws(AgentError) {
        guard exists(path) else { return }
        guard unlink(path) == 0 else { throw .fileWrite(path: path, errno: errno) }
        syncDirectory(parent(of: path))
    }

    public static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Creates the missing directories of `path` as root (mode 0755). An existing component that is a
    /// symbolic link is followed only when root owns it (Debian links configuration that way): one owned
    /// by anyone else could point anywhere and is refused.
    public static func makeTrustedDirectories(_ path: String) throws(AgentError) {
        var info = stat()
        if lstat(path, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFLNK {
                guard info.st_uid == 0 else { throw .untrustedPath(path: path, why: "is a symbolic link root does not own") }
                guard isDirectory(path) else { throw .untrustedPath(path: path, why: "does not lead to a directory") }
                return
            }
            guard (info.st_mode & S_IFMT) == S_IFDIR else { throw .untrustedPath(path: path, why: "is not a directory") }
            return
        }
        guard path != "/", !path.isEmpty else { return }
        try makeTrustedDirectories(parent(of: path))
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw .fileWrite(path: path, errno: errno) }
    }

    /// Creates the directory `path` as root and gives it to `owner`, mode 0700 (a data directory in a
    /// root-owned parent). Owner and mode are set on the descriptor opened without following a link, never
    /// on the name: a link planted there meanwhile is refused, not chowned.
    public static func makeOwnedDirectory(_ path: String, owner: SystemUser) throws(AgentError) {
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw .fileWrite(path: path, errno: errno) }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ELOOP || errno == ENOTDIR { throw .untrustedPath(path: path, why: "is not a directory") }
            throw .fileWrite(path: path, errno: errno)
        }
        defer { close(fd) }
        if geteuid() == 0, fchown(fd, owner.uid, owner.gid) != 0 { throw .fileWrite(path: path, errno: errno) }
        guard fchmod(fd, 0o700) == 0 else { throw .fileWrite(path: path, errno: errno) }
    }

    /// Creates `path` and its parents with `mode` when missing.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) {
        guard !path.isEmpty, !isDirectory(path) else { return }
        makeDirectories(parent(of: path), mode: mode)
        mkdir(path, mode)
    }
}
