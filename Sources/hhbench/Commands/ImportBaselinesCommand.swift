import ArgumentParser
import Foundation
import Ingest
import Records
import Recording
import Warehouse

struct ImportBaselinesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-baselines",
        abstract: "Import a legacy performance_baselines.json as the first point of the history.",
        discussion: """
            Every test's metrics become one run, recorded at the file's newest timestamp. The numbers are \
            historic, so the run is not tied to the current commit unless --commit names one.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var contextOptions: ContextOptions

    @Flag(help: "Import even if the same file was imported before.")
    var allowDuplicate = false

    @Option(help: "text or json (the receipt).")
    var format: ReceiptFormat = .text

    @Argument(help: ArgumentHelp("The baselines file.", valueName: "file"))
    var file: String

    func run() throws {
        let input = try InputReader.read(file)
        try input.checkUTF8()
        let record = try LegacyBaselinesFormat().read(input)
        var recorder = contextOptions.recorder(allowDuplicate: allowDuplicate)
        recorder.captureCommit = contextOptions.commit != nil
        var receipts = Receipts(format)
        switch try recorder.record(record, source: file, into: try database.openForWriting()) {
        case .recorded(let receipt):
            var table = DataTable([.init("test"), .init("metric"), .init("value", .right), .init("unit")])
            for measurement in record.measurements {
                table.append([measurement.benchmark.name, measurement.metric.name, Display.number(measurement.value), measurement.metric.unit])
            }
            receipts.recorded(receipt, source: file, line: "imported \(input.name) as run \(receipt.runID) (\(receipt.uuid)), "
                              + "recorded at \(record.context.recordedAt ?? "now"):\n" + table.renderTable()
                              + "\(record.benchmarks.count) tests, \(record.measurements.count) values")
        case .duplicate(let runID, let uuid):
            receipts.skipped(source: file, duplicateOf: runID, uuid: uuid,
                             message: "hhbench: skipped \(input.name): already imported as run \(runID) (\(uuid)); --allow-duplicate imports it again")
        }
        receipts.finish()
    }
}
