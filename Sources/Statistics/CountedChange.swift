/// A change in counts that a run repeats nearly exactly (instructions, estimated cycles, cache
/// hits): judged by its size against a threshold and against the counts' own spread, not by a
/// sampling test, whose variance would be zero or nearly so.
///
/// Each run's level is the median of its counted runs; a side's level the median of its runs'.
/// The spread is the largest relative range seen anywhere: within any run (largest / smallest − 1)
/// and between the runs of either side. The change is decided when it passes the threshold and
/// is more than `noiseFloorFactor` times the spread (so counts that wobble never pass as a change
/// of the code); it is `unchanged` when it is below the threshold and so is that floor. With
/// one run a side and counts that repeat exactly, a 2 % change against a 0.5 % threshold is
/// decided at one run against one.
///
/// Sources: the practice of CodSpeed and iai-callgrind (a relative-difference threshold on
/// simulated instruction counts, CodSpeed's docs "Instrumentation" and iai-callgrind's
/// `--callgrind-limits`), with the noise floor of Kalibera & Jones, "Rigorous benchmarking in
/// reasonable time" (ISMM 2013): a difference smaller than the variation seen is not a result.
public struct CountedChange: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable { case worse, better, unchanged, inconclusive }

    public let baselineLevel: Double
    public let candidateLevel: Double
    /// candidate / baseline − 1.
    public let change: Double
    /// The largest relative range seen within a run or between the runs of a side.
    public let spread: Double

    /// Differences within this many times the spread are not believed.
    public static let noiseFloorFactor = 3.0
    /// Counts that vary by more than this (0.1 %) across runs are worth a warning.
    public static let steadySpread = 0.001
    /// What to say with that warning.
    public static let varyingCauses = "counts should repeat: the usual causes are address-space randomisation (run under setarch -R), "
        + "hash seeds (set PYTHONHASHSEED=0), and work that depends on time or threads (timeouts, thread scheduling, JIT warm-up)"

    /// nil when either side has no positive counts.
    public init?(baseline: [[Double]], candidate: [[Double]]) {
        let baselineRuns = baseline.filter { !$0.isEmpty }, candidateRuns = candidate.filter { !$0.isEmpty }
        guard !baselineRuns.isEmpty, !candidateRuns.isEmpty else { return nil }
        let baselineLevels = baselineRuns.map(Descriptive.median), candidateLevels = candidateRuns.map(Descriptive.median)
        let base = Descriptive.median(baselineLevels), head = Descriptive.median(candidateLevels)
        guard base > 0, head > 0, base.isFinite, head.isFinite else { return nil }
        func range(_ values: [Double]) -> Double {
            guard let low = values.min(), let high = values.max(), low > 0 else { return 0 }
            return high / low - 1
        }
        let within = (baselineRuns + candidateRuns).map(range).max() ?? 0
        baselineLevel = base
        candidateLevel = head
        change = head / base - 1
        spread = max(within, range(baselineLevels), range(candidateLevels))
    }

    /// The noise floor: `noiseFloorFactor` × the spread.
    public var floor: Double { Self.noiseFloorFactor * spread }

    /// The change's bounds as the data allow them: the change ± the noise floor.
    public var bounds: (low: Double, high: Double) { (change - floor, change + floor) }

    /// The outcome at a threshold (a fraction: 0.005 for 0.5 %) for a metric whose worse way has
    /// sign `worseSign` (+1 when a rise is worse).
    public func outcome(threshold: Double, worseSign: Double) -> Outcome {
        let worse = change * worseSign
        if abs(change) >= threshold && abs(change) > floor && change != 0 { return worse > 0 ? .worse : .better }
        if abs(change) < threshold && abs(change) + floor < threshold { return .unchanged }
        if threshold == 0 && change == 0 && spread == 0 { return .unchanged }
        return .inconclusive
    }
}
