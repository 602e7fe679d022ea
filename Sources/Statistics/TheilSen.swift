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
        // Only the order statistics needed are found (SlopeSelection): never the whole n(n−1)/2
        // slopes (1.6 GB for 20,000 points).
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

/// Order statistics of the pairwise slopes without forming them.
///
/// **Fast path** (`InversionBand`): the slopes in a band (lo, hi] are exactly the pairs that the
/// orders by y − lo·x and by y − hi·x put the other way round, so counting them is counting
/// inversions (O(n log n), a Fenwick tree) and drawing any of them by number is a sweep of the same
/// tree. Each wanted rank starts with every slope, draws 16 n at random, narrows the band to the
/// sampled quantiles about the rank (randomized slope selection: Matoušek 1991; Dillencourt, Mount
/// & Netanyahu 1992), and repeats until at most 16 n slopes are inside, which are drawn all and
/// sorted. Band edges sit midway between sampled slopes, so no sampled slope lies on one. Expected
/// O(n log n) time, O(n) memory.
///
/// **Exact path** for heavily tied slopes (quantised data, where many slopes share a value and
/// floating-point keys could put a tied slope on either side of an edge): the pairs are streamed and
/// each rank keeps a band (lo, hi] narrowed by a reservoir sample, comparing the slopes themselves
/// (O(n²) time per pass, O(n) memory). It is also used below 2,000 points, where it is as fast.
enum SlopeSelection {
    static func orderStatistics(x: [Double], y: [Double], ranks: [Int], count: Int) -> [Double] {
        orderStatisticsAndCost(x: x, y: y, ranks: ranks, count: count).values
    }

    static let exactBelow = 2_000

    /// The order statistics, the passes over the data, and the most slopes held at once.
    static func orderStatisticsAndCost(x: [Double], y: [Double], ranks: [Int], count: Int, forceFast: Bool = false)
        -> (values: [Double], passes: Int, peakHeld: Int) {
        if x.count >= exactBelow || forceFast, let fast = fastOrderStatistics(x: x, y: y, ranks: ranks, count: count) {
            return fast
        }
        return streamingOrderStatistics(x: x, y: y, ranks: ranks, count: count)
    }

    /// Nil when the sampled slopes are heavily tied (then the exact path answers).
    static func fastOrderStatistics(x: [Double], y: [Double], ranks: [Int], count: Int) -> (values: [Double], passes: Int, peakHeld: Int)? {
        let n = x.count
        let keep = max(4096, 16 * n)
        var generator = SplitMix64(seed: 0x7E11_5E17)
        var passes = 0, peakHeld = 0
        var values: [Double] = []
        for rank in ranks {
            var low = -Double.infinity, high = Double.infinity
            var under = 0
            var attempts = 0
            while true {
                attempts += 1
                guard attempts <= 40 else { return nil }
                let band = InversionBand(x: x, y: y, low: low, high: high)
                let inside = band.count()
                passes += 1
                under = low == -.infinity ? 0 : count - InversionBand(x: x, y: y, low: low, high: .infinity).count()
                if rank < under { low = -.infinity; continue }  // missed low: widen
                if rank >= under + inside { high = .infinity; continue }  // missed high: widen
                if inside <= keep {
                    var all = band.slopes(numbered: Array(0..<inside))
                    peakHeld = max(peakHeld, all.count)
                    all.sort()
                    values.append(all[rank - under])
                    break
                }
                let draws = (0..<keep).map { _ in Int(generator.next() % UInt64(inside)) }.sorted()
                var sample = band.slopes(numbered: draws)
                peakHeld = max(peakHeld, sample.count)
                sample.sort()
                // Heavily tied slopes: the exact path.
                var longest = 1, run = 1
                for i in 1..<sample.count { run = sample[i] == sample[i - 1] ? run + 1 : 1; longest = max(longest, run) }
                if longest * 100 > sample.count { return nil }
                let m = Double(sample.count)
                let margin = 4 / m.squareRoot() + 2 / m
                let q = (Double(rank - under) + 0.5) / Double(inside)
                let lowIndex = Int((q - margin) * m), highIndex = Int((q + margin) * m)
                func edge(_ index: Int) -> Double {
                    // Midway between the sampled slope at `index` and the next larger one.
                    guard index >= 0, index < sample.count else { return index < 0 ? low : high }
                    let value = sample[index]
                    guard let next = sample[(index + 1)...].first(where: { $0 > value }) else { return high }
                    return value + (next - value) / 2
                }
                low = max(low, edge(lowIndex - 1))
                high = min(high, edge(highIndex))
            }
        }
        return (values, passes, peakHeld)
    }
    /// The exact path: the pairs streamed, each rank's band narrowed by a reservoir sample.
    static func streamingOrderStatistics(x: [Double], y: [Double], ranks: [Int], count: Int)
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

/// The slopes in (low, high] as the inversions between two orders of the points: by
/// (y − low·x ascending, x descending) and by (y − high·x ascending, x descending); an infinite
/// edge orders by x (and y) alone. A pair the first order puts p before q and the second q before
/// p has x_p < x_q and low < (y_q − y_p)/(x_q − x_p) ≤ high, and every such pair is one.
struct InversionBand {
    /// Point indices in the first order, and each point's position in the second.
    let order: [Int]
    let secondRank: [Int]
    let x: [Double], y: [Double]

