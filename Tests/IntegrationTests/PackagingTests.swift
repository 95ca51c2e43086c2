import Foundation
import Testing

/// What the package ships beside the agent says what the agent says: the committed man pages are the ones
/// `ocf/man/make-man` makes from the current `pgha meta-data` and pgha-admin's options, and the
/// configuration examples use only parameters and actions the meta-data declares. No server needed; runs
/// in well under a second.
@Suite("packaging")
struct PackagingTests {
    /// The repository, three levels above this file (Tests/IntegrationTests/PackagingTests.swift).
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func metaData() throws -> String {
        let result = try run(pghaPath, ["meta-data"])
        #expect(result.status == 0)
        return result.stdout
    }

    /// The values of `attribute` in every `<element ...>` of the meta-data, in order.
    static func attributes(_ attribute: String, of element: String, in xml: String) -> [String] {
        xml.components(separatedBy: "<\(element) ").dropFirst().compactMap { tag in
            guard let start = tag.range(of: "\(attribute)=\"") else { return nil }
            return String(tag[start.upperBound...].prefix { $0 != "\"" })
        }
    }

    @Test("doc/ocf_heartbeat_pgha.7 is what ocf/man/make-man generates from pgha meta-data")
    func manPageMatchesMetaData() throws {
        try Self.expectCommitted("doc/ocf_heartbeat_pgha.7", generatedBy: [pghaPath], from: "`\(pghaPath) meta-data`")
    }

    @Test("doc/pgha.8 is what ocf/man/make-man --admin generates from pgha-admin's options")
    func adminManPageMatchesOptions() throws {
        let admin = URL(fileURLWithPath: pghaPath).deletingLastPathComponent().appendingPathComponent("pgha-admin").path
        try Self.expectCommitted("doc/pgha.8", generatedBy: ["--admin", admin], from: "`\(admin) --experimental-dump-help`")
    }

    /// Records an issue naming the first differing line when the committed page is not what make-man
    /// writes now with `arguments`.
    static func expectCommitted(_ page: String, generatedBy arguments: [String], from source: String) throws {
        let generated = try run(repository + "/ocf/man/make-man", arguments)
        try #require(generated.status == 0, "make-man failed: \(generated.stderr)")
        let committed = try String(contentsOfFile: repository + "/" + page, encoding: .utf8)
        guard generated.stdout != committed else { return }
        let new = generated.stdout.components(separatedBy: "\n"), old = committed.components(separatedBy: "\n")
        let line = zip(old, new).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(old.count, new.count)
        Issue.record("""
            \(page) differs from the page generated from \(source) at line \(line + 1):
              committed: \(line < old.count ? old[line] : "<end of file>")
              generated: \(line < new.count ? new[line] : "<end of file>")
            run `make man` (or ocf/man/make-man \(arguments.joined(separator: " ")) \(page)) and commit the page
            """)
    }

    @Test("the examples set only parameters, and run only actions, that pgha meta-data declares",
          arguments: ["ocf/examples/pgha.crm", "ocf/examples/pgha.pcs"])
    func examplesMatchMetaData(file: String) throws {
        let xml = try Self.metaData()
        let parameters = Set(Self.attributes("name", of: "parameter", in: xml))
        let actions = Set(Self.attributes("name", of: "action", in: xml))
        let required = Self.attributes("name", of: "parameter", in: xml).filter {
            xml.contains("<parameter name=\"\($0)\" unique=\"0\" required=\"1\">")
        }
        try #require(parameters.contains("pgdata") && actions.contains("monitor"), "meta-data not understood")

        let text = try String(contentsOfFile: Self.repository + "/" + file, encoding: .utf8)
        let statements = ExampleStatement.parse(text).filter { $0.words.contains("ocf:heartbeat:pgha") }
        try #require(statements.count == 1, "\(file): expected one statement creating the pgha resource")
        let (used, operations) = statements[0].parametersAndOperations()
        #expect(!used.isEmpty, "\(file): no parameter found")
        for name in used { #expect(parameters.contains(name), "\(file): parameter \(name) is not in pgha meta-data") }
        for name in required { #expect(used.contains(name), "\(file): required parameter \(name) missing") }
        #expect(!operations.isEmpty, "\(file): no op found")
        for name in operations { #expect(actions.contains(name), "\(file): op \(name) is not an action in pgha meta-data") }
    }
}

/// One command of a crmsh or shell example, split into words as the shell would: `\`-newline joins
/// lines, `#` starts a comment, quotes keep spaces inside a word (and are removed).
struct ExampleStatement {
    var words: [String]

    static func parse(_ text: String) -> [ExampleStatement] {
        var statements: [ExampleStatement] = [], words: [String] = [], word = "", inWord = false
        var quote: Character? = nil, comment = false
        var characters = Array(text)[...]
        func endWord() { if inWord { words.append(word) }; word = ""; inWord = false }
        while let c = characters.popFirst() {
            if comment { if c == "\n" { comment = false } else { continue } }
            if let q = quote {
                if c == q { quote = nil } else { word.append(c) }
            } else if c == "\\", characters.first == "\n" {
                characters.removeFirst()
                endWord()
            } else if c == "\"" || c == "'" {
                quote = c; inWord = true
            } else if c == "#", !inWord {
                comment = true
            } else if c == "\n" || c == ";" {
                endWord()
                if !words.isEmpty { statements.append(ExampleStatement(words: words)) }
                words = []
            } else if c == " " || c == "\t" {
                endWord()
            } else {
                word.append(c); inWord = true
            }
        }
        endWord()
        if !words.isEmpty { statements.append(ExampleStatement(words: words)) }
        return statements
    }

    /// The `name=value` words after the agent (crmsh: after `params`) up to the first `op`, `meta` or
    /// clone keyword, and the action named after each `op`.
    func parametersAndOperations() -> (parameters: [String], operations: [String]) {
        guard let agent = words.firstIndex(of: "ocf:heartbeat:pgha") else { return ([], []) }
        var parameters: [String] = [], operations: [String] = [], inParameters = true
        var index = words.index(after: agent)
        while index < words.endIndex {
            let word = words[index]
            if ["op", "meta", "promotable", "clone", "utilization"].contains(word) { inParameters = false }
            if word == "op", index + 1 < words.endIndex { operations.append(words[index + 1]) }
            if inParameters, word != "params", let equals = word.firstIndex(of: "=") {
                parameters.append(String(word[..<equals]))
            }
            index += 1
        }
        return (parameters, operations)
    }
}
