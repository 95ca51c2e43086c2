#if canImport(Glibc)
import Glibc
#endif

/// Facts read straight from a data directory's files, without starting anything.
public struct DataDirectory: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public func file(_ name: String) -> String { path + "/" + name }

    public var exists: Bool { FileSystem.isDirectory(path) }

    /// The names in the directory, nil when it cannot be read (missing, not a directory).
    public var entries: [String]? {
        guard let directory = opendir(path) else { return nil }
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

    public var contents: DataDirectoryContents {
        DataDirectoryContents.classify(entries: exists ? entries : nil)
    }

    /// The major version from PG_VERSION, nil when there is none.
    public var version: ServerVersion? {
        FileSystem.read(file("PG_VERSION")).flatMap { ServerVersion(pgVersionFile: $0) }
    }

    /// What is left of a postmaster killed moments ago that keeps a new one from starting: the process
    /// itself until its parent reaps it (PostgreSQL counts a zombie as running), and its children, attached
    /// to its shared memory until they notice it is gone. nil when nothing is left.
    public var leftoversOfPreviousServer: String? {
        guard let text = FileSystem.read(file("postmaster.pid")) else { return nil }
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
        guard let text = FileSystem.read(file("postmaster.pid")),
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
