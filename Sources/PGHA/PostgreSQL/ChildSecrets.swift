#if canImport(Glibc)
import Glibc
#endif

/// The secrets of a connection string, placed where a child program of the system user's reads them and
/// nobody else does (see `Conninfo.ForChild`): its environment, and when needed a service file, mode
/// 0600 in a directory of its own (mode 0700, a random name made by mkdtemp), both created as the system
/// user. `remove()` deletes them once the child is done.
struct ChildSecrets {
    let conninfo: String
    let environment: [String: String]
    private let directory: String?
    private let user: SystemUser

    init(conninfo text: String, user: SystemUser) throws(AgentError) {
        let split = try Conninfo.forChildProcess(text)
        self.user = user
        conninfo = split.conninfo
        guard let serviceFile = split.serviceFile else {
            environment = split.environment
            directory = nil
            return
        }
        let made: String = try user.actingAs { () throws(AgentError) -> String in
            var template = Array("/tmp/pgha-secrets.XXXXXX".utf8CString)
            guard let path = mkdtemp(&template) else { throw .fileWrite(path: "/tmp/pgha-secrets.XXXXXX", errno: errno) }
            return String(cString: path)
        }
        directory = made
        let file = made + "/service"
        do {
            try user.actingAs { () throws(AgentError) in
                let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw .fileWrite(path: file, errno: errno) }
                defer { close(fd) }
                let bytes = Array(serviceFile.utf8)
                guard write(fd, bytes, bytes.count) == bytes.count else { throw .fileWrite(path: file, errno: errno) }
            }
        } catch {
            Self.remove(made, as: user)
            throw error
        }
        environment = split.environment.merging(["PGSERVICEFILE": file, "PGSERVICE": Conninfo.childService]) { $1 }
    }

    /// Deletes the service file and its directory, if any; as the system user, never following a link.
    func remove() {
        if let directory { Self.remove(directory, as: user) }
    }

    private static func remove(_ directory: String, as user: SystemUser) {
        _ = try? user.actingAs { () throws(AgentError) in
            unlink(directory + "/service")
            rmdir(directory)
        }
    }
}
