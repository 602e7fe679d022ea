import Foundation
import GRDB

/// A row of a result from either engine, read by position or column name as GRDB reads its own
/// rows (`row[0] as Int64`, `row["name"] as String?`). On SQLite it is GRDB's `Row` itself; on
/// PostgreSQL, the row's cells converted to the same `DatabaseValue`s (integers, doubles, text,
/// bytes; a boolean as 0 or 1, a numeric as an integer when whole, else a double).
package protocol ResultRow {
    /// `Value` may be optional (`row[2] as String?`): NULL is then nil. A NULL or a value of
    /// another type where a non-optional one is asked for stops the program, as GRDB does.
    subscript<Value: DatabaseValueConvertible>(_ index: Int) -> Value { get }
    subscript<Value: DatabaseValueConvertible>(_ column: String) -> Value { get }
    /// Every column with its value, in order.
    var cells: [(name: String, value: DatabaseValue)] { get }
}

extension Row: ResultRow {
    package var cells: [(name: String, value: DatabaseValue)] { map { (name: $0.0, value: $0.1) } }
}

/// Reads a warehouse through SQL both engines understand. Statements are written once, with `?`
/// placeholders (numbered `$1`, `$2`, … for PostgreSQL) and bound arguments; where the dialects
/// part, the few helpers below give each engine's form. Only `Warehouse` holds one.
struct SQLReader {
    enum Connection {
        case sqlite(Database)
        #if POSTGRES
        case postgres(PostgresSession)
        #endif
    }

    let connection: Connection
    /// The database as messages name it.
    let path: String

    var isPostgres: Bool {
        #if POSTGRES
        if case .postgres = connection { return true }
        #endif
        return false
    }

    /// Calls `body` with each row of `sql`. The row is valid only during the call (SQLite's rows
    /// are the cursor's): keep what it holds, not the row.
    func each(_ sql: String, _ arguments: [DatabaseValue] = [], _ body: (any ResultRow) throws -> Void) throws {
        try scan(sql, arguments) { row in
            try body(row)
            return true
        }
    }

    /// Calls `body` with each row of `sql` until it returns false: SQLite then reads no further.
    private func scan(_ sql: String, _ arguments: [DatabaseValue], _ body: (any ResultRow) throws -> Bool) throws {
        switch connection {
        case .sqlite(let db):
            let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments))
            while let row = try cursor.next(), try body(row) {}
        #if POSTGRES
        case .postgres(let session):
            try session.scanRows(sql, arguments, body)
        #endif
        }
    }

    /// Every row of `sql`, mapped.
    func all<T>(_ sql: String, _ arguments: [DatabaseValue] = [], _ map: (any ResultRow) throws -> T) throws -> [T] {
        var result: [T] = []
        try each(sql, arguments) { result.append(try map($0)) }
        return result
    }

    /// The first row of `sql`, mapped; nil when there is none.
    func first<T>(_ sql: String, _ arguments: [DatabaseValue] = [], _ map: (any ResultRow) throws -> T) throws -> T? {
        try firstMatch(sql, arguments, map)
    }

    /// The first row of `sql` that `map` takes (returns non-nil for); the rows after it are not read.
    func firstMatch<T>(_ sql: String, _ arguments: [DatabaseValue] = [], _ map: (any ResultRow) throws -> T?) throws -> T? {
        var result: T?
        try scan(sql, arguments) { row in
            result = try map(row)
            return result == nil
        }
        return result
    }

    /// The first column of every row, NULLs left out.
    func column<T: DatabaseValueConvertible>(_ sql: String, _ arguments: [DatabaseValue] = [], as type: T.Type) throws -> [T] {
        try all(sql, arguments) { $0[0] as T? }.compactMap { $0 }
    }

    /// The first column of the first row; nil when there is no row or it is NULL.
    func value<T: DatabaseValueConvertible>(_ sql: String, _ arguments: [DatabaseValue] = [], as type: T.Type) throws -> T? {
        try first(sql, arguments) { $0[0] as T? } ?? nil
    }

    /// The columns of a table or view, in order.
    func columnNames(ofView view: String) throws -> [String] {
        isPostgres
            ? try column("""
                SELECT column_name::text FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position
                """, bound(view), as: String.self)
            : try column("SELECT name FROM pragma_table_info(?) ORDER BY cid", bound(view), as: String.self)
    }

    // Where the dialects part.

    /// `column` is one of the integers bound at the placeholder as `integers(_:)`: one parameter
    /// however many runs a trend asks for. PostgreSQL gets an array (`= ANY`), which its planner
    /// estimates and answers from the index; SQLite a JSON array read by `json_each`.
    func isIn(_ column: String) -> String {
        isPostgres ? "\(column) = ANY(CAST(? AS bigint[]))" : "\(column) IN (SELECT value FROM json_each(?))"
    }

    /// The argument for `isIn`.
    func integers(_ values: some Sequence<Int64>) -> DatabaseValue {
        let list = values.map(String.init).joined(separator: ",")
        return (isPostgres ? "{" + list + "}" : "[" + list + "]").databaseValue
    }

    /// Byte-wise text order, as SQLite compares: PostgreSQL would otherwise sort by the database's
    /// locale, and `show` or `export` would list the same runs in another order on each engine.
    var bytewise: String { isPostgres ? #"COLLATE "C""# : "COLLATE BINARY" }

    /// `column` matches the GLOB pattern bound at the placeholder (PostgreSQL: `hh_glob`, from
    /// migrations/postgres/0002, with GLOB's meaning).
    func glob(_ column: String) -> String { isPostgres ? "hh_glob(\(column), ?)" : "\(column) GLOB ?" }

    /// The elements of a JSON array column as a table `alias` with a column `value`.
    func jsonArrayElements(_ column: String, as alias: String) -> String {
        isPostgres ? "jsonb_array_elements_text(CAST(\(column) AS jsonb)) AS \(alias)(value)" : "json_each(\(column)) AS \(alias)"
    }
}

/// Arguments for `SQLReader` from plain values: `bound(runID, name)`.
func bound(_ values: (any DatabaseValueConvertible)?...) -> [DatabaseValue] {
    values.map { $0?.databaseValue ?? .null }
}

extension Warehouse {
    /// `body` with a reader in one read transaction (PostgreSQL: `REPEATABLE READ, READ ONLY`, so
    /// a command sees one snapshot however many statements it runs, as SQLite's read does).
    func read<T>(_ body: (SQLReader) throws -> T) throws -> T {
        switch engine {
        case .sqlite(let queue):
            return try Self.translating(path) { try queue.read { db in try body(SQLReader(connection: .sqlite(db), path: path)) } }
        #if POSTGRES
        case .postgres(let session):
            return try session.transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {
                try body(SQLReader(connection: .postgres(session), path: path))
            }
        #endif
        }
    }

    /// Runs one writing statement (`?` placeholders) in its own transaction.
    func execute(_ sql: String, _ arguments: [DatabaseValue]) throws {
        switch engine {
        case .sqlite(let queue):
            try Self.translating(path) { try queue.write { db in try db.execute(sql: sql, arguments: StatementArguments(arguments)) } }
        #if POSTGRES
        case .postgres(let session):
            try session.transaction { _ = try session.query(SQLText.numberingPlaceholders(sql), arguments) }
        #endif
        }
    }

}
