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

    /// The value of `keyword` in a connection string, nil when absent or unparsable.
    public static func value(of keyword: String, in text: String) -> String? {
        (try? parse(text))?.last { $0.0 == keyword }?.1
    }
}
