import Foundation
import Testing

/// The primary's monitor scores the members' standbys from pg_stat_replication; a row that only borrows a
/// member's name (here pg_receivewal with application_name=n3, through no slot) must not rank n3.
@Suite(.serialized) struct PromotionScoreIntegrationTests {
    /// A crm_attribute stand-in that records every call in `log` and succeeds, with crm_node naming n1..n3.
    static func recordingTools(_ workspace: Workspace, log: String) throws -> String {
        let directory = workspace.path + "/score-sbin"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, answer) in [("crm_attribute", ":"), ("attrd_updater", ":"),
                               ("crm_node", "case \"$1\" in -l) printf '1 n1 member\\n2 n2 member\\n3 n3 member\\n' ;; -p) echo 'n1 n2 n3' ;; esac")] {
            let script = "#!/bin/sh\nprintf '%s\\n' \"\(name) $*\" >> '\(log)'\n\(answer)\nexit 0\n"
            FileManager.default.createFile(atPath: directory + "/" + name, contents: script.data(using: .utf8),
                                           attributes: [.posixPermissions: 0o755])
        }
        return directory
    }

    /// The scores the monitor wrote, node by node, in the order written.
    static func scoresWritten(_ log: String) -> [(node: String, score: Int)] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ").map(String.init)
            guard words.first == "crm_attribute", words.contains(where: { $0.hasPrefix("--promotion") }),
                  let node = words.firstIndex(of: "--node").map({ words[$0 + 1] }),
                  let score = words.firstIndex(of: "--update").flatMap({ Int(words[$0 + 1]) }) else { return nil }
            return (node, score)
        }
    }

    @Test("a client that borrows a member's name without its slot gets no score", arguments: PostgresBuild.available.prefix(1))
    func borrowedName(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (a, b) = try workspace.primaryAndStandby(build)
        let log = workspace.path + "/tools.log"
        FileManager.default.createFile(atPath: log, contents: nil, attributes: [.posixPermissions: 0o666])
        let tools = try Self.recordingTools(workspace, log: log)
        let clone = ["OCF_RESKEY_CRM_meta_clone_max": "3", "OCF_RESKEY_CRM_meta_notify": "true",
                     "OCF_RESKEY_CRM_meta_promotable": "true"]
        for node in [a, b] { node.clusterTools = tools }
        let promoted = notification("post", "promote", promote: ["n1"], unpromoted: ["n2"], active: ["n1", "n2", "n3"])
            .merging(clone) { $1 }
        try #require(try a.pgha("notify", promoted).code == 0)
        try #require(try b.pgha("notify", promoted).code == 0)
        try #require(BootstrapTests.streams(b, from: a))

        // pg_receivewal streams as "n3" (a member whose node runs no standby) through no slot; --synchronous
        // makes it report a flush position, so that its row has a lag as a standby's has.
        let wal = workspace.path + "/receivewal"
        try run("/usr/bin/install", ["-d", "-o", "postgres", "-g", "postgres", "-m", "0700", wal])
        let receiver = Process()
        receiver.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        receiver.arguments = ["-u", "postgres", "--", build.bindir + "/pg_receivewal", "-D", wal, "--no-loop", "--synchronous",
                              "-d", "host=\(a.socketDirectory) port=\(a.port) application_name=n3"]
        receiver.standardOutput = FileHandle.nullDevice
        receiver.standardError = FileHandle.nullDevice
        try receiver.run()
        defer { receiver.terminate(); receiver.waitUntilExit() }
        try #require(eventually { (try? a.sql("SELECT count(*) FROM pg_stat_replication WHERE application_name = 'n3' AND state = 'streaming' AND flush_lsn IS NOT NULL")) == "1" },
                     "pg_receivewal streams as n3")
        try #require(eventually { (try? a.sql("SELECT count(*) FROM pg_stat_replication r WHERE application_name = 'n2' AND flush_lsn IS NOT NULL")) == "1" })

        let monitor = try a.pgha("monitor", clone.merging(["OCF_RESKEY_CRM_meta_interval": "15000"]) { $1 })
        #expect(monitor.code == 8, "\(monitor.log)")
        let written = Self.scoresWritten(log)
        #expect(written.contains { $0.node == "n2" && $0.score == 1000 }, "n2 ranked first: \(written)\n\(monitor.log)")
        #expect(!written.contains { $0.node == "n3" && $0.score > 0 }, "n3 not ranked by a borrowed name: \(written)\n\(monitor.log)")
    }
}
