import Foundation
import Records
import Statistics
import Warehouse

/// What to compare.
public struct CompareRequest: Sendable {
    public enum Candidate: Sendable { case head, commit(String), runs([String]) }
    public enum Baseline: Sendable { case since(String), against(String) }

    public var candidate: Candidate = .head
    public var baseline: Baseline
    public var window = 10
    /// Compare across machines instead of within the candidate's machine fingerprint.
    public var anyMachine = false
    /// The candidate's machine by name, when runs at the commit come from several.
    public var machine: String?
    /// Settings from the command's flags, applied last to every series.
    public var overrides = SeriesRule()
    /// Only series whose benchmark / metric match these globs.
    public var benchmarkGlob: String?
    public var metricGlob: String?

    public init(baseline: Baseline) { self.baseline = baseline }
}

/// Why a comparison could not be made.
public enum CompareError: Error, CustomStringConvertible, Sendable {
    /// Nothing recorded where it should be: exit 3.
    case notEnoughData(String)
    /// A reference that names nothing: exit 2.
    case unknownReference(String)

    public var description: String {
        switch self {
        case .notEnoughData(let message), .unknownReference(let message): return message
        }
    }
}

/// `hhbench compare`: the candidate's runs against a window of the baseline branch's runs.
///
/// Per benchmark × metric on both sides: with at least 5 raw samples on each side, the two-sided
/// Mann-Whitney U test on the pooled samples, the Hodges-Lehmann shift with its 95 % interval,
/// and the change as the ratio of medians; otherwise, with at least 3 baseline values (one per
/// commit, the median of its runs), the Student-t prediction interval for the candidate's value
/// (as Bencher's t-test threshold); otherwise `insufficient`. p-values are corrected with Holm's
/// method over every series tested in the call. A change is a regression (improvement) when its
/// adjusted p is below α, it goes the worse (better) way, and it is at least the threshold.
/// A value past its budget is `over_budget`, whatever the history says.
public struct Comparer: Sendable {
    public let warehouse: Warehouse
    public let history: CommitHistory
    public let config: ProjectConfig

    /// Fewer raw samples than this on either side, and the series falls back to the prediction interval.
    public static let minimumSamples = 5
    /// Fewer baseline values than this, and the prediction interval cannot be computed.
    public static let minimumHistory = 3

    public init(warehouse: Warehouse, history: CommitHistory, config: ProjectConfig) {
        self.warehouse = warehouse
        self.history = history
        self.config = config
    }

    public func compare(_ request: CompareRequest) throws -> CompareReport {
        let candidate = try candidateSide(request)
        let fingerprint = request.anyMachine ? nil : candidate.machineFingerprint
        let (baseline, description, againstMode) = try baselineSide(request, candidate: candidate, fingerprint: fingerprint)
        let candidateValues = try warehouse.values(ofRuns: candidate.runs.map(\.id))
        let baselineValues = try warehouse.values(ofRuns: baseline.runs.map(\.id))
        var comparisons = compareSeries(candidate: candidateValues, baseline: baselineValues, request: request, againstMode: againstMode)
        applyHolm(&comparisons)
        comparisons.sort { ($0.verdict.severity, -Comparer.worseness($0), $0.key) < ($1.verdict.severity, -Comparer.worseness($1), $1.key) }
        return CompareReport(baselineDescription: description, baseline: baseline, candidate: candidate, comparisons: comparisons)
    }

    // MARK: choosing the runs

    private func candidateSide(_ request: CompareRequest) throws -> SideInfo {
        var runs: [RunReference]
        switch request.candidate {
        case .runs(let references):
            runs = try references.map { try warehouse.runReference(try warehouse.resolveRun($0)) }
        case .head, .commit:
            let sha: String
            if case .commit(let reference) = request.candidate {
                guard let resolved = try history.resolve(reference) else {
                    throw CompareError.unknownReference("no commit '\(reference)' in git or the database")
                }
                sha = resolved
            } else {
                guard let head = history.head() else {
                    throw CompareError.unknownReference("not in a git repository: name the candidate with --commit SHA or --run ID")
                }
                sha = head
            }
            runs = try warehouse.runs(atCommits: [sha])
            guard !runs.isEmpty else {
                throw CompareError.notEnoughData("no runs recorded at the candidate commit \(sha.prefix(10)); record some first (hhbench record)")
            }
            if let machine = request.machine {
                let fingerprints = Set(try warehouse.machineFingerprints(named: machine))
                runs = runs.filter { fingerprints.contains($0.machineFingerprint) }
                guard !runs.isEmpty else {
                    throw CompareError.notEnoughData("no runs at \(sha.prefix(10)) on machine '\(machine)'")
                }
            }
            // Pool the runs of one machine: the newest run's.
            let newest = runs[0].machineFingerprint
            runs = runs.filter { $0.machineFingerprint == newest }
        }
        return SideInfo(commits: Array(Set(runs.compactMap(\.commit))).sorted(), runs: runs)
    }

