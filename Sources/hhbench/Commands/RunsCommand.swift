import ArgumentParser
import Records
import Warehouse

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List the recorded runs, newest first.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "How many runs to list. (default: 20)", transform: NumericRule.runsListed.wholeNumber)
    var limit = 20

    @Option(help: "Only runs of this branch.")
    var branch: String?

    @Option(help: "table, json, csv or markdown.")
    var format: OutputFormat = .table

    func validate() throws {
    }

    func run() throws {
        let warehouse = try database.openForReading()
        let runs = try warehouse.runs(limit: limit, branch: branch)
        if format == .json {
            print(JSONOutput.render(.array(runs.map(Self.json))), terminator: "")
            return
        }
        var table = DataTable([
            .init("id", .right), .init("uuid"), .init("recorded_at"), .init("commit"), .init("branch"),
            .init("machine"), .init("format"), .init("benchmarks", .right), .init("samples", .right),
        ])
        for run in runs {
            let commit = Display.shortSHA(run.commit) + (run.dirty == true ? "+" : "")
            table.append([String(run.id), run.uuid, run.recordedAt, commit, run.branch ?? "-", run.machine,
                          run.sourceFormat, String(run.benchmarks), String(run.samples)])
        }
        switch format {
        case .csv: print(table.renderCSV(), terminator: "")
        case .markdown: print(table.renderMarkdown(), terminator: "")
        default:
            if runs.isEmpty { note("no runs recorded yet in \(warehouse.path)") }
            print(table.renderTable(), terminator: "")
        }
    }

    static func json(_ run: RunSummary) -> JSONValue {
        .object([
            ("id", .number(Double(run.id))), ("uuid", .string(run.uuid)), ("recorded_at", .string(run.recordedAt)),
            ("commit", .optional(run.commit)), ("branch", .optional(run.branch)), ("dirty", .optional(run.dirty)),
            ("machine", .string(run.machine)), ("source_format", .string(run.sourceFormat)),
            ("benchmarks", .number(Double(run.benchmarks))), ("measurements", .number(Double(run.measurements))),
            ("samples", .number(Double(run.samples))), ("tags", run.tags),
        ])
    }
}
