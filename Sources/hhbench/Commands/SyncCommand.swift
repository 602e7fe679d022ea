import ArgumentParser
import Foundation
import Recording
import Records
import Warehouse

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Keep the history in a git branch, as text: pull the runs it has, push the runs it lacks. No server needed.",
        discussion: """
            The branch holds one file a run, runs/<uu>/<uuid>.<content hash>.jsonl.gz: the run as 'export --format \
            jsonl' writes it, gzipped. Files are only ever added, so jobs pushing at once never conflict: a push that \
            loses the race is made again on the new tip (up to 30 times). A file whose content does not match its \
            name, or that is not one whole run, is refused by name and nothing of it is written. The remote is a \
            URL or path git can push to, or the name of a remote of this repository (default origin), used with \
            the credentials its config holds (as actions/checkout leaves them). Runs whose raw samples were pruned \
            here before they reached the branch stay local.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("A git URL or path, or the name of a remote of this repository.", valueName: "url|name"))
    var remote = "origin"

    @Option(help: ArgumentHelp("The branch that holds the history.", valueName: "name"))
    var branch = "hhbench-history"

    @Flag(help: "Only bring the branch's runs into the database; push nothing.")
    var pullOnly = false

    @Flag(help: "Only push the database's runs to the branch; bring nothing in.")
    var pushOnly = false

    @Option(help: "text or json (the receipt).")
    var format: ReceiptFormat = .text

    func validate() throws {
        if pullOnly && pushOnly { throw ValidationError("--pull-only and --push-only contradict each other; give neither to do both") }
        if branch.isEmpty || branch.hasPrefix("-") || branch.contains("..") || branch.contains(" ") {
            throw ValidationError("--branch '\(branch)' is not a branch name git accepts; use a name such as hhbench-history")
        }
        if remote.isEmpty { throw ValidationError("--remote is empty; give a git URL, a path or a remote's name such as origin") }
    }

    func run() throws {
        let warehouse = pushOnly ? try database.openForReading() : try database.openForWriting()
        let history = try HistoryBranch(remote: remote, branch: branch)
        let receipt = try HistorySync.sync(warehouse, with: history, pull: !pushOnly, push: !pullOnly)
        let perRun = receipt.branchRuns == 0 ? 0 : receipt.branchBytes / receipt.branchRuns
        if format == .json {
            print(JSONOutput.render(.object([
                ("remote", .string(history.remoteName)), ("branch", .string(branch)),
                ("runs_pulled", .number(Double(receipt.pulled))), ("samples_pulled", .number(Double(receipt.samplesPulled))),
                ("runs_pushed", .number(Double(receipt.pushed))), ("push_retries", .number(Double(receipt.retries))),
                ("pruned_runs_kept_local", .number(Double(receipt.prunedKeptLocal))),
                ("branch_runs", .number(Double(receipt.branchRuns))), ("branch_run_bytes", .number(Double(receipt.branchBytes))),
            ])), terminator: "")
            return
        }
        var line = "synced with \(branch) of \(history.remoteName): \(receipt.pulled) run\(receipt.pulled == 1 ? "" : "s") pulled"
            + " (\(receipt.samplesPulled) samples), \(receipt.pushed) pushed"
        if receipt.retries > 0 { line += " (after \(receipt.retries) rejected push\(receipt.retries == 1 ? "" : "es"))" }
        line += "; the branch holds \(receipt.branchRuns) run\(receipt.branchRuns == 1 ? "" : "s") in "
            + "\(HumanUnits.format(Double(receipt.branchBytes), unit: "B")) (\(HumanUnits.format(Double(perRun), unit: "B")) a run)"
        print(line)
        if receipt.prunedKeptLocal > 0 {
            note("hhbench: \(receipt.prunedKeptLocal) run\(receipt.prunedKeptLocal == 1 ? " was" : "s were") pruned here before reaching the branch and stay local "
                 + "(their raw samples are gone); sync before pruning to keep them whole on the branch")
        }
    }
}
