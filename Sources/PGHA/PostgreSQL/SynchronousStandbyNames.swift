/// `synchronous_standby_names` in the quorum form the agent writes: `ANY k ("n2", "n3")`. Every commit
/// then waits until k of the named standbys (matched by application_name, which the agent sets to the node
/// name) have flushed it.
public struct SynchronousStandbyNames: Equatable, Sendable, CustomStringConvertible {
    /// k: how many of `standbys` must flush a commit.
    public let count: Int
    /// The standbys' application names, sorted so that equal sets compare equal.
    public let standbys: [String]

    public init(count: Int, standbys: [String]) {
        self.count = count
        self.standbys = Array(Set(standbys)).sorted()
    }

    /// The setting's text. Names are double-quoted (a quote inside doubled): node names may hold
    /// characters the setting's parser would otherwise take for syntax, such as '-' or '.'.
    public var setting: String {
        "ANY \(count) (" + standbys.map { "\"" + $0.replacingAll("\"", with: "\"\"") + "\"" }.joined(separator: ", ") + ")"
    }

    public var description: String { setting }

    /// Parses `ANY k (a, "b", ...)`; nil for every other form (empty, `*`, FIRST, a bare list): those are
    /// not the agent's.
    public init?(setting text: String) {
        var rest = Substring(text).drop { $0 == " " }
        guard rest.prefix(3).uppercased() == "ANY" else { return nil }
        rest = rest.dropFirst(3).drop { $0 == " " }
        let digits = rest.prefix { $0.isNumber }
        guard let count = Int(digits) else { return nil }
        rest = rest.dropFirst(digits.count).drop { $0 == " " }
        guard rest.first == "(", rest.last == ")" else { return nil }
        rest = rest.dropFirst().dropLast()
        var names: [String] = []
        var name = ""
        var quoted = false
        var chars = rest[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { name.append("\""); chars = chars.dropFirst() } else { quoted = false }
                } else {
                    name.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                names.append(name)
                name = ""
            } else if c != " " {
                name.append(c)
            }
        }
        guard !quoted else { return nil }
        names.append(name)
        guard !names.contains(where: \.isEmpty) else { return nil }
        self.init(count: count, standbys: names)
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for c in self { if c == target { result += replacement } else { result.append(c) } }
        return result
    }
}
