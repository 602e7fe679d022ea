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
/// Three runs in all (two baseline commits and one candidate run: a new project) give the spread
/// one degree of freedom, which moderation turns into many. With fewer than three runs in all
/// (one a side) σ_b cannot be estimated from the series: `moderated(by:)` takes it from the call's
/// prior when there is one (`borrowed`), else it is `assumedRunNoise` (relative), said in
/// `runNoiseAssumed`. Either way the two runs' sampling variances are each side's own, with
/// Welch–Satterthwaite degrees of freedom (Yuen's 1974 trimmed Welch test when nothing is added):
/// one run of 10 samples against one of 30 is not a pooled test.
///
/// **Result.** The shift δ = T̄_candidate − T̄_baseline, its standard error, degrees of freedom,
/// the two-sided t p-value, intervals at any level, and the minimum detectable effect.
public struct RunLevelTest: Sendable {
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
    public private(set) var runNoiseAssumed: Bool
    public let baselineRuns: Int
    public let candidateRuns: Int
    /// How the spread of run locations was estimated: from this series alone, or moderated across
    /// the call's decisions (`moderated(by:)`).
    public private(set) var moderation: Moderation = .none
    /// Each run location less its group's mean, a group at a time (baseline, candidate, each older
    /// segment): the raw material of `RunTails`.
    public let residualGroups: [[Double]]
    /// The prior's spread at this series' sampling variance, when the test was moderated
    /// (`RunTails` standardizes residuals by it: it does not hold their own).
    public private(set) var priorSpread: Double?

    public enum Moderation: Sendable, Equatable {
        /// The series' own runs (or an assumed run noise).
        case none
        /// Moderated toward the call's typical ratio (`RunNoisePrior`).
        case moderated
        /// The series' spread is far above the call's typical ratio, so it kept its own.
        case hypervariable
        /// Too few runs to measure the spread: the call's prior gave it.
        case borrowed
    }

    /// What the variance is made of, kept so that `moderated(by:)` can recompute it.
    struct Parts: Sendable, Equatable {
        /// Pooled squared deviations of run locations over their degrees of freedom: σ²_b plus the
        /// average sampling variance. Nil with no degree of freedom (one run a side).
        var spread: Double?
        var spreadDF: Double
        /// The average sampling variance of the runs in `spread` (from the pooled winsorized
        /// variance, with `withinDF` degrees of freedom); 0 when runs hold one value.
        var typicalSampling: Double
        var withinDF: Double
        /// The candidate's extra sampling variance when its runs are noisier than the baseline's.
        var extra: Double
        /// Each side's own sampling variance of a run location and its degrees of freedom (Welch).
        var samplingB: Double
        var samplingC: Double
        var withinDFB: Double
        var withinDFC: Double
        /// An assumed run noise's variance (relative run noise on the working scale, squared).
        var assumedRunVariance: Double
        var baselineRuns: Double
        var candidateRuns: Double
        /// 1/n_candidate + 1/n_baseline runs.
        var runFactor: Double { 1 / candidateRuns + 1 / baselineRuns }
    }
    let parts: Parts

    /// The variance of one baseline run's and one candidate run's location as the test used it,
    /// so that Var(shift) = baseline / n_b + candidate / n_c (for `Settling`: more runs a side).
    public private(set) var runVariance = PerRun(baseline: 0, candidate: 0)

    /// A variance per baseline run and per candidate run.
    public struct PerRun: Sendable, Equatable {
        public let baseline: Double
        public let candidate: Double
    }

    /// The series' run spread, its sampling variance and degrees of freedom, when both are
    /// measured on the log scale (the input to `RunNoisePrior`, whose shared run variance is
    /// relative: series on the raw scale keep their own).
    public var noiseObservation: RunNoisePrior.Observation? {
        guard logScale, let spread = parts.spread, parts.withinDF > 0, parts.typicalSampling > 0 else { return nil }
        return RunNoisePrior.Observation(spread: spread, sampling: parts.typicalSampling, degreesOfFreedom: parts.spreadDF)
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
        let baselineSide = baselineStats + historyStats.flatMap { $0 }
        let (pooledWinsorized, withinDF) = Self.pooledWinsorized(baselineSide + candidateStats)
        let (winsorizedB, withinDFB) = Self.pooledWinsorized(baselineSide)
        let (winsorizedC, withinDFC) = Self.pooledWinsorized(candidateStats)
        let factorB = Self.mean(baselineStats.map(\.varianceFactor))
        let factorC = Self.mean(candidateStats.map(\.varianceFactor))

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
        residualGroups = [baselineStats.map { $0.location - meanB }, candidateStats.map { $0.location - meanC }]
            + historyStats.map { group in
                let mean = Self.mean(group.map(\.location))
                return group.map { $0.location - mean }
            }
        let spreadRuns = baselineStats + candidateStats + historyStats.flatMap { $0 }
        let typicalSampling = withinDF > 0 ? pooledWinsorized * Self.mean(spreadRuns.map(\.varianceFactor)) : 0
        let assumedSD = logScale ? Foundation.log(1 + options.assumedRunNoise) : options.assumedRunNoise * abs(meanB)
        parts = Parts(spread: betweenDF >= 1 ? squares / betweenDF : nil, spreadDF: betweenDF,
                      typicalSampling: typicalSampling, withinDF: withinDF,
                      extra: withinDF > 0 ? max(0, pooledWinsorized * (factorC - factorB)) / nC : 0,
                      samplingB: winsorizedB * factorB, samplingC: winsorizedC * factorC,
                      withinDFB: withinDFB, withinDFC: withinDFC,
                      assumedRunVariance: assumedSD * assumedSD, baselineRuns: nB, candidateRuns: nC)
        runNoiseAssumed = parts.spread == nil
        let evaluated = Self.evaluate(shift: shift, parts: parts, spread: parts.spread, spreadDF: parts.spreadDF)
        (standardError, degreesOfFreedom, pValue, runVariance) = evaluated
    }

