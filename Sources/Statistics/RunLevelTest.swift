import Foundation

/// A comparison of a candidate's runs with a baseline's runs that models noise at both levels it
/// exists: samples within a run, and runs within a history. A commit's 50,000 rounds are not
/// 50,000 independent observations of that commit; its runs are.
///
/// **Model.** On the log scale when every value is positive (changes are relative; lognormal
/// noise becomes normal), else on the raw scale, the location of run i is
/// `T_i = μ_side + b_i + e_i`: `b_i` is the run's own level (machine state, a warm cache), with
/// variance σ²_b, and `e_i` the sampling error of the run's location given its samples.
///
/// **Within runs.** Each run's location is its 10 % trimmed mean, at least one value trimmed from
/// each end from 5 values on, so one outlier or a heavy tail does not move it; its sampling
/// variance is Yuen's (1974) `(n−1)·s²_w / (h·(h−1))` (s²_w the winsorized variance, h the values
/// kept). 10 %, not Wilcox's 20 %: Stigler (1977, *Ann. Statist.* 5(6)) found the 10 % trimmed
/// mean among the best estimators on real measurement data, it keeps about 94 % of the mean's
/// efficiency on normal samples where 20 % keeps about 83 % at n = 10, and the small-sample
/// protection 20 % buys is given here by moderating the run noise (`RunNoisePrior`) instead.
///
/// **Between runs.** The test is the prediction-interval t test of run locations (Hahn & Meeker,
/// *Statistical Intervals*, §4.6): the spread of run locations about their side's mean, pooled
/// over both sides and over the older segments of the baseline (each about its own mean),
/// estimates σ²_b plus the sampling part together, so drift from run to run widens the interval
/// as it should, and the test is exact for normal run locations whatever σ_b is, zero included.
/// When the candidate's runs are noisier than the baseline's (fewer samples), the difference of
/// sampling variances is added, with Satterthwaite's (1946) degrees of freedom. Pooling runs with
/// samples after a preliminary test ("sometimes pool", Bancroft 1964) was tried and dropped: it
/// gained little power here and, when ten runs happen to look tight, understated run noise in
/// the extreme tail that a false discovery rate over hundreds of decisions depends on.
/// **Across decisions** (`moderated(by:)`): ten runs estimate the spread with only nine degrees of
/// freedom, which costs a t test much of its power. A call compares many series measured on the
/// same machines, so the ratio of each series' run spread to its sampling variance is moderated
/// toward the call's typical ratio by empirical Bayes (`RunNoisePrior`, Smyth 2004).
/// With fewer than three runs in all, σ_b cannot be estimated: it is taken as `assumedRunNoise`
/// (relative), said in `runNoiseAssumed`, and added to the sampling variance of both sides.
///
/// **Result.** The shift δ = T̄_candidate − T̄_baseline, its standard error, degrees of freedom,
/// the two-sided t p-value, intervals at any level, and the minimum detectable effect.
public struct RunLevelTest: Sendable, Equatable {
    public struct Options: Sendable, Equatable {
        /// The share trimmed from each end of a run's samples (at least one value from 5 on).
        public var trim = 0.1
        /// Run-to-run noise assumed, as a relative SD, when too few runs estimate it.
        public var assumedRunNoise = 0.03
        public init() {}
    }

    /// True when the values were compared as logarithms (all positive).
    public let logScale: Bool
    /// Side locations, back on the values' scale (for display: the change is candidate / baseline − 1).
    public let baselineLevel: Double
    public let candidateLevel: Double
    /// The shift on the working scale, and its standard error and degrees of freedom.
    public let shift: Double
    public private(set) var standardError: Double
    public private(set) var degreesOfFreedom: Double
    public private(set) var pValue: Double
    /// True when there were too few runs to estimate run-to-run noise and `assumedRunNoise` was used.
    public let runNoiseAssumed: Bool
    public let baselineRuns: Int
    public let candidateRuns: Int
    /// How the spread of run locations was estimated: from this series alone, or moderated across
    /// the call's decisions (`moderated(by:)`).
    public private(set) var moderation: Moderation = .none

