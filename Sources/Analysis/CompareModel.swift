import Foundation
import Records
import Warehouse

/// The verdict on one series.
package enum Verdict: String, Sendable, CaseIterable, Codable {
    case regression, improvement, unchanged
    /// The data cannot tell: the interval reaches past the threshold, and the change is not shown.
    case inconclusive
    case overBudget = "over_budget"
    case insufficient, new, missing

    /// Worst first, for tables.
    package var severity: Int {
        switch self {
        case .overBudget: return 0
        case .regression: return 1
        case .missing: return 2
        case .improvement: return 3
        case .new: return 4
        case .inconclusive: return 5
        case .insufficient: return 6
        case .unchanged: return 7
        }
    }
}

/// How p-values of one call are corrected for their number.
package enum Correction: String, Sendable, CaseIterable, Codable {
    /// Benjamini-Hochberg: the false discovery rate at α (the default).
    case bh
    /// Holm: the family-wise error rate at α.
    case holm
    case none
}

/// How a decision's run-to-run noise was handled (see `RunLevelTest`).
package enum RunNoise: String, Sendable, Codable {
    /// Run-to-run noise estimated from the runs and carried into the interval.
    case estimated
    /// Too few runs to estimate it: assumed (`run_noise_pct`), interval widened by it.
    case assumed
    /// Estimated from the runs and moderated toward the call's typical run noise (`RunNoisePrior`).
    case moderated
    /// One run a side: taken from the call's other series (`RunNoisePrior`), not assumed.
    case borrowed
}

/// A run the call-level look left out of every decision (`RunScreen`): it moved most series at once.
package struct ExcludedRun: Sendable, Equatable {
    package let runID: Int64
    package let commit: String?
    /// True when it was one of the candidate's runs (which needs three or more to be judged).
    package let candidate: Bool
    /// Series it was judged in, and those in which it was an outlier the same way.
    package let series: Int
    package let outlying: Int
    /// Its median shift against its group, in percent (nil on the raw scale).
    package let medianShiftPct: Double?

    /// "run 12 (commit 3f2a9c1d0e) was 30.2 % slower than its neighbours in 498 of 500 series: ..."
    package var reason: String {
        let shift = medianShiftPct.map { String(format: "%+.1f%% (median) against", $0) } ?? "an outlier against"
        return "\(outlying) of \(series) series put it \(shift) the other runs of its segment at once: "
            + "the machine's noise, not the code's; left out"
    }
}

/// A summary of a decision's series (avg_, median_, p95_, …), shown with its own change, not tested.
package struct SummaryChange: Sendable, Equatable {
    package let metric: String
    package let baseline: Double?
    package let candidate: Double?
    package let changePct: Double?
}

/// How a series was tested.
package enum CompareMethod: String, Sendable, Codable {
    /// Raw samples: per-run 10 % trimmed means, run-level two-stage test (`RunLevelTest`).
    case runTrimmedMean = "run_trimmed_mean"
    /// One value per run (a given value or a named summary): the same test on run values.
    case runValues = "run_values"
    /// The legacy baselines' rules, or a named baseline without history: by the threshold alone.
    case thresholdOnly = "threshold_only"
    /// Base and head measured in the same rounds (`hhbench ab`): per-round differences (`PairedRounds`).
    case pairedRounds = "paired_rounds"
    /// Counts a run repeats nearly exactly (instructions, estimated cycles): the change against
    /// the threshold and three times the counts' own spread (`CountedChange`), no p-value.
    case counted
    case none
}

/// One side of one series.
package struct SideSummary: Sendable, Equatable {
    package let runs: Int
    package let samples: Int
    package let median: Double
    package let mean: Double
    /// The statistic the change is computed on: the mean of run locations (per-run 10 % trimmed
    /// means, geometric when the values are positive), so baseline, candidate and change agree.
    package let value: Double
}

/// The comparison of one benchmark × metric.
package struct Comparison: Sendable {
    package let key: SeriesKey
    /// The metric with the direction in force (a config may override the recorded one).
    package let metric: MetricDescriptor
    package let baseline: SideSummary?
    package let candidate: SideSummary?
    /// Candidate against baseline, in percent: candidate.value / baseline.value − 1, always
    /// inside [ciLowPct, ciHighPct].
    package let changePct: Double?
    package let ciLowPct: Double?
    package let ciHighPct: Double?
    package let pValue: Double?
    package internal(set) var pAdjusted: Double?
    package let method: CompareMethod
    package internal(set) var verdict: Verdict
    package let settings: SeriesSettings
    package var runNoise: RunNoise?
    /// The smallest change this data could detect (80 % power at α), when inconclusive.
    package var minimumDetectablePct: Double?
    /// Roughly what would settle an inconclusive decision ("about 4 candidate runs").
    package var advice: String?
    /// The first commit of the baseline's newest stable segment, when a change point cut the window.
    package var segmentStart: String?
    /// The summaries of this series, each with its own change (not tested).
    package var summaries: [SummaryChange] = []
    /// Paired rounds only: the rounds tested, and the round (and seconds into the session) from
    /// which the verdict has held.
    package var rounds: Int?
    package var decidedAtRound: Int?
    package var decidedAfterSeconds: Double?
    /// What else a reader should know: counts that vary, or a change in time that the counts
    /// say is the environment's.
    package var labels: [String] = []
}

/// Which runs one side is made of.
package struct SideInfo: Sendable {
    package let commits: [String]
    package let runs: [RunReference]
    package var machine: String? { runs.first?.machineName }
    package init(commits: [String], runs: [RunReference]) {
        self.commits = commits
        self.runs = runs
    }
    package var machineFingerprint: String? { runs.first?.machineFingerprint }
}

/// Everything `hhbench compare` found.
package struct CompareReport: Sendable {
    /// How the baseline was chosen ("merge-base of 3f2a9c1 and main", "run 12", ...).
    package let baselineDescription: String
    package let baseline: SideInfo
    package let candidate: SideInfo
    package let comparisons: [Comparison]

    package func count(_ verdict: Verdict) -> Int { comparisons.filter { $0.verdict == verdict }.count }

    package var correction: Correction = .bh
    /// Runs left out of every decision by the call-level look (`RunScreen`), with why.
    package var excludedRuns: [ExcludedRun] = []
    /// Set when base and head were measured in the same rounds (`hhbench ab`, or `compare` of two
    /// commits that share an ab session).
    package var paired: PairedSummary?

    /// True when no series could be tested against the baseline.
    package var nothingCompared: Bool {
        !comparisons.contains { $0.method != .none }
    }
}
