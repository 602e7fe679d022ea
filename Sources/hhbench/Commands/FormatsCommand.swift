import ArgumentParser
import Foundation
import Ingest
import Records

struct FormatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "formats", abstract: "List the input formats 'hhbench record' reads.")

    // Accepted for uniformity: every command takes --db (this one reads no database).
    @OptionGroup var database: DatabaseOptions

    @Option(help: "table, json, csv or markdown.")
    var format: OutputFormat = .table

    func run() throws {
        var table = DataTable([.init("format"), .init("description")])
        for format in Formats.all { table.append([type(of: format).name, type(of: format).summary]) }
        switch format {
        case .table: print(table.renderTable(), terminator: "")
        case .csv: print(table.renderCSV(), terminator: "")
        case .markdown: print(table.renderMarkdown(), terminator: "")
        case .json:
            print(JSONOutput.render(.array(Formats.all.map {
                .object([("name", .string(type(of: $0).name)), ("description", .string(type(of: $0).summary))])
            })), terminator: "")
        }
    }
}
