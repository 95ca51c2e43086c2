import Testing
@testable import PGHA

@Suite("PacemakerXML")
struct PacemakerXMLTests {
    @Test("elements, attributes in either quote, self-closing tags, text")
    func basics() throws {
        let xml = try PacemakerXML(parsing: "<a x=\"1\" y='two'><b/><c>text</c><b z=\"3\"></b></a>")
        #expect(xml.root.name == "a")
        #expect(xml.root["x"] == "1" && xml.root["y"] == "two")
        #expect(xml.root.children(named: "b").count == 2)
        #expect(xml.root.child("c")?.text == "text")
        #expect(xml.root.children(named: "b")[1]["z"] == "3")
    }

    @Test("the declaration, a DOCTYPE, comments and CDATA are read past")
    func markup() throws {
        let xml = try PacemakerXML(parsing: """
            <?xml version="1.0"?>
            <!DOCTYPE r SYSTEM "x.dtd" [ <!ENTITY e "v"> ]>
            <!-- before -->
            <r><!-- a > inside --><s><![CDATA[<not a tag>]]></s></r>
            <!-- after -->
            """)
        #expect(xml.root.name == "r")
        #expect(xml.root.children.map(\.name) == ["s"])
        #expect(xml.root.child("s")?.text == "<not a tag>")
    }

    @Test("entities in values are decoded")
    func entities() throws {
        let xml = try PacemakerXML(parsing: #"<a v="&lt;x&gt; &amp; &quot;q&quot; &apos;s&apos; &#65;&#x42;"/>"#)
        #expect(xml.root["v"] == "<x> & \"q\" 's' AB")
    }

    @Test("descendants are found at any depth, in document order")
    func descendants() throws {
        let xml = try PacemakerXML(parsing: "<a><n i='1'><n i='2'/></n><m><n i='3'/></m></a>")
        #expect(xml.root.descendants(named: "n").map { $0["i"] } == ["1", "2", "3"])
    }

    @Test("broken documents are errors, not partial trees",
          arguments: ["", "<a>", "<a></b>", "<a x=1/>", "<a x='1/>", "<a/><b/>", "text", "<a v='&bogus;'/>"])
    func broken(text: String) {
        #expect(throws: PacemakerXML.SyntaxError.self) { try PacemakerXML(parsing: text) }
    }

    @Test("the lab's samples parse")
    func samples() throws {
        #expect(try PacemakerXML(parsing: StatusFixtures.cib).root.name == "cib")
        #expect(try PacemakerXML(parsing: StatusFixtures.crmMon).root.name == "pacemaker-result")
    }
}