    /// The pooled winsorized variance of runs with two or more values kept, and its degrees of freedom.
    static func pooledWinsorized(_ runs: [RunLocation]) -> (Double, Double) {
        let withSamples = runs.filter { $0.kept >= 2 }
        let df = Double(withSamples.reduce(0) { $0 + $1.kept - 1 })
        guard df > 0 else { return (0, 0) }
        let weighted = withSamples.reduce(0.0) { $0 + $1.winsorizedVariance * Double($1.count - 1) }
        return (weighted / Double(withSamples.reduce(0) { $0 + $1.count - 1 }), df)
    }

    /// Standard error, degrees of freedom, p-value and per-run variances from the variance's
    /// parts, with the spread (and its degrees of freedom) as estimated alone, moderated or
    /// borrowed; with no spread, the assumed run noise.
    static func evaluate(shift: Double, parts: Parts, spread: Double?, spreadDF: Double)
        -> (Double, Double, Double, PerRun) {
        var variance: Double
        var df: Double
        let perRun: PerRun
        if let spread {
            let fromSpread = spread * parts.runFactor
            variance = fromSpread + parts.extra
            perRun = PerRun(baseline: spread, candidate: spread + parts.extra * parts.candidateRuns)
            // Satterthwaite (1946) for the two estimated parts.
            let denominator = fromSpread * fromSpread / spreadDF + (parts.withinDF > 0 ? parts.extra * parts.extra / parts.withinDF : 0)
            df = denominator > 0 ? variance * variance / denominator : spreadDF
        } else {
            // One run a side: each side's own sampling variance (Welch), the assumed run noise on both.
            let b = parts.samplingB / parts.baselineRuns, c = parts.samplingC / parts.candidateRuns
            variance = parts.assumedRunVariance * parts.runFactor + b + c
            perRun = PerRun(baseline: parts.assumedRunVariance + parts.samplingB, candidate: parts.assumedRunVariance + parts.samplingC)
            // Welch–Satterthwaite: the assumed part is taken as known; only the sampling parts are estimated.
            let denominator = (parts.withinDFB > 0 ? b * b / parts.withinDFB : 0) + (parts.withinDFC > 0 ? c * c / parts.withinDFC : 0)
            df = denominator > 0 ? variance * variance / denominator : .infinity
        }
        let standardError = variance.squareRoot()
        let p: Double
        if standardError > 0 {
            let t = shift / standardError
            p = df.isFinite ? StudentT(degreesOfFreedom: df).twoSidedP(t) : min(1, 2 * Normal.sf(abs(t)))
        } else {
            p = shift == 0 ? 1 : 0
        }
        return (standardError, df, p, perRun)
    }

    /// This test with its run spread moderated toward the call's prior (Smyth 2004, eq. 9 and §6):
    /// spread̃ = (d₀·E + d·spread) / (d₀ + d), E = r₀·(a + c·s) the prior's spread at this series'
    /// sampling variance s. Its degrees of freedom follow the log-variance of that estimate,
    /// 2 / (2/(d₀+d) + (w·f)²·2/d_w), with w = d₀/(d₀+d) the prior's weight, f the share of E that
    /// scales with s, and d_w the within-run variance's degrees of freedom: a prior that scales the
    /// sampling variance is only as sure as that variance. A series whose spread lies beyond the
    /// prior's upper 5 % (much noisier from run to run than the rest: the "hypervariable" series
    /// Phipson et al. 2016 protect) keeps its own estimate; one beyond its lower 5 % (far quieter
    /// than the trend: its runs all landed in one machine state) takes the prior's spread alone, so
    /// a tight run of luck never narrows a test. A series without a spread of its own
    /// (one run a side) borrows E with d₀ degrees of freedom (`borrowed`).
    public func moderated(by prior: RunNoisePrior) -> RunLevelTest {
        let sampling = parts.typicalSampling
        let expected = prior.expectedSpread(sampling: sampling)
        guard logScale, sampling > 0, parts.withinDF > 0, expected > 0, expected.isFinite else { return self }
        let share = prior.samplingShare(sampling: sampling)
        let d0 = prior.degreesOfFreedom
        // The prior's spread alone: worth d₀, and only as sure as the sampling variance it scales.
        let priorAlone = (d0.isFinite ? 2 / d0 : 0) + share * share * 2 / parts.withinDF
        guard let spread = parts.spread, spread > 0 else {
            var result = with(spread: expected, logVariance: priorAlone, moderation: .borrowed)
            result.runNoiseAssumed = false
            return result
        }
        let d = parts.spreadDF
        let upper = prior.upperTail(spread: spread, sampling: sampling, degreesOfFreedom: d)
        if upper < 0.05 {
            var result = self
            result.moderation = .hypervariable
            return result
        }
        var result: RunLevelTest
        if upper > 0.95 {
            // Far quieter than the call's trend allows: its runs shared one machine state (ten
            // runs all in the fast mode), not a quieter benchmark. The prior's spread alone.
            result = with(spread: expected, logVariance: priorAlone, moderation: .moderated)
        } else {
            let weight = d0.isFinite ? d0 / (d0 + d) : 1
            let moderated = d0.isFinite ? (d0 * expected + d * spread) / (d0 + d) : expected
            let logVariance = (d0.isFinite ? 2 / (d0 + d) : 0) + weight * weight * share * share * 2 / parts.withinDF
            result = with(spread: moderated, logVariance: logVariance, moderation: .moderated, atLeast: d)
        }
        result.priorSpread = expected
        return result
    }

