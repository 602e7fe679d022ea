import Foundation
import PostgresNIO
import Records

/// `migrations/postgres/`, applied in one transaction under a transaction-scoped advisory lock:
/// when dozens of CI runners open a new warehouse at once, one applies each migration and the
/// others wait for it, then find nothing to do. A warehouse of a newer hhbench is refused before
/// anything is written, and a database holding other tables than hhbench's is refused untouched.
enum PostgresMigrations {
    static let all = Migrations.parse(EmbeddedSQL.postgresMigrations)
    static var latestVersion: Int { all.last?.version ?? 0 }
    /// The advisory lock's key: "hhbench" in ASCII, so no other application's key collides by chance.
    static let lockKey: Int64 = 0x68_6862_656E_6368

    /// The schema version of the warehouse; 0 for a database without hhbench's tables.
    static func version(_ session: PostgresSession) throws -> Int {
        guard try session.value("SELECT to_regclass('hh_schema_migrations') IS NOT NULL", as: Bool.self) == true else { return 0 }
        return Int(try session.value("SELECT coalesce(max(version), 0)::bigint FROM hh_schema_migrations", as: Int64.self) ?? 0)
    }

    /// Applies what is missing; returns the version the warehouse had before.
    @discardableResult
    static func migrate(_ session: PostgresSession) throws -> Int {
        let url = session.address.redacted
        return try session.transaction {
            try session.query("SELECT pg_advisory_xact_lock($1)", [lockKey])
            let current = try version(session)
            if current > latestVersion { throw WarehouseError.newerSchema(path: url, found: current, supported: latestVersion) }
            guard current < latestVersion else { return current }
            if current == 0, let other = try session.value("""
                SELECT min(tablename)::text FROM pg_tables WHERE schemaname = current_schema()
                """, as: String.self) {
                throw WarehouseError.notAWarehouse(path: url, reason: "the database has other tables than hhbench's (\(other))")
            }
            try session.script("""
                CREATE TABLE IF NOT EXISTS hh_schema_migrations (
                    version    INTEGER PRIMARY KEY,
                    name       TEXT NOT NULL,
                    checksum   TEXT NOT NULL,
                    applied_at TEXT NOT NULL
                )
                """)
            for migration in all where migration.version > current {
                try session.script(migration.sql)
                try session.query("INSERT INTO hh_schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
                                  [migration.version, migration.name, migration.checksum, Timestamp.now()])
            }
            return current
        }
    }

    /// For commands that only read: the warehouse must exist at this binary's version.
    static func checkReadable(_ session: PostgresSession) throws {
        let url = session.address.redacted
        let found = try version(session)
        if found == 0 { throw WarehouseError.missingDatabase(path: url) }
        if found > latestVersion { throw WarehouseError.newerSchema(path: url, found: found, supported: latestVersion) }
        if found < latestVersion { throw WarehouseError.olderSchema(path: url, found: found, supported: latestVersion) }
    }

    /// Versions applied from a different text than this binary carries.
    static func checksumMismatches(_ session: PostgresSession) throws -> [Int] {
        guard try version(session) > 0 else { return [] }
        let known = Dictionary(uniqueKeysWithValues: all.map { ($0.version, $0.checksum) })
        return try session.query("SELECT version::bigint, checksum FROM hh_schema_migrations ORDER BY version").compactMap { row in
            let (version, checksum) = try row.decode((Int64, String).self)
            guard let expected = known[Int(version)] else { return nil }
            return expected == checksum ? nil : Int(version)
        }
    }
}