    private func baselineSide(_ request: CompareRequest, candidate: SideInfo,
                              fingerprint: String?) throws -> (SideInfo, String, Bool) {
        switch request.baseline {
        case .against(let reference):
            if let id = try? warehouse.resolveRun(reference) {
                let run = try warehouse.runReference(id)
                return (SideInfo(commits: run.commit.map { [$0] } ?? [], runs: [run]), "run \(run.id)", true)
            }
            guard let sha = try history.resolve(reference) else {
                throw CompareError.unknownReference("'\(reference)' is neither a run nor a commit known to git or the database")
            }
            let runs = try warehouse.runs(atCommits: [sha], machineFingerprint: fingerprint)
            guard !runs.isEmpty else {
                throw CompareError.notEnoughData("no runs at \(sha.prefix(10))\(fingerprint == nil ? "" : " on the candidate's machine (--any-machine lifts that)")")
            }
            return (SideInfo(commits: [sha], runs: runs), "commit \(sha.prefix(10))", true)
        case .since(let reference):
            guard let target = try history.resolve(reference) else {
                throw CompareError.unknownReference(
                    "no branch, tag or commit '\(reference)' in git or the database; name the baseline with --since REF, "
                        + "or set baseline under [compare] in hhbench.toml")
            }
            guard let candidateCommit = candidate.commits.first else {
                throw CompareError.notEnoughData("the candidate runs have no commit; use --against to name a baseline")
            }
            guard let mergeBase = try history.mergeBase(candidateCommit, target) else {
                throw CompareError.notEnoughData("\(candidateCommit.prefix(10)) and \(reference) have no common ancestor in git or the database")
            }
            let candidateCommits = Set(candidate.commits)
            var chosen: [String] = []
            var limit = max(request.window * 20, 200)
            while true {
                let line = try history.firstParentHistory(from: mergeBase, limit: limit).filter { !candidateCommits.contains($0) }
                let withRuns = try warehouse.commitsWithRuns(line, machineFingerprint: fingerprint)
                chosen = Array(line.filter { withRuns.contains($0) }.prefix(request.window))
                if chosen.count >= request.window || line.count < limit - candidateCommits.count || limit >= 1_000_000 { break }
                limit *= 10
            }
            guard !chosen.isEmpty else {
                throw CompareError.notEnoughData(
                    "no baseline: no runs at \(mergeBase.prefix(10)) (merge-base with \(reference)) or its first-parent ancestors"
                        + (fingerprint == nil ? "" : " on machine \(candidate.machine ?? "?") (--any-machine lifts that)"))
            }
            let runs = try warehouse.runs(atCommits: chosen, machineFingerprint: fingerprint)
            return (SideInfo(commits: chosen, runs: runs), "merge-base \(mergeBase.prefix(10)) of the candidate and \(reference)", false)
        }
    }

    // MARK: testing

    private func compareSeries(candidate: [RunValues], baseline: [RunValues], request: CompareRequest,
                               againstMode: Bool) -> [Comparison] {
        var keys = Set<SeriesKey>()
        var descriptors: [SeriesKey: MetricDescriptor] = [:]
        for run in candidate + baseline {
            for (key, metric) in run.metrics { keys.insert(key); descriptors[key] = descriptors[key] ?? metric }
        }
        keys = keys.filter { key in
            (request.benchmarkGlob.map { fnmatch($0, key.benchmark.name, 0) == 0 } ?? true)
                && (request.metricGlob.map { fnmatch($0, key.metric, 0) == 0 } ?? true)
        }
        return keys.map { key in
            var settings = config.settings(for: key)
            request.overrides.apply(to: &settings)
            let recorded = descriptors[key] ?? MetricDescriptor(name: key.metric)
            let metric = MetricDescriptor(name: recorded.name, unit: recorded.unit, direction: settings.direction ?? recorded.direction)
            return compareOne(key, metric: metric, settings: settings, candidate: candidate, baseline: baseline, againstMode: againstMode)
        }
    }

    private func compareOne(_ key: SeriesKey, metric: MetricDescriptor, settings: SeriesSettings,
                            candidate: [RunValues], baseline: [RunValues], againstMode: Bool) -> Comparison {
        let candidateSamples = candidate.flatMap { $0.samples[key] ?? [] }
        let baselineSamples = baseline.flatMap { $0.samples[key] ?? [] }
        let candidateValues = candidate.compactMap { $0.values[key] }
        // One baseline value per commit: the median of that commit's runs.
        var byCommit: [String: [Double]] = [:]
        for run in baseline { if let value = run.values[key] { byCommit[run.run.commit ?? "run\(run.run.id)", default: []].append(value) } }
        let baselineHistory = byCommit.values.map(Descriptive.median)

        let candidateSide = Comparer.summary(samples: candidateSamples, values: candidateValues, runs: candidate.filter { $0.metrics[key] != nil }.count)
        let baselineSide = Comparer.summary(samples: baselineSamples, values: baselineHistory, runs: baseline.filter { $0.metrics[key] != nil }.count)

        func result(_ method: CompareMethod, _ verdict: Verdict, change: Double? = nil, low: Double? = nil, high: Double? = nil,
                    p: Double? = nil) -> Comparison {
            var verdict = verdict
            if let budget = settings.budget, let value = candidateSide?.median {
                let over = metric.direction == .lowerIsBetter ? value > budget : value < budget
                if over { verdict = .overBudget }
            }
            return Comparison(key: key, metric: metric, baseline: baselineSide, candidate: candidateSide, changePct: change,
                              ciLowPct: low, ciHighPct: high, pValue: p, pAdjusted: nil, method: method, verdict: verdict, settings: settings)
        }

        guard let candidateSide else { return result(.none, .missing) }
        guard let baselineSide else { return result(.none, .new) }

        if candidateSamples.count >= Self.minimumSamples, baselineSamples.count >= Self.minimumSamples {
            let test = MannWhitneyU(baselineSamples, candidateSamples)
            let shift = HodgesLehmann(baselineSamples, candidateSamples)
            let base = baselineSide.median
            return result(.mannWhitneyU, .unchanged, change: Comparer.percent(candidateSide.median, of: base),
                          low: base == 0 ? nil : shift.lower / abs(base) * 100, high: base == 0 ? nil : shift.upper / abs(base) * 100,
                          p: test.pValue)
        }
        let value = candidateSide.median
        if !againstMode, baselineHistory.count >= Self.minimumHistory {
            let interval = PredictionInterval(history: baselineHistory, value: value, alpha: settings.alpha)
            let mean = interval.mean
            return result(.tPredictionInterval, .unchanged, change: Comparer.percent(value, of: mean),
                          low: Comparer.percent(interval.lower, of: mean), high: Comparer.percent(interval.upper, of: mean),
                          p: interval.pValue)
        }
        if againstMode {
            // One named baseline without raw samples: the legacy comparison, by the threshold alone.
            let change = Comparer.percent(value, of: baselineSide.median)
            var verdict = Verdict.unchanged
            if let change, abs(change) >= settings.thresholdPct {
                verdict = change * metric.direction.worseSign > 0 ? .regression : .improvement
            }
            return result(.thresholdOnly, verdict, change: change)
        }
        return result(.none, .insufficient, change: Comparer.percent(value, of: baselineSide.median))
    }

    private func applyHolm(_ comparisons: inout [Comparison]) {
        let tested = comparisons.indices.filter { comparisons[$0].pValue != nil }
        let adjusted = Holm.adjust(tested.map { comparisons[$0].pValue ?? 1 })
        for (index, p) in zip(tested, adjusted) {
            comparisons[index].pAdjusted = p
            guard comparisons[index].verdict == .unchanged, let change = comparisons[index].changePct else { continue }
            let settings = comparisons[index].settings
            if p < settings.alpha, abs(change) >= settings.thresholdPct {
                comparisons[index].verdict = change * comparisons[index].metric.direction.worseSign > 0 ? .regression : .improvement
            }
        }
    }

    static func summary(samples: [Double], values: [Double], runs: Int) -> SideSummary? {
        let data = samples.isEmpty ? values : samples
        guard !data.isEmpty else { return nil }
        return SideSummary(runs: runs, samples: samples.count, median: Descriptive.median(data), mean: Descriptive.mean(data))
    }

    static func percent(_ value: Double, of base: Double) -> Double? {
        base == 0 ? nil : (value / base - 1) * 100 * (base < 0 ? -1 : 1)
    }

    /// How much worse a comparison is, for sorting (positive = worse).
    static func worseness(_ comparison: Comparison) -> Double {
        (comparison.changePct ?? 0) * comparison.metric.direction.worseSign
    }
}
