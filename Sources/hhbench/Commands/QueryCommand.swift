import ArgumentParser
import Foundation
import Records
import Warehouse

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run a shipped query (by name) or an SQL file against the warehouse, read-only.",
        discussion: """
            'hhbench query --list' lists the shipped queries and their parameters. Parameters are given as \
            --param name=value and bound to :name; the ones not given are NULL, which the shipped queries read \
            as their defaults. A statement that would write is refused and nothing runs. With --fail-on rows the \
            command exits 1 when the result has rows, which turns any query into a CI gate. On PostgreSQL the \
            shipped queries are those of queries/postgres/ (the same names, parameters and answers), your own SQL \
            takes psql's :'name' (text) and :name (typed) parameters, bound, never spliced, and everything runs in \
            a READ ONLY transaction under --timeout.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("A shipped query's name, or an .sql file.", valueName: "name|file.sql"))
    var query: String?

    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter, name=value (repeatable).", valueName: "name=value"))
    var parameters: [String] = []

    @Flag(help: "List the shipped queries.")
    var list = false

    enum FailOn: String, ExpressibleByArgument, CaseIterable { case rows }

    @Option(help: "Exit 1 on this: rows (the result has any row; for gate queries such as regressions).")
    var failOn: FailOn?
    @Flag(name: .customLong("fail-if-rows"), help: .hidden) var deprecatedFailIfRows = false

    @Option(help: ArgumentHelp("On PostgreSQL, cancel a statement that runs longer than this (the statement timeout). (default: 60)",
                               valueName: "seconds"), transform: NumericRule.timeoutSeconds.real)
    var timeout: Double = 60

    @Option(help: "table, csv, json or markdown.")
    var format: OutputFormat = .table

    func validate() throws {
        if !list && query == nil { throw ValidationError("name a query or an .sql file, or give --list") }
        for parameter in parameters where !parameter.contains("=") || parameter.hasPrefix("=") {
            throw ValidationError("--param '\(parameter)' is not name=value; write --param branch=main")
        }
    }

    func run() throws {
        if list {
            printList()
            return
        }
        guard let query else { throw CommandFailure.usage("name a query or an .sql file, or give --list") }
        let warehouse = try database.openForReading()
        let sql = try loadSQL(query, shipped: warehouse.shippedQuery(named:))
        var bound: [String: QueryValue] = [:]
        for parameter in parameters {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].hasPrefix(":") ? String(parts[0].dropFirst()) : String(parts[0])
            bound[name] = QueryValue(parameter: parts.count > 1 ? String(parts[1]) : "")
        }
        let result = try warehouse.query(sql, parameters: bound, timeout: timeout)
        print(render(result), terminator: "")
        if deprecatedFailIfRows { Deprecation.warn("--fail-if-rows", use: "--fail-on rows") }
        if (failOn == .rows || deprecatedFailIfRows) && !result.rows.isEmpty {
            throw CommandFailure.checkFailed("\(result.rows.count) row\(result.rows.count == 1 ? "" : "s") returned (--fail-on rows)")
        }
    }

    /// A shipped query in the warehouse's dialect (`queries/` or `queries/postgres/`), else a file.
    func loadSQL(_ reference: String, shipped: (String) -> ShippedQuery?) throws -> String {
        if let shipped = shipped(reference) { return shipped.sql }
        if FileManager.default.fileExists(atPath: reference), let data = FileManager.default.contents(atPath: reference) {
            return String(decoding: data, as: UTF8.self)
        }
        throw CommandFailure.usage("no shipped query '\(reference)' and no such file; shipped: "
                                   + ShippedQuery.all.map(\.name).joined(separator: ", ") + " (hhbench query --list)")
    }

    func printList() {
        switch format {
        case .json:
            print(JSONOutput.render(.array(ShippedQuery.all.map { query in
                .object([("name", .string(query.name)), ("description", .string(query.description)),
                         ("parameters", .array(query.parameters.map { .object([("name", .string($0.name)), ("description", .string($0.description))]) }))])
            })), terminator: "")
        default:
            var text = ""
            for query in ShippedQuery.all {
                text += "\(query.name): \(query.description)\n"
                for parameter in query.parameters { text += "    \(parameter.name)  \(parameter.description)\n" }
            }
            print(text, terminator: "")
        }
    }

    func render(_ result: QueryResult) -> String {
        switch format {
        case .json:
            return JSONOutput.render(.array(result.rows.map { row in
                .object(zip(result.columns, row).map { column, value in
                    switch value {
                    case .null, .blob: return (column, .null)
                    case .integer(let number): return (column, .number(DecimalNumber(value: Double(number), mantissa: number, scale: 0)))
                    case .real(let number): return (column, .number(number))
                    case .text(let text): return (column, .string(text))
                    }
                })
            }))
        case .table, .csv, .markdown:
            var table = DataTable(result.columns.enumerated().map { index, name in
                let numeric = result.rows.contains { row in
                    if case .integer = row[index] { return true }
                    if case .real = row[index] { return true }
                    return false
                }
                return DataTable.Column(name, numeric ? .right : .left)
            })
            for row in result.rows {
                table.append(row.map { value in
                    if format == .table, case .real(let number) = value { return Display.number(number) }
                    return value.exactText
                })
            }
            if format == .csv { return table.renderCSV() }
            if format == .markdown { return table.renderMarkdown() }
            return table.renderTable() + "(\(result.rows.count) row\(result.rows.count == 1 ? "" : "s"))\n"
        }
    }
}

extension QueryValue {
    /// The value as CSV and tables show it: numbers exact (shortest round-trip form), NULL empty.
    var exactText: String {
        switch self {
        case .null: return ""
        case .integer(let number): return String(number)
        case .real(let number): return DecimalNumber(number).jsonText
        case .text(let text): return text
        case .blob(let count): return "<\(count) bytes>"
        }
    }
}
