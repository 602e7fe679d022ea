import Foundation

/// Change points in a series of per-commit levels whose sampling noise is known, robust to
/// single-commit outliers, telling slow drift from steps: `hhbench trend`'s default detector.
///
/// Otava (e-divisive means with t tests over sliding windows) sees one number per commit and must
/// guess the noise from its neighbours; the warehouse holds every commit's runs and samples, so
/// each level comes with its own sampling variance (`CommitLevels`). Four steps, on the log
/// scale when every level is positive (the caller passes working-scale levels):
///
/// 1. **Noise.** The total noise of a commit's level is estimated from the series by the MAD of
///    first differences (robust to steps, outliers and drift: Hampel 1974; the estimator of
///    Fryzlewicz 2014, *Ann. Statist.* 42(6), §3): τ² = (1.4826·MAD(Δy))² / 2. What the commits'
///    own samples do not explain is environment noise, σ²_e = max(0, τ² − median s²ᵢ), and commit
///    i's variance is vᵢ = σ²_e + s²ᵢ: a commit with more runs or samples weighs more.
/// 2. **Outliers.** A commit whose level lies more than `outlierZ` standard errors from the median
///    of the `neighbourhood` commits before it **and** from the median of those after it, the same
///    way, is an outlier: a one-off spike, not two change points. The newest and oldest commits
///    have one side only; there a deviation is an outlier until a second commit confirms it
///    (a change point needs `minimumSegment` commits after it).
/// 3. **Steps.** Optimal partitioning of the remaining levels (Jackson et al. 2005) with functional
///    pruning (FPOP: Maidstone, Hocking, Rigaill & Fearnhead 2017; `Segmentation`) under the
///    Gaussian cost with known variances,
///    Σ wᵢ(yᵢ − ȳ_seg)², wᵢ = 1/vᵢ, and a penalty β per change point. Adding a change point at a
///    given position to a segment without one lowers the cost by a χ²₁ variable, so with
///    β = χ²₁ quantile at 1 − ρ a series without change gets at most about ρ·n false change points
///    (a union bound over positions): ρ = `falseAlarmsPer1000` / 1000.
/// 4. **Drift.** Slow drift makes a staircase of small steps. The series is also fitted with one
///    common slope plus steps, alternating (the pooled within-segment weighted least-squares slope,
///    then steps on the detrended levels) from two starts: step 3's segments, and one line through
///    everything. The model with the lower penalised cost wins (one more β for the slope, as in
///    BIC-type selection); when the slope model wins, the drift is flagged and its steps (usually
///    none) are the change points. The slope model is fitted only when the slope within step 3's
///    segments is at least one standard error: a slope they do not even hint at cannot replace a
///    staircase, and skipping it saves most of the detector's time.
///
/// Each change point carries the weighted means of its two neighbouring segments and the z test of
/// their difference (known variances). Guarantees: the exact optimum of the penalised cost; about
/// O(n log n) time (FPOP keeps O(log n) candidates on average) and O(n) memory.
public enum LevelShifts {
    public struct Options: Sendable, Equatable {
        /// Expected false change points per 1,000 commits of a series that does not change.
        public var falseAlarmsPer1000 = 0.2
        /// Standard errors beyond which a commit that disagrees with both neighbourhoods is an outlier.
        public var outlierZ = 4.5
        /// Commits on each side that an outlier is judged against.
        public var neighbourhood = 4
        /// Commits a new level needs before it is a change point.
        public var minimumSegment = 2
        public init() {}
    }

    public struct Shift: Sendable, Equatable {
        /// The first commit of the new level (an index into the input).
        public let index: Int
        /// Weighted means of the segments before and after, on the working scale.
        public let before: Double
        public let after: Double
        public let z: Double
        public let pValue: Double
    }

    public struct DriftFit: Sendable, Equatable {
        /// Slope per commit on the working scale, and its standard error.
        public let slope: Double
        public let standardError: Double
        /// True when the model with a common slope fits better than steps alone.
        public let flagged: Bool
    }

    public struct Result: Sendable, Equatable {
        public let shifts: [Shift]
        /// Indices of commits judged one-off outliers.
        public let outliers: [Int]
        public let drift: DriftFit?
        /// The estimated total noise SD of a commit's level (τ).
        public let noiseSD: Double
    }

