/// PostgreSQL's `name = 'value'` configuration syntax (postgresql.auto.conf, recovery.conf):
/// enough of it to read the settings the agent owns and rewrite them without touching the rest.
public enum ConfigFile {
    /// Quotes a string value as the server's configuration parser reads it back.
    public static func quote(_ value: String) -> String {
        var quoted = "'"
        for c in value {
            switch c {
            case "'": quoted += "''"
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            default: quoted.append(c)
            }
        }
        return quoted + "'"
    }

    /// The settings in `text`, in order; later lines win when read into a dictionary.
    public static func settings(in text: String) -> [(name: String, value: String)] {
        text.split(separator: "\n", omittingEmptySubsequences: true).compactMap { parseLine(Substring($0)) }
    }

    public static func value(of name: String, in text: String) -> String? {
        settings(in: text).last { $0.name == name }?.value
    }

    /// Returns `text` with every line setting one of `settings` removed and the new values appended
    /// (a nil value removes the setting); other lines and comments are kept as they were.
    public static func rewrite(_ text: String, setting settings: [(String, String?)]) -> String {
        let names = Set(settings.map(\.0))
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        lines.removeAll { line in parseLine(Substring(line)).map { names.contains($0.name) } ?? false }
        for (name, value) in settings {
            if let value { lines.append("\(name) = \(quote(value))") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func parseLine(_ line: Substring) -> (name: String, value: String)? {
        var rest = line.drop { $0 == " " || $0 == "\t" }
        guard let first = rest.first, first != "#" else { return nil }
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
        guard !name.isEmpty else { return nil }
        rest = rest.dropFirst(name.count).drop { $0 == " " || $0 == "\t" }
        if rest.first == "=" { rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" } }
        if rest.first == "'" {
            var value = ""
            var chars = rest.dropFirst()
            while let c = chars.first {
                chars = chars.dropFirst()
                if c == "'" {
                    if chars.first == "'" { value.append("'"); chars = chars.dropFirst(); continue }
                    return (name.lowercased(), value)
                }
                if c == "\\", let next = chars.first {
                    chars = chars.dropFirst()
                    switch next {
                    case "n": value.append("\n")
                    case "t": value.append("\t")
                    default: value.append(next)
                    }
                    continue
                }
                value.append(c)
            }
            return nil
        }
        let value = rest.prefix { $0 != "#" && $0 != " " && $0 != "\t" }
        return (name.lowercased(), String(value))
    }
}
