#if canImport(Glibc)
import Glibc
#endif
import CLibPQ

/// True when this libpq can make TLS connections (built with OpenSSL): what sslmode=require and
/// stronger need.
public var libpqSupportsTLS: Bool { PQsslAttribute(nil, "library") != nil }

/// One libpq connection to the local instance over its Unix socket, as system_user (peer authentication).
/// Every session has a connect timeout and a statement timeout: a check must never outlive the operation
/// that Pacemaker is waiting on.
public final class Session {
    private let connection: OpaquePointer

    public struct Target: Sendable {
        public var socketDirectory: String
        public var port: Int
        public var user: SystemUser
        public var connectTimeoutSeconds: Int
        public var statementTimeoutMilliseconds: Int

        public init(socketDirectory: String, port: Int, user: SystemUser,
                    connectTimeoutSeconds: Int = 5, statementTimeoutMilliseconds: Int = 5000) {
            self.socketDirectory = socketDirectory
            self.port = port
            self.user = user
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
        }

        var conninfo: String {
            Conninfo.build([
                ("host", socketDirectory), ("port", String(port)), ("user", user.name), ("dbname", "postgres"),
                // libpq treats values under 2 as 2.
                ("connect_timeout", String(max(2, connectTimeoutSeconds))),
                ("application_name", "pgha"),
                ("options", "-c statement_timeout=\(statementTimeoutMilliseconds)"),
                // The agent's own connections are local: no SSL or GSSAPI negotiation to pay for.
                ("sslmode", "disable"), ("gssencmode", "disable"),
            ])
        }
    }

    /// Connects, or throws `.query` with libpq's message (the server is down, starting, or refusing us).
    public convenience init(_ target: Target) throws(AgentError) {
        try self.init(conninfo: target.conninfo, as: target.user)
    }

    /// Connects with any connection string, as `user` (whose files, such as a passfile, libpq reads).
    public init(conninfo: String, as user: SystemUser) throws(AgentError) {
        let opened: OpaquePointer?
        do {
            opened = try user.asEffectiveUser { PQconnectdb(conninfo) }
        } catch let error as AgentError {
            throw error
        } catch {
            throw .query("\(error)")
        }
        guard let opened else { throw .query("out of memory") }
        guard PQstatus(opened) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(opened)).trimmingWhitespace
            PQfinish(opened)
            throw .query(message)
        }
        connection = opened
    }

    deinit { PQfinish(connection) }

    /// Runs `sql` with text parameters and returns its rows; NULL is nil.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws(AgentError) -> [[String?]] {
        let duplicated = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { duplicated.forEach { free($0) } }
        let result: OpaquePointer? = duplicated.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values in
                PQexecParams(connection, sql, Int32(parameters.count), nil, values.baseAddress, nil, nil, 0)
            }
        }
        guard let result else { throw .query(String(cString: PQerrorMessage(connection)).trimmingWhitespace) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            throw .query(String(cString: PQresultErrorMessage(result)).trimmingWhitespace)
        }
        var rows: [[String?]] = []
        for row in 0..<PQntuples(result) {
            rows.append((0..<PQnfields(result)).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            })
        }
        return rows
    }

    /// Runs `sql` with the simple query protocol, the only one a replication connection accepts.
    @discardableResult
    public func simpleQuery(_ sql: String) throws(AgentError) -> [[String?]] {
        guard let result = PQexec(connection, sql) else {
            throw .query(String(cString: PQerrorMessage(connection)).trimmingWhitespace)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            throw .query(String(cString: PQresultErrorMessage(result)).trimmingWhitespace)
        }
        return (0..<PQntuples(result)).map { row in
            (0..<PQnfields(result)).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
        }
    }

    /// The single value of a one-row, one-column query.
    public func value(_ sql: String, _ parameters: [String?] = []) throws(AgentError) -> String? {
        try query(sql, parameters).first?.first ?? nil
    }

    /// A SQL string literal for `text` (ALTER SYSTEM takes no parameters).
    public func literal(_ text: String) throws(AgentError) -> String {
        guard let escaped = PQescapeLiteral(connection, text, text.utf8.count) else {
            throw .query(String(cString: PQerrorMessage(connection)).trimmingWhitespace)
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }

    /// The server's major version as libpq reports it (150018 -> 15).
    public var serverVersion: ServerVersion {
        let number = Int(PQserverVersion(connection))
        return number >= 100000 ? ServerVersion(major: number / 10000) : ServerVersion(major: 90 + (number / 100) % 100)
    }
}
