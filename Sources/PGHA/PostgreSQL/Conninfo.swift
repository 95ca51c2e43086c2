/// libpq `keyword=value` connection strings: parsing what an admin wrote and building what a
/// standby's `primary_conninfo` gets.
public enum Conninfo {
    public struct SyntaxError: Error, Equatable {}

    /// Splits `a=1 b='x y' c=it\'s` into ordered pairs, with libpq's quoting rules.
    public static func parse(_ text: String) throws(SyntaxError) -> [(String, String)] {
        var pairs: [(String, String)] = []
        var chars = Array(text)[...]
        func skipSpaces() { while let c = chars.first, c.isWhitespace { chars = chars.dropFirst() } }
        while true {
            skipSpaces()
            guard !chars.isEmpty else { return pairs }
            var keyword = ""
            while let c = chars.first, c != "=", !c.isWhitespace { keyword.append(c); chars = chars.dropFirst() }
            skipSpaces()
            guard !keyword.isEmpty, chars.first == "=" else { throw SyntaxError() }
            chars = chars.dropFirst()
            skipSpaces()
            var value = ""
            if chars.first == "'" {
                chars = chars.dropFirst()
                var closed = false
                while let c = chars.first {
                    chars = chars.dropFirst()
                    if c == "\\" {
                        guard let next = chars.first else { throw SyntaxError() }
                        value.append(next); chars = chars.dropFirst()
                    } else if c == "'" {
                        closed = true; break
                    } else {
                        value.append(c)
                    }
                }
                guard closed else { throw SyntaxError() }
            } else {
                while let c = chars.first, !c.isWhitespace {
                    chars = chars.dropFirst()
                    if c == "\\" {
                        guard let next = chars.first else { throw SyntaxError() }
                        value.append(next); chars = chars.dropFirst()
                    } else {
                        value.append(c)
                    }
                }
            }
            pairs.append((keyword, value))
        }
    }

    /// Quotes a value only when libpq needs it (empty, spaces, quotes, backslashes).
    public static func quote(_ value: String) -> String {
        let plain = !value.isEmpty && !value.contains { $0.isWhitespace || $0 == "'" || $0 == "\\" }
        if plain { return value }
        var quoted = "'"
        for c in value {
            if c == "'" || c == "\\" { quoted.append("\\") }
            quoted.append(c)
        }
        return quoted + "'"
    }

    public static func build(_ pairs: [(String, String)]) -> String {
        pairs.map { "\($0.0)=\(quote($0.1))" }.joined(separator: " ")
    }

    /// The `primary_conninfo` of a standby named `standby` that streams from `address`:
    /// the agent's keywords first, then the admin's extra options.
    public static func primary(address: NodeAddress, standby: String, options: [(String, String)]) -> String {
        build([("host", address.host), ("port", String(address.port)), ("application_name", standby)] + options)
    }

    /// Keywords whose values are secrets: shown as `***`, never put in an argument vector.
    public static let secretKeywords: Set<String> = ["password", "sslpassword"]

    /// The connection string as it may be shown (logs, exit reasons, recorded decisions): secrets `***`.
    /// One that does not parse is shown as `masked(in:)` leaves it.
    public static func redacted(_ text: String) -> String {
        guard let pairs = try? parse(text) else { return masked(in: text) }
        return pairs.map { secretKeywords.contains($0.0) ? "\($0.0)=***" : "\($0.0)=\(quote($0.1))" }
            .joined(separator: " ")
    }

    /// Free text (a log line, a reason) with the value of every `password=` and `sslpassword=` in it
    /// replaced by `***`: the last guard before a line leaves the agent, whatever built it.
    public static func masked(in text: String) -> String {
        guard text.contains("password") else { return text }
        let chars = Array(text)
        let keyword = Array("password")
        var result = ""
        var i = 0
        while i < chars.count {
            guard i + keyword.count <= chars.count, Array(chars[i..<(i + keyword.count)]) == keyword else {
                result.append(chars[i])
                i += 1
                continue
            }
            result += "password"
            i += keyword.count
            var j = i
            while j < chars.count, chars[j] == " " { j += 1 }
            guard j < chars.count, chars[j] == "=" else { continue }
            j += 1
            while j < chars.count, chars[j] == " " { j += 1 }
            result += "=***"
            if j < chars.count, chars[j] == "'" {
                // A quoted value: up to the quote that closes it (backslash escapes).
                j += 1
                while j < chars.count {
                    if chars[j] == "\\" { j += 2; continue }
                    j += 1
                    if chars[j - 1] == "'" { break }
                }
            } else {
                while j < chars.count, !chars[j].isWhitespace, chars[j] != "'", chars[j] != "\"" { j += 1 }
            }
            i = min(j, chars.count)
        }
        return result
    }

    /// For a child program (pg_basebackup, pg_rewind): the connection string without its password, and
    /// the environment that carries it (PGPASSWORD), since an argument vector is world-readable in /proc.
    public static func forChildProcess(_ text: String) -> (conninfo: String, environment: [String: String]) {
        guard let pairs = try? parse(text), let password = pairs.last(where: { $0.0 == "password" })?.1 else {
            return (text, [:])
        }
        return (build(pairs.filter { $0.0 != "password" }), ["PGPASSWORD": password])
    }

    /// The value of `keyword` in a connection string, nil when absent or unparsable.
    public static func value(of keyword: String, in text: String) -> String? {
        (try? parse(text))?.last { $0.0 == keyword }?.1
    }
}
