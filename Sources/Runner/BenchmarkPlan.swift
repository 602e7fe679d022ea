import Foundation
import Statistics

/// How many times, and around what, each command runs.
package struct BenchmarkPlan: Sendable {
    package var warmup = 3
    /// Exactly this many measured runs; nil to decide from `minTime`.
    package var runs: Int?
    package var minRuns = 10
    package var maxRuns: Int?
    /// Measure for at least this long (seconds), as hyperfine's 3-second rule.
    package var minTime = 3.0
    package var setup: String?
    package var prepare: String?
    package var conclude: String?
    package var cleanup: String?
    package var ignoreFailure = false

    /// Never more than this many runs of one command, whatever the time budget says.
    package static let hardMaxRuns = 100_000

    package init() {}

    /// The number of measured runs for a command whose first run took `seconds`.
    package func runCount(firstRunSeconds seconds: Double) -> Int {
        if let runs { return runs }
        let byTime = seconds > 0 ? Int((minTime / seconds).rounded(.up)) : minRuns
        return min(maxRuns ?? Self.hardMaxRuns, max(minRuns, byTime))
    }
}

/// A command to benchmark: its name, its command line, and the parameter values substituted in.
package struct CommandSpec: Sendable {
    package let name: String
    package let command: String
    package let parameters: [(String, String)]

    package init(name: String, command: String, parameters: [(String, String)] = []) {
        self.name = name
        self.command = command
        self.parameters = parameters
    }
}

/// Everything one command's benchmark measured.
package struct CommandResult: Sendable {
    package let spec: CommandSpec
    package let executions: [Execution]
    package let warnings: [String]
    /// The counted runs (`--measure`), after the timed ones.
    package var counted: [CountedExecution] = []

    package init(spec: CommandSpec, executions: [Execution], warnings: [String]) {
        self.spec = spec
        self.executions = executions
        self.warnings = warnings
    }

    /// Counted runs' wall time (under the counter) over the timed runs' median: callgrind's slowdown.
    package var countingSlowdown: Double? {
        guard !counted.isEmpty, !executions.isEmpty else { return nil }
        let plain = Descriptive.median(executions.map { Double($0.wallNanoseconds) })
        return plain > 0 ? Descriptive.median(counted.map { Double($0.wallNanoseconds) }) / plain : nil
    }

    package var wallMilliseconds: [Double] { executions.map { Double($0.wallNanoseconds) / 1e6 } }
    package var failures: Int { executions.filter { $0.exitCode != 0 }.count }
}

/// Progress on a terminal: a bar with the current estimate and the time left, on standard error.
package protocol ProgressReporter: Sendable {
    func started(_ name: String, index: Int, of total: Int)
    func update(done: Int, of total: Int, estimateMilliseconds: Double?, secondsLeft: Double?)
    func finished()
}

/// Runs the plan for each command: setup once, warm-up runs, measured runs, counted runs when
/// counting (prepare before and conclude after each, warm-ups included), cleanup once.
package struct BenchmarkRunner: Sendable {
    package let executor: Executor
    package let plan: BenchmarkPlan
    package let progress: (any ProgressReporter)?
    package let counting: Counting?

    package init(executor: Executor, plan: BenchmarkPlan, progress: (any ProgressReporter)?, counting: Counting? = nil) {
        self.executor = executor
        self.plan = plan
        self.progress = progress
        self.counting = counting
    }

    package func run(_ spec: CommandSpec, index: Int = 1, of total: Int = 1) throws -> CommandResult {
        progress?.started(spec.name, index: index, of: total)
        defer { progress?.finished() }
        if let setup = plan.setup { try executor.hook("setup", setup) }
        for _ in 0..<plan.warmup { _ = try once(spec, run: 0, counted: false) }
        var executions = [try once(spec, run: 1, counted: true)]
        let count = plan.runCount(firstRunSeconds: Double(executions[0].wallNanoseconds) / 1e9)
        let started = MonotonicClock.now()
        while executions.count < count {
            executions.append(try once(spec, run: executions.count + 1, counted: true))
            let elapsed = MonotonicClock.now() - started
            let perRun = elapsed / Double(executions.count - 1)
            progress?.update(done: executions.count, of: count, estimateMilliseconds: Descriptive.mean(executions.map { Double($0.wallNanoseconds) / 1e6 }),
                             secondsLeft: perRun * Double(count - executions.count))
        }
        var counted: [CountedExecution] = []
        if let counting {
            let arguments = try executor.arguments(for: spec.command)
            for run in 1...counting.runs {
                if let prepare = plan.prepare { try executor.hook("prepare", prepare) }
                do {
                    counted.append(try counting.measure(arguments, label: spec.command, run: run, showOutput: executor.showOutput,
                                                        ignoreFailure: plan.ignoreFailure))
                } catch {
                    throw RunnerError.countingFailed(error.description)
                }
                if let conclude = plan.conclude { try executor.hook("conclude", conclude) }
            }
        }
        if let cleanup = plan.cleanup { try executor.hook("cleanup", cleanup) }
        var result = CommandResult(spec: spec, executions: executions, warnings: Warnings.check(executions))
        result.counted = counted
        return result
    }

    /// A and B alternately (A B A B …), so that drift in the machine hits both alike.
    package func interleaved(_ a: CommandSpec, _ b: CommandSpec) throws -> (CommandResult, CommandResult) {
        progress?.started("\(a.name) vs \(b.name)", index: 1, of: 1)
        defer { progress?.finished() }
        if let setup = plan.setup { try executor.hook("setup", setup) }
        for _ in 0..<plan.warmup {
            _ = try once(a, run: 0, counted: false)
            _ = try once(b, run: 0, counted: false)
        }
        var first = [try once(a, run: 1, counted: true)]
        var second = [try once(b, run: 1, counted: true)]
        let count = plan.runCount(firstRunSeconds: Double(first[0].wallNanoseconds + second[0].wallNanoseconds) / 2e9)
        while first.count < count {
            first.append(try once(a, run: first.count + 1, counted: true))
            second.append(try once(b, run: second.count + 1, counted: true))
            progress?.update(done: first.count, of: count, estimateMilliseconds: nil, secondsLeft: nil)
        }
        if let cleanup = plan.cleanup { try executor.hook("cleanup", cleanup) }
        return (CommandResult(spec: a, executions: first, warnings: Warnings.check(first)),
                CommandResult(spec: b, executions: second, warnings: Warnings.check(second)))
    }

    private func once(_ spec: CommandSpec, run: Int, counted: Bool) throws -> Execution {
        if let prepare = plan.prepare { try executor.hook("prepare", prepare) }
        let execution = try executor.measure(spec.command)
        if let conclude = plan.conclude { try executor.hook("conclude", conclude) }
        if execution.exitCode != 0 && !plan.ignoreFailure {
            throw RunnerError.commandFailed(name: spec.name, command: spec.command, exitCode: execution.exitCode, run: counted ? run : 0)
        }
        return execution
    }
}

/// CLOCK_MONOTONIC in seconds, for progress estimates and load-mode deadlines.
enum MonotonicClock {
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
