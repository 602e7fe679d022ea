import ArgumentParser
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
            Each file becomes one run. All files are read and checked before anything is written, and all the \
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

    @Option(name: .customLong("files-from"),
            help: ArgumentHelp("Also record the files listed in this file, one path a line ('-': standard input).", valueName: "list"))
    var filesFrom: String?

    @Argument(help: ArgumentHelp("Result files, or folders (their files, by name); '-' or none reads standard input.", valueName: "file"))
    var files: [String] = []

    /// The files to read: the arguments with each folder replaced by the files in it (sorted by
    /// name, hidden ones skipped), then the paths `--files-from` lists. A folder or a list is the
    /// way to hand over thousands of files: no argument-length limit, and a list of arguments
    /// that long is slow to parse.
    /// The regular files directly in `folder` (by the directory entries' types: one stat per file
    /// is a measurable part of recording 100,000 small files), hidden ones skipped, sorted by name.
    static func files(in folder: String) throws -> [String] {
        guard let directory = opendir(folder) else {
            throw CommandFailure.usage("\(Printable.escaped(folder)): cannot list the folder: \(String(cString: strerror(errno)))")
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard !name.hasPrefix(".") else { continue }
            var isFile = entry.pointee.d_type == UInt8(DT_REG)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) || entry.pointee.d_type == UInt8(DT_LNK) {
                // File systems that do not say, and links: ask about the target.
                var status = stat()
                isFile = stat((folder as NSString).appendingPathComponent(name), &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
            }
            if isFile { names.append(name) }
        }
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        return names.sorted().map { prefix + $0 }
    }

    func inputPaths() throws -> [String] {
        var paths: [String] = []
        for file in files {
            var isFolder: ObjCBool = false
            if file != "-", FileManager.default.fileExists(atPath: file, isDirectory: &isFolder), isFolder.boolValue {
                let before = paths.count
                paths += try Self.files(in: file)
                if paths.count == before {
                    throw CommandFailure.usage("\(Printable.escaped(file)): the folder holds no result files (hidden files and subfolders are not read)")
                }
            } else {
                paths.append(file)
            }
        }
        if let filesFrom {
            let list = try InputReader.read(filesFrom)
            paths += String(decoding: list.bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
                .map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        }
        return paths
    }

    func validate() throws {
        if ReceiptFormat(rawValue: format) == nil, Formats.named(format) == nil {
            throw ValidationError("--format '\(format)' is neither text nor json; an input format goes in --input-format "
                                  + "(\(Formats.names.joined(separator: ", ")))")
        }
        if let inputFormat, Formats.named(inputFormat) == nil {
            throw ValidationError("unknown input format '\(inputFormat)'; supported: \(Formats.names.joined(separator: ", "))")
        }
        if filesFrom == "-" && files.contains("-") {
            throw ValidationError("standard input can hold the files or the list of files (--files-from -), not both")
        }
        if filesFrom == nil, files.isEmpty || files == ["-"], isatty(STDIN_FILENO) == 1 {
            throw ValidationError("no input: give result files, or pipe results in (hhbench record - < results.jsonl)")
        }
    }

    func run() throws {
        if ReceiptFormat(rawValue: format) == nil { Deprecation.warn("record --format \(format)", use: "--input-format \(format)") }
        let inputFormat = chosenInputFormat
        let paths = try inputPaths()
        let inputs = try (files.isEmpty && filesFrom == nil ? ["-"] : paths).map(InputReader.read)
        // Parse everything first: one bad file means nothing is written.
        let records = try inputs.map { input throws(InputError) -> [RunRecord] in
            let format = try Formats.resolve(input, forced: inputFormat)
            // Each run's content hash is the warehouse's to compute, from what it stores.
            return try format.readRuns(input)
        }
        let batch = zip(inputs, records).flatMap { pair in pair.1.map { (record: $0, source: pair.0.name) } }
        var recorder = contextOptions.recorder(allowDuplicate: allowDuplicate)
        // An existing database says which commits it knows (so their ancestry is not asked of git
        // again); a new one is created only once every run is checked. All runs are written in
        // one transaction: `record a b c` stores all three or none.
        let existing = database.exists() ? try database.openForWriting() : nil
        if let existing { recorder.knownCommits = { shas in (try? existing.knownCommits(shas)) ?? [] } }
        let prepared = try recorder.prepareChecked(batch)
        let outcomes = try (existing ?? database.openForWriting()).write(prepared, allowDuplicate: allowDuplicate)
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
        // One open, one fstat and reads: a batch reads 100,000 files.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw InputError(file: path, problem: "no such file", fix: "check the path") }
            throw InputError(file: path, problem: "cannot be read (\(String(cString: strerror(errno))))", fix: "check its permissions")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw InputError(file: path, problem: "cannot be read", fix: "check its permissions")
        }
        guard (status.st_mode & S_IFMT) != S_IFDIR else {
            throw InputError(file: path, problem: "is a folder", fix: "name the result files in it")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(max(0, Int(status.st_size)) + 1)
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw InputError(file: path, problem: "cannot be read (\(String(cString: strerror(errno))))", fix: "check the file")
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return InputFile(name: path, bytes: bytes)
    }
}