    /// This test with the spread `spread`, whose estimate has log-variance `logVariance` (so
    /// 2 / logVariance degrees of freedom, and never fewer than `atLeast`).
    private func with(spread: Double, logVariance: Double, moderation: Moderation, atLeast minimum: Double = 0) -> RunLevelTest {
        var result = self
        let spreadDF = max(minimum, logVariance > 0 ? 2 / logVariance : .infinity)
        (result.standardError, result.degreesOfFreedom, result.pValue, result.runVariance) =
            Self.evaluate(shift: shift, parts: parts, spread: spread, spreadDF: spreadDF)
        result.moderation = moderation
        return result
    }

    /// This test with its reference distribution fitted to run noise whose locations have excess
    /// kurtosis `kurtosis` (`RunTails`): the shift's kurtosis follows from its parts, and its t
    /// reference keeps no more degrees of freedom than a t with that kurtosis has.
    public func withTails(kurtosis: Double) -> RunLevelTest {
        guard kurtosis > 0, !runNoiseAssumed, standardError > 0 else { return self }
        let spread = runVariance.baseline
        let variance = standardError * standardError
        let nB = parts.baselineRuns, nC = parts.candidateRuns
        // A sum of independent terms has excess kurtosis Σ w⁴κ / (Σ w²)²: here the run locations'
        // spread over n_c and n_b runs, against the whole variance of the shift.
        let shiftKurtosis = kurtosis * spread * spread * (1 / (nC * nC * nC) + 1 / (nB * nB * nB)) / (variance * variance)
        guard shiftKurtosis > 0 else { return self }
        let tail = RunTails.degreesOfFreedom(excessKurtosis: shiftKurtosis)
        guard tail < degreesOfFreedom else { return self }
        var result = self
        result.degreesOfFreedom = tail
        let t = shift / standardError
        result.pValue = StudentT(degreesOfFreedom: tail).twoSidedP(t)
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

    /// The smallest worsening (in percent, as a magnitude) that the call's rule would report with
    /// probability `power`: the estimate must pass both the threshold and the critical value c at
    /// `criticalAlpha` (two-sided; for Benjamini–Hochberg the level at which this decision would
    /// join the call's discoveries, `Settling.criticalAlpha`). The test's own standard error is
    /// estimated too, so its power at a shift λ·SE is the noncentral t's, by the normal
    /// approximation of Abramowitz & Stegun 26.7.10: P(t′ ≥ c) ≈ Φ((λ − c(1 − 1/4ν)) / √(1 + c²/2ν)).
    /// So λ = max(c(1 − 1/4ν), threshold / SE) + z_power·√(1 + c²/2ν): at the extreme levels a call of
    /// hundreds of decisions tests at, the uncertainty of SE matters as much as the shift's own
    /// (Cohen's 1988 (c + t_power)·SE leaves it out and overstates power). `worseSign` is +1 when
    /// higher values are worse.
    public func minimumDetectablePercent(criticalAlpha: Double, thresholdPct: Double, worseSign: Double, power: Double = 0.8) -> Double {
        let level = 1 - min(max(criticalAlpha, 1e-300), 1) / 2
        let df = degreesOfFreedom
        let c = df.isFinite ? StudentT(degreesOfFreedom: df).quantile(level) : Normal.quantile(level)
        let widening = df.isFinite ? (1 + c * c / (2 * df)).squareRoot() : 1
        let central = df.isFinite ? c * (1 - 1 / (4 * df)) : c
        let threshold = abs(shift(percent: thresholdPct * worseSign))
        let size = (max(central * standardError, threshold) + Normal.quantile(power) * widening * standardError) * worseSign
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