    public enum Moderation: Sendable, Equatable {
        /// The series' own runs (or an assumed run noise).
        case none
        /// Moderated toward the call's typical ratio (`RunNoisePrior`).
        case moderated
        /// The series' spread is far above the call's typical ratio, so it kept its own.
        case hypervariable
    }

    /// What the variance is made of, kept so that `moderated(by:)` can recompute it.
    struct Parts: Sendable, Equatable {
        /// Pooled squared deviations of run locations over their degrees of freedom: σ²_b plus the
        /// average sampling variance. Nil when fewer than two degrees of freedom.
        var spread: Double?
        var spreadDF: Double
        /// The average sampling variance of the runs in `spread` (from the pooled winsorized
        /// variance, with `withinDF` degrees of freedom); 0 when runs hold one value.
        var typicalSampling: Double
        var withinDF: Double
        /// The candidate's extra sampling variance when its runs are noisier than the baseline's.
        var extra: Double
        /// With an assumed run noise: its variance, and the sampling variance of both sides.
        var assumedVariance: Double
        var sampled: Double
        /// 1/n_candidate + 1/n_baseline runs.
        var runFactor: Double
    }
    let parts: Parts

    /// The series' ratio of run spread to sampling variance, and its degrees of freedom, when
    /// both are measured (the input to `RunNoisePrior`).
    public var noiseRatio: (ratio: Double, degreesOfFreedom: Double)? {
        guard let spread = parts.spread, parts.typicalSampling > 0, parts.withinDF > 0 else { return nil }
        return (spread / parts.typicalSampling, parts.spreadDF)
    }

    /// Compares runs (each an array of samples; a run may hold one value). `history` holds
    /// groups of older runs (segments of the baseline before a change point): each group's runs
    /// vary about the group's own mean, which measures run-to-run noise without moving the
    /// baseline. Nil when a side is empty.
    public init?(baseline: [[Double]], candidate: [[Double]], history: [[[Double]]] = [], options: Options = Options()) {
        let baselineRuns = baseline.filter { !$0.isEmpty }
        let candidateRuns = candidate.filter { !$0.isEmpty }
        guard !baselineRuns.isEmpty, !candidateRuns.isEmpty else { return nil }
        let historyGroups = history.map { $0.filter { !$0.isEmpty } }.filter { $0.count >= 2 }
        let all = baselineRuns + candidateRuns + historyGroups.flatMap { $0 }
        logScale = all.allSatisfy { run in run.allSatisfy { $0 > 0 && $0.isFinite } }
        let transform: (Double) -> Double = logScale ? { Foundation.log($0) } : { $0 }
        let baselineStats = baselineRuns.map { RunLocation($0.map(transform), trim: options.trim) }
        let candidateStats = candidateRuns.map { RunLocation($0.map(transform), trim: options.trim) }
        let historyStats = historyGroups.map { $0.map { RunLocation($0.map(transform), trim: options.trim) } }

        let meanB = Self.mean(baselineStats.map(\.location))
        let meanC = Self.mean(candidateStats.map(\.location))
        shift = meanC - meanB
        self.baselineRuns = baselineRuns.count
        self.candidateRuns = candidateRuns.count
        baselineLevel = logScale ? Foundation.exp(meanB) : meanB
        candidateLevel = logScale ? Foundation.exp(meanC) : meanC

        // Stage one: the pooled winsorized variance and each side's average variance factor.
        let withSamples = (baselineStats + candidateStats + historyStats.flatMap { $0 }).filter { $0.kept >= 2 }
        let withinDF = Double(withSamples.reduce(0) { $0 + $1.kept - 1 })
        let pooledWinsorized = withinDF > 0
            ? withSamples.reduce(0.0) { $0 + $1.winsorizedVariance * Double($1.count - 1) } / Double(withSamples.reduce(0) { $0 + $1.count - 1 })
            : 0
        let factorB = Self.mean(baselineStats.map(\.varianceFactor))
        let factorC = Self.mean(candidateStats.map(\.varianceFactor))
        let samplingB = withinDF > 0 ? pooledWinsorized * factorB : 0  // Var(T_i | run), baseline runs
        let samplingC = withinDF > 0 ? pooledWinsorized * factorC : 0

        // Stage two: the spread of run locations, pooled over both sides and older segments.
        var squares = baselineStats.reduce(0.0) { $0 + ($1.location - meanB) * ($1.location - meanB) }
            + candidateStats.reduce(0.0) { $0 + ($1.location - meanC) * ($1.location - meanC) }
        var betweenDF = Double(baselineRuns.count - 1 + candidateRuns.count - 1)
        for group in historyStats {
            let mean = Self.mean(group.map(\.location))
            squares += group.reduce(0.0) { $0 + ($1.location - mean) * ($1.location - mean) }
            betweenDF += Double(group.count - 1)
        }
        let nB = Double(baselineRuns.count), nC = Double(candidateRuns.count)

        let runFactor = 1 / nC + 1 / nB
        let extra = max(0, (samplingC - samplingB)) / nC
        let spreadRuns = baselineStats + candidateStats + historyStats.flatMap { $0 }
        let typicalSampling = withinDF > 0 ? pooledWinsorized * Self.mean(spreadRuns.map(\.varianceFactor)) : 0
        if betweenDF >= 2 {
            parts = Parts(spread: squares / betweenDF, spreadDF: betweenDF, typicalSampling: typicalSampling, withinDF: withinDF,
                          extra: extra, assumedVariance: 0, sampled: 0, runFactor: runFactor)
        } else {
            // One or two runs in all: run-to-run noise cannot be estimated; assume it.
            let assumedSD = logScale ? Foundation.log(1 + options.assumedRunNoise) : options.assumedRunNoise * abs(meanB)
            parts = Parts(spread: nil, spreadDF: 0, typicalSampling: typicalSampling, withinDF: withinDF, extra: 0,
                          assumedVariance: assumedSD * assumedSD * runFactor, sampled: samplingC / nC + samplingB / nB,
                          runFactor: runFactor)
        }
        runNoiseAssumed = parts.spread == nil
        (standardError, degreesOfFreedom, pValue) = Self.evaluate(shift: shift, parts: parts, spread: parts.spread, spreadDF: parts.spreadDF)
    }

