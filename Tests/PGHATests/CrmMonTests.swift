import Testing
@testable import PGHA

@Suite("CrmMon")
struct CrmMonTests {
    @Test("the lab's crm_mon: n3 promoted, n1 and n2 unpromoted, every node online, the scores")
    func sample() throws {
        let mon = try CrmMon(xml: StatusFixtures.crmMon, resource: "pgsqld")
        #expect(mon.role(on: "n3") == .promoted)
        #expect(mon.role(on: "n1") == .unpromoted)
        #expect(mon.role(on: "n2") == .unpromoted)
        #expect(mon.nodes.map(\.name) == ["n1", "n2", "n3"])
        #expect(mon.nodes.allSatisfy { $0.online && !$0.unclean && !$0.standby })
        #expect(mon.attributes["n3"]?["master-pgsqld"] == "1001")
        #expect(mon.attributes["n1"]?["master-pgsqld"] == "1000")
        #expect(mon.failures.isEmpty)
    }

    @Test("the fence device's resource is not ours")
    func otherResource() throws {
        let mon = try CrmMon(xml: StatusFixtures.crmMon, resource: "fence-lab")
        #expect(mon.role(on: "n1") == .unpromoted)
        #expect(mon.role(on: "n3") == .stopped)
    }

    static let degraded = """
        <pacemaker-result api-version="2.25" request="crm_mon --output-as=xml">
          <nodes>
            <node name="n1" id="1" online="false" standby="false" maintenance="false" unclean="true" type="member"/>
            <node name="n2" id="2" online="true" standby="true" maintenance="false" unclean="false" type="member"/>
            <node name="n3" id="3" online="true" standby="false" maintenance="false" unclean="false" type="member"/>
          </nodes>
          <resources>
            <clone id="pgsql-ha" multi_state="true">
              <resource id="pgsqld" role="Master" active="true" failed="false"><node name="n3" id="3"/></resource>
              <resource id="pgsqld" role="Slave" active="true" failed="true"><node name="n2" id="2"/></resource>
              <resource id="pgsqld" role="Stopped" active="false" failed="false" nodes_running_on="0"/>
            </clone>
          </resources>
          <node_attributes><node name="n3"><attribute name="master-pgsqld" value="INFINITY"/></node></node_attributes>
          <failures>
            <failure op_key="pgsqld_monitor_16000" node="n2" exitstatus="not running" exitreason="gone" exitcode="7" task="monitor"/>
            <failure op_key="other_start_0" node="n2" exitstatus="error" exitreason="" exitcode="1" task="start"/>
          </failures>
          <status code="0" message="OK"/>
        </pacemaker-result>
        """

    @Test("Pacemaker 2.0's words, a failed instance, a stopped one, this resource's failures only")
    func degraded() throws {
        let mon = try CrmMon(xml: Self.degraded, resource: "pgsqld")
        #expect(mon.role(on: "n3") == .promoted)
        #expect(mon.role(on: "n2") == .failed)
        #expect(mon.role(on: "n1") == .stopped)
        #expect(mon.nodes.first { $0.name == "n1" }?.unclean == true)
        #expect(mon.failures == [CrmMon.Failure(node: "n2", operation: "monitor", exitStatus: "not running", exitReason: "gone")])
        #expect(mon.attributes["n3"]?["master-pgsqld"].flatMap(PromotionScoreText.parse) == 1_000_000)
    }

    @Test("scores: integers and ±INFINITY")
    func scores() {
        #expect(PromotionScoreText.parse("1001") == 1001)
        #expect(PromotionScoreText.parse("-1000") == -1000)
        #expect(PromotionScoreText.parse("-INFINITY") == -1_000_000)
        #expect(PromotionScoreText.parse("x") == nil)
    }
}
