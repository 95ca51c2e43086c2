import Foundation
import Testing
@testable import PGHA

/// The recorded synchronous set on real servers, with Pacemaker's tools as stand-ins that keep the CIB's
/// crm_config values, private attributes, the node list, the partition and the quorum in files: the
/// primary's monitor narrows its set and the record when a standby stops (never the record before the
/// setting), and a standby that was already gone no longer blocks the promotion; a record this pgha
/// cannot read refuses it.
@Suite(.serialized) struct RecordedSynchronousSetTests {
    static let clone = ["OCF_RESKEY_CRM_meta_clone_max": "3", "OCF_RESKEY_CRM_meta_notify": "true",
                        "OCF_RESKEY_CRM_meta_promotable": "true"]
    static let recordName = "pgha-sync-pgsqld"

    /// The workspace's crm_attribute, with a crm_node that lists n1 n2 n3 and prints `partition` (default:
    /// all three) and `quorum` (default 1) from the store, and an attrd_updater that keeps private
    /// attributes as files.
    static func tools(_ workspace: Workspace) throws -> String {
        let directory = try workspace.clusterTools()
        let store = workspace.path + "/attributes"
        let crmNode = """
            #!/bin/sh
            case "$1" in
            -l) printf '1 n1 member\\n2 n2 member\\n3 n3 member\\n' ;;
            -p) cat '\(store)/partition' 2>/dev/null || echo 'n1 n2 n3' ;;
            -q) cat '\(store)/quorum' 2>/dev/null || echo 1 ;;
            *) exit 64 ;;
            esac

            """
        let attrd = """
            #!/bin/sh
            store='\(store)/private'
            node= name= value= command= all=
            while [ $# -gt 0 ]; do
                case $1 in
                --private) shift ;;
                --lifetime) shift 2 ;;
                --name) name=$2; shift 2 ;;
                --node) node=$2; shift 2 ;;
                --update) command=update; value=$2; shift 2 ;;
                --query) command=query; shift ;;
                --delete) command=delete; shift ;;
                --all) all=1; shift ;;
                *) echo "stand-in: unexpected argument $1" >&2; exit 64 ;;
                esac
            done
            case $command in
            update) mkdir -p "$store/$node" && printf '%s' "$value" > "$store/$node/$name" ;;
            delete) rm -f "$store/$node/$name" ;;
            query)
                [ -n "$all" ] && nodes=$(ls "$store" 2>/dev/null) || nodes=$node
                found=
                for n in $nodes; do
                    [ -f "$store/$n/$name" ] || continue
                    printf 'name="%s" host="%s" value="%s"\\n' "$name" "$n" "$(cat "$store/$n/$name")"
                    found=1
                done
                [ -n "$found" ] || exit 6 ;;
            esac

            """
        for (name, script) in [("crm_node", crmNode), ("attrd_updater", attrd)] {
            FileManager.default.createFile(atPath: directory + "/" + name, contents: script.data(using: .utf8),
                                           attributes: [.posixPermissions: 0o755])
        }
        return directory
    }

    /// Makes the stand-in crm_attribute log `node`'s synchronous_standby_names and whether it is in recovery
    /// at the instant of each crm_config write.
    static func watch(_ workspace: Workspace, _ node: Node) throws {
        let query = "SELECT current_setting('synchronous_standby_names') || '|' || pg_is_in_recovery()"
        let script = "runuser -u postgres -- '\(node.build.bindir)/psql' -h '\(node.socketDirectory)' -p \(node.port) -d postgres -AtX -c \"\(query)\"\n"
        try script.write(toFile: workspace.path + "/attributes/watch", atomically: true, encoding: .utf8)
    }

