#if canImport(Glibc)
import Glibc
#endif

/// Facts read straight from a data directory's files, without starting anything. The directory is the
/// system user's: everything in it is read through `files`, as that user.
public struct DataDirectory: Sendable {
    public let path: String
    public let files: SystemUserFiles

    public init(path: String, owner: SystemUser) {
        self.path = path
        files = SystemUserFiles(user: owner)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    /// The directory itself may be a link (a data directory moved to another disk, as root sets it up);
    /// what is inside is never followed.
    public var exists: Bool { FileSystem.isDirectory(path) }

    /// The names in the directory, nil when it cannot be read (missing, not a directory).
    public var entries: [String]? { (try? files.entries(path + "/.")) ?? nil }

    public var contents: DataDirectoryContents {
        DataDirectoryContents.classify(entries: exists ? entries : nil)
    }

    /// The major version from PG_VERSION, nil when there is none.
    public var version: ServerVersion? {
        files.readIfPossible(file("PG_VERSION")).flatMap { ServerVersion(pgVersionFile: $0) }
    }

    /// What is left of a postmaster killed moments ago that keeps a new one from starting: the process
    /// itself until its parent reaps it (PostgreSQL counts a zombie as running), and its children, attached
    /// to its shared memory until they notice it is gone. nil when nothing is left.
    public var leftoversOfPreviousServer: String? {
        guard let text = files.readIfPossible(file("postmaster.pid")) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingWhitespace }
        if let pid = lines.first.flatMap({ pid_t($0) }), pid > 0, kill(pid, 0) == 0 || errno == EPERM,
           let comm = FileSystem.read("/proc/\(pid)/comm"), comm.hasPrefix("postgres") || comm.hasPrefix("postmaster") {
            return "process \(pid) of the previous postmaster"
        }
        // Line 7: the shared memory key and id; /proc/sysvipc/shm: key shmid perms size cpid lpid nattch ...
        if lines.count > 6, let id = lines[6].split(separator: " ").last.map(String.init), Int(id) != nil,
           let table = FileSystem.read("/proc/sysvipc/shm") {
            for row in table.split(separator: "\n").dropFirst() {
                let fields = row.split(separator: " ")
                if fields.count > 6, fields[1] == id, let attached = Int(fields[6]), attached > 0 {
                    return "\(attached) process\(attached == 1 ? "" : "es") still attached to the previous postmaster's shared memory"
                }
            }
        }
        return nil
    }

    /// The postmaster's pid when postmaster.pid names a live postgres process. A stale file (left by a
    /// crash, or naming a pid now reused by something else) gives nil.
    public var runningPostmasterPID: pid_t? {
        guard let text = files.readIfPossible(file("postmaster.pid")),
              let first = text.split(separator: "\n").first, let pid = pid_t(first.trimmingWhitespace), pid > 0
        else { return nil }
        guard kill(pid, 0) == 0 || errno == EPERM else { return nil }
        // A pid reused after a reboot or crash must not count as our postmaster, nor a killed postmaster
        // that its parent has not reaped yet (a zombie: state Z in /proc/<pid>/stat, after "(comm) ").
        if let comm = FileSystem.read("/proc/\(pid)/comm"), !comm.hasPrefix("postgres"), !comm.hasPrefix("postmaster") {
            return nil
        }
        if let stat = FileSystem.read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")"),
           stat[close...].dropFirst(2).first == "Z" {
            return nil
        }
        return pid
    }
}