    /// Standard error, degrees of freedom and p-value from the variance's parts, with the spread
    /// (and its degrees of freedom) as estimated alone or moderated.
    static func evaluate(shift: Double, parts: Parts, spread: Double?, spreadDF: Double) -> (Double, Double, Double) {
        var variance: Double
        var df: Double
        if let spread {
            let fromSpread = spread * parts.runFactor
            variance = fromSpread + parts.extra
            // Satterthwaite (1946) for the two estimated parts.
            let denominator = fromSpread * fromSpread / spreadDF + (parts.withinDF > 0 ? parts.extra * parts.extra / parts.withinDF : 0)
            df = denominator > 0 ? variance * variance / denominator : spreadDF
        } else {
            variance = parts.assumedVariance + parts.sampled
            // Satterthwaite: the assumed part is taken as known; only the sampling part is estimated.
            df = parts.withinDF > 0 && parts.sampled > 0 ? variance * variance / (parts.sampled * parts.sampled / parts.withinDF) : .infinity
        }
        let standardError = variance.squareRoot()
        let p: Double
        if standardError > 0 {
            let t = shift / standardError
            p = df.isFinite ? StudentT(degreesOfFreedom: df).twoSidedP(t) : min(1, 2 * Normal.sf(abs(t)))
        } else {
            p = shift == 0 ? 1 : 0
        }
        return (standardError, df, p)
    }