    /// `levels` on the working scale; `samplingVariances` each level's variance from its own runs
    /// and samples (0 when unknown).
    public static func detect(levels: [Double], samplingVariances: [Double], options: Options = Options()) -> Result {
        let n = levels.count
        let sampling = samplingVariances.count == n ? samplingVariances.map { $0.isFinite && $0 > 0 ? $0 : 0 } : Array(repeating: 0, count: n)
        guard n >= 3, levels.allSatisfy(\.isFinite) else { return Result(shifts: [], outliers: [], drift: nil, noiseSD: 0) }
        let tau2 = noiseVariance(levels)
        let environment = max(0, tau2 - Descriptive.median(sampling))
        let variances = sampling.map { environment + $0 }
        guard variances.allSatisfy({ $0 > 0 }) else {
            // Nothing varies at all: no change, no noise.
            return Result(shifts: [], outliers: [], drift: nil, noiseSD: 0)
        }
        let outliers = findOutliers(levels, variances: variances, options: options)
        let outlierSet = Set(outliers)
        let kept = (0..<n).filter { !outlierSet.contains($0) }
        let y = kept.map { levels[$0] }
        let w = kept.map { 1 / variances[$0] }
        let rho = min(0.5, max(1e-12, options.falseAlarmsPer1000 / 1000))
        let beta = pow(Normal.quantile(1 - rho / 2), 2)  // χ²₁ quantile at 1 − ρ
        let minimum = max(1, options.minimumSegment)

        let steps = Segmentation(y: y, w: w, beta: beta, minimum: minimum)
        var chosen = steps
        var drift: DriftFit?
        // The slope model, fitted by alternating slope and steps from two starts: the slope
        // within the step model's segments, and one line through everything.
        var best: (fit: Segmentation, slope: (slope: Double, standardError: Double))?
        // A slope the steps' own segments do not even hint at (|z| < 1) cannot replace a staircase:
        // then the slope model is not fitted (most series, and most of the detector's time).
        let hint = pooledSlope(y: y, w: w, cuts: steps.cuts)
        let worthFitting = hint.map { abs($0.slope) >= $0.standardError } ?? false
        for (start, rounds) in !worthFitting ? [] : steps.cuts.isEmpty ? [([Int](), 6)] : [(steps.cuts, 1), ([], 6)] {
            guard var slope = pooledSlope(y: y, w: w, cuts: start) else { continue }
            var fit = Segmentation(y: detrended(y, slope.slope), w: w, beta: beta, minimum: minimum)
            for _ in 0..<rounds {
                guard let refit = pooledSlope(y: y, w: w, cuts: fit.cuts) else { break }
                // Converged: the same steps give the same slope, and would give the same steps.
                if abs(refit.slope - slope.slope) <= 1e-3 * refit.standardError { break }
                let next = Segmentation(y: detrended(y, refit.slope), w: w, beta: beta, minimum: minimum)
                guard next.penalisedCost < fit.penalisedCost - 1e-9 else { break }
                (slope, fit) = (refit, next)
            }
            if let current = best, current.fit.penalisedCost <= fit.penalisedCost { continue }
            best = (fit, slope)
        }
        if let best, best.fit.penalisedCost + beta < steps.penalisedCost {
            chosen = best.fit
            drift = DriftFit(slope: best.slope.slope, standardError: best.slope.standardError, flagged: true)
        } else if let hint {
            drift = DriftFit(slope: hint.slope, standardError: hint.standardError, flagged: false)
        }
        let bounds = [0] + chosen.cuts + [y.count]
        let detrend: (Int) -> Double = { drift?.flagged == true ? (drift?.slope ?? 0) * Double($0) : 0 }
        var shifts: [Shift] = []
        for k in 1..<(bounds.count - 1) {
            let left = weightedMean(y, w, bounds[k - 1], bounds[k], detrend)
            let right = weightedMean(y, w, bounds[k], bounds[k + 1], detrend)
            let z = (right.mean - left.mean) / (1 / left.weight + 1 / right.weight).squareRoot()
            shifts.append(Shift(index: kept[bounds[k]], before: left.mean + detrend(bounds[k] - 1), after: right.mean + detrend(bounds[k]),
                                z: z, pValue: min(1, 2 * Normal.sf(abs(z)))))
        }
        return Result(shifts: shifts, outliers: outliers, drift: drift, noiseSD: tau2.squareRoot())
    }

