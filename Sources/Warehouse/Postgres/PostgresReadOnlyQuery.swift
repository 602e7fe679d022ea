import Foundation
import GRDB
import PostgresNIO
import Records

/// `hhbench query` on PostgreSQL. Every statement runs in one `READ ONLY` transaction under a
/// statement timeout, and the transaction is always rolled back, so not even a `set_config` call
/// outlives it. Statements that are not queries (`SELECT`, `WITH`, `VALUES`, `TABLE`, `EXPLAIN`,
/// `SHOW`) are refused before anything runs: transaction control or `SET` could otherwise end the
/// read-only transaction. A read-only role (README) is the server's own guarantee on top.
///
/// Parameters are psql's variables: `:'name'` is the value as text (what the shipped queries in
/// `queries/postgres/` use, so they run unchanged under `psql -v name=value -f …`) and `:name` the
/// value typed (an integer, a number or text). Each becomes a bound parameter (`$1`, `$2`, …),
/// never text spliced into the SQL; one not given is NULL. psql's meta-commands (lines starting
/// with a backslash, the shipped queries' defaults) are psql's business and left out.
struct PostgresReadOnlyQuery {
    let session: PostgresSession
    let timeout: Double

    static let queryKeywords: Set<String> = ["SELECT", "WITH", "VALUES", "TABLE", "EXPLAIN", "SHOW"]

