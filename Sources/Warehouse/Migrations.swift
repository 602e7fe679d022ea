import Crypto
import Foundation
import GRDB
import Records

/// The numbered SQL files of `migrations/`, embedded at build time, applied in order.
///
/// Each migration runs in its own IMMEDIATE transaction, which records it in
/// `hh_schema_migrations` (version, name, SHA-256, time) and sets `PRAGMA user_version`, so
/// the version is readable with a plain `sqlite3` too. A database whose version is newer than
/// the last migration this binary knows is refused before anything is written.
package enum Migrations {
    package struct Migration: Sendable {
        package let version: Int
        package let name: String
        package let sql: String
        package var checksum: String { Hex.string(SHA256.hash(data: Array(sql.utf8))) }
    }

    package static let all: [Migration] = parse(EmbeddedSQL.migrations)

    /// Numbered files in version order: "0001_initial.sql" is version 1, named "initial".
    static func parse(_ files: [(name: String, sql: String)]) -> [Migration] {
        files.compactMap { file in
            let stem = file.name.replacingOccurrences(of: ".sql", with: "")
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else { return nil }
            return Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: file.sql)
        }.sorted { $0.version < $1.version }
    }

    /// Data steps that run after a migration's SQL, in the same transaction: what SQL alone
    /// cannot do (0003 re-encodes every sample series into the binary layout).
    static let afterSQL: [Int: @Sendable (Database) throws -> Void] = [SampleMigration.version: SampleMigration.convertJSONSeries]

    /// The schema version this binary writes.
    package static var latestVersion: Int { all.last?.version ?? 0 }

    static func version(of db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
    }

    /// Refuses a database from a newer hhbench.
    static func checkNotNewer(_ db: Database, path: String) throws {
        let found = try version(of: db)
        if found > latestVersion {
            throw WarehouseError.newerSchema(path: path, found: found, supported: latestVersion)
        }
    }

    /// Refuses a database an older hhbench wrote, for read-only commands: they cannot migrate it.
    static func checkNotOlder(_ db: Database, path: String) throws {
        let found = try version(of: db)
        if found < latestVersion {
            throw WarehouseError.olderSchema(path: path, found: found, supported: latestVersion)
        }
    }

    /// Refuses an SQLite file that is not an hhbench warehouse (its own tables, no hhbench
    /// migrations) before anything touches it. `allowEmpty`: an SQLite file with no tables at all
    /// may become a warehouse (for writers); readers find nothing in it and refuse it.
    static func checkIsWarehouse(_ db: Database, path: String, allowEmpty: Bool) throws {
        let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
        if tables == 0 {
            if allowEmpty { return }
            throw WarehouseError.notAWarehouse(path: path, reason: "the SQLite file is empty: nothing was recorded into it")
        }
        guard try db.tableExists("hh_schema_migrations") else {
            throw WarehouseError.notAWarehouse(path: path, reason: "an SQLite database with other tables than hhbench's")
        }
    }

    /// Versions whose recorded checksum differs from this binary's migration of that version: the
    /// database was built by an edited migration (landed migrations must never change).
    static func checksumMismatches(_ db: Database) throws -> [Int] {
        guard try db.tableExists("hh_schema_migrations") else { return [] }
        let recorded = try Row.fetchAll(db, sql: "SELECT version, checksum FROM hh_schema_migrations")
        let known = Dictionary(uniqueKeysWithValues: all.map { ($0.version, $0.checksum) })
        return recorded.compactMap { row in
            let version: Int = row["version"]
            guard let checksum = known[version] else { return nil }
            return checksum == (row["checksum"] as String) ? nil : version
        }.sorted()
    }

    /// Applies what is missing. Safe when several processes open a new database at once:
    /// each migration re-reads the version inside its write transaction.
    /// Returns the version the database had before.
    @discardableResult
    static func migrate(_ writer: DatabaseQueue, path: String) throws -> Int {
        let current = try writer.read { db in try version(of: db) }
        guard current < latestVersion else { return current }
        for migration in all where migration.version > current {
            try writer.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    let now = try version(of: db)
                    if now > latestVersion {
                        throw WarehouseError.newerSchema(path: path, found: now, supported: latestVersion)
                    }
                    guard now < migration.version else { return .commit }
                    try db.execute(sql: """
                        CREATE TABLE IF NOT EXISTS hh_schema_migrations (
                            version    INTEGER PRIMARY KEY,
                            name       TEXT NOT NULL,
                            checksum   TEXT NOT NULL,
                            applied_at TEXT NOT NULL
                        ) STRICT
                        """)
                    try db.execute(sql: migration.sql)
                    try afterSQL[migration.version]?(db)
                    try db.execute(
                        sql: "INSERT INTO hh_schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                        arguments: [migration.version, migration.name, migration.checksum, Timestamp.now()])
                    try db.execute(sql: "PRAGMA user_version = \(migration.version)")
                    return .commit
                }
            }
        }
        return current
    }
}
