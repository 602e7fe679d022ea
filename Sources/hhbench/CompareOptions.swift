import Analysis
import ArgumentParser
import Foundation
import Records
import Warehouse

/// compare's options and its work up to the verdicts, shared by `compare` and `comment`.
struct CompareOptions: ParsableArguments {
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

    /// The comparison the flags ask for, with the config it was made under (`comment` makes it too).
    func makeReport() throws -> (CompareReport, ProjectConfig, Warehouse) {
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
        let report = try Comparer(warehouse: warehouse, history: history, config: configWithFlags).compare(request)
        return (report, config, warehouse)
    }

    /// The report in `--format`.
    func render(_ report: CompareReport) -> String {
        switch format {
        case .table: CompareRendering.table(report, colour: Terminal.wantsColour, changesOnly: changesOnly, all: all)
        case .markdown: CompareRendering.markdown(report, all: all)
        case .json: JSONOutput.render(CompareRendering.json(report))
        case .csv: CompareRendering.csv(report)
        }
    }

    /// Alerts (`--notify`), then the exit code the verdicts give.
    func finish(_ report: CompareReport, config: ProjectConfig, warehouse: Warehouse) throws {
        if let notifier = try notifyOptions.notifier(config: config, database: database) {
            let contexts = try warehouse.runContexts(uuids: report.candidate.runs.map(\.uuid))
            notifier.send(Alert.from(report, contexts: contexts))
        }
        try FailOn.gate(report, failOn)
    }
}
