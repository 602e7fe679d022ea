import ArgumentParser
import Records
import Warehouse

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one run: its context and every benchmark's metrics.")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("The run's id, uuid, a unique uuid prefix, or latest (the newest run).", valueName: "run"))
    var runReference: String

    @Option(help: "table, json, csv or markdown.")
    var format: OutputFormat = .table

    func run() throws {
        let detail = try database.openForReading().runDetail(runReference)
        switch format {
        case .json:
            print(JSONOutput.render(Self.json(detail)), terminator: "")
        case .csv:
            print(Self.measurementTable(detail).renderCSV(), terminator: "")
        case .markdown:
            var out = "### Run \(detail.summary.id) (`\(detail.summary.uuid)`)\n\n| field | value |\n|---|---|\n"
            for (key, value) in detail.context { out += "| \(DataTable.markdownCell(key)) | \(DataTable.markdownCell(value.text)) |\n" }
            out += "\n" + Self.measurementTable(detail).renderMarkdown()
            print(out, terminator: "")
        case .table:
            let context = detail.context.map { (Printable.escaped($0.name), Printable.escaped($0.value.text)) }
            let width = context.map(\.0.count).max() ?? 0
            var out = "run \(detail.summary.id)\n"
            for (key, value) in context {
                out += key + String(repeating: " ", count: width - key.count) + "  " + value + "\n"
            }
            out += "\n" + Self.measurementTable(detail).renderTable()
            print(out, terminator: "")
        }
    }

    static func measurementTable(_ detail: RunDetail) -> DataTable {
        var table = DataTable([.init("benchmark"), .init("metric"), .init("value", .right), .init("unit"),
                               .init("direction"), .init("source")])
        let counts = Dictionary(detail.series.map { ("\($0.benchmark)\u{1F}\($0.series)", $0.count) }, uniquingKeysWith: +)
        for m in detail.measurements {
            table.append([m.benchmark.displayName, m.metric.name, Display.number(m.value), m.metric.unit,
                          m.metric.direction == .lowerIsBetter ? "lower" : "higher", m.derived ? "derived" : "given"])
        }
        for (key, count) in counts.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "\u{1F}", maxSplits: 1).map(String.init)
            table.append([parts[0], parts[1], String(count), "samples", "", "raw"])
        }
        return table
    }

    static func json(_ detail: RunDetail) -> JSONValue {
        return .object([
            ("id", .number(Double(detail.summary.id))),
            ("context", .object(detail.context.map { ($0.name, $0.value.json) })),
            ("measurements", .array(detail.measurements.map { m in
                .object([("benchmark", .string(m.benchmark.name)), ("group", .string(m.benchmark.group)),
                         ("params", m.benchmark.parameters), ("metric", .string(m.metric.name)),
                         ("unit", .string(m.metric.unit)), ("direction", .string(m.metric.direction.rawValue)), ("value", .number(m.value)),
                         ("derived", .bool(m.derived))])
            })),
            ("series", .array(detail.series.map { s in
                .object([("benchmark", .string(s.benchmark)), ("series", .string(s.series)), ("samples", .number(Double(s.count)))])
            })),
        ])
    }
}
