import Foundation

/// Change point detection: e-divisive means with a Student-t significance test over sliding
/// windows, the algorithm of Hunter (Fleming et al., "Hunter: Using Change Point Detection to
/// Hunt for Performance Regressions", ICPE 2023, doi:10.1145/3578244.3583719) as Apache Otava
/// 0.8.0 implements it (`otava.analysis.compute_change_points`), on top of the divisive
/// estimator of Matteson & James ("A Nonparametric Approach for Multiple Change Point Analysis
/// of Multivariate Data", JASA 2014, arXiv:1306.4933).
///
/// 1. **Split:** windows of `window` points, stepping by half a window (or to the last change
///    point found), each searched divisively: the split τ maximising the energy statistic
///    Q̂(X, Y) = 2/(m+n) ΣΣ|Xᵢ−Yⱼ| − 2m/((m+n)(n−1)) Σ|Xᵢ−Xₖ| − 2n/((m+n)(m−1)) Σ|Yⱼ−Yₖ| is kept while
///    the two-sample t-test between its neighbouring segments has p ≤ 10 × `maxPValue` (the first
///    pass; 2 × from 0.05, 1 × from 0.5). The union of these "weak" change points is kept.
/// 2. **Merge:** repeatedly drop the weak point with the largest p-value while it is ≥
///    `maxPValue`, or, once all pass, the one with the smallest relative change while that is ≤
///    `minMagnitude`; after each drop the points next to it are re-tested (Otava re-tests the point
///    that takes the dropped one's place and the one after it, and so does this port).
///
/// The t-test is Otava's: means and population standard deviations of the two segments into
/// `scipy.stats.ttest_ind_from_stats` (pooled variance, n₁+n₂−2 degrees of freedom), p = 1 when
/// the two segments hold two points or fewer. Defaults are Otava's: window 50, max p-value 0.001,
/// min magnitude 0.
public enum ChangePoints {
    public struct Options: Sendable, Equatable {
        public var window = 50
        public var maxPValue = 0.001
        public var minMagnitude = 0.0
        public init() {}
    }

    public struct ChangePoint: Sendable, Equatable {
        /// The first point of the new segment.
        public let index: Int
        public let pValue: Double
        public let meanBefore: Double
        public let meanAfter: Double
        public let stdBefore: Double
        public let stdAfter: Double

        /// (after / before − 1), 0 when the mean before is 0.
        public var forwardChange: Double { meanBefore == 0 ? 0 : meanAfter / meanBefore - 1 }
        var backwardChange: Double { meanAfter == 0 ? 0 : meanBefore / meanAfter - 1 }
        /// The larger of the forward and backward relative changes, as Otava's `change_magnitude`.
        public var magnitude: Double { max(abs(forwardChange), abs(backwardChange)) }
    }

    public static func detect(_ series: [Double], options: Options = Options()) -> [ChangePoint] {
        guard series.count >= 2 else { return [] }
        let firstPass = options.maxPValue < 0.05 ? options.maxPValue * 10 : (options.maxPValue < 0.5 ? options.maxPValue * 2 : options.maxPValue)
        let weak = split(series, window: max(2, options.window), maxPValue: firstPass)
        return merge(weak, series: series, maxPValue: options.maxPValue, minMagnitude: options.minMagnitude)
    }

    /// The weak change points of the split step, with their stats against their neighbours.
    static func split(_ series: [Double], window: Int, maxPValue: Double) -> [ChangePoint] {
        let step = window / 2
        var indices: [Int] = []
        var start = 0
        while start < series.count {
            let end = min(start + window, series.count)
            let found = divisive(Array(series[start..<end]), maxPValue: maxPValue).map { $0 + start }
            start = max(found.last ?? 0, start + step)
            for index in found where !indices.contains(index) { indices.append(index) }
        }
        indices.sort()
        return indices.enumerated().map { position, index in
            stats(index, left: position == 0 ? 0 : indices[position - 1],
                  right: position + 1 < indices.count ? indices[position + 1] : series.count, series)
        }
    }

    static func merge(_ weak: [ChangePoint], series: [Double], maxPValue: Double, minMagnitude: Double) -> [ChangePoint] {
        var points = weak
        while !points.isEmpty {
            var weakest = firstMax(points) { $0.pValue }
            if points[weakest].pValue < maxPValue {
                weakest = firstMax(points) { -$0.magnitude }
                if points[weakest].magnitude > minMagnitude { return points }
            }
            points.remove(at: weakest)
            for position in [weakest, weakest + 1] where position < points.count {
                let left = position == 0 ? 0 : points[position - 1].index
                let right = position + 1 < points.count ? points[position + 1].index : series.count
                points[position] = stats(points[position].index, left: left, right: right, series)
            }
        }
        return points
    }

