import Analysis
import ArgumentParser
import Capture
import Foundation
import Records
import Warehouse

/// Settings flags shared by the analysing commands: `hhbench.toml` and its overrides.
struct ConfigOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The config file. Default: hhbench.toml at the git top level (or here).", valueName: "path"))
    var config: String?

    func load() throws -> ProjectConfig {
        let path = config ?? ((Git().topLevel ?? FileManager.default.currentDirectoryPath) as NSString)
            .appendingPathComponent(ProjectConfig.fileName)
        if let config, !FileManager.default.fileExists(atPath: config) {
            throw CommandFailure.usage("\(config): no such config file")
        }
        return try ProjectConfig.load(path: path)
    }
}

enum FailOn: String, ExpressibleByArgument, CaseIterable {
    case regression
    case overBudget = "over_budget"
    case inconclusive
    case none

    /// Exit 1 when the report holds what `failOn` fails on (default: regression and over_budget),
    /// exit 3 when nothing could be compared; `compare` and `ab` share it.
    static func gate(_ report: CompareReport, _ failOn: [FailOn]) throws {
        let failing = failOn.isEmpty ? [FailOn.regression, .overBudget] : failOn
        let failed = (failing.contains(.regression) && report.count(.regression) > 0)
            || (failing.contains(.overBudget) && report.count(.overBudget) > 0)
            || (failing.contains(.inconclusive) && report.count(.inconclusive) > 0)
        if failed && !failing.contains(.none) {
            throw CommandFailure.checkFailed()
        }
        if report.nothingCompared {
            throw CommandFailure.notEnoughData("nothing could be compared: no series has enough data on both sides")
        }
    }
}

