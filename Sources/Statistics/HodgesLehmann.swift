import Foundation

/// The Hodges-Lehmann estimate of the shift between two samples (Hodges & Lehmann 1963): the
/// median of all n1·n2 differences y_j - x_i, with the distribution-free confidence interval
/// of Bauer (1972) / Hollander & Wolfe: the differences of ranks C and n1·n2 - C + 1, where
/// C = n1·n2/2 - z_{1-α/2} sqrt(n1·n2(n1+n2+1)/12) (normal approximation to the U distribution).
///
/// The order statistics are found without forming the n1·n2 differences: a bisection on the value
/// with a linear-time count of differences below it over the sorted samples, so 1,000 × 100
/// samples take microseconds, not a sort of 100,000 numbers.
public struct HodgesLehmann: Sendable, Equatable {
    /// The estimated shift, y minus x.
    public let shift: Double
    public let lower: Double
    public let upper: Double

    /// - Parameters: `x` the baseline, `y` the candidate, `confidence` the interval's level (0.95).
    public init(_ x: [Double], _ y: [Double], confidence: Double = 0.95) {
        let xs = x.sorted(), ys = y.sorted()
        let total = xs.count * ys.count
        precondition(total > 0)
        // Median of the differences: mean of the two middle order statistics when even.
        if total % 2 == 1 {
            shift = HodgesLehmann.orderStatistic(xs, ys, rank: (total + 1) / 2)
        } else {
            shift = (HodgesLehmann.orderStatistic(xs, ys, rank: total / 2) + HodgesLehmann.orderStatistic(xs, ys, rank: total / 2 + 1)) / 2
        }
        let z = Normal.quantile(1 - (1 - confidence) / 2)
        let n1 = Double(xs.count), n2 = Double(ys.count)
        let c = Int((n1 * n2 / 2 - z * (n1 * n2 * (n1 + n2 + 1) / 12).squareRoot()).rounded(.down))
        let lowRank = max(1, c)
        let highRank = min(total, total - lowRank + 1)
        lower = HodgesLehmann.orderStatistic(xs, ys, rank: lowRank)
        upper = HodgesLehmann.orderStatistic(xs, ys, rank: highRank)
    }

    /// The `rank`-th smallest (1-based) of y_j - x_i over ascending `xs` and `ys`.
    static func orderStatistic(_ xs: [Double], _ ys: [Double], rank: Int) -> Double {
        var low = ys[0] - xs[xs.count - 1]   // the smallest difference
        var high = ys[ys.count - 1] - xs[0]  // the largest
        if countAtMost(low, xs, ys) >= rank { return low }
        // Invariant: count(<= low) < rank <= count(<= high).
        while true {
            let mid = low + (high - low) / 2
            if mid <= low || mid >= high { break }
            if countAtMost(mid, xs, ys) >= rank { high = mid } else { low = mid }
        }
        // The answer is the smallest difference greater than `low`.
        var best = Double.infinity
        var j = ys.count - 1
        for i in stride(from: xs.count - 1, through: 0, by: -1) {
            // For larger x_i the differences are smaller; walk j so that y_j - x_i > low is the first such j.
            while j > 0, ys[j - 1] - xs[i] > low { j -= 1 }
            if ys[j] - xs[i] > low { best = min(best, ys[j] - xs[i]) }
        }
        return best
    }

    /// The number of pairs with y_j - x_i <= value.
    static func countAtMost(_ value: Double, _ xs: [Double], _ ys: [Double]) -> Int {
        var count = 0
        var j = 0
        for x in xs {
            while j < ys.count, ys[j] - x <= value { j += 1 }
            count += j
        }
        return count
    }
}
