import Foundation

/// The O'Brien–Fleming boundary for a test looked at after every round, up to a planned maximum
/// of rounds, so that stopping as soon as the answer is known keeps the error rate.
///
/// **The design.** With K planned rounds and a z statistic z_k after round k, the test rejects at
/// the first look where `|z_k| · √(k/K) ≥ C` (O'Brien & Fleming 1979, *Biometrics* 35(3), 549–556:
/// a constant boundary for the partial sum, so early looks need a much larger z than the last).
/// Under the null, z_k·√(k/K) is a Brownian motion B(t) at t = k/K, so the chance of ever crossing
/// is at most `P(sup_{0≤t≤1} |B(t)| ≥ C)`: looking at every round, at any subset of rounds, or
/// stopping early for any reason (the time limit, Ctrl-C) keeps it, because the discrete looks
/// see less than the continuous path. C = 2.2414 at α = 0.05 (the continuous-monitoring OBF
/// constant; Jennison & Turnbull 2000, *Group Sequential Methods with Applications to Clinical
/// Trials*, §2.3 and table 2.3 give 2.04–2.14 for 5–20 discrete looks, which this bounds).
///
/// **Repeated p-values and intervals** (Jennison & Turnbull 1989, *J. R. Statist. Soc. B* 51(3),
/// 305–361): the repeated p-value is the smallest α whose boundary the path has crossed by now,
/// `P(sup |B| ≥ max_k |z_k|·√(k/K))`, valid whenever the analysis stops; the repeated confidence
/// interval at round k is `estimate ± C_α·√(K/k)·se_k`, and all of them hold the true shift
/// together with probability at least 1 − α. A verdict taken from them (a regression, or
/// unchanged within the threshold) is as sure at round 4 as at round 40.
///
/// **Unknown variance.** Each look's t statistic is turned into the z of the same two-sided
/// p-value, and each z boundary into the t quantile of the same tail (the significance-level
/// approximation of Jennison & Turnbull 2000, §11.4); with moderated variances the degrees of
/// freedom are many and the approximation close.
public enum SequentialBoundary {
    /// `P(sup_{0≤t≤1} |B(t)| ≥ m)` for standard Brownian motion (Feller 1971, vol. II, §X.5):
    /// by the reflection series `1 − Σ_k (−1)^k [Φ((2k+1)m) − Φ((2k−1)m)]` for m ≥ 1, and by
    /// the theta-function form `1 − (4/π) Σ_n (−1)^n/(2n+1) · exp(−(2n+1)²π²/(8m²))` below.
    public static func crossingProbability(_ m: Double) -> Double {
        guard m > 0 else { return 1 }
        guard m.isFinite else { return 0 }
        if m >= 1 {
            // P(sup|B| ≥ m) = 2 Σ_{k≥1} (−1)^{k+1} · 2·Φ̄((2k−1)m): four terms reach 1e-17.
            var total = 0.0
            for k in 1...6 {
                let term = 4 * Normal.sf(Double(2 * k - 1) * m)
                total += k % 2 == 1 ? term : -term
            }
            return min(1, max(0, total))
        }
        var inside = 0.0
        for n in 0..<40 {
            let odd = Double(2 * n + 1)
            let term = Foundation.exp(-odd * odd * Double.pi * Double.pi / (8 * m * m)) / odd
            inside += n % 2 == 0 ? term : -term
            if term < 1e-18 { break }
        }
        return min(1, max(0, 1 - 4 / Double.pi * inside))
    }

    /// The constant C with `crossingProbability(C) = alpha`: 2.2414 at 0.05, 2.8070 at 0.01.
    public static func constant(alpha: Double) -> Double {
        var low = 0.01, high = 12.0
        for _ in 0..<100 {
            let middle = (low + high) / 2
            if crossingProbability(middle) > alpha { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// The z of the same two-sided p-value as `t` on `degreesOfFreedom` (∞: t itself).
    public static func normalEquivalent(t: Double, degreesOfFreedom: Double) -> Double {
        guard degreesOfFreedom.isFinite else { return abs(t) }
        // From the lower tail, which keeps its precision where 1 − p/2 rounds to 1.
        let p = StudentT(degreesOfFreedom: degreesOfFreedom).twoSidedP(t)
        return p / 2 > 0 ? -Normal.quantile(p / 2) : abs(t)
    }

    /// The t quantile with the same upper tail as the normal boundary `z` on `degreesOfFreedom`.
    /// Solved on the upper tail itself, which stays exact where 1 − tail rounds to 1 (the wide
    /// boundaries of early looks).
    public static func tEquivalent(z: Double, degreesOfFreedom: Double) -> Double {
        guard degreesOfFreedom.isFinite, z > 0 else { return z }
        let tail = Normal.sf(z)
        guard tail > 0 else { return .infinity }
        let t = StudentT(degreesOfFreedom: degreesOfFreedom)
        var low = z, high = 2 * z
        while t.sf(high) > tail {
            high *= 2
            if !high.isFinite { return .infinity }
        }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if middle == low || middle == high { break }
            if t.sf(middle) > tail { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// The repeated p-value of looks `(round, z)` in a design of `plannedRounds`.
    public static func repeatedP(looks: [(round: Int, z: Double)], plannedRounds: Int) -> Double {
        let planned = Double(max(plannedRounds, looks.map(\.round).max() ?? 1))
        let statistic = looks.map { abs($0.z) * (Double($0.round) / planned).squareRoot() }.max() ?? 0
        return crossingProbability(statistic)
    }

    /// The z half-width of the repeated confidence interval at `round` of `plannedRounds`: the
    /// interval is estimate ± this · se.
    public static func intervalZ(alpha: Double, round: Int, plannedRounds: Int) -> Double {
        constant(alpha: alpha) * (Double(max(plannedRounds, round)) / Double(max(round, 1))).squareRoot()
    }
}
