import ArgumentParser
import PGHA

/// `pgha` as an admin types it. Pacemaker's actions never get here (see main.swift).
struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgha",
        abstract: "PostgreSQL high availability for Pacemaker: the OCF resource agent and its admin commands.",
        usage: """
            pgha <action>      (start, stop, monitor, promote, demote, notify, validate-all, meta-data: for Pacemaker)
              pgha status [--resource <resource>] [--json]
            """,
        discussion: """
            As an OCF resource agent, Pacemaker runs `pgha <action>` (start, stop, monitor, promote, demote, \
            notify, validate-all, meta-data) with its parameters in the environment.
            """,
        version: MetaData.version,
        subcommands: [Status.self])
}

extension AdminCommand {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every node of the pgha cluster: roles, WAL positions, lag, slots, scores, decisions.",
            discussion: """
                Run as root on any cluster node. Reads the CIB and crm_mon, and asks each node's PostgreSQL \
                (read-only) at the address standbys use, with replication_options. Exit status: 0 healthy, \
                1 problems found (a node that does not answer is one), 2 no status (no cluster, no such resource).
                """)

        @Option(help: "The pgha resource to report on, when the CIB has several.")
        var resource: String?

        @Flag(help: "Print one JSON object for scripts instead of the screen.")
        var json = false

        func run() throws {
            let code = runStatus(resource: resource, json: json)
            if code != 0 { throw ExitCode(code) }
        }
    }
}
