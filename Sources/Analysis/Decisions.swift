import Foundation
import Records
import Statistics
import Warehouse

/// One run's data for one decision: its raw samples, or its one value.
struct DecisionRun: Sendable {
    let runID: Int64
    let values: [Double]
    /// True for raw samples, false for a single value (a given value or a summary).
    let isSamples: Bool
}

/// What `compare` decides on, and the data of each decision (see `Comparer`).
///
/// - Each raw series of a benchmark is a decision, and so is each given single value.
/// - A derived summary (`p95_time_ms`, …) is a decision only when a `--metric` glob or a budget
///   names it; otherwise it is shown with its series (`summaries(of:)`).
/// - Run facts (`rounds`, iterations, exit codes) are never decisions.
struct Decisions {
    let candidate: [RunValues]
    let baseline: [RunValues]
    /// The decisions, and the metric each was recorded with.
    private(set) var keys: [SeriesKey] = []
    private(set) var descriptors: [SeriesKey: MetricDescriptor] = [:]
    private var rawSeries: Set<SeriesKey> = []

    init(candidate: [RunValues], baseline: [RunValues], request: CompareRequest, config: ProjectConfig) {
        self.candidate = candidate
        self.baseline = baseline
        var found: [SeriesKey: MetricDescriptor] = [:]
        var raw = Set<SeriesKey>()
        var given = Set<SeriesKey>()
        var derived = Set<SeriesKey>()
        for run in candidate + baseline {
            for (key, metric) in run.metrics {
                found[key] = found[key] ?? metric
                if run.samples[key] != nil { raw.insert(key) }
                else if run.derived.contains(key) { derived.insert(key) }
                else { given.insert(key) }
            }
        }
        rawSeries = raw
        descriptors = found
        let globs = request.metricGlobs
        let benchmarkGlob = request.benchmarkGlob
        func named(_ key: SeriesKey) -> Bool { globs.contains { fnmatch($0, key.metric, 0) == 0 } }
        func wanted(_ key: SeriesKey) -> Bool {
            guard !(found[key]?.isRunFact ?? false) else { return false }
            guard benchmarkGlob.map({ fnmatch($0, key.benchmark.name, 0) == 0 }) ?? true else { return false }
            return globs.isEmpty || named(key)
        }
        var chosen = raw.union(given.subtracting(raw)).filter(wanted)
        // A summary is its own decision when a glob names it or a budget is set on it.
        for key in derived.subtracting(raw) where !(found[key]?.isRunFact ?? false) {
            let budgeted = config.settings(for: key).budget != nil || request.overrides.budget != nil
            if (!globs.isEmpty && named(key) && wanted(key)) || (budgeted && wanted(key)) { chosen.insert(key) }
        }
        keys = chosen.sorted()
    }

    func isRawSeries(_ key: SeriesKey) -> Bool { rawSeries.contains(key) }

    /// The runs of `key` among `runs`: their samples, or their one value. A run whose samples
    /// `prune` removed enters a raw series' decision with its recorded median, as one value.
    func runs(_ key: SeriesKey, of runs: [RunValues]) -> [DecisionRun] {
        runs.compactMap { run in
            if let samples = run.samples[key], !samples.isEmpty { return DecisionRun(runID: run.run.id, values: samples, isSamples: true) }
            if let value = run.values[key] ?? run.prunedSeriesMedian(key) {
                return DecisionRun(runID: run.run.id, values: [value], isSamples: false)
            }
            return nil
        }
    }

    /// The derived summaries of a raw series, each with its baseline (median over the baseline
    /// segment's runs), candidate (median over the candidate's runs) and change.
    func summaries(of key: SeriesKey, baselineRuns: Set<Int64>, candidateRuns: Set<Int64>) -> [SummaryChange] {
        guard rawSeries.contains(key) else { return [] }
        var names = RunRecord.derivedPrefixes.map { "\($0)_\(key.metric)" }
        if descriptors[key]?.isTime == true, key.metric.hasPrefix("time_") { names.append("throughput_ops_per_sec") }
        return names.compactMap { name in
            let summaryKey = SeriesKey(benchmark: key.benchmark, metric: name)
            let before = baseline.filter { baselineRuns.contains($0.run.id) }.compactMap { $0.values[summaryKey] }
            let after = candidate.filter { candidateRuns.contains($0.run.id) }.compactMap { $0.values[summaryKey] }
            guard !before.isEmpty || !after.isEmpty else { return nil }
            let base = before.isEmpty ? nil : Descriptive.median(before)
            let value = after.isEmpty ? nil : Descriptive.median(after)
            let change = base.flatMap { b in value.flatMap { Comparer.percent($0, of: b) } }
            return SummaryChange(metric: name, baseline: base, candidate: value, changePct: change)
        }
    }
}
