import Analysis
import Ingest
import Records
import TOML

/// One fuzz target per input parser. Each feeds arbitrary bytes to a parser and checks what
/// must hold whatever the bytes: no trap (any crash is a finding), and properties that catch
/// wrong data too:
/// - json: the canonical text of a parsed value parses back to the same value;
/// - timestamp: a normalised time normalises to itself;
/// - config: hhbench.toml's reader gives the same document as Python's tomllib, or refuses it as
///   tomllib does (when run.sh starts the oracle), and the settings read without a trap;
/// - each format: a run that passes the storage checks exports (NativeWriter) and reads back
///   with the same series, samples and values, as `hhbench export` → `record` must.
enum FuzzTargets {
    static let formatNames = Formats.names
    static let names = ["json", "timestamp", "config", "detect"] + formatNames

    static func run(_ target: String, _ bytes: [UInt8]) {
        switch target {
        case "json": json(bytes)
        case "timestamp": timestamp(bytes)
        case "config": config(bytes)
        case "detect": format(nil, bytes)
        default: format(target, bytes)
        }
    }

    static func json(_ bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes) else { return }
        let again = try? JSONParser.parse(value.canonicalText)
        precondition(again?.canonicalText == value.canonicalText, "canonical JSON text does not read back")
    }

    static func timestamp(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self), let normalized = Timestamp.normalize(text) else { return }
        precondition(Timestamp.normalize(normalized) == normalized, "a normalised time changes when normalised again")
    }

    static func config(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        _ = try? ProjectConfig.parse(text, file: "hhbench.toml")
        guard let oracle = TOMLOracle.shared else { return }
        let reference = oracle.answer(bytes)
        guard reference != "skip" else { return }
        let ours = (try? TOMLReader.parse(text).canonicalText) ?? "reject"
        precondition(ours == (reference == "big" ? "reject" : reference), "hhbench's TOML reader and tomllib differ: ours \(ours), tomllib \(reference)")
    }

    static func format(_ name: String?, _ bytes: [UInt8]) {
        let input = InputFile(name: "fuzz.input", bytes: bytes)
        guard let format = try? Formats.resolve(input, forced: name), let runs = try? format.readRuns(input) else { return }
        for run in runs {
            let derived = run.addingDerivedMetrics()
            guard (try? derived.checkStorable(file: input.name)) != nil else { continue }
            roundTrip(run)
        }
    }

    /// The export of a run reads back into the same numbers.
    static func roundTrip(_ run: RunRecord) {
        let text = NativeWriter.write(run)
        let back: [RunRecord]
        do {
            back = try NativeFormat().readRuns(InputFile(name: "export.jsonl", bytes: Array(text.utf8)))
        } catch {
            preconditionFailure("an export does not read back: \(error)\n\(text)")
        }
        precondition(back.count == 1, "an export of one run reads back as \(back.count)")
        precondition(back[0].series.map(\.values) == run.series.map(\.values), "samples change through an export")
        let given = run.measurements.filter { !$0.derived }.map(\.value).sorted()
        precondition(back[0].measurements.map(\.value).sorted() == given, "values change through an export")
    }
}
