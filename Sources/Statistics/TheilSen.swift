import Foundation

/// The Theil–Sen estimator of a linear trend (Theil 1950; Sen 1968): the median of the slopes
/// (yⱼ − yᵢ)/(xⱼ − xᵢ) over all pairs, robust to outliers, with Sen's distribution-free confidence
/// interval: with N pairwise slopes sorted and C = z_{1−α/2} √(n(n−1)(2n+5)/18) (the standard
/// deviation of Kendall's S without ties), the bounds are the slopes of ranks (N − C)/2 and
/// (N + C)/2 + 1 (Sen 1968, eq. 2.6, with its correction for ties; as `scipy.stats.theilslopes`).
public struct TheilSen: Sendable, Equatable {
    public let slope: Double
    public let lower: Double
    public let upper: Double
    public let intercept: Double

    /// Needs at least 3 points with distinct x.
    public init?(x: [Double], y: [Double], confidence: Double = 0.95) {
        precondition(x.count == y.count)
        let n = x.count
        guard n >= 3 else { return nil }
        var slopes: [Double] = []
        slopes.reserveCapacity(n * (n - 1) / 2)
        for i in 0..<n {
            for j in (i + 1)..<n where x[j] != x[i] { slopes.append((y[j] - y[i]) / (x[j] - x[i])) }
        }
        guard !slopes.isEmpty else { return nil }
        // Three order statistics of ~n²/2 slopes: select them rather than sort (O(N) instead of O(N log N)).
        slope = Selection.percentile(&slopes, 50)
        intercept = Descriptive.median(y) - slope * Descriptive.median(x)
        let z = Normal.quantile(1 - (1 - confidence) / 2)
        let nn = Double(n)
        // Sen's (2.6), less the ties in x and in y, as scipy does.
        func tieTerm(_ values: [Double]) -> Double {
            Dictionary(grouping: values, by: { $0 }).values.filter { $0.count > 1 }.reduce(0.0) { total, group in
                let k = Double(group.count)
                return total + k * (k - 1) * (2 * k + 5)
            }
        }
        let variance = (nn * (nn - 1) * (2 * nn + 5) - tieTerm(x) - tieTerm(y)) / 18
        let c = z * max(0, variance).squareRoot()
        let count = Double(slopes.count)
        // scipy.stats.theilslopes: Ru = round((N + C)/2), Rl = round((N - C)/2) - 1, clipped to the range.
        let upperRank = min(slopes.count - 1, max(0, Int(((count + c) / 2).rounded(.toNearestOrEven))))
        let lowerRank = min(slopes.count - 1, max(0, Int(((count - c) / 2).rounded(.toNearestOrEven)) - 1))
        lower = Selection.kth(&slopes, lowerRank)
        upper = Selection.kth(&slopes, upperRank)
    }
}
