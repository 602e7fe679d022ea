import Foundation
import Logging
import PostgresNIO

/// One connection to a PostgreSQL warehouse, used synchronously: every hhbench command is one
/// sequential process, and the warehouse's API (the same for SQLite) is synchronous. Queries go
/// through postgres-nio's extended protocol with bound parameters, never spliced into the SQL.
///
/// Every wait has a deadline: connecting `connect_timeout` (default 10 s), each statement and each
/// commit `statementDeadline` (default 300 s, `HHBENCH_PG_STATEMENT_DEADLINE` seconds). A server
/// that dies mid-statement ends the command at once (or, where the connection's end is not
/// reported, within the deadline) with "the server went away"; the server rolls back whatever
/// transaction was open, so nothing partial stays. One lock keeps the connection to one thread
/// at a time: a report reads from several.
final class PostgresSession: @unchecked Sendable {
    let address: PostgresAddress
    private let connection: PostgresConnection
    private let lock = NSRecursiveLock()
    /// Seconds a statement or a commit may take before the command gives up on the server.
    let statementDeadline: Double = ProcessInfo.processInfo.environment["HHBENCH_PG_STATEMENT_DEADLINE"]
        .flatMap(Double.init).flatMap { $0 > 0 && $0 <= 86_400 ? $0 : nil } ?? 300
    /// postgres-nio logs through swift-log; hhbench's diagnostics are its own errors.
    static let logger = Logger(label: "hhbench.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    init(_ address: PostgresAddress) throws {
        self.address = address
        let configuration: PostgresConnection.Configuration
        if address.isUnixSocket {
            configuration = .init(unixSocketPath: address.socketPath, username: address.user, password: address.password,
                                  database: address.database)
        } else {
            configuration = .init(host: address.host, port: address.port, username: address.user, password: address.password,
                                  database: address.database, tls: try Self.tls(address))
        }
        var withTimeout = configuration
        withTimeout.options.connectTimeout = .seconds(Int64(address.connectTimeout))
        let connecting = PostgresConnection.connect(on: PostgresConnection.defaultEventLoopGroup.any(), configuration: withTimeout,
                                                    id: 1, logger: Self.logger)
        // The TCP connect has its own timeout; the start-up and authentication that follow are
        // held to the same deadline here.
        connection = try Self.wait(connecting, seconds: Double(address.connectTimeout) + 1, address: address, connection: nil,
                                   doing: "connecting (connect_timeout \(address.connectTimeout) s)")
    }

