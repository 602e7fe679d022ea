import ArgumentParser
import Crypto
import Foundation
import Ingest
import Records
import Recording
import Warehouse

/// Context flags shared by the commands that record runs (`record`, `run`).
struct ContextOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The commit measured (a sha or any git revision). Default: HEAD (for import-baselines, none: its numbers are historic).", valueName: "sha"))
    var commit: String?

    @Option(help: ArgumentHelp("The branch. Default: the current branch, or the CI's on a detached HEAD.", valueName: "name"))
    var branch: String?

    @Option(help: ArgumentHelp("The machine's name in place of its hostname (or set HHBENCH_MACHINE); CI hostnames change from job to job.",
                               valueName: "name"))
    var machine: String?

    @Option(name: .customLong("tag"), help: ArgumentHelp("A free tag, key=value (repeatable).", valueName: "key=value"))
    var tags: [String] = []

    @Option(help: ArgumentHelp("The toolchain that built what was measured (\"swift-6.3.1\", \"cpython-3.11\").", valueName: "text"))
    var toolchain: String?

    @Flag(inversion: .prefixedNo, help: "Mark the tree as dirty (or clean), overriding git's answer.")
    var dirty: Bool?

    func validate() throws {
        for tag in tags where !tag.contains("=") || tag.hasPrefix("=") {
            throw ValidationError("--tag '\(tag)' is not key=value; write --tag suite=load")
        }
    }

    /// The context the flags force.
    var overrides: RunContext {
        var context = RunContext()
        if let commit { context.commit = CommitInfo(sha: commit) }
        context.branch = branch
        context.dirty = dirty
        context.toolchain = toolchain
        for tag in tags {
            let parts = tag.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            context.tags[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return context
    }

    func recorder(allowDuplicate: Bool) -> Recorder {
        Recorder(overrides: overrides, machineName: machine, allowDuplicate: allowDuplicate)
    }
}

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record result files (hhbench's JSON lines, or another tool's) as runs, with their context.",
        discussion: """
            Each file becomes one run. All files are read and checked before the database is opened, and all the \
            runs of one call are written in one transaction: all of them or none, and every error names its file. The same input recorded again \
            for the same commit and machine is skipped (exit 0) unless --allow-duplicate.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var contextOptions: ContextOptions

    @Option(help: ArgumentHelp(
        "The input format, when detection by content is not wanted ('hhbench formats' lists them).", valueName: "name"))
    var inputFormat: String?

    /// `--format` is the output everywhere; an input format given there still works, deprecated.
    @Option(help: ArgumentHelp("text or json (the receipts: run ids, uuids, counts).", valueName: "format"))
    var format: String = "text"

    var receiptFormat: ReceiptFormat { ReceiptFormat(rawValue: format) ?? .text }
    var chosenInputFormat: String? { inputFormat ?? (ReceiptFormat(rawValue: format) == nil ? format : nil) }

    @Flag(help: "Record the input even if the same input was recorded for this commit and machine.")
    var allowDuplicate = false

    @Argument(help: ArgumentHelp("Result files; '-' or none reads standard input.", valueName: "file"))
    var files: [String] = []

    func validate() throws {
        if ReceiptFormat(rawValue: format) == nil, Formats.named(format) == nil {
            throw ValidationError("--format '\(format)' is neither text nor json; an input format goes in --input-format "
                                  + "(\(Formats.names.joined(separator: ", ")))")
        }
        if let inputFormat, Formats.named(inputFormat) == nil {
            throw ValidationError("unknown input format '\(inputFormat)'; supported: \(Formats.names.joined(separator: ", "))")
        }
        if files.isEmpty || files == ["-"], isatty(STDIN_FILENO) == 1 {
            throw ValidationError("no input: give result files, or pipe results in (hhbench record - < results.jsonl)")
        }
    }

    func run() throws {
        if ReceiptFormat(rawValue: format) == nil { Deprecation.warn("record --format \(format)", use: "--input-format \(format)") }
        let inputFormat = chosenInputFormat
        let inputs = try (files.isEmpty ? ["-"] : files).map(InputReader.read)
        // Parse everything first: one bad file means nothing is written.
        let records = try inputs.map { input throws(InputError) -> [RunRecord] in
            let format = try Formats.resolve(input, forced: inputFormat)
            let runs = try format.readRuns(input)
            return runs.count == 1 && runs[0].contentHash.isEmpty ? runs.map { run in
                var record = run
                record.contentHash = Hex.string(SHA256.hash(data: input.bytes))
                return record
            } : runs
        }
        let batch = zip(inputs, records).flatMap { pair in pair.1.map { (record: $0, source: pair.0.name) } }
        let recorder = contextOptions.recorder(allowDuplicate: allowDuplicate)
        // Every run is checked before the database is opened, and all are written in one
        // transaction: `record a b c` stores all three or none.
        let prepared = try recorder.prepareChecked(batch)
        let outcomes = try database.openForWriting().write(prepared, allowDuplicate: allowDuplicate)
        var receipts = Receipts(receiptFormat)
        for ((record, source), outcome) in zip(batch, outcomes) {
            for warning in record.warnings { note("hhbench: warning: \(warning)") }
            switch outcome {
            case .recorded(let receipt):
                receipts.recorded(receipt, source: source, line: "recorded run \(receipt.runID) (\(receipt.uuid)) from \(Printable.escaped(source)): "
                      + "\(receipt.benchmarks) benchmark\(receipt.benchmarks == 1 ? "" : "s"), "
                      + "\(receipt.metrics) metrics, \(receipt.measurements) measurements, "
                      + "\(receipt.samples) samples in \(receipt.series) series")
            case .duplicate(let runID, let uuid):
                receipts.skipped(source: source, duplicateOf: runID, uuid: uuid,
                                 message: "hhbench: skipped \(source): the same input was recorded as run \(runID) (\(uuid)) "
                                     + "for this commit and machine; --allow-duplicate records it again")
            }
        }
        receipts.finish()
    }
}

/// Reads an input file, or standard input for "-".
enum InputReader {
    static func read(_ path: String) throws -> InputFile {
        if path == "-" {
            return InputFile(name: "<stdin>", bytes: Array(FileHandle.standardInput.readDataToEndOfFile()))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(file: path, problem: "no such file", fix: "check the path")
        }
        guard !isDirectory.boolValue else {
            throw InputError(file: path, problem: "is a folder", fix: "name the result files in it")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, problem: "cannot be read", fix: "check its permissions")
        }
        return InputFile(name: path, bytes: Array(data))
    }
}
