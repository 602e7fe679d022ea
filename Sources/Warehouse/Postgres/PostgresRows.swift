import Foundation
import GRDB
import PostgresNIO

/// A PostgreSQL row as `SQLReader` hands it out: its cells as GRDB's `DatabaseValue`s, so the
/// code that reads rows is the same on both engines.
struct PostgresResultRow: ResultRow {
    let names: [String]
    let values: [DatabaseValue]

    subscript<Value: DatabaseValueConvertible>(_ index: Int) -> Value {
        guard let value = decoded(index, as: Value.self) else { fatalError("column \(index) is NULL or not a \(Value.self)") }
        return value
    }

    subscript<Value: DatabaseValueConvertible>(_ column: String) -> Value {
        guard let value = decoded(column, as: Value.self) else { fatalError("column \(column) is NULL or not a \(Value.self)") }
        return value
    }

    private func decoded<Value: DatabaseValueConvertible>(_ index: Int, as type: Value.Type) -> Value? {
        values.indices.contains(index) ? Value.fromDatabaseValue(values[index]) : nil
    }

    private func decoded<Value: DatabaseValueConvertible>(_ column: String, as type: Value.Type) -> Value? {
        // PostgreSQL folds unquoted names to lower case; a plain comparison, since Foundation's
        // case-insensitive one showed in `compare`'s profile.
        guard let index = names.firstIndex(of: column) ?? names.firstIndex(of: column.lowercased()) else { return nil }
        return decoded(index, as: type)
    }

    var cells: [(name: String, value: DatabaseValue)] { zip(names, values).map { (name: $0, value: $1) } }

    init(_ row: PostgresRow) throws {
        var names: [String] = [], values: [DatabaseValue] = []
        for cell in row {
            names.append(cell.columnName)
            values.append(try Self.value(cell))
        }
        (self.names, self.values) = (names, values)
    }

    /// A cell as SQLite would hold it: a boolean is 0 or 1 (SQLite has no booleans), a numeric an
    /// integer when written without a decimal point, else the nearest double; JSON and any other
    /// type its text.
    static func value(_ cell: PostgresCell) throws -> DatabaseValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid: return try cell.decode(Int64.self).databaseValue
        case .float4, .float8: return try cell.decode(Double.self).databaseValue
        case .bool: return (try cell.decode(Bool.self) ? 1 : 0).databaseValue
        case .bytea:
            let buffer = try cell.decode(ByteBuffer.self)
            return Data(buffer.readableBytesView).databaseValue
        case .numeric:
            // By its written scale, as SQLite types the same results: `sum` of integers is an
            // integer ("12"), `round(x, 2)` a real ("12.00").
            guard let text = PostgresData(type: .numeric, formatCode: cell.format, value: cell.bytes).numeric?.string else {
                throw WarehouseError.engine(path: "", message: "a numeric value could not be read")
            }
            if !text.contains("."), let integer = Int64(text) { return integer.databaseValue }
            return (Double(text) ?? .nan).databaseValue
        default: return try cell.decode(String.self).databaseValue
        }
    }
}

extension PostgresSession {
    /// Calls `body` with each row of `sql`, written with `?` placeholders (or, `numbered`, with
    /// PostgreSQL's own `$1`, `$2`, …, so that a `?` in it stays the operator it is).
    func eachRow(_ sql: String, _ arguments: [DatabaseValue], numbered: Bool = false, _ body: (any ResultRow) throws -> Void) throws {
        try scanRows(sql, arguments, numbered: numbered) { row in
            try body(row)
            return true
        }
    }

    /// Calls `body` with each row of `sql` until it returns false; the rows after it are not converted.
    func scanRows(_ sql: String, _ arguments: [DatabaseValue], numbered: Bool = false, _ body: (any ResultRow) throws -> Bool) throws {
        let rows = try query(numbered ? sql : SQLText.numberingPlaceholders(sql), arguments)
        for row in rows {
            let converted: PostgresResultRow
            do {
                converted = try PostgresResultRow(row)
            } catch {
                throw WarehouseError.engine(path: address.redacted, message: "a value could not be read (\(error)) in the answer to: \(sql.prefix(60))")
            }
            guard try body(converted) else { return }
        }
    }
}

extension DatabaseValue: PostgresArgument {
    func bind(into bindings: inout PostgresBindings) throws {
        switch storage {
        case .null: bindings.appendNull()
        case .int64(let value): bindings.append(value)
        case .double(let value): bindings.append(value)
        case .string(let value): bindings.append(value)
        case .blob(let value): bindings.append(ByteBuffer(bytes: value))
        }
    }
}
