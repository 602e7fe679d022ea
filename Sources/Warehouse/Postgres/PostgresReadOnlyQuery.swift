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
        let statements = PostgresSession.statements(withoutMetaCommands)
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
        let characters = Array(sql)
        var index = 0
        var quote: Character?, lineComment = false, blockComment = false
        func isNameCharacter(_ character: Character) -> Bool { character.isLetter || character.isNumber || character == "_" }
        while index < characters.count {
            let character = characters[index]
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            if lineComment {
                if character == "\n" { lineComment = false }
            } else if blockComment {
                if character == "*" && next == "/" { blockComment = false; output += "*/"; index += 2; continue }
            } else if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "-" && next == "-" {
                lineComment = true
            } else if character == "/" && next == "*" {
                blockComment = true
            } else if character == "?" {
                // A literal question mark (a JSON operator) would be taken for a placeholder later.
                output += "?"
                index += 1
                continue
            } else if character == ":" && next == ":" {
                output += "::"   // a cast
                index += 2
                continue
            } else if character == ":" && (index == 0 || characters[index - 1] != ":") {
                var end = index + 1
                var asText = false
                if next == "'" {
                    asText = true
                    end += 1
                }
                let start = end
                while end < characters.count && isNameCharacter(characters[end]) { end += 1 }
                let closed = !asText || (end < characters.count && characters[end] == "'")
                if end > start && closed && characters[start].isLetter || (end > start && closed && characters[start] == "_") {
                    let name = String(characters[start..<end])
                    used.insert(name)
                    let value = parameters[name] ?? .null
                    arguments.append(asText ? value.textValue : value.databaseValue)
                    output += asText ? "CAST(? AS text)" : "?"
                    index = asText ? end + 1 : end
                    continue
                }
            }
            output.append(character)
            index += 1
        }
        return (output, arguments)
    }
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
