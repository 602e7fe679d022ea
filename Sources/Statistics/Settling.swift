import Foundation

/// What would settle an inconclusive decision: the level a new discovery must reach under the
/// call's correction, and how many more runs make a decision likely.
///
/// **The level.** Benjamini–Hochberg rejects the k smallest p-values where p₍ₖ₎ ≤ k·α/m. A decision
/// not yet among the R discoveries joins them when its p is at most (R + 1)·α/m; under Holm, when
/// it is at most α/(m − R); uncorrected, α. `criticalAlpha` gives that level, and
/// `RunLevelTest.minimumDetectablePercent` the change the call's rule (that level and the
/// threshold) would catch with 80 % probability.
///
/// **More runs.** With the baseline's and the candidate's per-run variances v_b and v_c, the shift
/// with n_b and n_c runs has variance V = v_b/n_b + v_c/n_c. Adding runs refines the current
/// estimate δ̂: under a flat prior its final value with N candidate (and M baseline) runs is
/// distributed as N(δ̂, V − V_N) (the predictive distribution of a nested estimate; "predictive
/// power", Spiegelhalter, Freedman & Blackburn 1986, *Controlled Clinical Trials* 7(1), 8–17).
/// The decision is settled when that final value is `unchanged` (|δ| + t₁₋α/₂·√V_N within the
/// threshold) or passes both the threshold and the discovery level's critical value. `runs`
/// searches the smallest N with P(settled) ≥ `probability` (0.8) with the baseline as it is; when
/// even N = ∞ would leave the baseline's share too large, both sides grow together (M = N).
/// This averages over what the true change may be instead of assuming it is the estimate, so a
/// row whose estimate sits near the threshold is advised more runs, not fewer.
public enum Settling {
    /// The level at which one more decision joins the call's discoveries.
    public static func criticalAlpha(alpha: Double, decisions m: Int, discoveries r: Int, holm: Bool = false, corrected: Bool = true) -> Double {
        guard corrected, m > 1 else { return alpha }
        if holm { return alpha / Double(max(1, m - r)) }
        return alpha * Double(min(m, r + 1)) / Double(m)
    }

    /// P(settled) with the final shift's variance `future` (and predictive spread
    /// √(current − future) about `estimate`), on the working scale; thresholds as shifts.
    public static func probability(estimate: Double, current: Double, future: Double, threshold: (worse: Double, better: Double),
                                   discoveryCritical: Double, intervalCritical: Double) -> Double {
        let spread = max(current - future, 0).squareRoot()
        let finalSE = future.squareRoot()
        func below(_ x: Double) -> Double {  // P(final ≤ x)
            spread > 0 ? Normal.cdf((x - estimate) / spread) : (estimate <= x ? 1 : 0)
        }
        // Unchanged: the interval within [better, worse] (better is the negative side's bound).
        let low = threshold.better + intervalCritical * finalSE, high = threshold.worse - intervalCritical * finalSE
        let unchanged = high > low ? max(0, below(high) - below(low)) : 0
        // A change either way: past the threshold and the discovery level.
        let up = max(threshold.worse, discoveryCritical * finalSE), down = min(threshold.better, -discoveryCritical * finalSE)
        let changed = (1 - below(up)) + below(down)
        return min(1, unchanged + changed)
    }

    /// The advised runs: candidate runs alone (`bothSides` false) or both sides at once.
    public struct Runs: Sendable, Equatable {
        public let runs: Int
        public let bothSides: Bool
    }

    /// The fewest runs that settle the decision with at least `probability`; nil beyond `limit`.
    public static func runs(estimate: Double, runVariance: RunLevelTest.PerRun, baselineRuns nb: Int, candidateRuns nc: Int,
                            threshold: (worse: Double, better: Double), discoveryCritical: Double, intervalCritical: Double,
                            probability target: Double = 0.8, limit: Int = 10_000) -> Runs? {
        let current = runVariance.baseline / Double(nb) + runVariance.candidate / Double(nc)
        func settles(_ candidateRuns: Int, _ baselineRuns: Int) -> Bool {
            let future = runVariance.baseline / Double(baselineRuns) + runVariance.candidate / Double(candidateRuns)
            return probability(estimate: estimate, current: current, future: future, threshold: threshold,
                               discoveryCritical: discoveryCritical, intervalCritical: intervalCritical) >= target
        }
        func smallest(from start: Int, _ settled: (Int) -> Bool) -> Int? {
            var high = max(start, 1)
            while !settled(high) {
                guard high < limit else { return nil }
                high = min(limit, high * 2)
            }
            var low = start - 1  // not settled (or the current count)
            while high - low > 1 {
                let middle = (low + high) / 2
                if settled(middle) { high = middle } else { low = middle }
            }
            return high
        }
        if let n = smallest(from: nc + 1, { settles($0, nb) }) { return Runs(runs: n, bothSides: false) }
        if let n = smallest(from: max(nb, nc) + 1, { settles($0, max($0, nb)) }) { return Runs(runs: n, bothSides: true) }
        return nil
    }
}