    static func set(_ workspace: Workspace, _ file: String, _ text: String?) throws {
        let path = workspace.path + "/attributes/" + file
        try FileManager.default.createDirectory(atPath: workspace.path + "/attributes/crm_config",
                                                withIntermediateDirectories: true)
        if let text { try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8) } else {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Every crm_config write so far: the record written and what the watched node ran at that instant.
    static func writes(_ workspace: Workspace) -> [(record: SynchronousRecord, setting: SynchronousSet, inRecovery: Bool)] {
        let text = (try? String(contentsOfFile: workspace.path + "/attributes/crm_config.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix(recordName + "="), let watched = line.firstRange(of: " watched=") else { return nil }
            let value = String(line[line.index(line.startIndex, offsetBy: recordName.count + 1)..<watched.lowerBound])
            let answer = line[watched.upperBound...].trimmingCharacters(in: .whitespaces).split(separator: "|", omittingEmptySubsequences: false)
            guard case .record(let record) = SynchronousRecord.read(value), answer.count == 2 else { return nil }
            return (record, SynchronousSet(setting: String(answer[0])), answer[1] == "true")
        }
    }

    /// The record covers a setting when every commit acknowledged under it is on a member of every group
    /// the promote rule accepts: S ⊆ V and k ≥ k' (DESIGN.md §3).
    static func covers(_ record: SynchronousRecord, _ setting: SynchronousSet) -> Bool {
        Set(setting.standbys).isSubset(of: Set(record.standbys)) && setting.count >= record.count
    }

    static func setting(_ node: Node) -> String? { try? node.sql("SHOW synchronous_standby_names") }

    /// n1 primary, n2 and n3 standbys streaming through their slots, sync_standbys=1, in a "cluster" of
    /// stand-ins; n1's monitor has recorded its set.
    static func threeNodes(_ workspace: Workspace, _ build: PostgresBuild) throws -> (Node, Node, Node) {
        let tools = try Self.tools(workspace)
        let (a, b) = try workspace.primaryAndStandby(build)
        let c = try workspace.node("n3", build)
        try c.cloneFrom(a)
        let hosts = "n1=127.0.0.1:\(a.port) n2=127.0.0.1:\(b.port) n3=127.0.0.1:\(c.port)"
        for node in [a, b, c] {
            node.parameters["node_hosts"] = hosts
            node.parameters["sync_standbys"] = "1"
            node.clusterTools = tools
        }
        let started = try c.pgha("start", clone)
        try #require(started.code == 0, "start n3: \(started.log)")
        let promoted = notification("post", "promote", promote: ["n1"], unpromoted: ["n2", "n3"],
                                    active: ["n1", "n2", "n3"]).merging(clone) { $1 }
        for node in [a, b, c] { #expect(try node.pgha("notify", promoted).code == 0) }
        try #require(eventually {
            (try? a.sql("SELECT string_agg(application_name || ':' || state, ' ' ORDER BY 1) FROM pg_stat_replication"))
                == "n2:streaming n3:streaming"
        }, "n2 and n3 stream from n1")
        try watch(workspace, a)
        var log = ""
        try #require(eventually(timeout: 60) {
            log = (try? a.pgha("monitor", clone).log) ?? ""
            return workspace.nodeAttribute(recordName, node: "crm_config") == "v1 k=1 standbys=n2,n3 primary=n1"
        }, "n1's monitor records its set: \(log)")
        #expect(setting(a) == #"ANY 1 ("n2", "n3")"#)
        return (a, b, c)
    }

    @Test("n3 stops: the set and then the record narrow to n2; n1 killed, n2 promotes without n3",
          arguments: PostgresBuild.available)
    func standbyGoneBeforeFailover(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let (a, b, c) = try Self.threeNodes(workspace, build)
        try a.sql("CREATE TABLE t(i int); INSERT INTO t VALUES (1)")

        // Without quorum the setting may narrow (the record stays wider: safe) but the record must not.
        try Self.set(workspace, "quorum", "0")
        #expect(try c.pgha("stop", Self.clone).code == 0)
        var log = ""
        #expect(eventually(timeout: 90) {
            log = (try? a.pgha("monitor", Self.clone).log) ?? ""
            return Self.setting(a) == #"ANY 1 ("n2")"#
        }, "after the grace n1 waits for n2 alone: \(log)")
        for _ in 0..<2 { log = try a.pgha("monitor", Self.clone).log }
        #expect(workspace.nodeAttribute(Self.recordName, node: "crm_config") == "v1 k=1 standbys=n2,n3 primary=n1",
                "no record written without quorum")
        #expect(log.contains("no quorum"), "\(log)")
        try Self.set(workspace, "quorum", nil)
        #expect(eventually(timeout: 30) {
            log = (try? a.pgha("monitor", Self.clone).log) ?? ""
            return workspace.nodeAttribute(Self.recordName, node: "crm_config") == "v1 k=1 standbys=n2 primary=n1"
        }, "with quorum back the record narrows once n2 flushed past the change: \(log)")
        try a.sql("INSERT INTO t VALUES (2)")
        let steady = try a.pgha("monitor", Self.clone).log
        #expect(steady.isEmpty, "steady state: nothing to log: \(steady)")

        // At every write the record covered the setting in force, and the setting that followed until the
        // next write: the record never named fewer than the setting.
        let writes = Self.writes(workspace)
        #expect(writes.map(\.record.text) == ["v1 k=0 standbys=n2,n3 alone-since=\(writes.first?.record.aloneSince ?? 0) primary=n1",
                                              "v1 k=1 standbys=n2,n3 primary=n1", "v1 k=1 standbys=n2 primary=n1"], "\(writes)")
        for (index, write) in writes.enumerated() {
            let next = index + 1 < writes.count ? writes[index + 1].setting : SynchronousSet(setting: Self.setting(a) ?? "")
            #expect(Self.covers(write.record, write.setting) && Self.covers(write.record, next),
                    "write \(index): \(write.record.text) under \(write.setting), then \(next)")
        }

        // n1 killed; n3 silent (stopped, nothing published); the partition is n2 and n3.
        let acknowledged = try a.sql("SELECT count(*) FROM t")
        try RejoinTests.crash(a)
        try Self.set(workspace, "partition", "n2 n3")
        let prePromote = notification("pre", "promote", promote: ["n2"], unpromoted: ["n2"], active: ["n2"],
                                      stop: ["n1"]).merging(Self.clone) { $1 }
        #expect(try b.pgha("notify", prePromote).code == 0)

        // Control: without the record, the rule from the member count waits for n1 or n3.
        let record = workspace.path + "/attributes/crm_config/" + Self.recordName
        try FileManager.default.moveItem(atPath: record, toPath: record + ".aside")
        let refused = try b.pgha("promote", Self.clone)
        #expect(refused.code == 1, "\(refused.log)")
        #expect(refused.log.contains("needs positions from 2 nodes"), "\(refused.log)")
        try FileManager.default.moveItem(atPath: record + ".aside", toPath: record)

        try Self.watch(workspace, b)
        let promoted = try b.pgha("promote", Self.clone)
        try #require(promoted.code == 0, "n2 promotes with the record: \(promoted.log)")
        #expect(promoted.log.contains("n2 may promote"), "\(promoted.log)")
        #expect(try b.sql("SELECT count(*) FROM t") == acknowledged, "0 acknowledged rows lost")
        // Widened for n2's own standbys before its first commit: written while it was still in recovery.
        let widening = try #require(Self.writes(workspace).last)
        #expect(widening.record.text == "v1 k=1 standbys=n1,n2,n3 primary=n2")
        #expect(widening.inRecovery, "the record was widened before pg_ctl promote: \(Self.writes(workspace)) \(promoted.log)")
        #expect(Self.covers(widening.record, SynchronousSet(setting: Self.setting(b) ?? "")))
    }

    @Test("a record written by a newer pgha, or unreadable, refuses the promotion with the reason",
          arguments: PostgresBuild.available.prefix(1))
    func unreadableRecord(build: PostgresBuild) throws {
        let workspace = try Workspace()
        let tools = try Self.tools(workspace)
        let (a, b) = try workspace.primaryAndStandby(build)
        for node in [a, b] {
            node.parameters["sync_standbys"] = "1"
            node.clusterTools = tools
        }
        try Self.set(workspace, "partition", "n2")
        let prePromote = notification("pre", "promote", promote: ["n2"], unpromoted: ["n2"], active: ["n2"],
                                      stop: ["n1"]).merging(Self.clone) { $1 }
        #expect(try b.pgha("notify", prePromote).code == 0)
        for (value, reason) in [("v9 k=1 standbys=n2", "was written by a newer pgha (format v9, this one reads v1)"),
                                ("k=1 standbys=n2", "is unreadable ('k=1 standbys=n2')")] {
            try Self.set(workspace, "crm_config/" + Self.recordName, value)
            let refused = try b.pgha("promote", Self.clone)
            #expect(refused.code == 1, "\(refused.log)")
            #expect(refused.log.contains("the synchronous set record \(Self.recordName) \(reason)"), "\(refused.log)")
            #expect(try b.sql("SELECT pg_is_in_recovery()") == "t", "n2 is still a standby")
            #expect(workspace.nodeAttribute(Self.recordName, node: "crm_config") == value, "the record is left as it is")
        }
        // Control: a readable record naming n2 lets it promote.
        try Self.set(workspace, "crm_config/" + Self.recordName, "v1 k=1 standbys=n2")
        let promoted = try b.pgha("promote", Self.clone)
        #expect(promoted.code == 0, "\(promoted.log)")
    }
}
