import Foundation

/// Optimal partitioning (Jackson et al. 2005, *IEEE Signal Processing Letters* 12(2)) of a series
/// under the weighted Gaussian cost Σ wᵢ(yᵢ − μ_segment)² plus β per change point, with segments of
/// at least `minimum` points, made fast by functional pruning (FPOP: Maidstone, Hocking, Rigaill &
/// Fearnhead 2017, "On optimal multiple changepoint algorithms for large data", *Statistics and
/// Computing* 27).
///
/// Each candidate start s of the last segment carries the cost of ending there and continuing
/// with mean μ: Q_s(μ) = F(s) + β + Σ_{i>s} wᵢ(yᵢ − μ)². New points add the same term to every
/// Q_s, so the difference of two candidates' functions never changes after both exist: the set of
/// μ where a candidate is no worse than another is fixed (an interval, or the complement of one,
/// as the difference is a parabola). A candidate whose set of μ where it is no worse than every
/// other is empty can never start the optimal last segment again and is dropped. Unlike PELT's
/// pruning, which keeps every candidate of a long segment without a change (O(n²) then), this
/// keeps O(log n) candidates on average. Exact: the tests check it against the unpruned recursion
/// and against every partition of short series. Set-boundaries are widened by a relative 1e-9, so
/// rounding can only keep a candidate, never drop the optimal one.
struct Segmentation {
    /// First indices of the new segments, ascending.
    let cuts: [Int]
    /// Cost plus β per change point.
    let penalisedCost: Double

    /// A candidate start and the set of μ (sorted, disjoint intervals) where it is no worse than
    /// every candidate it has met.
    private struct Candidate {
        let start: Int
        var region: [(low: Double, high: Double)]
    }

    init(y: [Double], w: [Double], beta: Double, minimum: Int, pruned: Bool = true) {
        let n = y.count
        var sw = [Double](repeating: 0, count: n + 1), swy = sw, swyy = sw
        for i in 0..<n {
            sw[i + 1] = sw[i] + w[i]
            swy[i + 1] = swy[i] + w[i] * y[i]
            swyy[i + 1] = swyy[i] + w[i] * y[i] * y[i]
        }
        func cost(_ a: Int, _ b: Int) -> Double {
            let weight = sw[b] - sw[a], sum = swy[b] - swy[a]
            return max(0, (swyy[b] - swyy[a]) - sum * sum / weight)
        }
        guard n >= 2 * minimum else {
            cuts = []
            penalisedCost = n > 0 ? cost(0, n) : 0
            return
        }
        var best = [Double](repeating: .infinity, count: n + 1)
        var previous = [Int](repeating: 0, count: n + 1)
        best[0] = -beta
        let everything = [(low: -Double.infinity, high: Double.infinity)]
        var candidates = [Candidate(start: 0, region: everything)]
        // The newcomer's losing intervals, gathered, then removed from ℝ at once.
        var losing: [(low: Double, high: Double)] = []
        for t in minimum...n {
            let start = t - minimum
            if start >= minimum {
                var newcomer = Candidate(start: start, region: everything)
                if pruned {
                    losing.removeAll(keepingCapacity: true)
                    // Where an older candidate a is no worse than the newcomer b: Q_a − Q_b ≤ 0, an
                    // upward parabola A μ² − 2 B μ + C (A > 0, the weight between the two starts).
                    for index in candidates.indices {
                        let a = candidates[index].start
                        let A = sw[start] - sw[a], B = swy[start] - swy[a]
                        let C = best[a] - best[start] + swyy[start] - swyy[a]
                        let discriminant = B * B - A * C
                        let centre = B / A
                        let half = discriminant > 0 ? discriminant.squareRoot() / A : 0
                        let slack = 1e-9 * (1 + abs(centre) + half)
                        if discriminant < -1e-12 * (B * B + abs(A * C)) {
                            candidates[index].region = []  // the newcomer is better everywhere
                            continue
                        }
                        Self.intersect(&candidates[index].region, centre - half - slack, centre + half + slack)
                        if half > slack { losing.append((centre - half + slack, centre + half - slack)) }
                    }
                    candidates.removeAll { $0.region.isEmpty }
                    newcomer.region = Self.complement(of: &losing)
                }
                if !newcomer.region.isEmpty || !pruned { candidates.append(newcomer) }
            }
            var value = Double.infinity, arg = 0
            let tw = sw[t], twy = swy[t], twyy = swyy[t]
            for index in candidates.indices {
                let s = candidates[index].start
                let weight = tw - sw[s], sum = twy - swy[s]
                let total = best[s] + max(0, (twyy - swyy[s]) - sum * sum / weight) + beta
                if total < value { value = total; arg = s }
            }
            best[t] = value
            previous[t] = arg
        }
        var found: [Int] = []
        var t = n
        while t > 0 {
            let s = previous[t]
            if s > 0 { found.append(s) }
            t = s
        }
        cuts = found.reversed()
        penalisedCost = best[n]
    }

    /// `region` ∩= [low, high], in place (this runs for every candidate at every point).
    private static func intersect(_ region: inout [(low: Double, high: Double)], _ low: Double, _ high: Double) {
        var kept = 0
        for index in region.indices {
            let l = max(region[index].low, low), h = min(region[index].high, high)
            if l <= h {
                region[kept] = (l, h)
                kept += 1
            }
        }
        if kept < region.count { region.removeLast(region.count - kept) }
    }

    /// ℝ minus the union of the open intervals (sorted here).
    private static func complement(of open: inout [(low: Double, high: Double)]) -> [(low: Double, high: Double)] {
        open.sort { $0.low < $1.low }
        var result: [(low: Double, high: Double)] = []
        var from = -Double.infinity
        for interval in open {
            if interval.low >= from { result.append((from, interval.low)) }
            from = max(from, interval.high)
        }
        result.append((from, .infinity))
        return result
    }
}
