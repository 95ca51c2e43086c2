/// One agent parameter as `meta-data` describes it. The list below is the single
/// source for both the XML and the defaults `Parameters` falls back on.
public struct ParameterDefinition: Sendable {
    public enum Kind: String, Sendable { case string, integer, boolean }

    public let name: String
    public let kind: Kind
    public let required: Bool
    public let defaultValue: String
    public let shortdesc: String
    public let longdesc: String

    public static let all: [ParameterDefinition] = [
        .init(name: "pgdata", kind: .string, required: true, defaultValue: "",
              shortdesc: "Directory pg_ctl is given with -D",
              longdesc: """
                  The directory holding postgresql.conf, passed to pg_ctl as -D. On a Debian cluster created with \
                  pg_createcluster this is /etc/postgresql/<version>/<name>; with a plain initdb it is the data \
                  directory itself. Required.
                  """),
        .init(name: "datadir", kind: .string, required: false, defaultValue: "",
              shortdesc: "Data directory, when it differs from pgdata",
              longdesc: """
                  The data_directory of the instance (where PG_VERSION, global/pg_control and standby.signal live). \
                  Set it when the configuration files live apart from the data, as on Debian \
                  (/var/lib/postgresql/<version>/<name>). Empty means the same as pgdata.
                  """),
        .init(name: "bindir", kind: .string, required: false, defaultValue: "",
              shortdesc: "Directory of pg_ctl, pg_controldata and friends",
              longdesc: """
                  Where the PostgreSQL server binaries are. Empty means /usr/lib/postgresql/<major>/bin for the \
                  major version found in the data directory's PG_VERSION, or /usr/bin when that does not exist. \
                  Set it for a build installed elsewhere; its major version must match the data directory's.
                  """),
        .init(name: "pghost", kind: .string, required: false, defaultValue: "/var/run/postgresql",
              shortdesc: "Unix socket directory the agent connects through",
              longdesc: """
                  The directory of the server's Unix socket (one of unix_socket_directories). The agent only \
                  connects locally, as system_user with peer authentication; change it when the socket lives \
                  elsewhere, e.g. /tmp for a build from source.
                  """),
        .init(name: "pgport", kind: .integer, required: false, defaultValue: "5432",
              shortdesc: "Port of the instance",
              longdesc: """
                  The port the instance listens on, used for the local socket and, unless node_hosts says \
                  otherwise, by standbys to reach the primary. Change it when several instances share a node.
                  """),
        .init(name: "system_user", kind: .string, required: false, defaultValue: "postgres",
              shortdesc: "Operating system user owning the instance",
              longdesc: """
                  The agent runs as root but does everything PostgreSQL does as this user: pg_ctl, \
                  pg_controldata and the libpq connections (peer authentication). Change it only when the data \
                  directory belongs to another user.
                  """),
        .init(name: "start_opts", kind: .string, required: false, defaultValue: "",
              shortdesc: "Extra options for the postgres server",
              longdesc: """
                  Passed to pg_ctl as -o at start, e.g. "-c config_file=/etc/postgresql/15/main/postgresql.conf". \
                  Leave empty unless the instance needs options that its configuration files cannot hold. \
                  pg_ctl hands them to a shell: only letters, digits, spaces and -_=./,:@+% are accepted.
                  """),
        .init(name: "logfile", kind: .string, required: false, defaultValue: "/dev/null",
              shortdesc: "File for the server's output before its logging starts",
              longdesc: """
                  pg_ctl -l: receives what the server prints before logging_collector takes over, such as a \
                  configuration error at start. Must be writable by system_user. Set it while debugging a start \
                  that fails.
                  """),
        .init(name: "maxlag", kind: .integer, required: false, defaultValue: "0",
              shortdesc: "Lag in bytes beyond which a standby may not be promoted",
              longdesc: """
                  A standby whose replay lags the primary by more than this many bytes gets a negative promotion \
                  score, so Pacemaker will not pick it while a better one exists. 0 disables the limit. Raise it \
                  on busy clusters where a few MB of lag is normal.
                  """),
        .init(name: "node_hosts", kind: .string, required: false, defaultValue: "",
              shortdesc: "Map of node names to the host standbys connect to",
              longdesc: """
                  Space-separated node=host or node=host:port pairs (IPv6 in brackets: node=[fd00::1]:5432), used \
                  in each standby's primary_conninfo to reach the primary. Empty means the Pacemaker node name is \
                  the host and pgport the port. Set it when node names do not resolve to the replication network.
                  """),
        .init(name: "replication_options", kind: .string, required: false, defaultValue: "",
              shortdesc: "Extra connection options for primary_conninfo",
              longdesc: """
                  libpq keyword=value options added to every standby's primary_conninfo, e.g. \
                  "user=replicator passfile=/var/lib/postgresql/.pgpass sslmode=prefer". host, port and \
                  application_name are set by the agent and may not appear here.
                  """),
        .init(name: "rewind", kind: .boolean, required: false, defaultValue: "false",
              shortdesc: "Rewind a former primary that diverged",
              longdesc: """
                  A former primary that wrote WAL the new primary never received (a crash with asynchronous \
                  replication) cannot follow it. false: start refuses such a node with a reason, for the admin \
                  to rebuild it. true: start runs pg_rewind against the primary first (needs wal_log_hints=on or \
                  data checksums, and a replication_options user allowed to run pg_rewind) and the node rejoins \
                  as a standby; the writes only it had are discarded.
                  """),
        .init(name: "bootstrap", kind: .boolean, required: false, defaultValue: "false",
              shortdesc: "Clone a missing or empty data directory from the primary",
              longdesc: """
                  false: a node whose data directory is missing or empty cannot start (code 5), for the admin \
                  to create it. true: monitor reports such a node as not running, and start clones it from \
                  the current primary with pg_basebackup (as system_user, with replication_options, through \
                  this node's slot), then starts it as a standby. The clone is written inside the data \
                  directory and moved into place only once complete: a half-finished clone never starts. With \
                  rewind=true, a diverged node whose pg_rewind fails is cloned again the same way. The start \
                  timeout must cover copying the whole database. Files kept outside the data directory (the \
                  configuration in pgdata when datadir differs) are not touched.
                  """),
        .init(name: "sync_standbys", kind: .integer, required: false, defaultValue: "0",
              shortdesc: "Standbys that must flush a commit before it is acknowledged",
              longdesc: """
                  0: asynchronous replication (a failover can lose the last commits). k >= 1: the primary runs \
                  with synchronous_standby_names = 'ANY k (the other nodes)', so every acknowledged commit is on \
                  k standbys, and a standby is promoted only when the positions published by enough of them \
                  prove it holds every acknowledged commit; otherwise the promotion waits for the old primary. \
                  Commits wait while fewer than k standbys stream. Must be less than the number of clone \
                  instances.
                  """),
    ]

    public static func named(_ name: String) -> ParameterDefinition? {
        all.first { $0.name == name }
    }
}
