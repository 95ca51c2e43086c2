#if canImport(Glibc)
import Glibc
#endif

/// Whether root may follow a path the admin configured (pgdata, datadir, bindir, logfile) without the
/// system user deciding where it leads. A symbolic link is fine where only root can change it and it
/// leads into directories only root can change (Debian links its configuration that way); one the user
/// could replace, or one that leads into a directory the user can write, is worth a warning: what root
/// reaches through it is the user's choice.
public enum PathTrust {
    /// The first reason not to trust `path`, nil when there is none. Each component is looked at with
    /// lstat as root; what the user could change is asked of the kernel with the user's identity.
    public static func concern(_ path: String, user: SystemUser) -> String? {
        var prefix = ""
        for component in path.split(separator: "/") {
            let parent = prefix.isEmpty ? "/" : prefix
            prefix += "/" + component
            var info = stat()
            guard lstat(prefix, &info) == 0 else { return nil }
            guard (info.st_mode & S_IFMT) == S_IFLNK else { continue }
            if info.st_uid == user.uid || writable(parent, by: user) {
                return "\(prefix) is a symbolic link that system_user \(user.name) can replace"
            }
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            guard realpath(prefix, &target) != nil else { return nil }
            let resolved = String(cString: target)
            let directory = FileSystem.isDirectory(resolved) ? resolved : FileSystem.parent(of: resolved)
            if writable(directory, by: user) {
                return "\(prefix) is a symbolic link into \(directory), which system_user \(user.name) can write"
            }
        }
        return nil
    }

    private static func writable(_ directory: String, by user: SystemUser) -> Bool {
        (try? user.actingAs { () throws(AgentError) -> Bool in access(directory, W_OK) == 0 }) ?? false
    }
}
