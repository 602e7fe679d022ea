/// Holm's step-down correction for testing many hypotheses at once (Holm 1979): sort the m
/// p-values ascending; the adjusted p of the k-th smallest is max over j <= k of min(1, (m - j + 1) p_(j)).
/// Rejecting where the adjusted p is below α controls the family-wise error rate at α, and is
/// uniformly more powerful than plain Bonferroni. Same values as R's `p.adjust(method = "holm")`.
public enum Holm {
    public static func adjust(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 0.0
        for (k, index) in order.enumerated() {
            running = max(running, min(1, Double(m - k) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }
}

/// The Benjamini-Hochberg step-up procedure (Benjamini & Hochberg 1995): sort the m p-values
/// ascending; the adjusted p of the k-th smallest is min over j >= k of min(1, m p_(j) / j).
/// Rejecting where the adjusted p is at most q controls the false discovery rate at q for
/// independent (and positively dependent) tests, and the family-wise error rate at q when every
/// null hypothesis is true; with many true changes it keeps far more power than Holm. Same
/// values as R's `p.adjust(method = "BH")`.
public enum BenjaminiHochberg {
    public static func adjust(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] > pValues[$1] }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 1.0
        for (offset, index) in order.enumerated() {
            let rank = m - offset
            running = min(running, min(1, Double(m) * pValues[index] / Double(rank)))
            adjusted[index] = running
        }
        return adjusted
    }

    /// The number of rejections at level q: the largest k with p_(k) <= k q / m.
    public static func rejections(_ pValues: [Double], q: Double) -> Int {
        let sorted = pValues.sorted()
        var count = 0
        for (k, p) in sorted.enumerated() where p <= Double(k + 1) * q / Double(sorted.count) { count = k + 1 }
        return count
    }
}

/// The Student-t prediction interval for one new observation from a normal sample (e.g.
/// Hahn & Meeker, *Statistical Intervals*, §4.6): mean ± t_{1-α/2, n-1} · s · sqrt(1 + 1/n).
/// This is the test Bencher's t-test threshold applies to a new value against a history of
/// values. The p-value is the two-sided tail of t = (x - mean) / (s sqrt(1 + 1/n)) on n - 1
/// degrees of freedom.
public struct PredictionInterval: Sendable, Equatable {
    public let mean: Double
    public let lower: Double
    public let upper: Double
    public let pValue: Double

    /// - Parameters: `history` (at least 2 values), `value` the new observation, `alpha` the level.
    public init(history: [Double], value: Double, alpha: Double) {
        precondition(history.count >= 2)
        let n = Double(history.count)
        mean = Descriptive.mean(history)
        let s = Descriptive.standardDeviation(history, mean: mean)
        let t = StudentT(degreesOfFreedom: n - 1)
        let scale = s * (1 + 1 / n).squareRoot()
        let critical = t.quantile(1 - alpha / 2)
        lower = mean - critical * scale
        upper = mean + critical * scale
        if scale == 0 {
            pValue = value == mean ? 1 : 0
        } else {
            pValue = t.twoSidedP((value - mean) / scale)
        }
    }
}
