import Analysis
import ArgumentParser
import Capture
import Foundation
import Ingest
import Records
import Runner

struct ABCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ab",
        abstract: "Base against head on this machine: both built, then benchmarked in interleaved rounds until the answer is known.",
        discussion: """
            Each commit is checked out in a git worktree under .hhbench/worktrees/ (reused by sha, removed at the end \
            unless --keep-worktrees) and built once with --build. Each round runs --bench once in each worktree, in a \
            random order per round (randomized multiple interleaved trials), so what the machine does falls on both. The \
            bench command writes a result file in any format 'record' reads: its standard output, or --output. Every run \
            is recorded with its commit and the session, round and position as tags: an ordinary run for compare, trend \
            and report, and 'compare --against BASE' at HEAD gives the same paired answer. The test is on per-round \
            differences, moderated across series, corrected by Benjamini-Hochberg, with compare's verdicts, outputs and \
            exit codes. --until-decided stops once every decision is a regression, an improvement or unchanged, with an \
            O'Brien-Fleming boundary so that stopping early keeps the error rate (docs/STATISTICS.md). Ctrl-C keeps what \
            was recorded and reports it. Defaults come from [ab] in hhbench.toml.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var configOptions: ConfigOptions

    @Option(help: ArgumentHelp("The base commit. Default: the merge-base of HEAD and --since.", valueName: "ref"))
    var base: String?

    @Option(help: ArgumentHelp("The head commit. Default: HEAD.", valueName: "ref"))
    var head: String?

    @Option(help: ArgumentHelp("The branch whose merge-base is the default base. Default: [compare] baseline, else origin's default branch, else main, else master.",
                               valueName: "ref"))
    var since: String?

    @Option(help: ArgumentHelp("Builds a worktree, run in it once per commit through /bin/sh ([ab] build; none: nothing to build).", valueName: "command"))
    var build: String?

    @Option(help: ArgumentHelp("Benchmarks a worktree once, through /bin/sh, writing a result file ([ab] bench).", valueName: "command"))
    var bench: String?

    @Option(help: ArgumentHelp("The result file the bench command writes, relative to its worktree ([ab] output). Default: its standard output.",
                               valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("The bench output's format, when detection by content is not wanted ('hhbench formats' lists them).", valueName: "name"))
    var inputFormat: String?

    @Option(help: "Rounds to run without --until-decided: 1 to 100000 (default 10, or [ab] rounds).", transform: NumericRule.rounds.wholeNumber)
    var rounds: Int?

    @Flag(help: "Run rounds until every decision is a regression, an improvement or unchanged, or a limit is reached.")
    var untilDecided = false

    @Option(help: "With --until-decided, at most this many rounds: 3 to 100000 (default 30, or [ab] max_rounds); the boundary is planned for it.",
            transform: NumericRule.rounds.wholeNumber)
    var maxRounds: Int?

    @Option(help: ArgumentHelp("Stop starting rounds after this long (e.g. 20m; [ab] max_time). Default: no limit.", valueName: "duration"),
            transform: DurationRule.runTime.seconds)
    var maxTime: Double?

    @Option(help: "Rounds run first and not recorded: 0 to 100000 (default 1, or [ab] warmup_rounds).", transform: NumericRule.warmupRounds.wholeNumber)
    var warmupRounds: Int?

    @Option(help: "The seed of the rounds' random order (recorded as a tag). Default: a random one.", transform: NumericRule.seed.wholeNumber)
    var seed: Int?

    @Flag(help: "Leave the worktrees in .hhbench/worktrees/ (the next ab on the same commits builds incrementally).")
    var keepWorktrees = false

    @Flag(help: "Run base and head at the same time, each on its own half of the CPUs (duet benchmarking; see docs/STATISTICS.md for the caveats).")
    var parallel = false

    @Option(help: "Significance level for every series, above 0 and below 1 (default 0.05).", transform: NumericRule.alpha.real)
    var alpha: Double?

    @Option(name: .customLong("threshold"), help: ArgumentHelp("Minimum change in percent for every series, 0 to 1000 (default 5; 0.5 for counts such as instructions).", valueName: "pct"),
            transform: NumericRule.thresholdPct.real)
    var thresholdPct: Double?

    @Option(help: ArgumentHelp("Only benchmarks matching this glob.", valueName: "glob"))
    var benchmark: String?

    @Option(help: ArgumentHelp("Only metrics matching this glob (repeatable).", valueName: "glob"))
    var metric: [String] = []

    @Option(help: "Multiple-testing correction: bh (the default), holm or none.")
    var correction: Correction?

    @Option(help: "What fails the check (exit 1), repeatable: regression, over_budget, inconclusive, none. Default: regression and over_budget.")
    var failOn: [FailOn] = []

    @Option(help: "table, markdown, json or csv.")
    var format: OutputFormat = .table

    @Option(help: ArgumentHelp("The machine's name in place of its hostname (or set HHBENCH_MACHINE).", valueName: "name"))
    var machine: String?

    func validate() throws {
        if let maxRounds, maxRounds < PairedDesign.firstLook {
            throw ValidationError("--max-rounds \(maxRounds) is too few: expected a number of rounds from \(PairedDesign.firstLook) to 100000, such as 30")
        }
        if rounds != nil && untilDecided { throw ValidationError("--rounds fixes the rounds and --until-decided stops when decided; give one (--max-rounds bounds the second)") }
        if maxRounds != nil && !untilDecided { throw ValidationError("--max-rounds goes with --until-decided; without it, --rounds says how many") }
        if let inputFormat, Formats.named(inputFormat) == nil {
            throw ValidationError("unknown input format '\(inputFormat)'; supported: \(Formats.names.joined(separator: ", "))")
        }
        if parallel, ABDuet.cpuHalves().contains(where: \.isEmpty) {
            throw ValidationError("--parallel needs at least 2 CPUs, one a side; this process may use 1")
        }
        if let output, output.isEmpty { throw ValidationError("--output is empty: name the file the bench command writes") }
    }

    func run() throws {
        let config = try configOptions.load()
        guard let bench = bench ?? config.ab.bench else {
            throw CommandFailure.usage("no bench command: give --bench 'python3 bench.py' or set bench under [ab] in hhbench.toml")
        }
        if let format = config.ab.inputFormat, inputFormat == nil, Formats.named(format) == nil {
            throw CommandFailure.usage("hhbench.toml: [ab] input_format '\(format)' is unknown; supported: \(Formats.names.joined(separator: ", "))")
        }
        let warehouse = try database.openForWriting()
        let git = Git()
        guard let top = git.topLevel else { throw CommandFailure.usage("not in a git repository: ab checks out commits of the repository it runs in") }
        let headSha = try resolve(head ?? "HEAD", git: git, flag: "--head")
        let baseSha: String
        if let base {
            baseSha = try resolve(base, git: git, flag: "--base")
        } else {
            let branch = try since ?? config.baselineBranch ?? CommitHistory(warehouse: warehouse).defaultBaselineBranch()
            let target = try resolve(branch, git: git, flag: "--since")
            guard let found = try? git.run(["merge-base", headSha, target]), !found.isEmpty else {
                throw CommandFailure.usage("\(headSha.prefix(10)) and \(branch) have no merge-base; name the base with --base REF")
            }
            baseSha = found
        }
        guard baseSha != headSha else {
            throw CommandFailure.usage("base and head are the same commit (\(baseSha.prefix(10))): name another with --base or --head")
        }
        var plan = ABPlan(base: baseSha, head: headSha, repository: top, bench: bench)
        plan.build = build ?? config.ab.build
        plan.output = output ?? config.ab.output
        plan.inputFormat = inputFormat ?? config.ab.inputFormat
        plan.warmupRounds = warmupRounds ?? config.ab.warmupRounds ?? 1
        plan.design = untilDecided ? .sequential(plannedRounds: maxRounds ?? config.ab.maxRounds ?? 30) : .fixed
        plan.rounds = untilDecided ? (maxRounds ?? config.ab.maxRounds ?? 30) : (rounds ?? config.ab.rounds ?? 10)
        plan.maxTimeSeconds = maxTime ?? config.ab.maxTimeSeconds
        plan.seed = seed.map(UInt64.init) ?? UInt64.random(in: 0...9_007_199_254_740_991)
        plan.keepWorktrees = keepWorktrees
        plan.parallel = parallel
        plan.machineName = machine

        var request = CompareRequest(baseline: .against(baseSha), config: config)
        request.overrides.alpha = alpha
        request.overrides.thresholdPct = thresholdPct
        request.benchmarkGlob = benchmark
        request.metricGlobs = metric
        if let correction { request.correction = correction }

        let session = ABSession(plan: plan, request: request, config: config, warehouse: warehouse,
                                progress: isatty(STDERR_FILENO) == 1 ? ABProgressLine() : nil)
        let report = try session.run()
        let text: String
        switch format {
        case .table: text = CompareRendering.table(report, colour: Terminal.wantsColour)
        case .markdown: text = CompareRendering.markdown(report)
        case .json: text = JSONOutput.render(CompareRendering.json(report))
        case .csv: text = CompareRendering.csv(report)
        }
        print(text, terminator: "")
        try FailOn.gate(report, failOn)
    }

    private func resolve(_ reference: String, git: Git, flag: String) throws -> String {
        guard let sha = git.resolve(reference) else {
            throw CommandFailure.usage("\(flag) '\(Printable.escaped(reference))' names no commit git knows; give a branch, tag or sha")
        }
        return sha
    }
}
