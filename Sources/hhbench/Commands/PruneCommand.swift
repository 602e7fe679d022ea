import ArgumentParser
import Foundation
import Records
import Warehouse

struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove the raw samples of old runs, keeping their measurements, and give the space back.",
        discussion: """
            A run keeps its raw samples when it was recorded within --keep-samples-for, when it is at one of the \
            newest --keep-commits commits with runs, or when its branch matches --keep-branches; every other run \
            loses its samples but keeps its measurements (median, p95 and the other summaries derived when it was \
            recorded, and every given value). compare and trend go on working: a pruned run counts as its recorded \
            median, and they say so. One transaction, then an incremental vacuum (a database without incremental \
            auto-vacuum is rewritten once with VACUUM). --dry-run shows what would go.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("keep-samples-for"),
            help: ArgumentHelp("Keep the samples of runs recorded within this age: 90d, 12w, 36h.", valueName: "age"))
    var keepFor: String?

    @Option(name: .customLong("keep-commits"), help: ArgumentHelp("Keep the samples of runs at the newest N commits with runs.", valueName: "N"),
            transform: NumericRule.keepCommits.wholeNumber)
    var keepCommits: Int?

    @Option(name: .customLong("keep-branches"),
            help: ArgumentHelp("Keep the samples of runs on these branches: comma-separated globs, such as main,release/*.", valueName: "globs"))
    var keepBranches: String?

    @Flag(help: "Show what would be removed; change nothing.")
    var dryRun = false

    @Option(help: "text or json.")
    var format: ReceiptFormat = .text


    var branchGlobs: [String] {
        (keepBranches ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func validate() throws {
        if keepFor == nil && keepCommits == nil {
            throw ValidationError("say which samples to keep: --keep-samples-for 90d and/or --keep-commits N (and --keep-branches)")
        }
        if let keepFor {
            do {
                _ = try DurationRule.age.seconds(keepFor)
            } catch {
                throw ValidationError("--keep-samples-for '\(keepFor)': \(error)")
            }
        }
    }

    func run() throws {
        let warehouse = try database.openForWriting()
        let since = keepFor.flatMap { try? DurationRule.age.seconds($0) }.map { Timestamp.string(from: Date(timeIntervalSinceNow: -$0)) }
        let rule = PruneRule(keepSince: since, keepCommits: keepCommits, keepBranches: branchGlobs)
        let receipt = try warehouse.prune(rule, dryRun: dryRun)
        if format == .json {
            print(JSONOutput.render(.object([
                ("dry_run", .bool(dryRun)), ("runs", .number(Double(receipt.runs))), ("series", .number(Double(receipt.series))),
                ("samples", .number(Double(receipt.samples))), ("sample_bytes", .number(Double(receipt.sampleBytes))),
                ("runs_keeping_samples", .number(Double(receipt.runsKeepingSamples))),
                ("file_bytes_before", .number(Double(receipt.fileBytesBefore))), ("file_bytes_after", .number(Double(receipt.fileBytesAfter))),
            ])), terminator: "")
            return
        }
        let what = "the raw samples of \(receipt.runs) run\(receipt.runs == 1 ? "" : "s") (\(receipt.samples) samples in "
            + "\(receipt.series) series, \(HumanUnits.format(Double(receipt.sampleBytes), unit: "B")))"
        if dryRun {
            print("would remove \(what); \(receipt.runsKeepingSamples) runs keep theirs; measurements stay. Nothing was changed (--dry-run).")
        } else {
            print("removed \(what); \(receipt.runsKeepingSamples) runs keep theirs; measurements stay. "
                  + "Database \(HumanUnits.format(Double(receipt.fileBytesBefore), unit: "B")) -> \(HumanUnits.format(Double(receipt.fileBytesAfter), unit: "B")).")
        }
    }
}
