import Foundation

/// The two-sided Mann-Whitney U test (Mann & Whitney 1947; Wilcoxon 1945).
///
/// `u` is the statistic of the first sample, U1 = R1 - n1(n1+1)/2, as `scipy.stats.mannwhitneyu`
/// reports it. The p-value is two-sided:
/// - **exact**: from the exact null distribution of U (counted by the recurrence of Mann &
///   Whitney), p = min(1, 2 P(U >= max(U1, U2))), as scipy's `method="exact"`;
/// - **asymptotic**: the normal approximation with the tie correction of the variance and a
///   continuity correction of 0.5, as scipy's `method="asymptotic"` (`use_continuity=True`) and
///   Go's benchstat do.
/// By default (`.automatic`) the exact distribution is used when there are no ties and both
/// samples have at most 50 values, as benchstat does; otherwise the normal approximation.
public struct MannWhitneyU: Sendable, Equatable {
    public enum Method: String, Sendable { case automatic, exact, asymptotic }

    public let u: Double
    public let pValue: Double
    /// The method used (never `.automatic`).
    public let method: Method

    public static let maxExact = 50

    public init(_ x: [Double], _ y: [Double], method: Method = .automatic) {
        precondition(!x.isEmpty && !y.isEmpty, "Mann-Whitney U needs two non-empty samples")
        let n1 = x.count, n2 = y.count
        let (ranks, tieTerm) = MannWhitneyU.rank(x + y)
        let r1 = ranks[0..<n1].reduce(0, +)
        let u1 = r1 - Double(n1 * (n1 + 1)) / 2
        let u2 = Double(n1 * n2) - u1
        u = u1
        let chosen: Method
        switch method {
        case .automatic: chosen = tieTerm == 0 && n1 <= Self.maxExact && n2 <= Self.maxExact ? .exact : .asymptotic
        default: chosen = method
        }
        self.method = chosen
        let big = max(u1, u2)
        if chosen == .exact {
            pValue = min(1, 2 * ExactUDistribution(n1, n2).survival(atLeast: big))
        } else {
            let n = Double(n1 + n2)
            let mu = Double(n1 * n2) / 2
            let variance = Double(n1 * n2) / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
            if variance <= 0 {
                pValue = 1
            } else {
                let z = (big - mu - 0.5) / variance.squareRoot()
                pValue = min(1, 2 * Normal.sf(z))
            }
        }
    }

    /// Mid-ranks (1-based) of the pooled values and the tie term sum(t^3 - t).
    static func rank(_ values: [Double]) -> (ranks: [Double], tieTerm: Double) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var tieTerm = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end + 2) / 2
            for k in start...end { ranks[order[k]] = rank }
            let t = Double(end - start + 1)
            tieTerm += t * t * t - t
            start = end + 1
        }
        return (ranks, tieTerm)
    }
}

/// The exact null distribution of U for samples of sizes m and n without ties: the number of
/// arrangements with each value of U, by the recurrence of Mann & Whitney (1947),
/// f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u) (the largest value is an x, above all n y's, or a y).
/// Only additions of positive counts, so no precision is lost to cancellation; O(m·n·mn) time.
struct ExactUDistribution {
    let m: Int, n: Int
    let counts: [Double]

    init(_ m: Int, _ n: Int) {
        self.m = m
        self.n = n
        // previous[mp] holds f(mp, np-1, ·); current[mp] is built for f(mp, np, ·).
        var previous: [[Double]] = Array(repeating: [1], count: m + 1)
        if n > 0 {
            for np in 1...n {
                var current: [[Double]] = [[1]]
                if m > 0 {
                    for mp in 1...m {
                        var row = [Double](repeating: 0, count: mp * np + 1)
                        for (u, count) in current[mp - 1].enumerated() { row[u + np] += count }
                        for (u, count) in previous[mp].enumerated() { row[u] += count }
                        current.append(row)
                    }
                }
                previous = current
            }
        }
        counts = previous[m]
    }

    /// P(U >= u).
    func survival(atLeast u: Double) -> Double {
        let total = counts.reduce(0, +)
        let start = max(0, Int(u.rounded(.up)))
        guard start < counts.count else { return 0 }
        return counts[start...].reduce(0, +) / total
    }
}
