import Testing
@testable import PGHA

@Suite("DecisionRecord")
struct DecisionRecordTests {
    @Test("the stored line reads back")
    func roundTrip() {
        let record = DecisionRecord(time: 1795762878, action: "promote", text: "may promote: timeline 1 lsn 0/3000148")
        #expect(record.line == "1795762878 promote may promote: timeline 1 lsn 0/3000148")
        #expect(DecisionRecord(line: record.line) == record)
    }

    @Test("double quotes and line breaks, which attrd_updater's output cannot carry, are replaced")
    func cleaned() {
        let record = DecisionRecord(time: 1, action: "notify", text: "a \"b\"\nc\td")
        #expect(record.text == "a 'b' c d")
    }

    @Test("long texts are bounded")
    func bounded() {
        let record = DecisionRecord(time: 1, action: "promote", text: String(repeating: "x", count: 2000))
        #expect(record.text.count == DecisionRecord.maximumTextLength)
        #expect(record.text.hasSuffix("..."))
    }

    @Test("what is not a record is nil (a deleted attribute is empty)", arguments: ["", "x promote text", "12", "12 "])
    func notARecord(line: String) {
        #expect(DecisionRecord(line: line) == nil)
    }

    @Test("time in UTC")
    func time() {
        #expect(DecisionRecord(time: 1795762878, action: "a", text: "").timeText == "2026-11-27 07:01:18Z")
        #expect(DecisionRecord(time: 0, action: "a", text: "").timeText == "1970-01-01 00:00:00Z")
    }

    @Test("the attribute is per resource")
    func attribute() {
        #expect(DecisionRecord.attributeName(resource: "pgsqld") == "pgha-decision-pgsqld")
    }

    @Test("attrd_updater --query --all: one value per host, up to the line's last quote")
    func queryOutput() {
        let output = """
            name="pgha-decision-pgsqld" host="n1" value="1795762878 notify follows n3: primary_conninfo 'host=10.200.0.13 port=5432' slot pgha_n1, reloaded"
            name="pgha-decision-pgsqld" host="n2" value=""
            name="pgha-decision-pgsqld" host="n3" value="1795762879 promote promoted: now primary on timeline 2, asynchronous"

            """
        let values = Cluster.parseAttributeQuery(output)
        #expect(values.count == 2)
        #expect(values["n1"] == "1795762878 notify follows n3: primary_conninfo 'host=10.200.0.13 port=5432' slot pgha_n1, reloaded")
        #expect(DecisionRecord(line: values["n3"]!)?.action == "promote")
    }

    @Test("outside a cluster (no clone meta) nothing is recorded, and nothing fails")
    func outsideCluster() {
        recordDecision("anything", context: ActionContext(environment: OCFEnvironment(["OCF_RESOURCE_INSTANCE": "pgsqld"]),
                                                          action: "promote"))
    }
}