    /// The value of `future`, or an error once `seconds` pass or the connection is gone.
    private static func wait<T>(_ future: EventLoopFuture<T>, seconds: Double, address: PostgresAddress, connection: PostgresConnection?,
                                doing what: String) throws -> T {
        let outcome = Outcome<T>()
        future.whenComplete { outcome.set($0) }
        let start = DispatchTime.now().uptimeNanoseconds
        var closedSince: UInt64?
        while outcome.done.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            let now = DispatchTime.now().uptimeNanoseconds
            if let connection, connection.isClosed {
                // The connection ended; its pending request should fail at once. Where it does not
                // (the hang this replaces), one second is enough to say so.
                closedSince = closedSince ?? now
                if now - closedSince! > 1_000_000_000 {
                    throw WarehouseError.serverLost(url: address.redacted, reason: "the server went away while \(what); nothing of it was kept")
                }
            }
            if Double(now - start) / 1e9 > seconds {
                if let connection { let _: EventLoopFuture<Void> = connection.close() }
                let reason = "no answer within \(Int(seconds)) s while \(what): the server went away or is stuck; nothing of it was kept"
                throw connection == nil ? WarehouseError.unreachable(url: address.redacted, reason: reason)
                    : WarehouseError.serverLost(url: address.redacted, reason: reason)
            }
        }
        do {
            return try outcome.value!.get()
        } catch {
            throw translate(error, address, connected: connection != nil)
        }
    }

    /// A result handed from the event loop to the waiting thread.
    private final class Outcome<T>: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        private(set) var value: Result<T, any Error>?
        func set(_ result: Result<T, any Error>) {
            value = result
            done.signal()
        }
    }

    deinit { try? connection.close().wait() }

    /// TLS as libpq's `sslmode` asks: none, tried (`allow`, `prefer`), required without checking
    /// the certificate (`require`), or required and checked against `sslrootcert` or the system's
    /// roots, with the host name too for `verify-full`.
    private static func tls(_ address: PostgresAddress) throws -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch address.sslMode {
        case .disable: return .disable
        case .allow, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        if let root = address.sslRootCert { configuration.trustRoots = .file(root) }
        do {
            let context = try NIOSSLContext(configuration: configuration)
            return [.allow, .prefer].contains(address.sslMode) ? .prefer(context) : .require(context)
        } catch {
            throw WarehouseError.badDatabaseURL(url: address.redacted, message: "TLS cannot be set up (\(error)); check sslrootcert")
        }
    }

    /// The rows of one statement, its parameters bound.
    @discardableResult
    func query(_ sql: String, _ arguments: [any PostgresArgument] = []) throws -> [PostgresRow] {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments { try argument.bind(into: &bindings) }
        lock.lock()
        defer { lock.unlock() }
        let pending = connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: Self.logger)
        let statement = sql.split(separator: " ", maxSplits: 1).first.map(String.init) ?? "a statement"
        return Array(try Self.wait(pending, seconds: statementDeadline, address: address, connection: connection,
                                   doing: "waiting for \(statement.uppercased() == "COMMIT" ? "the commit" : "a \(statement.uppercased()) statement")").rows)
    }

    /// The first column of the first row, nil when there is no row or it is NULL.
    func value<T: PostgresDecodable>(_ sql: String, _ arguments: [any PostgresArgument] = [], as type: T.Type) throws -> T?
        where T._DecodableType == T {
        guard let row = try query(sql, arguments).first else { return nil }
        do {
            return try row.decode(T?.self)
        } catch {
            throw WarehouseError.engine(path: address.redacted, message: "unexpected column type in the answer to: \(sql.prefix(60))")
        }
    }

    /// The first column of every row (NULLs left out).
    func column<T: PostgresDecodable>(_ sql: String, _ arguments: [any PostgresArgument] = [], as type: T.Type) throws -> [T]
        where T._DecodableType == T {
        do {
            return try query(sql, arguments).compactMap { try $0.decode(T?.self) }
        } catch let error as WarehouseError {
            throw error
        } catch {
            throw WarehouseError.engine(path: address.redacted, message: "unexpected column type in the answer to: \(sql.prefix(60))")
        }
    }

    /// Several statements without parameters (a migration), one at a time: postgres-nio speaks
    /// the extended protocol, which takes one statement a message.
    func script(_ sql: String) throws {
        for statement in SQLText.statements(sql) { try query(statement) }
    }

    /// `body` in one transaction: committed when it returns, rolled back when it throws. A
    /// deadlock or serialization failure (writers racing for the same rows) rolls back and runs
    /// `body` again, up to `attempts` times in all.
    func transaction<T>(attempts: Int = 8, begin: String = "BEGIN", _ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        var attempt = 1
        while true {
            try script(begin)
            do {
                let result = try body()
                try script("COMMIT")
                return result
            } catch is Retry where attempt < attempts {
                try? script("ROLLBACK")
                attempt += 1
            } catch let error as Retry {
                try? script("ROLLBACK")
                throw WarehouseError.busy(path: address.redacted + " (\(error.message))")
            } catch {
                try? script("ROLLBACK")
                throw error
            }
        }
    }

    /// A deadlock or serialization failure: the transaction may simply be run again.
    struct Retry: Error {
        let message: String
    }

    /// The server's error as a `WarehouseError` naming the redacted URL. postgres-nio's own
    /// description is generic on purpose (it may hold parameters); the server's message and SQL
    /// state are what a user can act on, and neither holds the password. On a `connected`
    /// session a failed socket (a reset, a broken pipe) is the server going away, not a failure
    /// to connect: `pg_ctl stop -m immediate` resets the connection as often as it closes it.
    static func translate(_ error: any Error, _ address: PostgresAddress, connected: Bool) -> any Error {
        if error is WarehouseError { return error }
        guard let psql = error as? PSQLError else {
            let reason = String(describing: error)
            return connected ? WarehouseError.serverLost(url: address.redacted, reason: "the server went away (\(reason)); what was not committed was not kept")
                : WarehouseError.unreachable(url: address.redacted, reason: reason)
        }
        let where_ = address.redacted
        if let info = psql.serverInfo {
            let state = info[.sqlState] ?? ""
            let message = info[.message] ?? "error"
            switch state {
            case "40P01", "40001": return Retry(message: message)
            case "28P01", "28000": return WarehouseError.unreachable(url: where_, reason: message + " (check the user and password: "
                                                                     + "the URL, PGPASSWORD or ~/.pgpass)")
            case "3D000": return WarehouseError.unreachable(url: where_, reason: message + " (create it: createdb \(address.database))")
            case "23505", "23503", "23514", "23502": return WarehouseError.runRefused(path: where_, source: "", reason: message)
            case "25006": return WarehouseError.writeRefused(message)
            case "57014": return WarehouseError.engine(path: where_, message: message + " (the statement timeout)")
            default: return WarehouseError.engine(path: where_, message: "\(message) (SQLSTATE \(state))")
            }
        }
        switch psql.code {
        case .serverClosedConnection, .uncleanShutdown:
            return WarehouseError.serverLost(url: where_, reason: "the server went away (the connection closed); what was not committed was not kept")
        case .connectionError:
            let reason = psql.underlying.map { String(describing: $0) } ?? "the connection failed"
            return connected ? WarehouseError.serverLost(url: where_, reason: "the server went away (\(reason)); what was not committed was not kept")
                : WarehouseError.unreachable(url: where_, reason: reason)
        case .sslUnsupported:
            return WarehouseError.unreachable(url: where_, reason: "the server does not offer TLS, and sslmode asks for it")
        case .authMechanismRequiresPassword:
            return WarehouseError.unreachable(url: where_, reason: "the server asks for a password: give it in the URL, PGPASSWORD or ~/.pgpass")
        default:
            return WarehouseError.engine(path: where_, message: "\(psql.code)")
        }
    }
}