    /// Python's `max(items, key=...)`: the first item whose key no later item exceeds (strictly).
    private static func firstMax(_ points: [ChangePoint], _ key: (ChangePoint) -> Double) -> Int {
        var best = 0
        for index in points.indices.dropFirst() where key(points[index]) > key(points[best]) { best = index }
        return best
    }

    /// The divisive search in one window: split points (window-local), in increasing order.
    static func divisive(_ window: [Double], maxPValue: Double) -> [Int] {
        let calculator = EnergyStatistic(window)
        var points: [Int] = []
        while true {
            let bounds = [0] + points + [window.count]
            var best: (index: Int, qhat: Double)?
            for k in 0..<(bounds.count - 1) where bounds[k + 1] - bounds[k] > 1 {
                let candidate = calculator.bestSplit(from: bounds[k], to: bounds[k + 1])
                if best == nil || candidate.qhat > best!.qhat { best = candidate }
            }
            guard let candidate = best else { break }
            let position = points.firstIndex { $0 > candidate.index } ?? points.count
            let left = position == 0 ? 0 : points[position - 1]
            let right = position < points.count ? points[position] : window.count
            let tested = stats(candidate.index, left: left, right: right, window)
            guard tested.pValue <= maxPValue else { break }
            points.insert(candidate.index, at: position)
        }
        return points
    }

    /// The t-test between series[left..<index] and series[index..<right], as Otava's TTestSignificanceTester.
    static func stats(_ index: Int, left: Int, right: Int, _ series: [Double]) -> ChangePoint {
        let a = series[left..<index], b = series[index..<right]
        let (meanA, stdA) = meanAndPopulationStd(a)
        let (meanB, stdB) = meanAndPopulationStd(b)
        var p = 1.0
        if a.count + b.count > 2 {
            let n1 = Double(a.count), n2 = Double(b.count)
            let df = n1 + n2 - 2
            let pooled = ((n1 - 1) * stdA * stdA + (n2 - 1) * stdB * stdB) / df
            let t = (meanA - meanB) / (pooled * (1 / n1 + 1 / n2)).squareRoot()
            p = t.isNaN ? .nan : (t.isInfinite ? 0 : StudentT(degreesOfFreedom: df).twoSidedP(t))
        }
        return ChangePoint(index: index, pValue: p, meanBefore: meanA, meanAfter: meanB, stdBefore: stdA, stdAfter: stdB)
    }

    static func meanAndPopulationStd(_ values: ArraySlice<Double>) -> (Double, Double) {
        guard !values.isEmpty else { return (.nan, .nan) }
        let mean = values.reduce(0, +) / Double(values.count)
        guard values.count >= 2 else { return (mean, 0) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, variance.squareRoot())
    }
}

/// Q̂ of Matteson & James for every split of a segment, from prefix sums of pairwise distances:
/// O(L²) per segment of L points.
struct EnergyStatistic {
    let count: Int
    /// columnPrefix[c][a] = Σ_{j<a} |x_j − x_c|
    let columnPrefix: [[Double]]

    init(_ values: [Double]) {
        count = values.count
        var prefix = [[Double]](repeating: [Double](repeating: 0, count: values.count + 1), count: values.count)
        for c in 0..<values.count {
            for j in 0..<values.count { prefix[c][j + 1] = prefix[c][j] + abs(values[j] - values[c]) }
        }
        columnPrefix = prefix
    }

    /// Σ_{i=from}^{to−1} |x_i − x_column|
    @inline(__always)
    func sum(column: Int, from: Int, to: Int) -> Double { columnPrefix[column][to] - columnPrefix[column][from] }

    /// The τ in (start, end) and κ in (τ, end] maximising Q̂(x[start..<τ], x[τ..<κ]); the first
    /// maximum in (τ, κ) order, as numpy's argmax over Otava's Q matrix.
    func bestSplit(from start: Int, to end: Int) -> (index: Int, qhat: Double) {
        var best = (index: start + 1, qhat: -Double.infinity)
        var withinX = 0.0
        for tau in (start + 1)..<end {
            withinX += sum(column: tau - 1, from: start, to: tau - 1)
            var between = 0.0
            var withinY = 0.0
            let n = Double(tau - start)
            for kappa in (tau + 1)...end {
                between += sum(column: kappa - 1, from: start, to: tau)
                withinY += sum(column: kappa - 1, from: tau, to: kappa - 1)
                let m = Double(kappa - tau)
                var q = 2 / (m + n) * between
                if n > 1 { q -= 2 * m / ((m + n) * (n - 1)) * withinX }
                if m > 1 { q -= 2 * n / ((m + n) * (m - 1)) * withinY }
                if q > best.qhat { best = (tau, q) }
            }
        }
        return best
    }
}
