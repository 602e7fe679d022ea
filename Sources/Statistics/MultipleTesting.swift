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
