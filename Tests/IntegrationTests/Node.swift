import Foundation
import Testing

/// One simulated cluster node: a data directory, a socket directory and an HA_RSCTMP of its own, and a
/// node name. pgha is driven through the environment, as Pacemaker drives it.
final class Node: @unchecked Sendable {
    let name: String
    let build: PostgresBuild
    let root: String
    let port: Int
    var datadir: String { root + "/data" }
    var socketDirectory: String { root + "/socket" }
    var stateDirectory: String { root + "/state" }
    var logfile: String { root + "/postgresql.log" }
    /// Other parameters (node_hosts...) shared with the peers.
    var parameters: [String: String] = [:]
    /// Stand-ins for Pacemaker's tools (`Workspace.clusterTools`), given to pgha as HA_SBIN_DIR.
    var clusterTools: String?

    init(name: String, build: PostgresBuild, in base: String) throws {
        self.name = name
        self.build = build
        root = base + "/" + name
        port = PortAllocator.shared.take()
        for directory in [root, socketDirectory, stateDirectory] {
            try run("/usr/bin/install", ["-d", "-o", "postgres", "-g", "postgres", "-m", "0750", directory])
        }
        try run("/usr/bin/chmod", ["0755", root])
        parameters["start_opts"] = "-c unix_socket_directories=\(socketDirectory)"
    }

    /// A fresh instance from initdb, configured for streaming replication.
    func initialize() throws {
        let result = try run(build.bindir + "/initdb", ["-D", datadir, "-A", "peer", "--auth-host=trust",
                                                        "--no-sync", "-U", "postgres"], user: "postgres")
        try #require(result.status == 0, "initdb failed: \(result.stderr)")
        try appendConfiguration()
    }

    /// A standby's data copied from `primary` with pg_basebackup (no recovery settings: pgha writes them).
    func cloneFrom(_ primary: Node) throws {
        let result = try run(build.bindir + "/pg_basebackup", ["-h", primary.socketDirectory, "-p", String(primary.port),
                                                               "-D", datadir, "-X", "stream", "--no-sync"],
                             user: "postgres")
        try #require(result.status == 0, "pg_basebackup failed: \(result.stderr)")
        try appendConfiguration()
    }

    private func appendConfiguration() throws {
        let settings = """

            # Node-specific settings (port, socket directory) are not in this file: pg_basebackup and
            # pg_rewind copy it between nodes. pgha passes the port; start_opts gives the socket directory.
            listen_addresses = '127.0.0.1'
            wal_level = replica
            hot_standby = on
            max_wal_senders = 10
            max_replication_slots = 10
            wal_receiver_status_interval = 1
            wal_log_hints = on
            wal_keep_size = 128MB
            fsync = off
            shared_buffers = 16MB

            """
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: datadir + "/postgresql.conf"))
        handle.seekToEndOfFile()
        handle.write(settings.data(using: .utf8)!)
        try handle.close()
    }

    /// The environment Pacemaker would give pgha on this node.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment: [String: String] = [
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "OCF_ROOT": "/usr/lib/ocf",
            "OCF_RESOURCE_INSTANCE": "pgsqld",
            "HA_RSCTMP": stateDirectory,
            "OCF_RESKEY_pgdata": datadir,
            "OCF_RESKEY_bindir": build.bindir,
            "OCF_RESKEY_pghost": socketDirectory,
            "OCF_RESKEY_pgport": String(port),
            "OCF_RESKEY_logfile": logfile,
            "OCF_RESKEY_CRM_meta_on_node": name,
            "OCF_RESKEY_CRM_meta_timeout": "60000",
        ]
        for (key, value) in parameters { environment["OCF_RESKEY_" + key] = value }
        if let clusterTools { environment["HA_SBIN_DIR"] = clusterTools }
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// Runs `pgha <action>` as root (as Pacemaker does) and returns its exit code and stderr.
    @discardableResult
    func pgha(_ action: String, _ extra: [String: String] = [:], user: String? = nil) throws -> (code: Int32, log: String) {
        let result = try run(pghaPath, [action], user: user, environment: environment(extra))
        return (result.status, result.stderr)
    }

    /// A SQL query through psql as postgres; rows joined by newlines, columns by '|'.
    func sql(_ query: String) throws -> String {
        let result = try run(build.bindir + "/psql", ["-h", socketDirectory, "-p", String(port), "-d", "postgres",
                                                      "-AtX", "-v", "ON_ERROR_STOP=1", "-c", query], user: "postgres")
        guard result.status == 0 else { throw SQLError(message: result.stderr) }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct SQLError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    var postmasterPID: String? {
        (try? String(contentsOfFile: datadir + "/postmaster.pid", encoding: .utf8))?
            .split(separator: "\n").first.map(String.init)
    }

    /// Stops whatever runs, for test cleanup.
    func forceStop() {
        _ = try? run(build.bindir + "/pg_ctl", ["stop", "-D", datadir, "-m", "immediate", "-w"], user: "postgres")
    }

    /// The server log, printed when an assertion fails.
    var serverLog: String { (try? String(contentsOfFile: logfile, encoding: .utf8)) ?? "(no log)" }
}

