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
            try session.eachRow(statement, arguments) { row in
                let cells = row.cells
                if columns.isEmpty { columns = cells.map(\.name) }
                rows.append(cells.map { QueryValue($0.value) })
            }
            if rows.isEmpty {
                // No row, so no column names from postgres-nio: one left join against a single row
                // gives a row of NULLs under the statement's own column names.
                let probe = "SELECT hh_result.* FROM (SELECT 1) AS hh_one LEFT JOIN (\(Self.trimmed(statement))) AS hh_result ON true"
                try? session.script("SAVEPOINT hh_columns")
                if (try? session.eachRow(probe, arguments, { columns = $0.cells.map(\.name) })) != nil {
                    try session.script("RELEASE SAVEPOINT hh_columns")
                } else {
                    try session.script("ROLLBACK TO SAVEPOINT hh_columns")
                }
            }
            if !columns.isEmpty { result = QueryResult(columns: columns, rows: rows) }
        }
        return result
    }

    private static func trimmed(_ statement: String) -> String {
        var text = statement.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix(";") { text.removeLast() }
        return text
    }

    /// The statement with its psql variables as numbered parameters (`?`, numbered later), and
    /// their values.
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
                output += "CAST(? AS text)"
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
                output += "?"
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
