import Testing
@testable import PGHA

@Suite("admin command line")
struct AdminCommandLineTests {
    @Test("status, help and version go to the argument parser",
          arguments: [["status"], ["status", "--json"], ["--help"], ["-h"], ["--version"], ["help"], ["help", "status"]])
    func admin(arguments: [String]) {
        #expect(AdminCommandLine.handles(arguments))
    }

    @Test("Pacemaker's actions, unknown words and no argument go to runAgent",
          arguments: [[], ["monitor"], ["start"], ["meta-data"], ["validate-all"], ["notify"], ["usage"], [""],
                      ["Status"], ["frobnicate"], ["monitor", "status"], ["--json"]])
    func agent(arguments: [String]) {
        #expect(!AdminCommandLine.handles(arguments))
    }

    @Test("status without a cluster: an error that says so, and exit 2")
    func noCluster() {
        let cluster = Cluster(sbindir: "/nonexistent/pgha-unit-tests/sbin")
        #expect(throws: StatusError.noCluster(command: "cibadmin --query",
                                              output: "/nonexistent/pgha-unit-tests/sbin/cibadmin is not installed")) {
            try clusterStatus(resource: nil, cluster: cluster)
        }
        #expect(runStatus(resource: nil, json: false, cluster: cluster) == 2)
    }
}
