#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import PGHA

/// The text of the `<parameter name="...">` element of `name`.
private func parameterElement(_ name: String, in xml: String) -> Substring? {
    guard let start = xml.firstRange(of: "<parameter name=\"\(name)\"") else { return nil }
    guard let end = xml[start.upperBound...].firstRange(of: "</parameter>") else { return nil }
    return xml[start.lowerBound..<end.upperBound]
}

/// The text between `<tag lang="en">` and `</tag>` inside `element`.
private func text(of tag: String, in element: Substring) -> Substring? {
    guard let open = element.firstRange(of: "<\(tag) lang=\"en\">"),
          let close = element[open.upperBound...].firstRange(of: "</\(tag)>")
    else { return nil }
    return element[open.upperBound..<close.lowerBound]
}

private func occurrences(of needle: String, in haystack: String) -> Int {
    haystack.ranges(of: needle).count
}

@Suite("MetaData")
struct MetaDataTests {
    let xml = MetaData.xml

    @Test("starts with the XML declaration and the DOCTYPE")
    func doctype() {
        #expect(xml.hasPrefix("<?xml version=\"1.0\"?>\n"))
        #expect(xml.contains("<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">"))
        #expect(xml.contains("<resource-agent name=\"pgha\" version=\"\(MetaData.version)\">"))
        #expect(xml.hasSuffix("</resource-agent>\n"))
    }

    @Test("the agent has a longdesc and a shortdesc")
    func agentDescriptions() throws {
        let head = try #require(xml.firstRange(of: "<parameters>")).lowerBound
        let agent = xml[..<head]
        #expect(!(text(of: "longdesc", in: agent) ?? "").trimmingWhitespace.isEmpty)
        #expect(!(text(of: "shortdesc", in: agent) ?? "").trimmingWhitespace.isEmpty)
    }

    @Test("every parameter is described, with non-empty shortdesc and longdesc",
          arguments: ParameterDefinition.all.map(\.name))
    func parameter(name: String) throws {
        let definition = try #require(ParameterDefinition.named(name))
        let element = try #require(parameterElement(name, in: xml), "no <parameter name=\"\(name)\">")
        let longdesc = try #require(text(of: "longdesc", in: element))
        let shortdesc = try #require(text(of: "shortdesc", in: element))
        #expect(!longdesc.trimmingWhitespace.isEmpty)
        #expect(!shortdesc.trimmingWhitespace.isEmpty)
        #expect(!definition.longdesc.isEmpty)
        #expect(!definition.shortdesc.isEmpty)
        #expect(element.contains("required=\"\(definition.required ? 1 : 0)\""))
        #expect(element.contains("<content type=\"\(definition.kind.rawValue)\" default=\"\(MetaData.escape(definition.defaultValue))\" />"))
        #expect(longdesc == MetaData.escape(definition.longdesc)[...])
    }

    @Test("the expected parameters, pgdata the only required one")
    func parameterList() {
        #expect(ParameterDefinition.all.map(\.name) == [
            "pgdata", "datadir", "bindir", "pghost", "pgport", "system_user", "start_opts", "logfile", "maxlag",
            "node_hosts", "replication_options", "rewind", "bootstrap", "sync_standbys",
        ])
        #expect(ParameterDefinition.all.filter(\.required).map(\.name) == ["pgdata"])
        #expect(occurrences(of: "<parameter name=", in: xml) == ParameterDefinition.all.count)
    }

    @Test("descriptions are escaped: no raw <version> from pgdata's text")
    func descriptionsEscaped() throws {
        let element = try #require(parameterElement("pgdata", in: xml))
        #expect(element.contains("/etc/postgresql/&lt;version&gt;/&lt;name&gt;"))
        #expect(!element.contains("<version>"))
        let startOpts = try #require(parameterElement("start_opts", in: xml))
        #expect(startOpts.contains("&quot;-c config_file="))
    }

    @Test("actions and their default timeouts", arguments: [
        "<action name=\"start\" timeout=\"60s\" />",
        "<action name=\"stop\" timeout=\"60s\" />",
        "<action name=\"promote\" timeout=\"30s\" />",
        "<action name=\"demote\" timeout=\"120s\" />",
        "<action name=\"notify\" timeout=\"60s\" />",
        "<action name=\"monitor\" timeout=\"15s\" interval=\"15s\" role=\"Promoted\" />",
        "<action name=\"monitor\" timeout=\"16s\" interval=\"16s\" role=\"Unpromoted\" />",
        "<action name=\"meta-data\" timeout=\"5s\" />",
        "<action name=\"validate-all\" timeout=\"5s\" />",
    ])
    func action(line: String) {
        #expect(xml.contains("    " + line + "\n"), "missing \(line)")
    }

    @Test("each action is listed once, monitor once per role")
    func actionCount() {
        #expect(occurrences(of: "<action name=", in: xml) == 9)
        #expect(occurrences(of: "<action name=\"monitor\"", in: xml) == 2)
    }

    @Test("escape replaces &, <, > and \"")
    func escape() {
        #expect(MetaData.escape("a & b") == "a &amp; b")
        #expect(MetaData.escape("<x>") == "&lt;x&gt;")
        #expect(MetaData.escape("say \"hi\"") == "say &quot;hi&quot;")
        #expect(MetaData.escape("&amp;") == "&amp;amp;")
        #expect(MetaData.escape("plain 'text'") == "plain 'text'")
        #expect(MetaData.escape("") == "")
    }

    @Test("the XML is well-formed", .enabled(if: ChildProcess.isExecutable("/usr/bin/xmllint")))
    func wellFormed() throws {
        var template = Array("/tmp/pgha-metadata-XXXXXX".utf8CString)
        let directory = try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
            .map { String(cString: $0) })
        defer { unlink(directory + "/meta.xml"); rmdir(directory) }
        try FileSystem.writeAtomically(directory + "/meta.xml", xml, mode: 0o644)
        let result = try ChildProcess.run("/usr/bin/xmllint", ["--noout", directory + "/meta.xml"])
        #expect(result.succeeded, "xmllint: \(result.output)")
    }
}
