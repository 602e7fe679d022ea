import Foundation
import Records
import Statistics
import Warehouse

/// What `hhbench trend` is asked.
package struct TrendRequest: Sendable {
    package var metric: String
    package var benchmarkGlob: String?
    /// The branch or ref whose first-parent history is walked; nil for the current branch.
    package var branch: String?
    /// At most this many commits with results, the newest; 0 for all.
    package var last = 200
    package var machine: String?
    package var anyMachine = false
    /// The change point detector: `levels` (the default, `LevelShifts`) or `otava` (the exact port).
    package var method: TrendMethod = .levels
    package var options = ChangePoints.Options()
    package var levelOptions = LevelShifts.Options()

    package init(metric: String) { self.metric = metric }

    /// A request with `hhbench.toml`'s detector settings (`[trend] method`,
    /// `false_alarms_per_1000`) where it gives them; a command's flags then override.
    package init(metric: String, config: ProjectConfig) {
        self.metric = metric
        if let method = config.trendMethod { self.method = method }
        if let rate = config.falseAlarmsPer1000 { levelOptions.falseAlarmsPer1000 = rate }
    }
}

/// Which change point detector `trend` uses.
package enum TrendMethod: String, Sendable, CaseIterable {
    /// `LevelShifts` over each commit's runs and samples: outliers, steps and drift apart.
    case levels
    /// Apache Otava 0.8's e-divisive means, ported exactly (`ChangePoints`).
    case otava
}

/// A commit whose level is a one-off (`LevelShifts` step 2), not a change.
package struct TrendOutlier: Sendable {
    package let index: Int
    package let commit: String
    package let value: Double
}

/// A commit where the runs' machine or toolchain differs from the previous commit's.
package struct EnvironmentChange: Sendable {
    package let index: Int
    package let commit: String
    /// What changed, e.g. "machine ci-a → ci-b" or "toolchain 6.2 → 6.3".
    package let description: String
}

/// One point: a commit with results.
package struct TrendPoint: Sendable {
    package let index: Int
    package let commit: String
    package let time: String?
    package let value: Double
    package let runs: Int
    /// The 25th and 75th percentiles of the commit's raw samples, all its runs pooled; nil when
    /// its runs gave single values.
    package var sampleQuartiles: (low: Double, high: Double)? = nil
}

/// A change point of a series, with its commit.
package struct TrendChange: Sendable {
    package let index: Int
    package let commit: String
    package let subject: String?
    package let before: Double
    package let after: Double
    package let changePct: Double
    package let pValue: Double
    /// `regression` or `improvement`, by the metric's direction.
    package let kind: Verdict
    /// Set when the machine or toolchain changed at this commit: the change is the environment's,
    /// not the code's.
    package var environment: String? = nil
}

/// The Theil–Sen slope over the last segment.
package struct Drift: Sendable {
    package let slopePer100Commits: Double
    package let ciLow: Double
    package let ciHigh: Double
    /// The fitted change over the segment, as a percent of its median.
    package let totalPct: Double
    package let points: Int
    package let flagged: Bool
}

package struct TrendSeries: Sendable {
    package let benchmark: BenchmarkKey
    package let metric: MetricDescriptor
    package let points: [TrendPoint]
    package let changes: [TrendChange]
    package let drift: Drift?
    package var outliers: [TrendOutlier] = []
    package var environmentChanges: [EnvironmentChange] = []
}

package struct TrendReport: Sendable {
    package var method: TrendMethod = .levels
    package let metric: String
    package let branch: String
    package let machine: String?
    package let series: [TrendSeries]
    /// Runs read whose raw samples were pruned: their points are their recorded medians.
    package var runsWithSummariesOnly = 0
}