    /// This test with its run spread moderated toward the call's typical ratio (Smyth 2004, eq. 9
    /// and §6): ratiõ = (d₀·ratio₀ + d·ratio) / (d₀ + d), spread̃ = ratiõ · sampling variance.
    /// Its degrees of freedom follow the log-variance of that estimate, 2 / (2/(d₀+d) + w²·2/d_w),
    /// with w = d₀/(d₀+d) the prior's weight and d_w the within-run variance's degrees of freedom:
    /// a fully pooled spread is only as sure as the sampling variance it scales. A series whose
    /// ratio lies beyond the prior's upper 5 % (much noisier from run to run than the rest: the
    /// "hypervariable" series Phipson et al. 2016 protect) keeps its own estimate.
    public func moderated(by prior: RunNoisePrior) -> RunLevelTest {
        guard let own = noiseRatio, own.ratio > 0 else { return self }
        var result = self
        if prior.upperTail(ratio: own.ratio, degreesOfFreedom: own.degreesOfFreedom) < 0.05 {
            result.moderation = .hypervariable
            return result
        }
        let d = own.degreesOfFreedom, d0 = prior.degreesOfFreedom
        let weight = d0.isFinite ? d0 / (d0 + d) : 1
        let ratio = d0.isFinite ? (d0 * prior.ratio + d * own.ratio) / (d0 + d) : prior.ratio
        let logVariance = (d0.isFinite ? 2 / (d0 + d) : 0) + weight * weight * 2 / parts.withinDF
        let spreadDF = max(d, 2 / logVariance)
        (result.standardError, result.degreesOfFreedom, result.pValue) =
            Self.evaluate(shift: shift, parts: parts, spread: ratio * parts.typicalSampling, spreadDF: spreadDF)
        result.moderation = .moderated
        return result
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }

    /// The critical value of the two-sided interval at `level` (0.95 for a 95 % interval).
    public func critical(level: Double) -> Double {
        let p = 1 - (1 - level) / 2
        return degreesOfFreedom.isFinite ? StudentT(degreesOfFreedom: degreesOfFreedom).quantile(p) : Normal.quantile(p)
    }

    /// The interval of the shift at `level`, on the working scale.
    public func interval(level: Double) -> (low: Double, high: Double) {
        let half = critical(level: min(max(level, 1e-12), 1 - 1e-15)) * standardError
        return (shift - half, shift + half)
    }

    /// A shift on the working scale as a percentage change of the baseline.
    public func percent(_ value: Double) -> Double {
        if logScale { return (Foundation.exp(value) - 1) * 100 }
        return baselineLevel == 0 ? .nan : value / abs(baselineLevel) * 100
    }

    /// A percentage change as a shift on the working scale.
    public func shift(percent: Double) -> Double {
        logScale ? Foundation.log(1 + percent / 100) : percent / 100 * abs(baselineLevel)
    }

    /// The smallest shift (in percent, as a magnitude) that this test would find with probability
    /// `power` at two-sided level `alpha`: (t₁₋α/₂ + t_power) · SE (e.g. Cohen 1988, ch. 2).
    public func minimumDetectablePercent(alpha: Double, power: Double = 0.8) -> Double {
        let tPower = degreesOfFreedom.isFinite ? StudentT(degreesOfFreedom: degreesOfFreedom).quantile(power) : Normal.quantile(power)
        let size = (critical(level: 1 - alpha) + tPower) * standardError
        return abs(percent(size))
    }
}

/// A run's robust location (trimmed mean) and what its sampling variance is made of.
struct RunLocation {
    let location: Double
    let count: Int
    /// Values kept after trimming (h).
    let kept: Int
    /// Winsorized sample variance (n − 1 denominator); 0 for one value.
    let winsorizedVariance: Double
    /// Var(trimmed mean) = winsorizedVariance · varianceFactor (Yuen 1974): (n − 1) / (h (h − 1)).
    let varianceFactor: Double

    init(_ values: [Double], trim: Double) {
        if values.count == 1 {
            // One value (a given value, or a summary): its own location, no sampling variance.
            (location, count, kept, winsorizedVariance, varianceFactor) = (values[0], 1, 1, 0, 0)
            return
        }
        let sorted = values.sorted()
        let n = sorted.count
        count = n
        // At least one value off each end from 5 values on: one outlier never moves a location.
        let g = max(trim > 0 && n >= 5 ? 1 : 0, Int((trim * Double(n)).rounded(.down)))
        let h = n - 2 * g
        kept = h
        location = sorted[g..<(n - g)].reduce(0, +) / Double(h)
        if n >= 2, h >= 2 {
            let low = sorted[g], high = sorted[n - g - 1]
            let winsorized = sorted.map { min(max($0, low), high) }
            let mean = winsorized.reduce(0, +) / Double(n)
            winsorizedVariance = winsorized.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
            varianceFactor = Double(n - 1) / (Double(h) * Double(h - 1))
        } else {
            winsorizedVariance = 0
            varianceFactor = 0
        }
    }
}