extension Correction: ExpressibleByArgument {}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Is this commit worse than the baseline branch? A noise-aware verdict per benchmark and metric.",
        discussion: """
            The candidate is the runs at HEAD (or --commit / --run). The baseline is the merge-base of the \
            candidate and --since REF, and its first-parent ancestors with results on the same machine, cut per \
            series at its newest change point, up to --window commits; or --against RUN|COMMIT|baselines. One \
            decision per raw series and per given value, tested on run-level locations (so run-to-run drift is \
            not taken for a change; run noise moderated across the call's series), corrected over the call by \
            Benjamini-Hochberg; a verdict is regression, \
            improvement, unchanged (the interval within ±threshold) or inconclusive (with what the data could \
            detect). Exit 0 when nothing regressed and no budget is exceeded, 1 when something did, 3 when there \
            is no baseline or nothing could be compared, 2 on usage errors. Methods and defaults: docs/STATISTICS.md.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var notifyOptions: NotifyOptions

    @Option(help: ArgumentHelp("The baseline branch, tag, remote ref or sha. Default: [compare] baseline in hhbench.toml, else origin's default branch, else main, else master.",
                               valueName: "ref"))
    var since: String?

    @Option(help: ArgumentHelp("Compare against one run or commit instead of a window of history; 'baselines' compares with the imported performance_baselines.json by its rules (+20 %, memory +15 %, −5 %).",
                               valueName: "run|commit|baselines"))
    var against: String?

    @Option(help: ArgumentHelp("The candidate commit. Default: HEAD.", valueName: "sha"))
    var commit: String?

    @Option(name: .customLong("run"), help: ArgumentHelp("A candidate run (repeatable); its runs are pooled.", valueName: "id"))
    var runs: [String] = []

    @Option(help: "How many baseline commits with results to pool: 1 to 100000 (default 10, or [compare] window).",
            transform: NumericRule.window.wholeNumber)
    var window: Int?

    @Flag(help: "Compare with runs from any machine, not only the candidate's.")
    var anyMachine = false

    @Option(help: ArgumentHelp("Only the candidate's runs on this machine, when several recorded the commit.", valueName: "name"))
    var runsOn: String?
    @Option(name: .customLong("machine"), help: .hidden) var deprecatedMachine: String?

    @Option(help: "Significance level for every series, above 0 and below 1 (default 0.05).", transform: NumericRule.alpha.real)
    var alpha: Double?

    @Option(name: .customLong("threshold"), help: ArgumentHelp("Minimum change in percent for every series, 0 to 1000 (default 5; 0.5 for counts such as instructions).", valueName: "pct"),
            transform: NumericRule.thresholdPct.real)
    var thresholdPct: Double?

    @Option(name: .customLong("budget"), help: ArgumentHelp("An absolute limit, METRIC=VALUE (repeatable), e.g. p95_time_ms=100.",
                                                            valueName: "metric=value"))
    var budgets: [String] = []

    @Option(help: ArgumentHelp("Only benchmarks matching this glob.", valueName: "glob"))
    var benchmark: String?

    @Option(help: ArgumentHelp("Only metrics matching this glob (repeatable; they add up). A glob that names a summary (p95_time_ms) tests that summary.",
                               valueName: "glob"))
    var metric: [String] = []

    @Option(help: "Multiple-testing correction over the decisions of the call: bh (false discovery rate; the default, or [compare] correction), holm or none.")
    var correction: Correction?

    @Option(name: .customLong("run-noise"), help: ArgumentHelp("Run-to-run noise to assume, in percent, with one run a side and no other series to borrow it from (3, or [compare] run_noise_pct).",
                                                              valueName: "pct"),
            transform: NumericRule.runNoisePct.real)
    var runNoisePct: Double?

    @Option(help: "What fails the check (exit 1), repeatable: regression, over_budget, inconclusive, none. Default: regression and over_budget.")
    var failOn: [FailOn] = []

    @Flag(help: "Show every summary (avg_, median_, p95_, …) under its series, with its own change.")
    var all = false

    @Option(help: "table, markdown, json or csv.")
    var format: OutputFormat = .table

    @Flag(help: "In the table, leave out the unchanged series (counted in the summary line).")
    var changesOnly = false

    func validate() throws {
        if since != nil && against != nil { throw ValidationError("--since and --against name the baseline two ways; give one") }
        if commit != nil && !runs.isEmpty { throw ValidationError("--commit and --run name the candidate two ways; give one") }
        try BudgetFlag.check(budgets)
    }

    func run() throws {
        let config = try configOptions.load()
        let warehouse = try database.openForReading()
        let history = CommitHistory(warehouse: warehouse)
        let baseline: CompareRequest.Baseline = if let against { .against(against) } else {
            .since(try since ?? config.baselineBranch ?? history.defaultBaselineBranch())
        }
        var request = CompareRequest(baseline: baseline, config: config)
        if let commit { request.candidate = .commit(commit) }
        if !runs.isEmpty { request.candidate = .runs(runs) }
        if let window { request.window = window }
        request.anyMachine = anyMachine
        request.machine = Deprecation.renamed(runsOn, deprecatedMachine, old: "compare --machine", new: "--runs-on")
        request.overrides.alpha = alpha
        request.overrides.thresholdPct = thresholdPct
        request.benchmarkGlob = benchmark
        request.metricGlobs = metric
        if let correction { request.correction = correction }
        if let runNoisePct { request.assumedRunNoise = runNoisePct / 100 }
        var configWithFlags = config
        for budget in budgets.compactMap(BudgetFlag.init) {
            var rule = SeriesRule()
            rule.metricGlob = budget.metric
            rule.budget = budget.limit
            configWithFlags.rules.append(rule)
        }
        let report = try Comparer(warehouse: warehouse, history: history, config: configWithFlags)
            .compare(request)
        let output: String
        switch format {
        case .table: output = CompareRendering.table(report, colour: Terminal.wantsColour, changesOnly: changesOnly, all: all)
        case .markdown: output = CompareRendering.markdown(report, all: all)
        case .json: output = JSONOutput.render(CompareRendering.json(report))
        case .csv: output = CompareRendering.csv(report)
        }
        print(output, terminator: "")
        if let notifier = try notifyOptions.notifier(config: config, database: database) {
            let contexts = try warehouse.runContexts(uuids: report.candidate.runs.map(\.uuid))
            notifier.send(Alert.from(report, contexts: contexts))
        }

        try FailOn.gate(report, failOn)
    }
}

enum Terminal {
    /// Colour only on a terminal, and never with NO_COLOR set (https://no-color.org).
    static var wantsColour: Bool {
        isatty(STDOUT_FILENO) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
    }

    static func paint(_ text: String, _ code: String, _ enabled: Bool) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