    init(x: [Double], y: [Double], low: Double, high: Double) {
        self.x = x
        self.y = y
        let n = x.count
        func sorted(_ edge: Double, infinite: Bool, descendingX: Bool) -> [Int] {
            if infinite {
                return (0..<n).sorted { a, b in
                    let xa = descendingX ? -x[a] : x[a], xb = descendingX ? -x[b] : x[b]
                    return (xa, y[a], a) < (xb, y[b], b)
                }
            }
            let key = (0..<n).map { y[$0] - edge * x[$0] }
            return (0..<n).sorted { a, b in (key[a], -x[a], a) < (key[b], -x[b], b) }
        }
        order = sorted(low, infinite: low == -.infinity, descendingX: false)
        let second = sorted(high, infinite: high == .infinity, descendingX: true)
        var rank = [Int](repeating: 0, count: n)
        for (position, point) in second.enumerated() { rank[point] = position }
        secondRank = rank
    }

    /// The number of slopes in the band.
    func count() -> Int {
        var tree = Fenwick(size: order.count)
        var total = 0
        for (position, point) in order.enumerated() {
            total += position - tree.prefix(secondRank[point])
            tree.add(secondRank[point])
        }
        return total
    }

    /// The slopes numbered `numbers` (ascending, repeats allowed) among the band's pairs, numbered
    /// in the sweep's order: by the later point in the first order, then by the earlier point's
    /// position in the second.
    func slopes(numbered numbers: [Int]) -> [Double] {
        var tree = Fenwick(size: order.count)
        var pointAt = [Int](repeating: 0, count: order.count)
        for point in order { pointAt[secondRank[point]] = point }
        var result: [Double] = []
        result.reserveCapacity(numbers.count)
        var next = 0, before = 0
        for (position, q) in order.enumerated() {
            guard next < numbers.count else { break }
            let atOrBelow = tree.prefix(secondRank[q])
            let here = position - atOrBelow
            while next < numbers.count, numbers[next] < before + here {
                // The (offset)-th inserted point ranked above q in the second order.
                let p = pointAt[tree.kth(atOrBelow + numbers[next] - before)]
                result.append((y[q] - y[p]) / (x[q] - x[p]))
                next += 1
            }
            before += here
            tree.add(secondRank[q])
        }
        return result
    }
}

/// A Fenwick (binary indexed) tree of 0/1 counts over positions 0..<size.
struct Fenwick {
    private var tree: [Int]
    private let highestBit: Int

    init(size: Int) {
        tree = [Int](repeating: 0, count: size + 1)
        var bit = 1
        while bit * 2 <= size { bit *= 2 }
        highestBit = bit
    }

    mutating func add(_ position: Int) {
        var i = position + 1
        while i < tree.count { tree[i] += 1; i += i & -i }
    }

    /// How many marked positions are below `position`.
    func prefix(_ position: Int) -> Int {
        var i = position, total = 0
        while i > 0 { total += tree[i]; i -= i & -i }
        return total
    }

    /// The position of the marked one with `k` marked below it (0-based k).
    func kth(_ k: Int) -> Int {
        var position = 0, remaining = k
        var bit = highestBit
        while bit > 0 {
            let next = position + bit
            if next < tree.count, tree[next] <= remaining {
                position = next
                remaining -= tree[next]
            }
            bit /= 2
        }
        return position
    }
}
