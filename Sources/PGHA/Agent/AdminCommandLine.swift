/// The words that send `pgha` to its admin commands instead of the OCF entry point. Everything else, and
/// every action Pacemaker sends, goes to `runAgent` untouched.
public enum AdminCommandLine {
    public static let words: Set<String> = ["status", "--help", "-h", "--version", "help"]

    public static func handles(_ arguments: [String]) -> Bool {
        guard let first = arguments.first else { return false }
        return words.contains(first)
    }
}
