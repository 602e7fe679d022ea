import ArgumentParser
import Foundation
import Ingest
import Records
import Warehouse

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write runs out: native JSON lines (which 'hhbench record' reads back into the same runs), CSV, or the newest values for Prometheus.",
        discussion: """
            jsonl: one {"run": {...}} section a run, with its whole context, raw samples and given values; \
            derived metrics are derived again on recording. csv: one row a measurement (the hh_measurements \
            columns), or one row a raw sample with --samples. openmetrics: the newest value of every benchmark × \
            metric per branch and machine (on --branch only, with it) in the OpenMetrics text format, one gauge \
            family hhbench_METRIC with benchmark, metric, unit, branch and machine labels; 'hhbench push' sends \
            the same to a Pushgateway.
            """)

    enum ExportFormat: String, ExpressibleByArgument, CaseIterable { case jsonl, csv, openmetrics }

    @OptionGroup var database: DatabaseOptions

    @Option(help: "jsonl, csv or openmetrics.")
    var format: ExportFormat = .jsonl

    @Option(help: ArgumentHelp("Only runs recorded at or after this time (ISO 8601, e.g. 2026-11-01).", valueName: "time"))
    var recordedSince: String?
    @Option(name: .customLong("since"), help: .hidden) var deprecatedSince: String?

    /// A day alone means its start, in UTC.
    private static func time(_ text: String) -> String? { Timestamp.normalize(text.count == 10 ? text + "T00:00:00Z" : text) }

    @Option(help: "Only runs of this branch.")
    var branch: String?

    @Option(name: .customLong("run"), help: ArgumentHelp("Only these runs (repeatable).", valueName: "id"))
    var runs: [String] = []

    @Flag(help: "With --format csv: one row a raw sample instead of one a measurement.")
    var samples = false

    func validate() throws {
        if let since = recordedSince ?? deprecatedSince, Self.time(since) == nil {
            throw ValidationError("--recorded-since '\(since)' is not an ISO 8601 date or time; write 2026-11-01 or 2026-11-01T12:00:00Z")
        }
        if format == .openmetrics && (recordedSince != nil || deprecatedSince != nil || !runs.isEmpty || samples) {
            throw ValidationError("--format openmetrics writes the newest value of every series; --recorded-since, --run and --samples do not apply")
        }
    }

    func run() throws {
        let warehouse = try database.openForReading()
        if format == .openmetrics {
            print(OpenMetrics.render(try warehouse.latestValues().filter { branch == nil || $0.branch == branch }), terminator: "")
            return
        }
        let since = Deprecation.renamed(recordedSince, deprecatedSince, old: "export --since", new: "--recorded-since")
        var ids = try warehouse.runIDs(since: since.flatMap(Self.time), branch: branch)
        if !runs.isEmpty {
            let chosen = Set(try runs.map { try warehouse.resolveRun($0) })
            ids = ids.filter { chosen.contains($0) }
        }
        switch format {
        case .jsonl:
            for id in ids { print(NativeWriter.write(try warehouse.exportRecord(runID: id)), terminator: "") }
        case .csv where samples:
            // A series' shared cells are encoded once; each sample adds its index and value.
            var csv = CSVWriter()
            try warehouse.forEachSampleSeries(runIDs: ids, header: { csv.fields($0); csv.endRecord() }) { cells, values in
                var shared = CSVWriter()
                shared.fields(cells[..<2].map(\.exactText))
                let head = shared.bytes
                shared = CSVWriter()
                shared.fields(cells[2...].map(\.exactText))
                let tail = shared.bytes
                for (index, value) in values.enumerated() {
                    csv.encodedFields(head)
                    csv.field(String(index))
                    csv.field(DecimalNumber(value).jsonText)
                    csv.encodedFields(tail)
                    csv.endRecord()
                    csv.flush()
                }
            }
            csv.flush(force: true)
        case .csv:
            // Streamed row by row: memory stays flat however many samples the runs hold.
            var output = BufferedOutput()
            try warehouse.forEachMeasurementRow(runIDs: ids, header: { output.write(DataTable.csvLine($0)) },
                                                row: { output.write(DataTable.csvLine($0.map(\.exactText))) })
            output.flush()
        case .openmetrics:
            break  // written above, before any run is read
        }
        if ids.isEmpty { note("hhbench: no runs to export") }
    }
}
