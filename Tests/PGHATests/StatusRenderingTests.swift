import Foundation
import Testing
@testable import PGHA

@Suite("status: rendering")
struct StatusRenderingTests {
    @Test("the screen: header, one line per node, decisions, problems")
    func text() throws {
        var lab = LabFacts()
        lab.silence("n1", "Connection refused")
        let screen = StatusText.render(try lab.assess())
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "pgsqld (clone pgsql-ha): primary n3, synchronous (sync_standbys=1)")
        #expect(lines[2].hasPrefix("NODE  PACEMAKER   POSTGRESQL"))
        let n2 = try #require(lines.first { $0.hasPrefix("n2 ") })
        for part in ["unpromoted", "standby", "0/3000148", "0/3000100", "72 B 0.002 s", "pgha_n2 active", "quorum", "999"] {
            #expect(n2.contains(part), "\(part) in \(n2)")
        }
        let n1 = try #require(lines.first { $0.hasPrefix("n1 ") })
        #expect(n1.contains("not answering"))
        #expect(screen.contains("  n3  2026-11-27 07:01:18Z  promote: promoted: now primary on timeline 2, synchronous"))
        #expect(screen.contains("  n1  none recorded"))
        #expect(screen.contains("problems:\n  - n1: PostgreSQL not answering (Connection refused); Pacemaker: unpromoted"))
        #expect(screen.count < 80 * 40, "one screen")
    }

    @Test("a healthy screen ends saying so")
    func healthyText() throws {
        #expect(StatusText.render(try LabFacts().assess()).hasSuffix("\nno problems found\n"))
    }

    @Test("the table's columns line up")
    func columns() {
        let lines = StatusText.table([["A", "BB", "1"], ["CCC", "D", "22"]], rightAligned: [2])
        #expect(lines == ["A    BB   1", "CCC  D   22"])
        #expect(StatusText.formatSeconds(0.0021) == "0.002")
        #expect(StatusText.formatSeconds(12.5) == "12.500")
    }

    func json(_ status: ClusterStatus) throws -> [String: Any] {
        let text = StatusJSON.render(status)
        #expect(text.hasSuffix("}\n"))
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("JSON: the fields scripts read, with their types")
    func jsonFields() throws {
        var lab = LabFacts()
        lab.silence("n1", "Connection \"refused\"\n")
        let object = try json(try lab.assess())
        #expect(object["resource"] as? String == "pgsqld")
        #expect(object["primary"] as? String == "n3")
        #expect(object["healthy"] as? Bool == false)
        #expect((object["problems"] as? [String])?.count == 1)
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["node"] as? String } == ["n1", "n2", "n3"])
        let n2 = nodes[1]
        #expect(n2["role"] as? String == "standby")
        #expect(n2["pacemaker_role"] as? String == "unpromoted")
        #expect(n2["timeline"] as? Int == 2)
        #expect(n2["lsn"] as? String == "0/3000148")
        #expect(n2["replay_lsn"] as? String == "0/3000100")
        #expect(n2["lag_bytes"] as? Int == 72)
        #expect(n2["lag_seconds"] as? Double == 0.0021)
        #expect(n2["slot"] as? String == "pgha_n2")
        #expect(n2["slot_active"] as? Bool == true)
        #expect(n2["slot_exists"] as? Bool == true)
        #expect(n2["sync_state"] as? String == "quorum")
        #expect(n2["score"] as? Int == 999)
        #expect(n2["error"] is NSNull)
        #expect(n2["decision"] is NSNull)
        let n3 = nodes[2]
        #expect(n3["role"] as? String == "primary")
        #expect(n3["lag_bytes"] as? Int == 0)
        #expect(n3["slot"] is NSNull)
        let decision = try #require(n3["decision"] as? [String: Any])
        #expect(decision["time"] as? Int == 1795762878)
        #expect(decision["action"] as? String == "promote")
        let n1 = nodes[0]
        #expect(n1["role"] as? String == "failed")
        #expect(n1["error"] as? String == "Connection \"refused\"\n")
        #expect(n1["lag_bytes"] is NSNull)
        #expect(n1["timeline"] is NSNull)
    }

    @Test("JSON types in the text itself: integers unquoted, booleans bare")
    func jsonText() throws {
        let text = StatusJSON.render(try LabFacts().assess())
        #expect(text.contains(#""lag_bytes":72,"#))
        #expect(text.contains(#""slot_active":true,"#))
        #expect(text.contains(#""score":1001,"#))
        #expect(text.contains(#""healthy":true,"#))
        #expect(StatusJSON.string("a\u{1}b") == #""a\u0001b""#)
    }
}
