#if canImport(Glibc)
import Glibc
#endif
import CPosix

/// A finished child process: its exit status and what it printed on stdout and stderr together.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let output: String
    public var succeeded: Bool { status == 0 }
}

/// Runs programs by argument vector (never through a shell), as a given user, with a deadline.
public enum ChildProcess {
    /// Runs `path` with `arguments`. `user` nil keeps the agent's identity. The environment is
    /// `environment` plus LC_ALL=C so that the tools' messages can be parsed. On timeout the child is
    /// killed and `.timedOut` is thrown.
    public static func run(_ path: String, _ arguments: [String], as user: SystemUser? = nil,
                           environment: [String: String] = [:], workingDirectory: String = "/",
                           timeoutSeconds: Int = 60) throws(AgentError) -> ProcessResult {
        var env = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"]
        if let user { env["HOME"] = user.home; env["USER"] = user.name; env["LOGNAME"] = user.name }
        for (key, value) in environment { env[key] = value }
        let envStrings = env.map { "\($0.key)=\($0.value)" }

        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0, fcntl(fds[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(fds[1], F_SETFD, FD_CLOEXEC) == 0 else { throw .commandFailed(command: path, status: -1, output: "pipe failed") }
        let argv = [path] + arguments
        let pid: pid_t = withCStrings(argv) { argvPointers in
            withCStrings(envStrings) { envPointers in
                let switchUser = user.map { $0.needsSwitch } ?? false
                return pgha_spawn(path, argvPointers, envPointers, user?.name ?? "",
                                  switchUser ? Int32(bitPattern: user!.uid) : -1,
                                  switchUser ? Int32(bitPattern: user!.gid) : -1, workingDirectory, fds[1])
            }
        }
        close(fds[1])
        guard pid > 0 else {
            close(fds[0])
            throw .commandFailed(command: path, status: -1, output: "fork failed (errno \(errno))")
        }

        let deadline = Clock.now + Double(timeoutSeconds)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var timedOut = false
        var status: Int32 = 0
        var reaped = false
        // Reading ends at end of file, or shortly after the child exits: a process it left behind (a
        // daemon it started, a stray background job) may hold the pipe open for ever.
        var drainUntil: Double? = nil
        while true {
            let remaining = deadline - Clock.now
            if remaining <= 0 { timedOut = true; break }
            if let until = drainUntil, Clock.now >= until { break }
            var pfd = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(min(remaining, drainUntil == nil ? 0.2 : 0.05) * 1000) + 1)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 {
                if drainUntil == nil, waitpid(pid, &status, WNOHANG) == pid {
                    reaped = true
                    drainUntil = Clock.now + 0.5
                }
                continue
            }
            let count = read(fds[0], &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        close(fds[0])
        // A child that closed its output but does not exit is waited for until the deadline, no longer.
        while !reaped && !timedOut {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid || (waited < 0 && errno != EINTR) { reaped = true; break }
            if Clock.now >= deadline { timedOut = true; break }
            usleep(20_000)
        }
        if timedOut && !reaped { kill(pid, SIGKILL) }
        if !reaped { while waitpid(pid, &status, 0) < 0 && errno == EINTR {} }
        if timedOut && reaped { timedOut = false }
        let command = ([path.split(separator: "/").last.map(String.init) ?? path] + arguments.prefix(1)).joined(separator: " ")
        if timedOut { throw .timedOut("\(command) after \(timeoutSeconds) s") }
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ProcessResult(status: exitStatus, output: String(decoding: bytes, as: UTF8.self))
    }

    /// Runs and throws `.commandFailed` unless the exit status is 0.
    @discardableResult
    public static func check(_ path: String, _ arguments: [String], as user: SystemUser? = nil,
                             environment: [String: String] = [:], workingDirectory: String = "/",
                             timeoutSeconds: Int = 60) throws(AgentError) -> String {
        let result = try run(path, arguments, as: user, environment: environment,
                             workingDirectory: workingDirectory, timeoutSeconds: timeoutSeconds)
        guard result.succeeded else {
            let name = path.split(separator: "/").last.map(String.init) ?? path
            throw .commandFailed(command: ([name] + arguments.prefix(1)).joined(separator: " "),
                                 status: result.status, output: result.output)
        }
        return result.output
    }

    /// True when `path` is a file this process could execute.
    public static func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}

/// Seconds since the epoch, for facts that must survive the process (files under HA_RSCTMP).
public func wallClockSeconds() -> Int { Int(time(nil)) }

/// Monotonic seconds, for deadlines.
public enum Clock {
    public static var now: Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Polls `condition` every `interval` seconds until it is true or `timeout` passes; returns its last value.
    public static func waitUntil(timeout: Double, interval: Double = 0.2, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = now + timeout
        while true {
            if try condition() { return true }
            if now >= deadline { return false }
            usleep(UInt32(interval * 1_000_000))
        }
    }
}
