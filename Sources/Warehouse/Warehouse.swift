import Foundation
import GRDB
import Records

/// The results warehouse: one SQLite file holding every run, measurement and raw sample.
///
/// Owns the connection setup (WAL, a busy timeout, foreign keys) and the migrations; every
/// other module talks to the database through its methods and plain record types, so no SQL
/// leaves this module and `migrations/`.
public final class Warehouse: Sendable {
    public let path: String
    let queue: DatabaseQueue

    /// How long a writer waits for another process's transaction (parallel CI jobs) before failing.
    public static let busyTimeout: TimeInterval = 60

    /// Opens (creating the file and its folder if needed) and migrates the database at `path`.
    /// A database from a newer hhbench is refused, and left untouched.
    public init(path: String) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(Warehouse.busyTimeout)
        configuration.label = "hhbench"
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.writeWithoutTransaction { db in
                try Migrations.checkNotNewer(db, path: path)
                // WAL lets readers and one writer work at once; NORMAL sync is safe with WAL.
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            try Migrations.migrate(queue, path: path)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw WarehouseError.notADatabase(path: path, reason: "the file is not an SQLite database")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN {
            throw WarehouseError.notADatabase(path: path, reason: "cannot open it: \(error.message ?? "permission denied?")")
        }
    }

    /// Migration versions this database applied from a different text than this binary carries.
    public func editedMigrations() throws -> [Int] {
        try queue.read { db in try Migrations.checksumMismatches(db) }
    }

    /// The schema version of the open database.
    public func schemaVersion() throws -> Int {
        try queue.read { db in try Migrations.version(of: db) }
    }

    /// The number of rows of a table or view, for tests and `hhbench show`'s summary.
    public func count(_ table: String) throws -> Int {
        precondition(table.allSatisfy { $0.isLetter || $0 == "_" }, "table names only")
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
    }
}
