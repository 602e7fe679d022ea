import Foundation
import Records
import Statistics
import Warehouse

/// `compare` on counted metrics (`MetricDescriptor.isCounted`): near-deterministic, so judged by
/// `CountedChange` (the change against the threshold and three times the counts' own spread)
/// instead of a sampling test; no run noise is assumed where the counts show none. Their
/// threshold is their own (`SeriesSettings.countedThresholdPct`, 0.5 %, unless a rule or
/// `--threshold` sets one).
enum CountedDecision {
    /// The decision of one counted series from both sides' runs.
    static func judged(_ draft: Comparison, baseline: [DecisionRun], candidate: [DecisionRun]) -> Comparison {
        guard let change = CountedChange(baseline: baseline.map(\.values), candidate: candidate.map(\.values)) else {
            return Comparer.applyBudget(draft)
        }
        let settings = draft.settings
        let verdict: Verdict
        switch change.outcome(threshold: settings.thresholdPct / 100, worseSign: draft.metric.direction.worseSign) {
        case .worse: verdict = .regression
        case .better: verdict = .improvement
        case .unchanged: verdict = .unchanged
        case .inconclusive: verdict = .inconclusive
        }
        var comparison = Comparison(key: draft.key, metric: draft.metric,
                                    baseline: draft.baseline.map { Comparer.with($0, value: change.baselineLevel) },
                                    candidate: draft.candidate.map { Comparer.with($0, value: change.candidateLevel) },
                                    changePct: change.change * 100, ciLowPct: change.bounds.low * 100, ciHighPct: change.bounds.high * 100,
                                    pValue: nil, pAdjusted: nil, method: .counted, verdict: verdict, settings: settings)
        comparison.segmentStart = draft.segmentStart
        comparison.summaries = draft.summaries
        comparison.rounds = draft.rounds
        if change.spread > CountedChange.steadySpread {
            comparison.labels.append("counts vary by \(percent(change.spread * 100)) across runs; " + CountedChange.varyingCauses)
        }
        return Comparer.applyBudget(comparison)
    }

    /// A change in a benchmark's time that its counts do not show is labelled as the
    /// environment's: the code ran the same instructions, so the machine ran them slower.
    static func labelEnvironment(_ comparisons: inout [Comparison]) {
        for index in comparisons.indices where comparisons[index].metric.isTime
            && [.regression, .improvement].contains(comparisons[index].verdict) {
            let benchmark = comparisons[index].key.benchmark
            let steady = comparisons.filter { $0.key.benchmark == benchmark && $0.method == .counted && $0.verdict == .unchanged }
            guard let counts = steady.first(where: { $0.metric.name == "instructions" }) ?? steady.first else { continue }
            comparisons[index].labels.append("\(counts.metric.name) unchanged (\(percent(counts.changePct ?? 0))): likely the environment, not the code")
        }
    }

    static func percent(_ value: Double) -> String {
        (value >= 0 ? "+" : "") + String(format: abs(value) < 0.1 ? "%.3f %%" : "%.1f %%", value)
    }
}
