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
              pgha switchover [--to <node>] [--resource <resource>] [--timeout <seconds>] [--yes]
            """,
        discussion: """
            As an OCF resource agent, Pacemaker runs `pgha <action>` (start, stop, monitor, promote, demote, \
            notify, validate-all, meta-data) with its parameters in the environment.
            """,
        version: MetaData.version,
        subcommands: [Status.self, Switchover.self])
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

extension AdminCommand {
    struct Switchover: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move the primary role to a standby, planned: checked first, done by Pacemaker, no constraint left.",
            discussion: """
                Refuses, changing nothing, when the move could lose writes or cannot happen now: the target is \
                not a streaming standby, lags more than maxlag, does not confirm commits in synchronous mode; \
                the cluster is in maintenance, has failed actions, an unclean node or another move constraint. \
                Without --to, the standby Pacemaker would promote (highest promotion score). Then \
                `crm_resource --move --promoted`, a wait until the new primary is writable and every other \
                node streams from it, and the move constraint removed whatever happens (Ctrl-C included). \
                Exit status: 0 done, 1 refused, failed or timed out, 2 no cluster or no such resource, \
                130 interrupted.

                Examples:
                  pgha switchover --to n2        ask, then move the primary to n2
                  pgha switchover --yes          to the best standby, without asking (scripts)
                  pgha switchover --to n3 --timeout 120 --resource pgsqld
                """)

        @Option(help: "The standby to promote (default: the one with the highest promotion score).")
        var to: String?

        @Option(help: "The pgha resource, when the CIB has several.")
        var resource: String?

        @Option(help: "Seconds to wait for the new primary and every standby streaming from it.")
        var timeout: Double = 60

        @Flag(help: "Do not ask for confirmation (needed when not on a terminal).")
        var yes = false

        func validate() throws {
            guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
        }

        func run() throws {
            let code = runSwitchover(SwitchoverRequest(resource: resource, target: to, timeoutSeconds: timeout,
                                                       confirmed: yes))
            if code != 0 { throw ExitCode(code) }
        }
    }
}
