import Foundation
import Records
import Statistics

/// What one benchmark of a suite measured: every metric (derived ones included) and the samples.
public struct BenchmarkResult: Sendable {
    public let name: String
    public let metrics: [String: Double]
    public let samples: [String: [Double]]
    public let budgetFailures: [BudgetFailure]

    public subscript(_ metric: String) -> Double? { metrics[metric] }
}

/// A session of in-process benchmarks. It carries no storage: it writes hhbench's native JSON
/// lines, which `hhbench record` reads (context captured from git, the machine and CI, then one
/// transaction). The `HHBenchRecording` product adds `record(database:)`, which records in
/// process through that same path.
///
///     let suite = BenchmarkSuite("sdk-performance")
///     suite.measure("computation_test") { blackHole(work()) }
///     suite.compare("computation_test", budgets: ["overhead_ratio" < 2.0], baseline: { work() }, candidate: { traced() })
///     try suite.finish()   // JSON lines to stdout, or to the file HHBENCH_OUTPUT names
public final class BenchmarkSuite: @unchecked Sendable {
    public let name: String
    private let lock = NSLock()
    private var record: RunRecord
    private var results: [BenchmarkResult] = []
    /// Print a line per benchmark to standard error.
    public var printsResults = true

    public init(_ name: String, tags: [String: String] = [:]) {
        self.name = name
        record = RunRecord(sourceFormat: "hhbench-swift")
        record.context.tool = "HHBenchKit"
        record.context.tags = tags.merging(["suite": name]) { given, _ in given }
        record.context.startedAt = Timestamp.now()
        #if swift(>=6.0)
        record.context.toolchain = "swift-6"
        #endif
    }

    /// The results so far.
    public var benchmarks: [BenchmarkResult] { lock.withLock { results } }
    public var budgetFailures: [BudgetFailure] { benchmarks.flatMap(\.budgetFailures) }

    /// Adds one benchmark's samples and values, derives the summaries, checks the budgets.
    func add(_ benchmark: String, series: [(String, [DecimalNumber])], values: [(String, Double)], budgets: [Budget],
             units: [String: String] = [:]) -> BenchmarkResult {
        let key = BenchmarkKey(name: benchmark)
        var part = RunRecord(sourceFormat: record.sourceFormat)
        for (metric, samples) in series where !samples.isEmpty {
            part.series.append(SampleSeries(benchmark: key, metric: MetricDescriptor(name: metric, unit: units[metric]), samples: samples))
        }
        for (metric, value) in values where value.isFinite {
            part.measurements.append(MeasuredValue(benchmark: key, metric: MetricDescriptor(name: metric, unit: units[metric]), value: value))
        }
        let derived = part.addingDerivedMetrics()
        var metrics: [String: Double] = [:]
        for measurement in derived.measurements { metrics[measurement.metric.name] = measurement.value }
        var samples: [String: [Double]] = [:]
        for one in part.series { samples[one.metric.name] = one.values }
        var failures: [BudgetFailure] = []
        for budget in budgets {
            guard let value = metrics[budget.metric] ?? samples[budget.metric].map(Descriptive.median) else {
                failures.append(BudgetFailure(benchmark: benchmark, budget: budget, value: .nan))
                continue
            }
            if !budget.holds(for: value) { failures.append(BudgetFailure(benchmark: benchmark, budget: budget, value: value)) }
        }
        if !budgets.isEmpty {
            part.measurements.append(MeasuredValue(benchmark: key, metric: MetricDescriptor(name: "budget_failures", unit: "count"),
                                                 value: Double(failures.count)))
        }
        let result = BenchmarkResult(name: benchmark, metrics: metrics, samples: samples, budgetFailures: failures)
        lock.withLock {
            record.series += part.series
            record.measurements += part.measurements
            if !budgets.isEmpty {
                let outcomes = JSONValue.array(budgets.map { budget in
                    let failure = failures.first { $0.budget == budget }
                    return .object([("benchmark", .string(benchmark)), ("budget", .string(budget.description)),
                                    ("value", .number(metrics[budget.metric] ?? failure?.value ?? .nan)), ("passed", .bool(failure == nil))])
                })
                record.context.extra.append(("budgets:\(benchmark)", outcomes))
            }
            results.append(result)
        }
        if printsResults { report(result) }
        return result
    }

    private func report(_ result: BenchmarkResult) {
        var parts: [String] = []
        for metric in ["avg_time_ms", "p95_time_ms", "throughput_ops_per_sec", "overhead_ratio", "throughput_ratio", "error_rate",
                       "memory_per_operation_kb", "memory_leak_mb", "memory_variance_mb", "harness_overhead_ns"] {
            if let value = result.metrics[metric] { parts.append("\(metric) \(String(format: "%.6g", value))") }
        }
        var line = "hhbench: \(result.name): " + parts.joined(separator: ", ")
        for failure in result.budgetFailures { line += "\nhhbench: budget failed: \(failure)" }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// The run as it stands, before context is captured.
    public var runRecord: RunRecord {
        lock.withLock {
            var copy = record
            copy.context.finishedAt = Timestamp.now()
            return copy
        }
    }

    /// hhbench's native JSON lines for this suite, for `hhbench record -`.
    public func jsonLines() -> String {
        NativeWriter.lines(runRecord)
    }

    /// Writes the suite's JSON lines where `HHBENCH_OUTPUT` says: unset or `-` for standard output
    /// (`swift run MyBenchmarks | hhbench record -`), a file path, or `none`. Returns false when a
    /// budget failed.
    @discardableResult
    public func finish() throws -> Bool {
        switch ProcessInfo.processInfo.environment["HHBENCH_OUTPUT"] ?? "-" {
        case "-", "", "jsonl": FileHandle.standardOutput.write(Data(jsonLines().utf8))
        case "none": break
        case let path: try write(to: path)
        }
        return budgetFailures.isEmpty
    }

    /// Writes the suite's JSON lines to a file, for `hhbench record FILE` (replacing the file).
    public func write(to path: String) throws {
        try Data(jsonLines().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        if printsResults { FileHandle.standardError.write(Data("hhbench: wrote \(path); record it with hhbench record \(path)\n".utf8)) }
    }
}

/// The harness's first name, kept for one release: beside Swift Testing's `@Suite` it read as a
/// test suite.
@available(*, deprecated, renamed: "BenchmarkSuite")
public typealias Suite = BenchmarkSuite
