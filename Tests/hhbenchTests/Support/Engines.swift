import Foundation
import GRDB
import Testing
import Warehouse

/// The two warehouse engines. Backend tests take one as an argument (`@Test(arguments:
/// Engine.allCases)`), so the same test body runs against an SQLite file and against a database of
/// the test cluster (`PostgresServer`).
enum Engine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A new, empty warehouse: `h.db` in `folder` on SQLite (nothing is created until a command
    /// writes), a new database's URL, with its password, on PostgreSQL.
    func newWarehouse(in folder: TemporaryFolder) throws -> String {
        switch self {
        case .sqlite: return folder.file("h.db")
        case .postgres:
            let server = try PostgresServer.running()
            return server.url(try server.createDatabase())
        }
    }
}

/// Rows of `sql` from the warehouse at `database`, a path or a PostgreSQL URL. A file is opened
/// read-only with GRDB; a URL is read through the warehouse's own read-only query (the test
/// cluster's psql would give text only), and its rows come back as GRDB rows with the columns in
/// order, so a test reads both engines the same way.
func queryDatabase(_ database: String, _ sql: String) throws -> [Row] {
    guard Warehouse.isServerURL(database) else {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: database, configuration: configuration)
        return try queue.read { db in try Row.fetchAll(db, sql: sql) }
    }
    let result = try Warehouse(path: database, access: .readOnly).query(sql)
    guard !result.columns.isEmpty else { return [] }
    // GRDB builds ordered rows only from a statement: one `SELECT ? AS "column", …` a row.
    let select = "SELECT " + result.columns.map { "? AS \"\($0.replacingOccurrences(of: "\"", with: "\"\""))\"" }.joined(separator: ", ")
    return try DatabaseQueue().read { db in
        try result.rows.map { row in
            let values: [DatabaseValue] = row.map { value in
                switch value {
                case .null, .blob: return .null
                case .integer(let integer): return integer.databaseValue
                case .real(let real): return real.databaseValue
                case .text(let text): return text.databaseValue
                }
            }
            return try Row.fetchOne(db, sql: select, arguments: StatementArguments(values))!
        }
    }
}

func scalar<T: DatabaseValueConvertible>(_ database: String, _ sql: String, as type: T.Type = Int.self) throws -> T? {
    try queryDatabase(database, sql).first.flatMap { $0[0] as T? }
}

/// How many runs `database` holds: 0 for an SQLite file no command has written, or a PostgreSQL
/// database hhbench has not set up yet (no `runs` table: a read would refuse it as not a warehouse).
func storedRuns(_ database: String) throws -> Int {
    if Warehouse.isServerURL(database) {
        if try PostgresServer.running().psql(PostgresServer.database(of: database), "SELECT count(*) FROM pg_tables WHERE tablename = 'runs'") == "0\n" { return 0 }
    } else if !FileManager.default.fileExists(atPath: database) {
        return 0
    }
    return try scalar(database, "SELECT count(*) FROM runs") ?? 0
}
