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

    /// A connection string as a child program (pg_basebackup, pg_rewind) gets it: its argument vector is
    /// world-readable in /proc, so the secrets travel apart. The password through PGPASSWORD; the client
    /// key's passphrase (`sslpassword`), which libpq reads from no environment variable, through a service
    /// file (`[pgha]` section, named by PGSERVICEFILE and PGSERVICE) that `ChildSecrets` writes.
    public struct ForChild: Equatable, Sendable {
        public var conninfo: String
        public var environment: [String: String]
        /// The service file's text, nil when no secret needs one.
        public var serviceFile: String?
    }

    /// The section of the service file `ForChild` asks for.
    public static let childService = "pgha"

    /// Pure: splits the secrets off `text` (see `ForChild`). A service file line is its value to the end of
    /// the line, unquoted: an sslpassword with a line break or white space at either end cannot be written
    /// there, and is refused rather than put in argv.
    public static func forChildProcess(_ text: String) throws(AgentError) -> ForChild {
        guard let pairs = try? parse(text), pairs.contains(where: { secretKeywords.contains($0.0) }) else {
            return ForChild(conninfo: text, environment: [:], serviceFile: nil)
        }
        var environment: [String: String] = [:]
        if let password = pairs.last(where: { $0.0 == "password" })?.1 { environment["PGPASSWORD"] = password }
        var serviceFile: String?
        if let passphrase = pairs.last(where: { $0.0 == "sslpassword" })?.1 {
            guard !passphrase.contains(where: \.isNewline), passphrase.trimmingWhitespace == passphrase else {
                throw .invalidParameter(name: "replication_options", value: "sslpassword=***",
                                        why: "an sslpassword with a line break or white space at either end cannot reach pg_basebackup or pg_rewind outside their argument vector")
            }
            // A service the admin named would take the place of ours (the keyword wins over PGSERVICE).
            guard !pairs.contains(where: { $0.0 == "service" }) else {
                throw .invalidParameter(name: "replication_options", value: "service=...",
                                        why: "with sslpassword, the agent passes it to pg_basebackup and pg_rewind through a service file of its own: put the service's settings in replication_options instead")
            }
            serviceFile = "[\(childService)]\nsslpassword=\(passphrase)\n"
        }
        return ForChild(conninfo: build(pairs.filter { !secretKeywords.contains($0.0) }), environment: environment,
                        serviceFile: serviceFile)
    }

    /// The value of `keyword` in a connection string, nil when absent or unparsable.
    public static func value(of keyword: String, in text: String) -> String? {
        (try? parse(text))?.last { $0.0 == keyword }?.1
    }
}
