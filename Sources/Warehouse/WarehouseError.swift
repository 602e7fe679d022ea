import GRDB
import Records

/// Failures of the warehouse that a user can act on. Each names the database file; the CLI
/// maps each to an exit code.
package enum WarehouseError: Error, CustomStringConvertible, Sendable {
    /// The database was written by a newer hhbench; it is left untouched.
    case newerSchema(path: String, found: Int, supported: Int)
    /// A read-only command met a database an older hhbench wrote (it cannot migrate it).
    case olderSchema(path: String, found: Int, supported: Int)
    /// The file is not an SQLite database.
    case notADatabase(path: String, reason: String)
    /// An SQLite database, but not an hhbench warehouse: refused untouched.
    case notAWarehouse(path: String, reason: String)
    /// A read-only command named a database that does not exist.
    case missingDatabase(path: String)
    case cannotCreateFolder(path: String, reason: String)
    /// The file or its folder cannot be written.
    case readOnly(path: String)
    case diskFull(path: String)
    /// Another process held the database longer than the busy timeout.
    case busy(path: String)
    case corrupt(path: String, message: String)
    /// The database refused a run at write time (a constraint); nothing of the batch was written.
    case runRefused(path: String, source: String, reason: String)
    /// A run whose uuid is stored already with other content (an edited export, say).
    case uuidConflict(path: String, source: String, uuid: String, runID: Int64)
    /// Any other error of the database engine.
    case engine(path: String, message: String)
    /// A run id or uuid prefix that matches nothing, or more than one run.
    case runNotFound(String)
    case ambiguousRun(String, matches: [String])
    /// A query that would change the database.
    case writeRefused(String)
    /// A `--param` the query does not use (a typo, most likely).
    case unknownParameter(String, known: [String])
    /// A `postgresql://` URL hhbench cannot read (the URL is given with its password masked).
    case badDatabaseURL(url: String, message: String)
    /// The PostgreSQL server could not be reached or refused the login.
    case unreachable(url: String, reason: String)
    /// The connection to the PostgreSQL server ended after it was made: the server stopped,
    /// restarted or reset the connection. The server rolls back what was not committed.
    case serverLost(url: String, reason: String)
    /// An SQLite-only step (the file-to-file merge, the SQLite writer) asked of a PostgreSQL warehouse: a bug.
    case sqliteOnly(path: String)

    /// The engine's error, as one of the cases above.
    init(_ error: DatabaseError, path: String) {
        switch error.resultCode {
        case .SQLITE_NOTADB: self = .notADatabase(path: path, reason: "the file is not an SQLite database")
        case .SQLITE_CANTOPEN:
            self = .notADatabase(path: path, reason: "cannot open it: \(error.message ?? "permission denied?")")
        case .SQLITE_READONLY: self = .readOnly(path: path)
        case .SQLITE_FULL: self = .diskFull(path: path)
        case .SQLITE_BUSY, .SQLITE_LOCKED: self = .busy(path: path)
        case .SQLITE_CORRUPT: self = .corrupt(path: path, message: error.message ?? "malformed")
        default: self = .engine(path: path, message: "\(error.message ?? "error") (\(error.resultCode))")
        }
    }

    /// The message for an engine error that escaped a command without its database's path (the
    /// CLI maps errors to exit codes in one place and must not know the engine); nil for others.
    package static func engineMessage(for error: any Error) -> String? {
        guard let database = error as? DatabaseError else { return nil }
        return "database error: \(database.message ?? "\(database.resultCode)") (\(database.resultCode))"
    }

    package var description: String {
        switch self {
        case let .newerSchema(path, found, supported):
            return "\(path): the database schema is version \(found), newer than this hhbench supports (\(supported)); "
                + "it was left untouched. Upgrade hhbench, or record into another database with --db"
        case let .olderSchema(path, found, supported):
            return "\(path): the database schema is version \(found), older than this hhbench's (\(supported)), and read-only "
                + "commands do not migrate. Record into it once (hhbench record) to upgrade it"
        case let .notADatabase(path, reason):
            return "\(path): not an hhbench database (\(reason)). Point --db at a .db file hhbench wrote, or at a new path"
        case let .notAWarehouse(path, reason):
            return "\(path): not an hhbench warehouse (\(reason)); it was left untouched. Point --db at a file hhbench wrote, or at a new path"
        case let .missingDatabase(path):
            return "\(path): no such database. Record runs first (hhbench record), or fix --db / HHBENCH_DB"
        case let .cannotCreateFolder(path, reason):
            return "\(path): cannot create the database's folder (\(reason)). Give a writable path with --db"
        case let .readOnly(path):
            return "\(path): the database or its folder is read-only, so nothing was written. Record into a writable path with --db"
        case let .diskFull(path):
            return "\(path): the disk is full; the transaction was rolled back and nothing was written. Free space and try again"
        case let .busy(path):
            return "\(path): another process held the database for over \(Int(Warehouse.busyTimeout)) s; nothing was written. Try again"
        case let .corrupt(path, message):
            return "\(path): the database is damaged (\(message)); nothing was written to it. Restore it from a copy, "
                + "salvage it with sqlite3 \(path) .recover | sqlite3 NEW.db, or record into a new path"
        case let .uuidConflict(path, source, uuid, runID):
            return (source.isEmpty ? "" : "\(Records.Printable.escaped(source)): ") + "run \(uuid) is stored already in \(path) as run \(runID), "
                + "with other content (its samples or values differ); nothing was written. An edited export keeps its uuid: "
                + "remove the uuid from its run line to record it as a new run, or compare the two with hhbench show \(runID)"
        case let .runRefused(path, source, reason):
            return (source.isEmpty ? "" : "\(Records.Printable.escaped(source)): ") + "the run was refused by \(path) (\(Records.Printable.escaped(reason))); "
                + "nothing was written. Check the input for a benchmark and metric given twice"
        case let .engine(path, message):
            return "\(path): database error: \(message)"
        case let .runNotFound(id):
            return "no run '\(Records.Printable.escaped(id))' in the database. 'hhbench runs' lists the runs"
        case let .ambiguousRun(id, matches):
            return "run '\(Records.Printable.escaped(id))' is ambiguous: it matches \(matches.joined(separator: ", ")). Give more of the uuid"
        case let .unknownParameter(name, known):
            return "the query has no parameter :\(Records.Printable.escaped(name))"
                + (known.isEmpty ? "; it takes none" : "; it takes " + known.map { ":" + $0 }.joined(separator: ", "))
        case let .badDatabaseURL(url, message):
            return "\(url): not a usable PostgreSQL URL: \(message). The form is postgresql://user@host:port/dbname?sslmode=require"
        case let .unreachable(url, reason):
            return "\(url): cannot connect: \(Records.Printable.escaped(reason)). Check that the server runs and the URL's host, port, user and database"
        case let .serverLost(url, reason):
            return "\(url): \(Records.Printable.escaped(reason)). Check the server's log; once it is back, run the command again"
        case let .sqliteOnly(path):
            return "\(path): this step works on SQLite files only and should not have been reached on PostgreSQL (a bug; please report it)"
        case let .writeRefused(reason):
            return "refused: \(reason). Queries run read-only; the database was not changed"
        }
    }
}
