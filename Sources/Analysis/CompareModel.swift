import Records
import Warehouse

/// The verdict on one series.
public enum Verdict: String, Sendable, CaseIterable, Codable {
    case regression, improvement, unchanged
    case overBudget = "over_budget"
    case insufficient, new, missing

    /// Worst first, for tables.
    public var severity: Int {
        switch self {
        case .overBudget: return 0
        case .regression: return 1
        case .missing: return 2
        case .improvement: return 3
        case .new: return 4
        case .insufficient: return 5
        case .unchanged: return 6
        }
    }
}

/// How a series was tested.
public enum CompareMethod: String, Sendable, Codable {
    case mannWhitneyU = "mann_whitney_u"
    case tPredictionInterval = "t_prediction_interval"
    case thresholdOnly = "threshold_only"
    case none
}

/// One side of one series.
public struct SideSummary: Sendable, Equatable {
    public let runs: Int
    public let samples: Int
    public let median: Double
    public let mean: Double
}

/// The comparison of one benchmark × metric.
public struct Comparison: Sendable {
    public let key: SeriesKey
    /// The metric with the direction in force (a config may override the recorded one).
    public let metric: MetricDescriptor
    public let baseline: SideSummary?
    public let candidate: SideSummary?
    /// Candidate against baseline, in percent: the ratio of medians for raw samples, of the
    /// candidate value to the baseline mean for the prediction interval.
    public let changePct: Double?
    public let ciLowPct: Double?
    public let ciHighPct: Double?
    public let pValue: Double?
    public internal(set) var pAdjusted: Double?
    public let method: CompareMethod
    public internal(set) var verdict: Verdict
    public let settings: SeriesSettings
}

/// Which runs one side is made of.
public struct SideInfo: Sendable {
    public let commits: [String]
    public let runs: [RunReference]
    public var machine: String? { runs.first?.machineName }
    public var machineFingerprint: String? { runs.first?.machineFingerprint }
}

/// Everything `hhbench compare` found.
public struct CompareReport: Sendable {
    /// How the baseline was chosen ("merge-base of 3f2a9c1 and main", "run 12", ...).
    public let baselineDescription: String
    public let baseline: SideInfo
    public let candidate: SideInfo
    public let comparisons: [Comparison]

    public func count(_ verdict: Verdict) -> Int { comparisons.filter { $0.verdict == verdict }.count }

    /// True when no series could be tested against the baseline.
    public var nothingCompared: Bool {
        !comparisons.contains { $0.method != .none }
    }
}
