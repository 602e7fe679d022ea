import Foundation
import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// A query shipped in `queries/` (embedded in the binary), described by its header comment:
///
///     -- name: latest
///     -- description: The newest value of every benchmark x metric on a branch.
///     -- param: :branch  the branch (default 'main')
package struct ShippedQuery: Sendable {
    package let name: String
    package let description: String
    /// (name with its colon, what it means and its default)
    package let parameters: [(name: String, description: String)]
    package let sql: String

    /// The queries for SQLite (`queries/`); `hhbench query --list` lists these.
    package static let all: [ShippedQuery] = EmbeddedSQL.queries.map { parse(fileName: $0.name, sql: $0.sql) }
    /// The same queries written for PostgreSQL and psql (`queries/postgres/`): the same names,
    /// parameters and answers.
    package static let postgres: [ShippedQuery] = EmbeddedSQL.postgresQueries.map { parse(fileName: $0.name, sql: $0.sql) }

    package static func named(_ name: String) -> ShippedQuery? { all.first { $0.name == name } }

    static func parse(fileName: String, sql: String) -> ShippedQuery {
        var name = fileName.replacingOccurrences(of: ".sql", with: "")
        var description = ""
        var parameters: [(String, String)] = []
        for line in sql.split(separator: "\n") {
            guard line.hasPrefix("--") else { break }
            let text = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("name:") { name = text.dropFirst(5).trimmingCharacters(in: .whitespaces) }
            else if text.hasPrefix("description:") { description = text.dropFirst(12).trimmingCharacters(in: .whitespaces) }
            else if text.hasPrefix("param:") {
                let rest = text.dropFirst(6).trimmingCharacters(in: .whitespaces)
                let parts = rest.split(separator: " ", maxSplits: 1)
                parameters.append((String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""))
            }
        }
        return ShippedQuery(name: name, description: description, parameters: parameters, sql: sql)
    }
}

/// A value in a query result or parameter, independent of the database engine.
package enum QueryValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Int)

    /// A `--param` value: an integer, a number, else text. Digits that an integer would not give
    /// back (`0123`, a commit prefix) stay text.
    package init(parameter text: String) {
        if let integer = Int64(text), String(integer) == text { self = .integer(integer) }
        else if let real = Double(text), real.isFinite, text.first.map({ $0.isNumber || $0 == "-" || $0 == "." }) == true { self = .real(real) }
        else { self = .text(text) }
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .null, .blob: return .null
        case .integer(let value): return value.databaseValue
        case .real(let value): return value.databaseValue
        case .text(let value): return value.databaseValue
        }
    }

    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let number): self = .integer(number)
        case .double(let number): self = .real(number)
        case .string(let text): self = .text(text)
        case .blob(let data): self = .blob(data.count)
        }
    }
}

/// Columns and rows of a query.
package struct QueryResult: Sendable {
    package let columns: [String]
    package let rows: [[QueryValue]]
}

extension Warehouse {
    /// The first word of a statement, past white space and comments, upper-cased.
    static func firstKeyword(_ sql: String) -> String {
        var text = Substring(sql)
        while true {
            text = text.drop(while: { $0.isWhitespace })
            if text.hasPrefix("--") {
                text = text.drop(while: { $0 != "\n" })
            } else if text.hasPrefix("/*"), let end = text.range(of: "*/") {
                text = text[end.upperBound...]
            } else {
                break
            }
        }
        return String(text.prefix(while: { $0.isLetter })).uppercased()
    }

    /// The shipped query `name` in this warehouse's dialect.
    package func shippedQuery(named name: String) -> ShippedQuery? {
        (isShared ? ShippedQuery.postgres : ShippedQuery.all).first { $0.name == name }
    }

    /// Runs `sql` (one or more statements) read-only and returns the rows of the last statement
    /// that has columns. Any statement that would write is refused before anything runs.
    /// Named parameters (`:name`) missing from `parameters` are bound to NULL, so the queries'
    /// `coalesce(:name, default)` applies.
    /// On PostgreSQL see `PostgresReadOnlyQuery`: the same guarantees, in a read-only transaction with a
    /// statement timeout of `timeout` seconds.
    package func query(_ sql: String, parameters: [String: QueryValue] = [:], timeout: Double = 60) throws -> QueryResult {
        #if POSTGRES
        if case .postgres(let session) = engine {
            return try PostgresReadOnlyQuery(session: session, timeout: timeout).run(sql, parameters: parameters)
        }
        #endif
        return try queue.read { db in
            var statements: [Statement] = []
            let cursor = try db.allStatements(sql: sql)
            var index = 0
            while let statement = try cursor.next() {
                index += 1
                // SQLite counts ATTACH and DETACH as read-only (they change no database file), but ATTACH
                // creates files and both change what the connection can reach: refused as well.
                let keyword = Self.firstKeyword(statement.sql)
                if !statement.isReadonly || keyword == "ATTACH" || keyword == "DETACH" {
                    let text = statement.sql.trimmingCharacters(in: .whitespacesAndNewlines)
                    throw WarehouseError.writeRefused("statement \(index) would change the database: \(text.prefix(80))")
                }
                statements.append(statement)
            }
            var used = Set<String>()
            var result = QueryResult(columns: [], rows: [])
            for statement in statements {
                var arguments: [String: DatabaseValue] = [:]
                let handle = statement.sqliteStatement
                let count = sqlite3_bind_parameter_count(handle)
                if count > 0 {
                    for position in 1...count {
                        guard let cName = sqlite3_bind_parameter_name(handle, position) else { continue }
                        let full = String(cString: cName)
                        let bare = String(full.dropFirst())
                        used.insert(bare)
                        arguments[bare] = parameters[bare]?.databaseValue ?? .null
                    }
                }
                statement.setUncheckedArguments(StatementArguments(arguments))
                if statement.columnCount > 0 {
                    let rows = try Row.fetchAll(statement)
                    result = QueryResult(columns: statement.columnNames,
                                         rows: rows.map { row in row.databaseValues.map(QueryValue.init) })
                } else {
                    try statement.execute()
                }
            }
            if let unused = parameters.keys.sorted().first(where: { !used.contains($0) }) {
                throw WarehouseError.unknownParameter(unused, known: used.sorted())
            }
            return result
        }
    }
}