/// A value bound to a statement's parameter (`$1`, `$2`, …): text, numbers, booleans, bytes, or null.
protocol PostgresArgument {
    func bind(into bindings: inout PostgresBindings) throws
}

extension String: PostgresArgument { func bind(into bindings: inout PostgresBindings) throws { bindings.append(self) } }
extension Int: PostgresArgument { func bind(into bindings: inout PostgresBindings) throws { bindings.append(Int64(self)) } }
extension Int64: PostgresArgument { func bind(into bindings: inout PostgresBindings) throws { bindings.append(self) } }
extension Double: PostgresArgument { func bind(into bindings: inout PostgresBindings) throws { bindings.append(self) } }
extension Bool: PostgresArgument { func bind(into bindings: inout PostgresBindings) throws { bindings.append(self) } }
extension Array: PostgresArgument where Element == String {
    func bind(into bindings: inout PostgresBindings) throws { bindings.append(self) }
}
extension ByteBuffer: PostgresArgument { func bind(into bindings: inout PostgresBindings) throws { bindings.append(self) } }

/// NULL, or the value.
struct Nullable<Value: PostgresArgument>: PostgresArgument {
    let value: Value?
    init(_ value: Value?) { self.value = value }
    func bind(into bindings: inout PostgresBindings) throws {
        if let value { try value.bind(into: &bindings) } else { bindings.appendNull() }
    }
}
