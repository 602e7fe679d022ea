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
        guard x.count == y.count else { return nil }
        let n = x.count
        guard n >= 3 else { return nil }
        // Count the pairs with distinct x (the slopes that exist) without forming them.
        var sortedX = x.sorted()
        var tiedPairs = 0
        var run = 1
        for index in 1..<n {
            if sortedX[index] == sortedX[index - 1] { run += 1 } else { tiedPairs += run * (run - 1) / 2; run = 1 }
        }
        tiedPairs += run * (run - 1) / 2
        sortedX.removeAll()
        let count = n * (n - 1) / 2 - tiedPairs
        guard count > 0 else { return nil }
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
        let total = Double(count)
        // scipy.stats.theilslopes: Ru = round((N + C)/2), Rl = round((N - C)/2) - 1, clipped to the range.
        let upperRank = min(count - 1, max(0, Int(((total + c) / 2).rounded(.toNearestOrEven))))
        let lowerRank = min(count - 1, max(0, Int(((total - c) / 2).rounded(.toNearestOrEven)) - 1))
        let medianRank = Double(count - 1) / 2
        let lowest = min(lowerRank, Int(medianRank.rounded(.down)))
        let highest = max(upperRank, min(count - 1, Int(medianRank.rounded(.up))))
        // Only the order statistics needed are found, each in a narrow band of slopes: never the
        // whole n(n−1)/2 (1.6 GB for 20,000 points).
        let ranks = [lowerRank, Int(medianRank.rounded(.down)), Int(medianRank.rounded(.up)), upperRank]
        let values = SlopeSelection.orderStatistics(x: x, y: y, ranks: ranks, count: count)
        func order(_ rank: Int) -> Double { values[ranks.firstIndex(of: rank) ?? 0] }
        let medianLow = order(Int(medianRank.rounded(.down)))
        let medianHigh = order(Int(medianRank.rounded(.up)))
        let fraction = medianRank - medianRank.rounded(.down)
        // The middle of an even count interpolated as numpy's _lerp does (as Descriptive.percentile).
        let difference = medianHigh - medianLow
        slope = fraction == 0 ? medianLow
            : (fraction >= 0.5 ? medianHigh - difference * (1 - fraction) : medianLow + difference * fraction)
        intercept = Descriptive.median(y) - slope * Descriptive.median(x)
        lower = order(lowerRank)
        upper = order(upperRank)
    }
}

/// Order statistics of the pairwise slopes in O(n) memory, by streaming the pairs (Theil–Sen's
/// slopes are computed exactly as the all-pairs method computes them, so the numbers are the
/// same). Each wanted rank r keeps value bounds (lo, hi]: a pass over all pairs counts the slopes
/// below lo and within; when few enough are within (16 n), they are kept and sorted and the r-th
/// is read off; otherwise a reservoir sample of those within narrows the bounds for the next pass
/// (as in randomized slope selection, e.g. Matoušek 1991, with passes in place of his range
/// counting). Bounds that miss the rank are widened. Two or three passes are typical, each
/// O(n²) time and O(n) memory.
enum SlopeSelection {
    static func orderStatistics(x: [Double], y: [Double], ranks: [Int], count: Int) -> [Double] {
        orderStatisticsAndCost(x: x, y: y, ranks: ranks, count: count).values
    }

    /// The order statistics, the passes over the pairs, and the most slopes held at once.
    static func orderStatisticsAndCost(x: [Double], y: [Double], ranks: [Int], count: Int)
        -> (values: [Double], passes: Int, peakHeld: Int) {
        let n = x.count
        let keep = max(4096, 16 * n)
        let sampleSize = max(4096, 16 * n)
        var generator = SplitMix64(seed: 0x7E11_5E17)
        struct Target {
            let rank: Int
            var low = -Double.infinity, high = Double.infinity
            var result: Double?
        }
        var targets = ranks.map { Target(rank: $0) }
        var passes = 0
        var peakHeld = 0
        func forEachSlope(_ body: (Double) -> Void) {
            for i in 0..<n { for j in (i + 1)..<n where x[j] != x[i] { body((y[j] - y[i]) / (x[j] - x[i])) } }
        }
        while targets.contains(where: { $0.result == nil }) {
            let open = targets.indices.filter { targets[$0].result == nil }
            var under = [Int](repeating: 0, count: targets.count)
            var inside = [Int](repeating: 0, count: targets.count)
            var kept = [[Double]](repeating: [], count: targets.count)
            var reservoirs = [[Double]](repeating: [], count: targets.count)
            passes += 1
            forEachSlope { slope in
                for t in open {
                    if slope <= targets[t].low { under[t] += 1; continue }
                    guard slope <= targets[t].high else { continue }
                    inside[t] += 1
                    if inside[t] <= keep { kept[t].append(slope) }
                    // Reservoir sampling (Vitter's algorithm R) of the slopes within.
                    if reservoirs[t].count < sampleSize { reservoirs[t].append(slope) }
                    else {
                        let slot = Int(generator.next() % UInt64(inside[t]))
                        if slot < sampleSize { reservoirs[t][slot] = slope }
                    }
                }
            }
            peakHeld = max(peakHeld, kept.reduce(0) { $0 + $1.count } + reservoirs.reduce(0) { $0 + $1.count })
            for t in open {
                let rank = targets[t].rank
                if under[t] > rank { targets[t].low = -Double.infinity; continue }  // missed low: widen
                if under[t] + inside[t] <= rank { targets[t].high = Double.infinity; continue }  // missed high
                if inside[t] <= keep {
                    kept[t].sort()
                    targets[t].result = kept[t][rank - under[t]]
                    continue
                }
                if targets[t].low.nextUp >= targets[t].high {
                    // The bounds hold one value only (many tied slopes): it is the answer.
                    targets[t].result = targets[t].high
                    continue
                }
                let sample = reservoirs[t].sorted()
                let m = Double(sample.count)
                let margin = 4 / m.squareRoot() + 2 / m
                let q = (Double(rank - under[t]) + 0.5) / Double(inside[t])
                let lowIndex = Int((q - margin) * m), highIndex = Int((q + margin) * m)
                // Bounds are exclusive below, inclusive above: (low, high].
                // nextDown: a run of tied slopes at the lower bound stays inside the band.
                var low = lowIndex < 1 ? targets[t].low : sample[lowIndex - 1].nextDown
                let high = highIndex >= sample.count ? targets[t].high : sample[highIndex]
                if low >= high { low = high.nextDown }  // a tie spans the band: test that one value next
                targets[t].low = max(low, targets[t].low)
                targets[t].high = min(high, targets[t].high)
            }
        }
        return (targets.map { $0.result ?? .nan }, passes, peakHeld)
    }
}
