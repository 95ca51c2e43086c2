/// The resource's parameters, parsed and checked for form (no file or user look-ups here).
public struct Parameters: Sendable, Equatable {
    public var pgdata: String
    public var datadir: String
    /// nil: derive from the data directory's major version (see `bindir` in meta-data).
    public var bindir: String?
    public var pghost: String
    public var pgport: Int
    public var systemUser: String
    public var startOptions: String
    public var logfile: String
    public var maxlag: Int64
    public var nodeHosts: [String: NodeAddress]
    public var replicationOptions: [(String, String)]
    public var rewind: Bool
    /// Clone a missing or empty data directory from the primary at start (pg_basebackup).
    public var bootstrap: Bool
    /// k of `ANY k (...)`: how many standbys must flush a commit before it is acknowledged; 0 is asynchronous.
    public var syncStandbys: Int

    public static func == (lhs: Parameters, rhs: Parameters) -> Bool {
        lhs.pgdata == rhs.pgdata && lhs.datadir == rhs.datadir && lhs.bindir == rhs.bindir
            && lhs.pghost == rhs.pghost && lhs.pgport == rhs.pgport && lhs.systemUser == rhs.systemUser
            && lhs.startOptions == rhs.startOptions && lhs.logfile == rhs.logfile && lhs.maxlag == rhs.maxlag
            && lhs.nodeHosts == rhs.nodeHosts && lhs.rewind == rhs.rewind && lhs.bootstrap == rhs.bootstrap
            && lhs.syncStandbys == rhs.syncStandbys
            && lhs.replicationOptions.map { "\($0.0)=\($0.1)" } == rhs.replicationOptions.map { "\($0.0)=\($0.1)" }
    }

    /// Keywords the agent writes into primary_conninfo itself.
    static let reservedConninfoKeywords: Set<String> = ["host", "hostaddr", "port", "application_name", "dbname"]
    static let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
    /// The files replication_options may name, which the system user must be able to read.
    public static let conninfoFileKeywords = ["sslrootcert", "sslcert", "sslkey", "sslcrl", "passfile"]

    public init(environment: OCFEnvironment) throws(AgentError) {
        func value(_ name: String) -> String {
            if let set = environment.parameter(name), !set.isEmpty { return set }
            return ParameterDefinition.named(name)?.defaultValue ?? ""
        }
        pgdata = value("pgdata")
        guard !pgdata.isEmpty else { throw .missingParameter("pgdata") }
        guard pgdata.hasPrefix("/") else {
            throw .invalidParameter(name: "pgdata", value: pgdata, why: "must be an absolute path")
        }
        let datadirValue = value("datadir")
        datadir = datadirValue.isEmpty ? pgdata : datadirValue
        guard datadir.hasPrefix("/") else {
            throw .invalidParameter(name: "datadir", value: datadir, why: "must be an absolute path")
        }
        let bindirValue = value("bindir")
        bindir = bindirValue.isEmpty ? nil : bindirValue
        pghost = value("pghost")
        guard let port = Int(value("pgport")), (1...65535).contains(port) else {
            throw .invalidParameter(name: "pgport", value: value("pgport"), why: "must be a port number")
        }
        pgport = port
        systemUser = value("system_user")
        guard !systemUser.isEmpty else { throw .missingParameter("system_user") }
        startOptions = value("start_opts")
        logfile = value("logfile")
        for (name, path) in [("pgdata", pgdata), ("datadir", datadir), ("logfile", logfile)] {
            if let c = ShellExposure.unsafeInQuotes(path) {
                throw .invalidParameter(name: name, value: path,
                                        why: "\(ShellExposure.describe(c)) is not allowed: pg_ctl passes this path through a shell")
            }
        }
        if let c = ShellExposure.unsafeOption(startOptions) {
            throw .invalidParameter(name: "start_opts", value: startOptions,
                                    why: "\(ShellExposure.describe(c)) is not allowed: pg_ctl -o hands these options to a shell (use letters, digits, spaces and -_=./,:@+%)")
        }
        guard let lag = Int64(value("maxlag")), lag >= 0 else {
            throw .invalidParameter(name: "maxlag", value: value("maxlag"), why: "must be a number of bytes >= 0")
        }
        maxlag = lag
        nodeHosts = try NodeAddress.parseMap(value("node_hosts"))
        guard let rewind = Self.boolean(value("rewind")) else {
            throw .invalidParameter(name: "rewind", value: value("rewind"), why: "must be true or false")
        }
        self.rewind = rewind
        guard let bootstrap = Self.boolean(value("bootstrap")) else {
            throw .invalidParameter(name: "bootstrap", value: value("bootstrap"), why: "must be true or false")
        }
        self.bootstrap = bootstrap
        guard let sync = Int(value("sync_standbys")), sync >= 0 else {
            throw .invalidParameter(name: "sync_standbys", value: value("sync_standbys"),
                                    why: "must be a whole number of standbys >= 0 (0: asynchronous)")
        }
        syncStandbys = sync
        do {
            replicationOptions = try Conninfo.parse(value("replication_options"))
        } catch {
            throw .invalidParameter(name: "replication_options", value: Conninfo.redacted(value("replication_options")),
                                    why: "not a libpq keyword=value list")
        }
        if let reserved = replicationOptions.first(where: { Self.reservedConninfoKeywords.contains($0.0) }) {
            throw .invalidParameter(name: "replication_options", value: Conninfo.redacted(value("replication_options")),
                                    why: "'\(reserved.0)' is set by the agent")
        }
        // A misspelt sslmode would otherwise fail only at the first failover, on the other nodes.
        if let mode = replicationOptions.last(where: { $0.0 == "sslmode" })?.1, !Self.sslModes.contains(mode) {
            throw .invalidParameter(name: "replication_options", value: Conninfo.redacted(value("replication_options")),
                                    why: "sslmode '\(mode)' is none of \(Self.sslModes.joined(separator: ", "))")
        }
        // The secrets must be able to reach pg_rewind and pg_basebackup outside their argument vector: say
        // so now, not at the first rewind or clone.
        _ = try Conninfo.forChildProcess(Conninfo.build(replicationOptions))
    }

    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: return nil
        }
    }

    /// Where a standby reaches `node`'s instance.
    public func address(of node: String) -> NodeAddress {
        guard let mapped = nodeHosts[node] else { return NodeAddress(host: node, port: pgport) }
        return NodeAddress(host: mapped.host, port: mapped.port == 0 ? pgport : mapped.port)
    }
}

/// A host and port a standby connects to.
public struct NodeAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `n1=host n2=host:5433 n3=[fd00::3]:5432`; a port left out is 0.
    static func parseMap(_ text: String) throws(AgentError) -> [String: NodeAddress] {
        var map: [String: NodeAddress] = [:]
        for pair in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }) {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let address = parse(parts[1]) else {
                throw .invalidParameter(name: "node_hosts", value: text, why: "'\(pair)' is not node=host[:port]")
            }
            map[parts[0]] = address
        }
        return map
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`; port 0 means "the instance's pgport".
    static func parse(_ text: String) -> NodeAddress? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard !host.isEmpty else { return nil }
            if rest.isEmpty { return NodeAddress(host: host, port: 0) }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65535).contains(port) else { return nil }
            return NodeAddress(host: host, port: port)
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return text.isEmpty ? nil : NodeAddress(host: text, port: 0)
        case 2:
            guard !parts[0].isEmpty, let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
            return NodeAddress(host: String(parts[0]), port: port)
        default: return nil
        }
    }
}
