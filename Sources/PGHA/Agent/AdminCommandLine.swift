#if canImport(Glibc)
import Glibc
#endif

/// The words that send `pgha` to its admin commands instead of the OCF entry point. Everything else, and
/// every action Pacemaker sends, goes to `runAgent` untouched.
///
/// The admin commands live in a second executable, `pgha-admin`: they parse options with
/// swift-argument-parser, which links Foundation, and a binary that carries it costs about 0.3 ms more CPU
/// at every start, monitor included.
public enum AdminCommandLine {
    public static let words: Set<String> = ["status", "switchover", "--help", "-h", "--version", "help"]

    public static func handles(_ arguments: [String]) -> Bool {
        guard let first = arguments.first else { return false }
        return words.contains(first)
    }

    /// Where pgha-admin is looked for: beside this binary (a build directory), then where `make install`
    /// and the package put it.
    public static func adminCandidates(executable: String?) -> [String] {
        var candidates: [String] = []
        if let executable { candidates.append(FileSystem.parent(of: executable) + "/pgha-admin") }
        return candidates + ["/usr/lib/pgha/pgha-admin", "/usr/local/lib/pgha/pgha-admin"]
    }

    /// Replaces this process with pgha-admin; returns only when none can be run (exit status 2).
    public static func execAdmin(_ arguments: [String]) -> Int32 {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let executable = length > 0 ? String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
        let candidates = adminCandidates(executable: executable)
        for path in candidates where ChildProcess.isExecutable(path) {
            let argv = ([path] + arguments).map { strdup($0) } + [nil]
            execv(path, argv)
            argv.forEach { free($0) }
        }
        let message = "pgha: the admin commands need pgha-admin, not found in \(candidates.joined(separator: ", "))\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        return 2
    }
}
