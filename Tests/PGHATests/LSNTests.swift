import Testing
@testable import PGHA

@Suite("LSN")
struct LSNTests {
    @Test("parses PostgreSQL's X/Y form")
    func parsesValid() throws {
        let lsn = try #require(LSN("16/B374D848"))
        #expect(lsn.value == 0x16_B374_D848)
        #expect(LSN("0/0")?.value == 0)
        #expect(LSN("FFFFFFFF/FFFFFFFF")?.value == UInt64.max)
        #expect(LSN("0/5000120")?.value == 0x500_0120)
    }

    @Test("parses lower-case hex digits")
    func parsesLowercase() {
        #expect(LSN("16/b374d848") == LSN("16/B374D848"))
        #expect(LSN("a/bc")?.value == (0xA << 32 | 0xBC))
    }

    @Test("rejects malformed text", arguments: [
        "",                      // nothing
        "16B374D848",            // missing slash
        "/B374D848",             // empty high part
        "16/",                   // empty low part
        "/",                     // both empty
        "1/2/3",                 // two slashes
        "123456789/0",           // more than 8 hex digits, high
        "0/123456789",           // more than 8 hex digits, low
        "G/0",                   // non-hex
        "0/XYZ",                 // non-hex
        "0x1/0",                 // 0x prefix is not PostgreSQL's form
        " 0/1",                  // leading space
        "0/1 ",                  // trailing space
    ])
    func rejectsInvalid(text: String) {
        #expect(LSN(text) == nil, "LSN(\"\(text)\") should be nil")
    }

    @Test("sign characters are not hex digits", arguments: ["+1/0", "0/+1", "-0/0"])
    func rejectsSigns(text: String) {
        // PostgreSQL's pg_lsn_in accepts only [0-9a-fA-F] on either side of the slash.
        #expect(LSN(text) == nil, "LSN(\"\(text)\") should be nil")
    }

    @Test("description is upper-case X/Y and round-trips", arguments: [
        "0/0", "0/5000120", "16/B374D848", "FFFFFFFF/FFFFFFFF", "1/0",
    ])
    func descriptionRoundTrip(text: String) throws {
        let lsn = try #require(LSN(text))
        #expect(lsn.description == text)
        #expect(LSN(lsn.description) == lsn)
    }

    @Test("description drops leading zeros and upper-cases")
    func descriptionNormalises() {
        #expect(LSN("000016/00b374d8")?.description == "16/B374D8")
        #expect(LSN(0x1_0000_0000).description == "1/0")
    }

    @Test("orders by value, high part first")
    func ordering() throws {
        let a = try #require(LSN("0/FFFFFFFF"))
        let b = try #require(LSN("1/0"))
        let c = try #require(LSN("1/1"))
        #expect(a < b)
        #expect(b < c)
        #expect(!(c < a))
        #expect([c, a, b].sorted() == [a, b, c])
        #expect([a, c, b].max() == c)
    }

    @Test("distance counts bytes, 0 when the other is ahead")
    func distance() throws {
        let low = try #require(LSN("0/1000"))
        let high = try #require(LSN("1/0"))
        #expect(high.distance(from: low) == 0x1_0000_0000 - 0x1000)
        #expect(low.distance(from: high) == 0)
        #expect(low.distance(from: low) == 0)
    }
}

@Suite("WALPosition")
struct WALPositionTests {
    @Test("parses the published form timeline#LSN")
    func parsesPublished() throws {
        let position = try #require(WALPosition(published: "3#0/5000120"))
        #expect(position.timeline == 3)
        #expect(position.lsn == LSN("0/5000120"))
    }

    @Test("formats the published form and round-trips")
    func formatsPublished() throws {
        let position = WALPosition(timeline: 3, lsn: try #require(LSN("0/5000120")))
        #expect(position.published == "3#0/5000120")
        #expect(WALPosition(published: position.published) == position)
        let lower = try #require(WALPosition(published: "12#16/b374d848"))
        #expect(lower.published == "12#16/B374D848")
    }

    @Test("rejects malformed published text", arguments: [
        "", "3", "3#", "#0/1", "3#0/1#2", "x#0/1", "3#0-1", "3:0/1", "-1#0/1", "4294967296#0/1",
    ])
    func rejectsInvalid(text: String) {
        #expect(WALPosition(published: text) == nil, "WALPosition(published: \"\(text)\") should be nil")
    }

    @Test("orders timeline first: a higher timeline wins even with a lower LSN")
    func timelineFirst() throws {
        let oldTimelineFarAhead = try #require(WALPosition(published: "2#FF/0"))
        let newTimelineBehind = try #require(WALPosition(published: "3#0/1"))
        #expect(oldTimelineFarAhead < newTimelineBehind)
        #expect(!(newTimelineBehind < oldTimelineFarAhead))
        #expect([newTimelineBehind, oldTimelineFarAhead].max() == newTimelineBehind)
    }

    @Test("orders by LSN on the same timeline")
    func sameTimeline() throws {
        let a = try #require(WALPosition(published: "3#0/5000120"))
        let b = try #require(WALPosition(published: "3#0/5000121"))
        #expect(a < b)
        #expect(!(b < a))
        #expect(!(a < a))
    }
}