/// A temporary directory readable by the postgres user, removed with everything in it.
final class Workspace: @unchecked Sendable {
    let path: String
    var nodes: [Node] = []

    init() throws {
        path = "/tmp/pgha-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try run("/usr/bin/chmod", ["0755", path])
    }

    func node(_ name: String, _ build: PostgresBuild) throws -> Node {
        let node = try Node(name: name, build: build, in: path)
        nodes.append(node)
        return node
    }

    /// n1 running as primary and n2 a pg_basebackup of it started as a standby, knowing each other through
    /// node_hosts; no notification sent yet.
    func primaryAndStandby(_ build: PostgresBuild) throws -> (Node, Node) {
        let a = try node("n1", build)
        let b = try node("n2", build)
        let hosts = "n1=127.0.0.1:\(a.port) n2=127.0.0.1:\(b.port)"
        a.parameters["node_hosts"] = hosts
        b.parameters["node_hosts"] = hosts
        try a.initialize()
        try #require(try a.pgha("start").code == 0)
        try #require(try a.pgha("promote").code == 0)
        try b.cloneFrom(a)
        let started = try b.pgha("start")
        try #require(started.code == 0, "start n2: \(started.log)\n\(b.serverLog)")
        return (a, b)
    }

    /// A directory standing in for Pacemaker's sbin: a crm_attribute that keeps permanent node attributes
    /// as files, `attributes/<node>/<name>` in the workspace (no other tool: the rest answers as with no
    /// cluster). While `attributes.fail` exists it fails as crm_attribute does without a cluster.
    /// `--type crm_config` values (no node) are kept in `attributes/crm_config/<name>`; each update is also
    /// appended to `attributes/crm_config.log` as `<name>=<value>`, followed by ` watched=<answer>` when
    /// `attributes/watch` holds a psql command line whose answer should be logged at that instant.
    func clusterTools() throws -> String {
        let directory = path + "/sbin"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = """
            #!/bin/sh
            store='\(path)/attributes'
            if [ -e '\(path)/attributes.fail' ]; then
                echo 'crm_attribute: Could not connect to the CIB: Transport endpoint is not connected' >&2
                exit 102
            fi
            node= name= value= command= type= lifetime= promotion=
            while [ $# -gt 0 ]; do
                case $1 in
                --node) node=$2; shift 2 ;;
                --name) name=$2; shift 2 ;;
                --lifetime) lifetime=$2; shift 2 ;;
                --promotion=*) name="promotion-${1#--promotion=}"; promotion=1; shift ;;
                --update) command=update; value=$2; shift 2 ;;
                --query) command=query; shift ;;
                --delete) command=delete; shift ;;
                --quiet) shift ;;
                --type) [ "$2" = crm_config ] || { echo "stand-in: only --type crm_config" >&2; exit 64; }; type=$2; shift 2 ;;
                *) echo "stand-in: unexpected argument $1" >&2; exit 64 ;;
                esac
            done
            # Node attributes are permanent (forever); only promotion scores live for a boot.
            case $promotion/$lifetime in
            /|/forever|1/reboot) ;;
            *) echo "stand-in: only --lifetime forever (reboot for --promotion)" >&2; exit 64 ;;
            esac
            if [ -n "$type" ]; then
                [ -z "$node" ] && [ -n "$name" ] || { echo "stand-in: crm_config takes --name, no --node" >&2; exit 64; }
                node=crm_config
                if [ "$command" = update ]; then
                    line="$name=$value"
                    [ -f "$store/watch" ] && line="$line watched=$(sh "$store/watch" 2>&1 | tr '\n' ' ')"
                    mkdir -p "$store" && printf '%s\n' "$line" >> "$store/crm_config.log"
                fi
            fi
            [ -n "$node" ] && [ -n "$name" ] || { echo "stand-in: --node and --name needed" >&2; exit 64; }
            file=$store/$node/$name
            case $command in
            update) mkdir -p "$store/$node" && printf '%s\n' "$value" > "$file" ;;
            query) [ -f "$file" ] || { echo 'Error performing operation: No such device or address' >&2; exit 105; }
                   cat "$file" ;;
            delete) rm -f "$file" ;;
            *) echo "stand-in: no command" >&2; exit 64 ;;
            esac

            """
        FileManager.default.createFile(atPath: directory + "/crm_attribute", contents: script.data(using: .utf8),
                                       attributes: [.posixPermissions: 0o755])
        return directory
    }

    /// A node attribute the stand-in crm_attribute holds, nil when unset.
    func nodeAttribute(_ name: String, node: String) -> String? {
        (try? String(contentsOfFile: path + "/attributes/\(node)/\(name)", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        nodes.forEach { $0.forceStop() }
        try? FileManager.default.removeItem(atPath: path)
    }
}
