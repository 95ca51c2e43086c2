/// What one node's PostgreSQL says about itself, read over the network by `pgha status`.
public struct ServerFacts: Equatable, Sendable {
    /// One row of a primary's pg_stat_replication.
    public struct Replication: Equatable, Sendable {
        /// The standby's node name: pgha sets application_name to it.
        public var node: String
        public var state: String
        public var replayLSN: LSN?
        /// Bytes between the primary's current LSN and the standby's replay LSN, in one snapshot.
        public var lagBytes: Int64?
        /// replay_lag in seconds; PostgreSQL reports none once an idle standby has caught up.
        public var lagSeconds: Double?
        public var syncState: String
    }

    /// One physical replication slot on a primary.
    public struct Slot: Equatable, Sendable {
        public var name: String
        public var active: Bool
    }

    public var inRecovery: Bool
    public var timeline: UInt32?
    /// The primary's pg_current_wal_lsn().
    public var currentLSN: LSN?
    /// A standby's pg_last_wal_receive_lsn() and pg_last_wal_replay_lsn().
    public var receiveLSN: LSN?
    public var replayLSN: LSN?
    /// A standby's WAL receiver status (streaming, waiting...), nil when none runs.
    public var walReceiver: String?
    public var replication: [Replication] = []
    public var slots: [Slot] = []
    public var synchronousStandbyNames: String?

    /// Where a standby's WAL ends, as the election sees it: the greater of received and replayed.
    public var standbyLSN: LSN? { [receiveLSN, replayLSN].compactMap { $0 }.max() }
}

/// A node's PostgreSQL: its facts, or why it did not answer.
public enum ServerAnswer: Equatable, Sendable {
    case answered(ServerFacts)
    case notAnswering(String)
}

/// Read-only queries, each bounded by the connection's statement_timeout. Nothing here writes.
enum ServerFactsQuery {
    static let recovery = "SELECT pg_is_in_recovery()"

    /// pg_current_wal_lsn() fails during recovery: asked only of a primary.
    static let primaryPosition = """
        SELECT pg_current_wal_lsn()::text, substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8),
               current_setting('synchronous_standby_names')
        """

    static let replication = """
        SELECT application_name, state, replay_lsn::text,
               pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint::text,
               extract(epoch FROM replay_lag)::float8::text, sync_state
          FROM pg_stat_replication ORDER BY application_name
        """

    static let slots = "SELECT slot_name, active::text FROM pg_replication_slots WHERE slot_type = 'physical' ORDER BY slot_name"

    /// pg_stat_wal_receiver has no row when no WAL receiver runs: the join keeps the LSNs.
    static let standbyPosition = """
        SELECT pg_last_wal_receive_lsn()::text, pg_last_wal_replay_lsn()::text, r.received_tli::text, r.status
          FROM (SELECT 1) one LEFT JOIN pg_stat_wal_receiver r ON true
        """

    /// The last restartpoint's timeline: a fallback when the WAL receiver's is not visible to this user.
    static let checkpointTimeline = "SELECT timeline_id::text FROM pg_control_checkpoint()"

    /// Pure: the facts from the rows of the queries above. Rows hold text, NULL as nil.
    static func facts(inRecovery: Bool, position: [String?], replication: [[String?]], slots: [[String?]],
                      checkpointTimeline: String?) -> ServerFacts {
        func field(_ row: [String?], _ index: Int) -> String? { row.count > index ? row[index] : nil }
        if !inRecovery {
            return ServerFacts(
                inRecovery: false,
                timeline: field(position, 1).flatMap { UInt32($0, radix: 16) },
                currentLSN: field(position, 0).flatMap { LSN($0) },
                replication: replication.map { row in
                    ServerFacts.Replication(node: field(row, 0) ?? "", state: field(row, 1) ?? "",
                                            replayLSN: field(row, 2).flatMap { LSN($0) },
                                            lagBytes: field(row, 3).flatMap { Int64($0) },
                                            lagSeconds: field(row, 4).flatMap { Double($0) },
                                            syncState: field(row, 5) ?? "")
                },
                slots: slots.compactMap { row in
                    field(row, 0).map { ServerFacts.Slot(name: $0, active: field(row, 1) == "true") }
                },
                synchronousStandbyNames: field(position, 2))
        }
        let received = field(position, 2).flatMap { UInt32($0) }
        let checkpoint = checkpointTimeline.flatMap { UInt32($0) }
        return ServerFacts(inRecovery: true,
                           // The WAL receiver's timeline and the last restartpoint's can only lag the truth.
                           timeline: [received, checkpoint].compactMap { $0 }.max(),
                           receiveLSN: field(position, 0).flatMap { LSN($0) },
                           replayLSN: field(position, 1).flatMap { LSN($0) },
                           walReceiver: field(position, 3))
    }
}

/// How status reaches a node's PostgreSQL: the address standbys use for it (node_hosts, else the node name,
/// and pgport), with the admin's replication_options, as the agent connects to other nodes (see
/// `primarySourceConninfo`). Its own application_name, so that it is told apart in pg_stat_activity.
func statusConninfo(node: String, parameters: Parameters, connectTimeoutSeconds: Int = 3) -> String {
    let address = parameters.address(of: node)
    var pairs: [(String, String)] = [("host", address.host), ("port", String(address.port)), ("dbname", "postgres"),
                                     ("application_name", "pgha-status"),
                                     ("connect_timeout", String(max(2, connectTimeoutSeconds)))]
    pairs += parameters.replicationOptions
    // The admin's own `options` win; otherwise every query is bounded.
    if !parameters.replicationOptions.contains(where: { $0.0 == "options" }) {
        pairs.append(("options", "-c statement_timeout=5000"))
    }
    return Conninfo.build(pairs)
}

/// Asks each node's PostgreSQL what it is, one node after the other, as `user` (libpq reads its passfile;
/// the agent does the same). Read-only: SELECTs of functions and views, no setting or slot is touched.
public func gatherServerFacts(nodes: [String], parameters: Parameters, user: SystemUser,
                              connectTimeoutSeconds: Int = 3) -> [String: ServerAnswer] {
    var answers: [String: ServerAnswer] = [:]
    for node in nodes {
        do throws(AgentError) {
            let session = try Session(conninfo: statusConninfo(node: node, parameters: parameters,
                                                               connectTimeoutSeconds: connectTimeoutSeconds),
                                      as: user)
            let inRecovery = try session.value(ServerFactsQuery.recovery) == "t"
            let facts: ServerFacts
            if inRecovery {
                facts = ServerFactsQuery.facts(
                    inRecovery: true, position: try session.query(ServerFactsQuery.standbyPosition).first ?? [],
                    replication: [], slots: [],
                    checkpointTimeline: try? session.value(ServerFactsQuery.checkpointTimeline))
            } else {
                facts = ServerFactsQuery.facts(
                    inRecovery: false, position: try session.query(ServerFactsQuery.primaryPosition).first ?? [],
                    replication: try session.query(ServerFactsQuery.replication),
                    slots: try session.query(ServerFactsQuery.slots), checkpointTimeline: nil)
            }
            answers[node] = .answered(facts)
        } catch {
            // libpq's own message says it best ("connection to server at ... failed: Connection refused"),
            // on one line: it goes into a table and a JSON field.
            let message: String
            if case .query(let text) = error { message = text } else { message = error.reason }
            answers[node] = .notAnswering(message.split(whereSeparator: \.isNewline).map(\.trimmingWhitespace)
                .joined(separator: " "))
        }
    }
    return answers
}
