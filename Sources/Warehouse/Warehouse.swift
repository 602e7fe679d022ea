import Foundation
import GRDB
import Records

/// The results warehouse: one SQLite file, or a PostgreSQL database (`postgresql://…`), holding
/// every run, measurement and raw sample.
///
/// Owns the connection setup (SQLite: WAL, a busy timeout, foreign keys; PostgreSQL: the URL,
/// credentials and TLS) and the migrations; every other module talks to the database through its
/// methods and plain record types, so no SQL leaves this module and `migrations/`, and no other
/// module knows which engine it has.
package final class Warehouse: Sendable {
    /// How a command uses the database.
    package enum Access: Sendable {
        /// Create the file if missing, migrate it, write runs.
        case readWrite
        /// Never create, migrate or change anything, not even the journal mode: `query`, `runs`,
        /// `show`, `export`, `compare`, `trend`. Works on read-only files and in read-only folders.
        case readOnly
    }

    /// The SQLite file's path, or the PostgreSQL URL with its password masked: what every
    /// message names.
    package let path: String
    package let access: Access
    let engine: Engine

    enum Engine: Sendable {
        case sqlite(DatabaseQueue)
        #if POSTGRES
        case postgres(PostgresSession)
        #endif
    }

    /// The SQLite connection, for the SQLite-only steps (the writer, the file-to-file merge, the
    /// query planner's read-only check); engine-neutral reads go through `read`.
    var queue: DatabaseQueue {
        get throws {
            switch engine {
            case .sqlite(let queue): return queue
            #if POSTGRES
            case .postgres: throw WarehouseError.sqliteOnly(path: path)
            #endif
            }
        }
    }

    /// True for a PostgreSQL warehouse.
    package var isShared: Bool {
        #if POSTGRES
        if case .postgres = engine { return true }
        #endif
        return false
    }

    /// How long a writer waits for another process's transaction (parallel CI jobs) before failing.
    package static let busyTimeout: TimeInterval = 60

    /// Opens the database at `path`. With `.readWrite` the file is created if needed (its folder
    /// must exist) and migrated. A database from a newer hhbench, and an SQLite file that is not
    /// an hhbench warehouse, are refused and left untouched.
    package init(path: String, access: Access = .readWrite) throws {
        self.access = access
        if PostgresAddress.isURL(path) {
            let address = try PostgresAddress(url: path)
            self.path = address.redacted
            #if POSTGRES
            engine = .postgres(try Self.openPostgres(address, access: access))
            return
            #else
            throw WarehouseError.unreachable(url: address.redacted, reason: "this build of hhbench leaves PostgreSQL out (HHBENCH_FUZZ or HHBENCH_NO_POSTGRES)")
            #endif
        }
        self.path = path
        switch access {
        case .readWrite:
            engine = .sqlite(try Self.translating(path) { try Self.openForWriting(path) })
        case .readOnly:
            engine = .sqlite(try Self.translating(path) { try Self.openForReading(path) })
        }
    }

    #if POSTGRES
    /// Connects, then migrates (writers) or checks the version (readers, whose session is then
    /// read-only, so nothing they run can write).
    private static func openPostgres(_ address: PostgresAddress, access: Access) throws -> PostgresSession {
        let session = try PostgresSession(address)
        switch access {
        case .readWrite:
            try PostgresMigrations.migrate(session)
        case .readOnly:
            try PostgresMigrations.checkReadable(session)
            try session.script("SET default_transaction_read_only = on")
        }
        return session
    }
    #endif

    private static func configuration(readonly: Bool) -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(Warehouse.busyTimeout)
        configuration.readonly = readonly
        configuration.label = "hhbench"
        // Up to 64 MiB of page cache (SQLite's default is 2 MiB), for readers and writers alike: a
        // batch or merge of 100,000 runs inserts all over the series indexes, and export or
        // trend --last 0 read whole histories; evicted pages were read back again and again.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -\(Warehouse.pageCacheKiB)") }
        return configuration
    }

    /// The page cache each connection may use, in KiB (also given to a merge's attached database).
    static let pageCacheKiB = 65_536

    private static func openForWriting(_ path: String) throws -> DatabaseQueue {
        try createFolder(of: path)
        let queue = try DatabaseQueue(path: path, configuration: configuration(readonly: false))
        try queue.writeWithoutTransaction { db in
            // Checked before anything is written: the journal mode below is itself a write.
            try Migrations.checkIsWarehouse(db, path: path, allowEmpty: true)
            try Migrations.checkNotNewer(db, path: path)
            try checkIntact(db, path: path)
            // Incremental auto-vacuum must be chosen before the first table: `prune` then gives
            // freed pages back without rewriting the file.
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") == 0 {
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            }
            // WAL lets readers and one writer work at once; NORMAL sync is safe with WAL.
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let before = try Migrations.migrate(queue, path: path)
        if (1..<SampleMigration.version).contains(before) {
            // Migration 0003 re-encoded every sample at a third of its size: give the space back
            // once, and turn on the incremental auto-vacuum `prune` relies on (a full rewrite).
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                try db.execute(sql: "VACUUM")
            }
        }
        return queue
    }

    /// Files up to this size get SQLite's `quick_check` before a writer touches them: 0.6 ms a
    /// MiB on this 2-core VM with the file cached (40 ms for a 66 MiB warehouse of 8 M samples).
    static let quickCheckLimit: Int64 = 64 << 20

    /// A damaged file is refused before anything is written to it, so that it stays as it was
    /// (a write that succeeds beside a garbled page would leave it damaged and say nothing).
    /// Larger files are checked when SQLite reports the damage itself (SQLITE_CORRUPT).
    private static func checkIntact(_ db: Database, path: String) throws {
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
        guard size > 0, size <= quickCheckLimit else { return }
        let findings = try String.fetchAll(db, sql: "PRAGMA quick_check(5)")
        guard findings != ["ok"] else { return }
        throw WarehouseError.corrupt(path: path, message: findings.prefix(3).joined(separator: "; "))
    }

    private static func openForReading(_ path: String) throws -> DatabaseQueue {
        guard FileManager.default.fileExists(atPath: path) else { throw WarehouseError.missingDatabase(path: path) }
        func open(_ location: String) throws -> DatabaseQueue {
            let queue = try DatabaseQueue(path: location, configuration: configuration(readonly: true))
            try queue.read { db in
                try Migrations.checkIsWarehouse(db, path: path, allowEmpty: false)
                try Migrations.checkNotNewer(db, path: path)
                try Migrations.checkNotOlder(db, path: path)
            }
            return queue
        }
        do {
            return try open(path)
        } catch let error as DatabaseError where [.SQLITE_CANTOPEN, .SQLITE_READONLY].contains(error.resultCode)
            && !FileManager.default.isWritableFile(atPath: (path as NSString).deletingLastPathComponent.isEmpty
                ? "." : (path as NSString).deletingLastPathComponent) {
            // A WAL database in a folder no one may write to: SQLite cannot make its shared-memory
            // file there. No writer can work there either, so the file is read as immutable.
            return try open("file:" + Self.uriEncoded(path) + "?immutable=1")
        }
    }

    /// Creates the database's folder (and its parents) when missing. A folder named `.hhbench`
    /// (the default location, inside a git work tree) gets a `.gitignore` of `*`, as pytest does
    /// for its cache: otherwise `git add -A` commits the database and a later checkout deletes it.
    static func createFolder(of path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        guard !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) else { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            if (folder as NSString).lastPathComponent == ".hhbench" {
                try Data("# Created by hhbench: the results warehouse stays out of git.\n*\n".utf8)
                    .write(to: URL(fileURLWithPath: folder).appendingPathComponent(".gitignore"))
            }
        } catch {
            throw WarehouseError.cannotCreateFolder(path: path, reason: (error as NSError).localizedFailureReason
                ?? String(describing: (error as NSError).userInfo[NSUnderlyingErrorKey] ?? "permission denied?"))
        }
    }

    /// A path as an SQLite URI path: the characters URIs give meaning to are percent-encoded.
    static func uriEncoded(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute
    }

    /// Runs `body`, turning the database engine's errors into `WarehouseError`s that name the file.
    static func translating<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw WarehouseError(error, path: path)
        }
    }

    /// Migration versions this database applied from a different text than this binary carries.
    package func editedMigrations() throws -> [Int] {
        switch engine {
        case .sqlite(let queue): return try queue.read { db in try Migrations.checksumMismatches(db) }
        #if POSTGRES
        case .postgres(let session): return try PostgresMigrations.checksumMismatches(session)
        #endif
        }
    }

    /// The schema version of the open database.
    package func schemaVersion() throws -> Int {
        switch engine {
        case .sqlite(let queue): return try queue.read { db in try Migrations.version(of: db) }
        #if POSTGRES
        case .postgres(let session): return try PostgresMigrations.version(session)
        #endif
        }
    }

    /// The number of rows of a table or view, for tests and `hhbench show`'s summary.
    package func count(_ table: String) throws -> Int {
        guard table.allSatisfy({ $0.isLetter || $0 == "_" }) else { return 0 }
        switch engine {
        case .sqlite(let queue): return try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
        #if POSTGRES
        case .postgres(let session): return Int(try session.value("SELECT count(*) FROM \(table)", as: Int64.self) ?? 0)
        #endif
        }
    }
}
