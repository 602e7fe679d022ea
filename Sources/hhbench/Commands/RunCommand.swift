import Analysis
import ArgumentParser
import Foundation
import Ingest
import Records
import Recording
import Runner
import Statistics
import Warehouse

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Benchmark commands like hyperfine, and record every sample with the run's context.",
        discussion: """
            Each command is a benchmark. Per run: wall time (monotonic clock), user and system CPU time, the \
            child's own peak resident memory (read at its exit under ptrace, so hhbench's memory is not counted) and \
            the exit code. \
            Recorded as one run: time_ms, cpu_user_ms, cpu_sys_ms, max_rss_mb samples and their summaries \
            (avg_time_ms, p95_time_ms, throughput_ops_per_sec, ...). Hooks (--setup, --prepare, --conclude, \
            --cleanup) run through /bin/sh. --measure instructions (and estimated_cycles, cache, cycles, page_faults) adds \
            counted runs after the timed ones, through perf_event_open where the kernel gives hardware counters and \
            valgrind's callgrind otherwise; the run's context names the back end. A failing command stops the benchmark with exit 2 unless \
            --ignore-failure; a --budget that does not hold fails with exit 1, after recording. Several commands \
            end with hyperfine's summary of how many times faster the fastest is.
            """)

    /// hyperfine's `--style`: auto is full on a terminal and basic elsewhere; basic has no colours
    /// and no progress bar (for logs); full has both even off a terminal; nocolor keeps the progress
    /// bar, color the colours; none is plain text.
    enum Style: String, ExpressibleByArgument, CaseIterable {
        case auto, basic, full, nocolor, color, none

        var showsProgress: Bool {
            switch self {
            case .auto: isatty(STDERR_FILENO) == 1
            case .full, .nocolor: true
            case .basic, .color, .none: false
            }
        }

        var usesColour: Bool {
            switch self {
            case .auto: Terminal.wantsColour
            case .full, .color: true
            case .basic, .nocolor, .none: false
            }
        }
    }

    enum FailOn: String, ExpressibleByArgument, CaseIterable {
        case overBudget = "over_budget", none
    }

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var contextOptions: ContextOptions

    @Argument(help: ArgumentHelp("Commands to benchmark (quote each).", valueName: "command"))
    var commands: [String] = []

    @Option(name: [.customShort("n"), .customLong("name")],
            help: ArgumentHelp("A benchmark's name (repeatable, in the order of the commands).", valueName: "name"))
    var names: [String] = []

    @Option(name: .shortAndLong, help: "Warm-up runs before measuring. (default: 3)", transform: NumericRule.warmup.wholeNumber)
    var warmup = 3
    @Option(name: .shortAndLong, help: "Exactly this many measured runs.", transform: NumericRule.runs.wholeNumber)
    var runs: Int?
    @Option(name: [.customShort("m"), .long], help: "At least this many runs. (default: 10)", transform: NumericRule.runs.wholeNumber)
    var minRuns = 10
    @Option(name: [.customShort("M"), .long], help: "At most this many runs.", transform: NumericRule.runs.wholeNumber)
    var maxRuns: Int?
    @Option(help: ArgumentHelp("Measure each command for at least this long: 500ms, 3s, 2m or plain seconds (default 3s).", valueName: "duration"),
            transform: DurationRule.runTime.seconds)
    var minTime: Double = 3

    @Option(name: .shortAndLong, help: ArgumentHelp("Run once before each command's runs.", valueName: "command")) var setup: String?
    @Option(name: .shortAndLong, help: ArgumentHelp("Run before every run (a cold start: drop a cache, restart a service).", valueName: "command"))
    var prepare: String?
    @Option(help: ArgumentHelp("Run after every run.", valueName: "command")) var conclude: String?
    @Option(name: .shortAndLong, help: ArgumentHelp("Run once after each command's runs.", valueName: "command")) var cleanup: String?

    @Option(name: [.customShort("S"), .long], help: ArgumentHelp("Run commands through this shell (e.g. bash) and subtract its start-up time. Default: no shell.",
                               valueName: "shell"))
    var shell: String?

    @Flag(name: [.customShort("i"), .long], help: "Keep going when a command exits non-zero; record exit codes and error_rate.")
    var ignoreFailure = false
    @Flag(help: "Show the commands' output instead of discarding it.")
    var showOutput = false

    @Flag(help: "Only print; record nothing.")
    var noRecord = false
    @Option(help: ArgumentHelp("Also write the results in hhbench's native format to this file.", valueName: "file"))
    var exportJsonl: String?

    @Option(help: ArgumentHelp("Overhead mode: this baseline command against the one command given, interleaved.", valueName: "command"))
    var baseline: String?
    @Option(name: .customLong("max-overhead"), help: .hidden, transform: NumericRule.overheadRatio.real) var deprecatedMaxOverhead: Double?

    @Option(name: .customLong("budget"), help: ArgumentHelp(
        "An absolute limit, METRIC=VALUE (repeatable), checked on every benchmark that has the metric, e.g. overhead_ratio=2 or p95_time_ms=100.",
        valueName: "metric=value"))
    var budgets: [String] = []

    @Option(help: "What fails the run (exit 1, after recording): over_budget or none.")
    var failOn: FailOn = .overBudget

    @Option(help: "Load mode: this many workers (1 to 1024) run the command back to back.", transform: NumericRule.concurrency.wholeNumber)
    var concurrency: Int?
    @Option(help: ArgumentHelp("Load mode: for this long (e.g. 30s).", valueName: "duration"), transform: DurationRule.runTime.seconds)
    var duration: Double?
    @Option(help: ArgumentHelp("Load mode: start the workers staggered over this long (default 0s).", valueName: "duration"),
            transform: DurationRule.runTime.seconds)
    var rampUp: Double = 0

    @Option(name: [.customShort("P"), .long], parsing: .upToNextOption, help: ArgumentHelp("NAME MIN MAX: one benchmark per value of {NAME} in the commands.",
                                                         valueName: "name min max"))
    var parameterScan: [String] = []
    @Option(name: [.customShort("D"), .long], help: "The step of --parameter-scan. (default: 1)", transform: NumericRule.parameterStep.real)
    var parameterStep: Double = 1
    @Option(name: [.customShort("L"), .long], parsing: .upToNextOption, help: ArgumentHelp("NAME a,b,c: one benchmark per listed value of {NAME}.", valueName: "name values"))
    var parameterList: [String] = []

    @Option(help: ArgumentHelp(
        "Also count, after the timed runs: instructions, cycles, estimated_cycles, cache, page_faults (comma-separated).",
        valueName: "counts"))
    var measure: String?
    @Option(help: "Where counts come from: auto (perf_event_open where the kernel allows it, else valgrind's callgrind), perf or callgrind. (default: auto)")
    var counterBackend: CounterBackendChoice?
    @Option(help: "Counted runs a command. (default: 1 under callgrind, 5 under perf)", transform: NumericRule.runs.wholeNumber)
    var countRuns: Int?

    @Option(help: "Output style, as hyperfine's: auto, basic, full, nocolor, color, none.")
    var style: Style = .auto

    @Option(help: "text or json (the receipt: run id, uuid, counts; the summaries then go to standard error).")
    var format: ReceiptFormat = .text

    @Option(help: .private, transform: NumericRule.ballastMegabytes.wholeNumber) var debugBallastMb: Int?

    // MARK: checking the call

    // Multi-value options swallow the commands that follow them; hand those back.
    var scanValues: [String] { Array(parameterScan.prefix(3)) }
    var listValues: [String] { Array(parameterList.prefix(2)) }
    var allCommands: [String] { Array(parameterScan.dropFirst(3)) + Array(parameterList.dropFirst(2)) + commands }

    func validate() throws {
        if allCommands.isEmpty { throw ValidationError("give at least one command to benchmark, e.g. hhbench run 'sleep 0.1'") }
        if baseline != nil && allCommands.count != 1 { throw ValidationError("--baseline compares one command against the baseline; give exactly one") }
        if deprecatedMaxOverhead != nil && baseline == nil { throw ValidationError("--max-overhead goes with --baseline") }
        try BudgetFlag.check(budgets)
        if (concurrency != nil) != (duration != nil) { throw ValidationError("load mode needs both --concurrency and --duration") }
        if concurrency != nil && baseline != nil { throw ValidationError("--baseline and load mode do not combine") }
        if let maxRuns, maxRuns < (runs ?? minRuns) { throw ValidationError("--max-runs \(maxRuns) is below --\(runs == nil ? "min-runs" : "runs") \(runs ?? minRuns)") }
        if !parameterScan.isEmpty {
            guard scanValues.count == 3, let low = Double(scanValues[1]), let high = Double(scanValues[2]),
                  NumericRule.parameterBound.accepts(low), NumericRule.parameterBound.accepts(high) else {
                throw ValidationError("--parameter-scan takes NAME MIN MAX with MIN and MAX \(NumericRule.parameterBound.rangeText), e.g. --parameter-scan n 1 10")
            }
            let count = ((high - low) / parameterStep).rounded(.down) + 1
            if count > Double(NumericRule.maximumScanValues) {
                throw ValidationError("--parameter-scan \(scanValues[1])..\(scanValues[2]) by --parameter-step \(DecimalNumber(parameterStep).jsonText) gives more than \(NumericRule.maximumScanValues) values; use a larger step")
            }
        }
        if !parameterList.isEmpty && listValues.count != 2 {
            throw ValidationError("--parameter-list takes NAME VALUES, e.g. --parameter-list size 1,10,100")
        }
        if !parameterScan.isEmpty && !parameterList.isEmpty { throw ValidationError("give --parameter-scan or --parameter-list, not both") }
        if let measure {
            do {
                _ = try CountedMetric.parse(measure)
            } catch {
                throw ValidationError(error.description)
            }
            if baseline != nil || concurrency != nil { throw ValidationError("--measure counts plain benchmarks; drop --baseline or load mode") }
        } else if countRuns != nil || counterBackend != nil {
            throw ValidationError("\(countRuns != nil ? "--count-runs" : "--counter-backend") goes with --measure, e.g. --measure instructions --count-runs 3")
        }
    }

    /// The commands with their parameter values substituted, one spec each. A name taken from the
    /// command is stored, so its secrets are masked (`mask`).
    func specs(mask: SecretMask = SecretMask()) -> [CommandSpec] {
        var values: [(String, String)] = []
        if scanValues.count == 3, let low = Double(scanValues[1]), let high = Double(scanValues[2]) {
            var value = low
            while value <= high + 1e-9 {
                values.append((scanValues[0], DecimalNumber(value).jsonText))
                value += parameterStep
            }
        } else if listValues.count == 2 {
            values = listValues[1].split(separator: ",").map { (listValues[0], String($0)) }
        }
        var specs: [CommandSpec] = []
        for (index, command) in allCommands.enumerated() {
            let base = index < names.count ? names[index] : mask.masking(command: command)
            if values.isEmpty {
                specs.append(CommandSpec(name: base, command: command))
            } else {
                for (name, value) in values {
                    specs.append(CommandSpec(name: base.replacingOccurrences(of: "{\(name)}", with: value),
                                             command: command.replacingOccurrences(of: "{\(name)}", with: value), parameters: [(name, value)]))
                }
            }
        }
        return specs
    }

    // MARK: running

    func run() throws {
        var ballast: [UInt8] = []
        if let debugBallastMb {
            // Test hook: grow hhbench's own resident memory, to show children do not inherit it.
            ballast = [UInt8](repeating: 1, count: debugBallastMb << 20)
            for index in stride(from: 0, to: ballast.count, by: 4096) { ballast[index] = UInt8(index & 0xFF) }
        }
        defer { withExtendedLifetime(ballast) {} }

        let mask = SecretMask(addedNames: try configOptions.load().secretNames)
        var executor = Executor(shell: shell, showOutput: showOutput)
        do {
            try executor.calibrateShell()
        } catch let error as RunnerError {
            throw CommandFailure.usage(error.description)
        }
        var plan = BenchmarkPlan()
        plan.warmup = warmup
        plan.runs = runs
        plan.minRuns = minRuns
        plan.maxRuns = maxRuns
        plan.minTime = minTime
        plan.setup = setup
        plan.prepare = prepare
        plan.conclude = conclude
        plan.cleanup = cleanup
        plan.ignoreFailure = ignoreFailure
        let showProgress = style.showsProgress
        let colour = style.usesColour
        // Summaries are the data on stdout, unless stdout carries the JSON receipt.
        let emit: (String) -> Void = { text in
            if format == .json { note(text.hasSuffix("\n") ? String(text.dropLast()) : text) } else { print(text, terminator: "") }
        }
        let counting = try makeCounting()
        let runner = BenchmarkRunner(executor: executor, plan: plan, progress: showProgress ? TerminalProgress() : nil, counting: counting)
        let startedAt = Timestamp.now()
        var record = RunRecord(sourceFormat: "hhbench-run")
        var budgets = budgets.compactMap(BudgetFlag.init)
        if let deprecatedMaxOverhead {
            Deprecation.warn("--max-overhead \(Display.number(deprecatedMaxOverhead))", use: "--budget overhead_ratio=\(Display.number(deprecatedMaxOverhead))")
            budgets.append(BudgetFlag(metric: "overhead_ratio", limit: deprecatedMaxOverhead))
        }

        do {
            if let baseline {
                let candidate = specs(mask: mask)[0]
                let group = names.first ?? candidate.command
                let a = CommandSpec(name: group + "/baseline", command: baseline)
                let b = CommandSpec(name: group + "/candidate", command: candidate.command)
                let (resultA, resultB) = try runner.interleaved(a, b)
                for result in [resultA, resultB] { append(result, to: &record) }
                let ratios = RunRecording.overhead(resultA, resultB, benchmark: BenchmarkKey(name: group))
                record.measurements += ratios
                emit(BenchmarkSummary.overhead(resultA, resultB, ratios: ratios, colour: colour))
            } else if let concurrency, let duration {
                let load = LoadRunner(executor: executor, concurrency: concurrency, duration: duration,
                                      rampUp: rampUp, maxRuns: maxRuns ?? 1_000_000,
                                      progress: showProgress ? LoadProgressLine.draw : nil)
                for spec in specs(mask: mask) {
                    if let setup { try executor.hook("setup", setup) }
                    let result = try load.run(spec.command)
                    if showProgress { LoadProgressLine.clear() }
                    if let cleanup { try executor.hook("cleanup", cleanup) }
                    let commandResult = CommandResult(spec: spec, executions: result.executions, warnings: [])
                    let key = BenchmarkKey(name: spec.name, params: Self.params(spec))
                    let (series, measurements) = RunRecording.series(commandResult, benchmark: key, recordFailures: true)
                    record.series += series.filter { $0.metric.name == "time_ms" || $0.metric.name == "exit_code" }
                    record.measurements += measurements
                    record.measurements.append(MeasuredValue(benchmark: key, metric: MetricDescriptor(name: "throughput_ops_per_sec"),
                                                           value: result.throughput))
                    record.measurements.append(MeasuredValue(benchmark: key, metric: MetricDescriptor(name: "concurrency", unit: "count"),
                                                           value: Double(concurrency)))
                    emit(BenchmarkSummary.load(spec, result, concurrency: concurrency, colour: colour))
                }
            } else {
                let specs = specs(mask: mask)
                var results: [CommandResult] = []
                for (index, spec) in specs.enumerated() {
                    let result = try runner.run(spec, index: index + 1, of: specs.count)
                    append(result, to: &record, counting: counting)
                    results.append(result)
                    emit(BenchmarkSummary.command(result, index: index + 1, colour: colour))
                }
                if let relative = BenchmarkSummary.relative(results, colour: colour) { emit(relative) }
            }
        } catch let error as RunnerError {
            switch error {
            case .commandFailed, .hookFailed, .cannotStart, .countingFailed: throw CommandFailure.usage(error.description)
            }
        }
        record.context.tool = "hhbench run"
        record.context.toolVersion = HHBenchVersion.current
        // Passwords, tokens and keys never reach the warehouse (SecretMask's rule; a PostgreSQL
        // URL's password too).
        record.context.commandLine = mask.masking(words: CommandLine.arguments.map(Warehouse.redactingPasswords))
            .map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
        record.context.startedAt = startedAt
        record.context.finishedAt = Timestamp.now()
        if let shell { record.context.extra.append(("shell", .string(shell))) }
        if let counting {
            record.context.extra.append(("counter_backend", .string(counting.counter.description)))
            if let refusal = counting.refusal { record.context.extra.append(("counter_refusal", .string(refusal))) }
        }

        let recorder = contextOptions.recorder(allowDuplicate: true)
        if let exportJsonl {
            var exported = recorder.prepare(record)
            exported.contextIsComplete = false
            // The machine's identity travels with the file, as the warehouse would give it.
            let fingerprint = exported.context.machine?.fingerprint
            exported.context.machine?.storedFingerprint = fingerprint
            try NativeWriter.write(exported).write(toFile: exportJsonl, atomically: true, encoding: .utf8)
        }
        var receipts = Receipts(format)
        if !noRecord {
            if case .recorded(let receipt) = try recorder.record(record, source: "hhbench run", into: try database.openForWriting()) {
                receipts.recorded(receipt, source: "hhbench run", line: "recorded run \(receipt.runID) (\(receipt.uuid)): "
                                  + "\(receipt.benchmarks) benchmark\(receipt.benchmarks == 1 ? "" : "s"), \(receipt.samples) samples")
            }
        }
        receipts.finish()
        let broken = Self.brokenBudgets(budgets, in: record)
        if failOn == .overBudget, !broken.isEmpty { throw CommandFailure.checkFailed(broken.joined(separator: "\n")) }
    }

    /// Each budget against every benchmark that has its metric (derived summaries included), by
    /// the metric's direction: the most a lower-is-better value may be, the least a higher-is-better.
    static func brokenBudgets(_ budgets: [BudgetFlag], in record: RunRecord) -> [String] {
        guard !budgets.isEmpty else { return [] }
        let measurements = record.addingDerivedMetrics().measurements
        var broken: [String] = []
        for budget in budgets {
            let matching = measurements.filter { $0.metric.name == budget.metric }
            if matching.isEmpty { note("hhbench: warning: no benchmark has \(budget.metric); --budget \(budget.metric) was not checked") }
            for measurement in matching {
                let higherIsBetter = measurement.metric.direction == .higherIsBetter
                guard higherIsBetter ? measurement.value < budget.limit : measurement.value > budget.limit else { continue }
                broken.append("over budget: \(Printable.escaped(measurement.benchmark.displayName)) \(budget.metric) \(Display.number(measurement.value)) "
                              + "is \(higherIsBetter ? "below" : "above") \(Display.number(budget.limit)) (--budget)")
            }
        }
        return broken
    }

    /// The counter `--measure` asks for, calibrated on the shell; nil without `--measure`.
    func makeCounting() throws -> Counting? {
        guard let measure else { return nil }
        do {
            let wishes = try CountedMetric.parse(measure)
            guard !wishes.isEmpty else { return nil }
            var counting = try Counting(measure: wishes, backend: counterBackend ?? .auto, runs: countRuns)
            if let refusal = counting.refusal { note("hhbench: counting under callgrind: \(refusal)") }
            try counting.calibrate(shell: shell)
            return counting
        } catch {
            throw CommandFailure.usage(error.description)
        }
    }

    static func params(_ spec: CommandSpec) -> JSONValue? {
        spec.parameters.isEmpty ? nil : .object(spec.parameters.map { ($0.0, .string($0.1)) })
    }

    func append(_ result: CommandResult, to record: inout RunRecord, counting: Counting? = nil) {
        let (series, measurements) = RunRecording.series(result, benchmark: BenchmarkKey(name: result.spec.name, params: Self.params(result.spec)),
                                                         recordFailures: ignoreFailure)
        record.series += series
        record.measurements += measurements
        for warning in result.warnings { note("hhbench: warning: \(result.spec.name): \(warning)") }
        guard let counting, !result.counted.isEmpty else { return }
        let key = BenchmarkKey(name: result.spec.name, params: Self.params(result.spec))
        record.series += counting.series(result.counted, benchmark: key)
        if let slowdown = result.countingSlowdown {
            record.measurements.append(MeasuredValue(benchmark: key, metric: MetricDescriptor(name: "counter_slowdown", unit: "ratio"), value: slowdown))
        }
        for metric in counting.counter.metrics where Counting.spread(result.counted, metric) > CountedChange.steadySpread {
            note("hhbench: warning: \(result.spec.name): \(metric.rawValue) varied by "
                 + String(format: "%.2f %%", Counting.spread(result.counted, metric) * 100) + " across counted runs; "
                 + CountedChange.varyingCauses)
        }
    }
}

extension CounterBackendChoice: ExpressibleByArgument {}