    /// τ² = (1.4826 · MAD of first differences)² / 2, falling back to the mean absolute deviation
    /// (× √(π/2)) when more than half the differences are equal (quantised levels).
    static func noiseVariance(_ levels: [Double]) -> Double {
        let differences = zip(levels.dropFirst(), levels).map { $0 - $1 }
        let centre = Descriptive.median(differences)
        let deviations = differences.map { abs($0 - centre) }
        var sd = 1.4826 * Descriptive.median(deviations)
        if sd == 0 { sd = (Double.pi / 2).squareRoot() * deviations.reduce(0, +) / Double(max(deviations.count, 1)) }
        return sd * sd / 2
    }

    static func findOutliers(_ y: [Double], variances: [Double], options: Options) -> [Int] {
        let n = y.count
        let k = max(2, options.neighbourhood)
        var flagged: [Int] = []
        var isOutlier = [Bool](repeating: false, count: n)
        var window: [Double] = []
        window.reserveCapacity(k)
        func side(_ range: Range<Int>, _ i: Int) -> Double? {
            window.removeAll(keepingCapacity: true)
            var spread = 0.0
            for j in range {
                spread += variances[j]
                if !isOutlier[j] { window.append(y[j]) }
            }
            guard window.count >= 2 else { return nil }
            window.sort()
            let middle = window.count / 2
            let median = window.count % 2 == 1 ? window[middle] : (window[middle - 1] + window[middle]) / 2
            // The median of m values has about π/2 times the variance of their mean.
            spread /= Double(range.count)
            return (y[i] - median) / (variances[i] + Double.pi / 2 * spread / Double(window.count)).squareRoot()
        }
        for i in 0..<n {
            let before = side(max(0, i - k)..<i, i)
            let after = side((i + 1)..<min(n, i + 1 + k), i)
            let z: Double
            switch (before, after) {
            case let (b?, a?): z = (b > 0) == (a > 0) ? min(abs(b), abs(a)) : 0
            case let (b?, nil): z = i == n - 1 ? abs(b) : 0
            case let (nil, a?): z = i == 0 ? abs(a) : 0
            default: z = 0
            }
            if z > options.outlierZ {
                isOutlier[i] = true
                flagged.append(i)
            }
        }
        return flagged
    }

    /// The weighted least-squares slope common to all segments (each about its own mean), with its
    /// standard error under the known variances; nil when no segment has three points.
    static func pooledSlope(y: [Double], w: [Double], cuts: [Int]) -> (slope: Double, standardError: Double)? {
        let bounds = [0] + cuts + [y.count]
        var sxy = 0.0, sxx = 0.0
        for k in 1..<bounds.count where bounds[k] - bounds[k - 1] >= 3 {
            let range = bounds[k - 1]..<bounds[k]
            let weight = range.reduce(0.0) { $0 + w[$1] }
            let meanX = range.reduce(0.0) { $0 + w[$1] * Double($1) } / weight
            let meanY = range.reduce(0.0) { $0 + w[$1] * y[$1] } / weight
            for i in range {
                sxy += w[i] * (Double(i) - meanX) * (y[i] - meanY)
                sxx += w[i] * (Double(i) - meanX) * (Double(i) - meanX)
            }
        }
        guard sxx > 0 else { return nil }
        return (sxy / sxx, (1 / sxx).squareRoot())
    }

    static func detrended(_ y: [Double], _ slope: Double) -> [Double] {
        y.enumerated().map { $1 - slope * Double($0) }
    }

    static func weightedMean(_ y: [Double], _ w: [Double], _ from: Int, _ to: Int, _ detrend: (Int) -> Double) -> (mean: Double, weight: Double) {
        var weight = 0.0, sum = 0.0
        for i in from..<to {
            weight += w[i]
            sum += w[i] * (y[i] - detrend(i))
        }
        return (sum / weight, weight)
    }
}