/// `hhbench trend`: one metric along a branch's first-parent history, one point per commit with
/// results (the median over its runs on the machine; for raw samples, the median of each run's
/// samples first). Change points, outliers and drift by `LevelShifts` over each commit's runs and
/// samples (default), or change points by the Otava port (`ChangePoints`) with Theil–Sen drift over
/// the last segment (`--method otava`). Machine and toolchain changes are marked on the series.
package struct Trend: Sendable {
    package let warehouse: Warehouse
    package let history: CommitHistory
    package let config: ProjectConfig

    package init(warehouse: Warehouse, history: CommitHistory, config: ProjectConfig) {
        self.warehouse = warehouse
        self.history = history
        self.config = config
    }

    package func run(_ request: TrendRequest) throws -> TrendReport {
        let branch = try request.branch ?? history.currentBranch() ?? config.baselineBranch ?? history.defaultBaselineBranch()
        guard let head = try history.resolve(branch) else {
            throw CompareError.unknownReference("no branch, tag or commit '\(branch)' in git or the database; name one with --branch REF")
        }
        // Walk far enough back to find `last` commits with results.
        let wanted = request.last > 0 ? request.last : Int.max
        var limit = request.last > 0 ? max(request.last * 4, 400) : 10_000_000
        var commits: [String] = []
        var runs: [RunReference] = []
        var fingerprint: String?
        if let machine = request.machine {
            let fingerprints = try warehouse.machineFingerprints(named: machine)
            guard !fingerprints.isEmpty else { throw CompareError.unknownReference("no machine named '\(machine)' in the database") }
            fingerprint = fingerprints.first
        }
        while true {
            let line = try history.firstParentHistory(from: head, limit: limit)
            var found = try warehouse.runs(atCommits: line)
            if !request.anyMachine {
                if fingerprint == nil { fingerprint = found.first?.machineFingerprint }
                found = found.filter { $0.machineFingerprint == fingerprint }
            }
            let withRuns = Set(found.compactMap(\.commit))
            commits = Array(line.filter { withRuns.contains($0) }.prefix(wanted))
            let chosen = Set(commits)
            runs = found.filter { $0.commit.map(chosen.contains) ?? false }
            if commits.count >= wanted || line.count < limit || limit >= 10_000_000 { break }
            limit *= 10
        }
        guard !commits.isEmpty else {
            throw CompareError.notEnoughData("no runs on the first-parent history of \(branch)" + (request.anyMachine ? "" : " on this machine"))
        }
        let ordered = Array(commits.reversed())  // oldest first
        let position = Dictionary(uniqueKeysWithValues: ordered.enumerated().map { ($1, $0) })
        let values = try warehouse.metricValues(ofRuns: runs.map(\.id), pruned: Set(runs.lazy.filter(\.samplesPruned).map(\.id)),
                                                metric: request.metric)
        let commitOfRun = runs.map { run in run.commit.flatMap { position[$0] } ?? -1 }
        let wantedSeries = values.benchmarks.map { key in request.benchmarkGlob.map { fnmatch($0, key.name, 0) == 0 } ?? true }
        let inputs = Self.seriesInputs(values, commitOfRun: commitOfRun, commitCount: ordered.count)
            .filter { wantedSeries[$0.series] }
            .sorted { values.benchmarks[$0.series] < values.benchmarks[$1.series] }
        // By commit position: each commit's first recording time and its first run's environment.
        var firstTimes = [String?](repeating: nil, count: ordered.count)
        var firstRuns = [RunReference?](repeating: nil, count: ordered.count)
        for (run, position) in zip(runs, commitOfRun) where position >= 0 {
            if firstTimes[position].map({ run.recordedAt < $0 }) ?? true { firstTimes[position] = run.recordedAt }
            if firstRuns[position].map({ run.id < $0.id }) ?? true { firstRuns[position] = run }
        }
        let times = firstTimes, environments = CommitEnvironments(firstRuns)
        let subjects = try history.subjects(ordered)
        // Each series is analysed on its own: spread them over the cores.
        let results = UnsafeMutableBufferPointer<TrendSeries?>.allocate(capacity: inputs.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        nonisolated(unsafe) let slots = results
        DispatchQueue.concurrentPerform(iterations: inputs.count) { item in
            let input = inputs[item]
            slots[item] = analyse(benchmark: values.benchmarks[input.series], recorded: values.metrics[input.series], input: input,
                                  ordered: ordered, times: times, subjects: subjects, environments: environments, request: request)
        }
        let series = results.compactMap { $0 }
        let machine = request.anyMachine ? nil : runs.first?.machineName
        var report = TrendReport(metric: request.metric, branch: branch, machine: machine, series: series)
        report.method = request.method
        report.runsWithSummariesOnly = values.runsWithSummariesOnly
        return report
    }

    private func analyse(benchmark: BenchmarkKey, recorded: MetricDescriptor, input: SeriesInput, ordered: [String],
                         times: [String?], subjects: [String: String], environments: CommitEnvironments,
                         request: TrendRequest) -> TrendSeries {
        let settings = config.settings(for: SeriesKey(benchmark: benchmark, metric: request.metric))
        let metric = MetricDescriptor(name: recorded.name, unit: recorded.unit, direction: settings.direction ?? recorded.direction)
        let runs = input.runs
        var medians: [Double] = []
        let points = input.commits.enumerated().map { index, commit in
            // The median of the commit's run medians; the quartiles of its samples, pooled.
            medians.removeAll(keepingCapacity: true)
            var sampled = false
            for run in runs.runs(ofCommit: index) {
                let values = runs.values(ofRun: run)
                if values.count == 1, let value = values.first {
                    medians.append(value)
                } else {
                    medians.append(Descriptive.median(Array(values)))
                    sampled = true
                }
            }
            var point = TrendPoint(index: index, commit: ordered[commit], time: times[commit],
                                   value: Descriptive.median(medians), runs: medians.count)
            let range = runs.runs(ofCommit: index)
            if sampled, let first = range.first {
                let pooled = runs.values[runs.runStarts[first]..<runs.runStarts[range.upperBound]].sorted()
                point.sampleQuartiles = (Descriptive.percentile(sorted: pooled, 25), Descriptive.percentile(sorted: pooled, 75))
            }
            return point
        }
        let environmentChanges = Self.environmentChanges(points, at: input.commits, environments)
        func change(_ index: Int, before: Double, after: Double, pValue: Double) -> TrendChange {
            let percent = before == 0 ? 0 : (after / before - 1) * 100
            let commit = points[index].commit
            return TrendChange(index: index, commit: commit, subject: subjects[commit], before: before, after: after, changePct: percent,
                               pValue: pValue, kind: percent * metric.direction.worseSign > 0 ? .regression : .improvement,
                               environment: environmentChanges.first { $0.index == index }?.description)
        }
        switch request.method {
        case .otava:
            let found = ChangePoints.detect(points.map(\.value), options: request.options)
            let changes = Self.counted(found.map { change($0.index, before: $0.meanBefore, after: $0.meanAfter, pValue: $0.pValue) },
                                       metric: metric, settings: settings)
            var series = TrendSeries(benchmark: benchmark, metric: metric, points: points, changes: changes,
                                     drift: drift(points, from: found.last?.index ?? 0, thresholdPct: settings.thresholdPct))
            series.environmentChanges = environmentChanges
            return series
        case .levels:
            let levels = CommitLevels(runs)
            let result = levels.detect(options: request.levelOptions)
            let changes = Self.counted(result.shifts.map { change($0.index, before: levels.value($0.before), after: levels.value($0.after), pValue: $0.pValue) },
                                       metric: metric, settings: settings)
            var series = TrendSeries(benchmark: benchmark, metric: metric, points: points, changes: changes,
                                     drift: result.drift.map { Self.drift($0, levels: levels, points: points, from: result.shifts.last?.index ?? 0) })
            series.outliers = result.outliers.map { TrendOutlier(index: $0, commit: points[$0].commit, value: points[$0].value) }
            series.environmentChanges = environmentChanges
            return series
        }
    }

    /// Counted metrics (instructions, estimated cycles) repeat so closely that the detector finds
    /// steps of a few thousandths of a percent (an environment variable's length moves the
    /// loader's work); only steps of at least the metric's threshold (0.5 % by default,
    /// `SeriesSettings.countedThresholdPct`) are changes of the code.
    static func counted(_ changes: [TrendChange], metric: MetricDescriptor, settings: SeriesSettings) -> [TrendChange] {
        metric.isCounted ? changes.filter { abs($0.changePct) >= settings.thresholdPct } : changes
    }

    /// Each commit's environment (its first run's machine and toolchain) as a small number, so a
    /// series compares numbers point by point (100,000 points over all history), not runs.
    struct CommitEnvironments: Sendable {
        /// By commit position: an index into `distinct`, or -1 for a commit without runs.
        let kinds: [Int]
        let distinct: [RunReference]

        init(_ runs: [RunReference?]) {
            struct Key: Hashable { let fingerprint, name: String; let toolchain: String? }
            var seen: [Key: Int] = [:]
            var distinct: [RunReference] = []
            kinds = runs.map { run in
                guard let run else { return -1 }
                let key = Key(fingerprint: run.machineFingerprint, name: run.machineName, toolchain: run.toolchain)
                if let known = seen[key] { return known }
                distinct.append(run)
                seen[key] = distinct.count - 1
                return distinct.count - 1
            }
            self.distinct = distinct
        }
    }

    /// Points whose runs' machine or toolchain differ from the previous point's; `positions[i]` is
    /// point i's commit position.
    static func environmentChanges(_ points: [TrendPoint], at positions: [Int], _ environments: CommitEnvironments) -> [EnvironmentChange] {
        var result: [EnvironmentChange] = []
        for (offset, point) in points.enumerated().dropFirst() {
            let previous = environments.kinds[positions[offset - 1]], current = environments.kinds[positions[offset]]
            guard previous >= 0, current >= 0, previous != current else { continue }
            let before = environments.distinct[previous], after = environments.distinct[current]
            var what: [String] = []
            if before.machineFingerprint != after.machineFingerprint {
                what.append(before.machineName == after.machineName ? "machine \(after.machineName) (new fingerprint)"
                            : "machine \(before.machineName) → \(after.machineName)")
            }
            if let old = before.toolchain, let new = after.toolchain, old != new { what.append("toolchain \(old) → \(new)") }
            if !what.isEmpty { result.append(EnvironmentChange(index: point.index, commit: point.commit, description: what.joined(separator: ", "))) }
        }
        return result
    }

    /// `LevelShifts`' drift in the series' units: the slope per 100 commits at the median of the
    /// points since the last change (a slope of logarithms is a relative change per commit), with
    /// its 95 % interval; flagged when the detector chose the model with a slope.
    static func drift(_ fit: LevelShifts.DriftFit, levels: CommitLevels, points: [TrendPoint], from start: Int) -> Drift {
        let segment = points[start...]
        let median = Descriptive.median(segment.map(\.value))
        func per100(_ slope: Double) -> Double { levels.logScale ? median * 100 * slope : 100 * slope }
        let span = Double(max(segment.count - 1, 0))
        let total = levels.logScale ? fit.slope * span * 100 : (median == 0 ? 0 : fit.slope * span / abs(median) * 100)
        return Drift(slopePer100Commits: per100(fit.slope), ciLow: per100(fit.slope - 1.96 * fit.standardError),
                     ciHigh: per100(fit.slope + 1.96 * fit.standardError), totalPct: total, points: segment.count, flagged: fit.flagged)
    }

    /// Theil–Sen over the points from `start` on; flagged when the 95 % interval excludes zero and
    /// the fitted change over the segment is at least the metric's threshold.
    func drift(_ points: [TrendPoint], from start: Int, thresholdPct: Double) -> Drift? {
        let segment = Array(points[start...])
        guard segment.count >= 3 else { return nil }
        let x = segment.map { Double($0.index) }
        let y = segment.map(\.value)
        guard let fit = TheilSen(x: x, y: y) else { return nil }
        let median = Descriptive.median(y)
        let totalPct = median == 0 ? 0 : fit.slope * Double(segment.count - 1) / abs(median) * 100
        let excludesZero = fit.lower > 0 || fit.upper < 0
        return Drift(slopePer100Commits: fit.slope * 100, ciLow: fit.lower * 100, ciHigh: fit.upper * 100, totalPct: totalPct,
                     points: segment.count, flagged: excludesZero && abs(totalPct) >= thresholdPct)
    }
}
