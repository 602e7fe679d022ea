import ArgumentParser
import Records
import Warehouse

/// What a writing command (record, run, import-baselines, merge) did, for people or for a CI step
/// that needs the run id: `--format text` (the default) or `--format json`.
enum ReceiptFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

/// The receipts of one call: in text a line each as it happens; in JSON one document at the end,
/// `{"runs": [...], "skipped": [...]}` (merge: `{"merged": [...]}`).
struct Receipts {
    let format: ReceiptFormat
    private(set) var runs: [JSONValue] = []
    private(set) var skipped: [JSONValue] = []
    private(set) var merged: [JSONValue] = []

    init(_ format: ReceiptFormat) { self.format = format }

    mutating func recorded(_ receipt: RunReceipt, source: String, line: String) {
        runs.append(.object([
            ("id", .number(Double(receipt.runID))), ("uuid", .string(receipt.uuid)), ("source", .string(source)),
            ("benchmarks", .number(Double(receipt.benchmarks))), ("metrics", .number(Double(receipt.metrics))),
            ("measurements", .number(Double(receipt.measurements))), ("series", .number(Double(receipt.series))),
            ("samples", .number(Double(receipt.samples))),
        ]))
        if format == .text { Swift.print(line) }
    }

    /// A skip is a diagnostic in text (stderr) and a member of the JSON document.
    mutating func skipped(source: String, duplicateOf runID: Int64, uuid: String, message: String) {
        skipped.append(.object([("source", .string(source)), ("duplicate_of", .number(Double(runID))), ("uuid", .string(uuid))]))
        note(message)
    }

    mutating func merged(_ receipt: MergeReceipt, from source: String, line: String) {
        merged.append(.object([
            ("source", .string(source)), ("runs_added", .number(Double(receipt.runsAdded))),
            ("samples_added", .number(Double(receipt.samplesAdded))), ("runs_already_present", .number(Double(receipt.runsAlreadyPresent))),
        ]))
        if format == .text { Swift.print(line) }
    }

    /// Ends the call's output: the JSON document (text was printed as it happened).
    func finish() {
        guard format == .json else { return }
        let document: JSONValue = merged.isEmpty ? .object([("runs", .array(runs)), ("skipped", .array(skipped))])
                : .object([("merged", .array(merged))])
        Swift.print(JSONOutput.render(document), terminator: "")
    }
}
