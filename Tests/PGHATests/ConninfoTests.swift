import Testing
@testable import PGHA

/// Pairs as `k=v` strings: tuples are not Equatable.
private func flat(_ pairs: [(String, String)]) -> [String] { pairs.map { "\($0.0)=\($0.1)" } }

@Suite("Conninfo")
struct ConninfoTests {
    @Test("parses plain keyword=value pairs in order")
    func parsesPlain() throws {
        let pairs = try Conninfo.parse("host=n1 port=5432 user=replicator")
        #expect(pairs.map(\.0) == ["host", "port", "user"])
        #expect(pairs.map(\.1) == ["n1", "5432", "replicator"])
    }

    @Test("tolerates extra spaces, around '=' too")
    func parsesSpaces() throws {
        let pairs = try Conninfo.parse("  host = n1\t port=5432   ")
        #expect(flat(pairs) == ["host=n1", "port=5432"])
    }

    @Test("empty and blank text are no pairs")
    func parsesEmpty() throws {
        #expect(try Conninfo.parse("").isEmpty)
        #expect(try Conninfo.parse("   \t ").isEmpty)
    }

    @Test("quoted values keep their spaces")
    func parsesQuoted() throws {
        let pairs = try Conninfo.parse("passfile='/var/lib/my dir/.pgpass' sslmode=prefer")
        #expect(flat(pairs) == ["passfile=/var/lib/my dir/.pgpass", "sslmode=prefer"])
        #expect(flat(try Conninfo.parse("password=''")) == ["password="])
    }

    @Test("backslash escapes a quote and a backslash, quoted or not")
    func parsesEscapes() throws {
        #expect(flat(try Conninfo.parse(#"password='it\'s'"#)) == ["password=it's"])
        #expect(flat(try Conninfo.parse(#"password='a\\b'"#)) == [#"password=a\b"#])
        #expect(flat(try Conninfo.parse(#"password=it\'s"#)) == ["password=it's"])
        #expect(flat(try Conninfo.parse(#"password=a\ b x=1"#)) == ["password=a b", "x=1"])
    }

    @Test("syntax errors are thrown", arguments: [
        "host",                 // no '='
        "host n1",              // no '='
        "=n1",                  // no keyword
        "host='n1",             // unterminated quote
        #"host='n1\'"#,         // escaped quote leaves it unterminated
        #"host=n1\"#,           // trailing backslash
        "host=n1 port",         // second pair without '='
    ])
    func syntaxErrors(text: String) {
        #expect(throws: Conninfo.SyntaxError.self) { try Conninfo.parse(text) }
    }

    @Test("quote leaves plain values bare")
    func quotePlain() {
        #expect(Conninfo.quote("n1") == "n1")
        #expect(Conninfo.quote("5432") == "5432")
        #expect(Conninfo.quote("/var/lib/postgresql/.pgpass") == "/var/lib/postgresql/.pgpass")
    }

    @Test("quote quotes empty, spaced, quoted and backslashed values")
    func quoteSpecial() {
        #expect(Conninfo.quote("") == "''")
        #expect(Conninfo.quote("a b") == "'a b'")
        #expect(Conninfo.quote("it's") == #"'it\'s'"#)
        #expect(Conninfo.quote(#"a\b"#) == #"'a\\b'"#)
        #expect(Conninfo.quote("-c statement_timeout=5000") == "'-c statement_timeout=5000'")
    }

    @Test("quote and parse round-trip", arguments: ["", "plain", "a b", "it's", #"back\slash"#, #"'\ both"#, " "])
    func quoteRoundTrip(value: String) throws {
        let parsed = try Conninfo.parse("k=" + Conninfo.quote(value))
        #expect(flat(parsed) == ["k=" + value])
    }

    @Test("build joins quoted pairs with spaces")
    func build() throws {
        let text = Conninfo.build([("host", "n1"), ("passfile", "/my dir/p"), ("password", "it's")])
        #expect(text == #"host=n1 passfile='/my dir/p' password='it\'s'"#)
        #expect(flat(try Conninfo.parse(text)) == ["host=n1", "passfile=/my dir/p", "password=it's"])
        #expect(Conninfo.build([]) == "")
    }

    @Test("primary puts host, port and application_name first, then the options")
    func primary() {
        let text = Conninfo.primary(address: NodeAddress(host: "10.0.0.1", port: 5433), standby: "n2",
                                    options: [("user", "replicator"), ("sslmode", "prefer")])
        #expect(text == "host=10.0.0.1 port=5433 application_name=n2 user=replicator sslmode=prefer")
    }

    @Test("primary quotes what needs it")
    func primaryQuotes() throws {
        let text = Conninfo.primary(address: NodeAddress(host: "fd00::1", port: 5432), standby: "n 2",
                                    options: [("passfile", "/a b/.pgpass")])
        #expect(text == "host=fd00::1 port=5432 application_name='n 2' passfile='/a b/.pgpass'")
        #expect(Conninfo.value(of: "application_name", in: text) == "n 2")
    }

    @Test("value(of:in:) finds a keyword, the last one when repeated")
    func valueOf() {
        let text = "host=n1 port=5433 application_name='my app'"
        #expect(Conninfo.value(of: "host", in: text) == "n1")
        #expect(Conninfo.value(of: "port", in: text) == "5433")
        #expect(Conninfo.value(of: "application_name", in: text) == "my app")
        #expect(Conninfo.value(of: "user", in: text) == nil)
        #expect(Conninfo.value(of: "host", in: "host=a host=b") == "b")
    }

    @Test("value(of:in:) is nil for unparsable text")
    func valueOfUnparsable() {
        #expect(Conninfo.value(of: "host", in: "host='n1") == nil)
        #expect(Conninfo.value(of: "host", in: "") == nil)
    }
}