    func run(_ sql: String, parameters: [String: QueryValue]) throws -> QueryResult {
        let withoutMetaCommands = sql.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("\\") }.joined(separator: "\n")
        let statements = SQLText.statements(withoutMetaCommands)
        for (index, statement) in statements.enumerated() where !Self.queryKeywords.contains(Warehouse.firstKeyword(statement)) {
            let text = statement.trimmingCharacters(in: .whitespacesAndNewlines)
            throw WarehouseError.writeRefused("statement \(index + 1) is not a query (on PostgreSQL only SELECT, WITH, VALUES, TABLE, "
                                              + "EXPLAIN and SHOW run): \(text.prefix(80))")
        }
        var used = Set<String>()
        let bound = statements.map { Self.binding($0, parameters: parameters, used: &used) }
        if let unused = parameters.keys.sorted().first(where: { !used.contains($0) }) {
            throw WarehouseError.unknownParameter(unused, known: used.sorted())
        }
        try session.script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        defer { try? session.script("ROLLBACK") }
        try session.script("SET LOCAL statement_timeout = \(max(1, Int((timeout * 1000).rounded())))")
        var result = QueryResult(columns: [], rows: [])
        for (statement, arguments) in bound {
            var columns: [String] = []
            var rows: [[QueryValue]] = []
            let described = try describe(statement, arguments)
            try session.eachRow(described.map { Self.asText(statement, $0.types) } ?? statement, arguments, numbered: true) { row in
                let cells = row.cells
                if columns.isEmpty { columns = cells.map(\.name) }
                rows.append(cells.map { QueryValue($0.value) })
            }
            if let described { columns = described.names }
            if !columns.isEmpty { result = QueryResult(columns: columns, rows: rows) }
        }
        return result
    }

    /// The types hhbench reads from PostgreSQL's binary format as they are; every other column is
    /// converted to text by the server's own output function, which is what psql prints
    /// (timestamptz, interval, arrays, bytea as \x…, uuid, json, oid, …).
    static let typedColumns: Set<PostgresDataType> = [.int2, .int4, .int8, .float4, .float8, .numeric, .bool, .text, .varchar, .bpchar, .name]

    /// The statement's column names and types, from one row of a left join against a single row
    /// (a statement with no row gives a row of NULLs under its own names); nil for a statement that
    /// cannot stand in a FROM clause (SHOW, EXPLAIN), which then runs as it is.
    private func describe(_ statement: String, _ arguments: [DatabaseValue]) throws -> (names: [String], types: [PostgresDataType])? {
        guard !["SHOW", "EXPLAIN"].contains(Warehouse.firstKeyword(statement)) else { return nil }
        let probe = "SELECT hh_result.* FROM (SELECT 1) AS hh_one LEFT JOIN (SELECT * FROM (\(Self.trimmed(statement))\n) AS hh_inner LIMIT 1) "
            + "AS hh_result ON true"
        var described: (names: [String], types: [PostgresDataType])?
        try session.script("SAVEPOINT hh_columns")
        do {
            let rows = try session.query(probe, arguments)
            described = rows.first.map { row in (row.map(\.columnName), row.map(\.dataType)) }
            try session.script("RELEASE SAVEPOINT hh_columns")
        } catch {
            try session.script("ROLLBACK TO SAVEPOINT hh_columns")
        }
        return described
    }

    /// The statement with every column of a type outside `typedColumns` cast to text, its columns
    /// renamed by position (a derived table's column list), so that duplicate or unnamed columns
    /// (`SELECT 1, 1`) work too.
    private static func asText(_ statement: String, _ types: [PostgresDataType]) -> String {
        let names = types.indices.map { "hh_\($0 + 1)" }
        let selected = zip(names, types).map { name, type in typedColumns.contains(type) ? name : "CAST(\(name) AS text)" }
        return "SELECT \(selected.joined(separator: ", ")) FROM (\(trimmed(statement))\n) AS hh_q(\(names.joined(separator: ", ")))"
    }

    private static func trimmed(_ statement: String) -> String {
        var text = statement.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix(";") { text.removeLast() }
        return text
    }

    /// The statement with its psql variables as numbered parameters (`$1`, `$2`, …), and their
    /// values. A `?` of the statement's own (jsonb's operator) is left as it is.
    static func binding(_ sql: String, parameters: [String: QueryValue], used: inout Set<String>) -> (String, [DatabaseValue]) {
        var output = "", arguments: [DatabaseValue] = []
        let pieces = SQLText.pieces(sql)
        var index = 0
        while index < pieces.count {
            let piece = pieces[index]
            index += 1
            guard piece.isCode else {
                output += piece.text
                continue
            }
            var code = piece.text
            // `:'name'`: the code ends with a lone colon, and the quoted string after it is a name.
            var textVariable: String?
            if code.hasSuffix(":") && !code.hasSuffix("::"), index < pieces.count, let name = quotedName(pieces[index].text) {
                code = code.dropLast()
                textVariable = name
                index += 1
            }
            output += typedVariables(code, parameters: parameters, used: &used, arguments: &arguments)
            if let name = textVariable {
                used.insert(name)
                arguments.append((parameters[name] ?? .null).textValue)
                output += "CAST($\(arguments.count) AS text)"
            }
        }
        return (output, arguments)
    }

    /// `code` with each `:name` (not a `::` cast) as `?`, its typed value appended to `arguments`.
    private static func typedVariables(_ code: Substring, parameters: [String: QueryValue], used: inout Set<String>,
                                       arguments: inout [DatabaseValue]) -> String {
        guard code.contains(":") else { return String(code) }
        let characters = Array(code)
        var output = "", index = 0
        while index < characters.count {
            let character = characters[index]
            if character == ":" && index + 1 < characters.count && characters[index + 1] == ":" {
                output += "::"
                index += 2
                continue
            }
            if character == ":", index + 1 < characters.count, isNameStart(characters[index + 1]) {
                var end = index + 1
                while end < characters.count && isName(characters[end]) { end += 1 }
                let name = String(characters[index + 1..<end])
                used.insert(name)
                arguments.append((parameters[name] ?? .null).databaseValue)
                output += "$\(arguments.count)"
                index = end
                continue
            }
            output.append(character)
            index += 1
        }
        return output
    }

    /// The name in a quoted string that is one (`'branch'`), else nil.
    private static func quotedName(_ text: Substring) -> String? {
        guard text.count > 2, text.first == "'", text.last == "'" else { return nil }
        let name = text.dropFirst().dropLast()
        guard let first = name.first, isNameStart(first), name.allSatisfy(isName) else { return nil }
        return String(name)
    }

    private static func isNameStart(_ character: Character) -> Bool { character.isLetter || character == "_" }
    private static func isName(_ character: Character) -> Bool { character.isLetter || character.isNumber || character == "_" }
}

extension QueryValue {
    /// The value as psql's `:'name'` gives it: its text, or NULL.
    var textValue: DatabaseValue {
        switch self {
        case .null, .blob: return .null
        case .integer(let value): return String(value).databaseValue
        case .real(let value): return DecimalNumber(value).jsonText.databaseValue
        case .text(let value): return value.databaseValue
        }
    }
}
