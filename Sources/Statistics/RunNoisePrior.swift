import Foundation

/// The run-to-run noise typical of one call's decisions, for moderating each decision's own
/// estimate (empirical Bayes; Smyth 2004, with a variance trend as in limma-trend).
///
/// **Why.** A decision's run spread (the variance of its run locations) is estimated from its own
/// runs: ten baseline runs give nine degrees of freedom, three runs one, and a t test on so few
/// needs a much larger shift than one on ninety. But the series of one call were measured on the
/// same machines in the same runs, so their run spreads are related, through how noisy each
/// series' samples are.
///
/// **The trend.** A run location's variance is its sampling variance s_g plus what the run itself
/// adds, τ²_g. Real runners add both kinds: noise that grows with the series' own noise (a warm or
/// cold cache scales a noisy benchmark more) and noise of the same size for every series (a core
/// or frequency state that moves every benchmark's run by a few percent). So the prior's centre is
/// the line `m(s) = a + c·s` (a ≥ 0, c ≥ 0) through the call's (s_g, spread_g), fitted by
/// iteratively reweighted least squares with weights d_g / m(s_g)² (the inverse variance of a
/// scaled χ²_d / d), as limma-trend fits its prior variance as a function of a covariate (Law et
/// al. 2014, *Genome Biology* 15:R29; Sartor et al. 2006). A ratio model alone (a = 0) mistakes
/// constant run noise for none in the quiet series, whose own ten runs then look tight: the
/// bimodal false alarms of issue 29. Fewer than `minimumTrendDecisions` decisions, or sampling
/// variances all alike, fit c alone.
///
/// **The spread about the trend.** Each ratio `r_g = spread_g / m(s_g)` is modelled as
/// `r_g ~ ρ_g · χ²_{d_g} / d_g` with a scaled inverse-χ² prior `1/ρ_g ~ χ²_{d₀} / (d₀ · r₀)`
/// (Smyth 2004, §3), fitted by moments of log r_g (§6): with e_g = log r_g − ψ(d_g/2) + log(d_g/2),
/// ψ′(d₀/2) = var(e) − mean ψ′(d_g/2), r₀ = exp(mean e + ψ(d₀/2) − log(d₀/2)). When the ratios
/// vary no more than their own sampling explains, d₀ = ∞ and r₀ = exp(mean e). d₀ is capped at the
/// degrees of freedom it was fitted from: a prior is never surer than its data. One series far
/// noisier than the rest would inflate var(e) and so pull d₀ down for all (Phipson et al. 2016
/// solve it by robust moments); here series beyond the fitted prior's upper 1 % are left out and
/// trend and prior refitted, until none is left out anew. (Leaving out the lower tail too, where
/// series whose runs all landed in one machine state sit, biased d₀ upward on data from the model
/// itself: a log's lower tail is long. Those series are handled in `RunLevelTest.moderated`.)
///
/// **Guarantees.** With d₀ = ∞ the moderated test is the exact two-level test with the trend's
/// run noise; with d₀ → 0 it is the series' own test. Fitted only from `minimumDecisions` or
/// more decisions with a measured spread (spread > 0, sampling ≥ 0).
///
/// Smyth, G. K. (2004). Linear models and empirical Bayes methods for assessing differential
/// expression in microarray experiments. *Statistical Applications in Genetics and Molecular
/// Biology* 3(1), Article 3. Law, C. W., Chen, Y., Shi, W. & Smyth, G. K. (2014). voom: precision
/// weights unlock linear model analysis tools for RNA-seq read counts. *Genome Biology* 15:R29.
/// Sartor, M. A. et al. (2006). *BMC Bioinformatics* 7:538. Phipson, B. et al. (2016). Robust
/// hyperparameter estimation protects against hypervariable genes and improves power to detect
/// differential expression. *Annals of Applied Statistics* 10(2), 946–963.
public struct RunNoisePrior: Sendable, Equatable {
    /// One decision's measured run spread, its run locations' typical sampling variance, and the
    /// spread's degrees of freedom.
    public struct Observation: Sendable, Equatable {
        public let spread: Double
        public let sampling: Double
        public let degreesOfFreedom: Double
        public init(spread: Double, sampling: Double, degreesOfFreedom: Double) {
            self.spread = spread
            self.sampling = sampling
            self.degreesOfFreedom = degreesOfFreedom
        }
    }

    /// The trend's intercept a: run variance every series shares, on the working scale.
    public let sharedRunVariance: Double
    /// The trend's slope c: run spread per unit of sampling variance (1 when runs add nothing).
    public let samplingFactor: Double
    /// r₀: the typical ratio of a spread to the trend (1 when the trend fits).
    public let ratio: Double
    /// d₀: how many degrees of freedom the prior is worth (∞ when the ratios agree).
    public let degreesOfFreedom: Double
    /// The decisions it was fitted from.
    public let decisions: Int

    public static let minimumDecisions = 5
    public static let minimumTrendDecisions = 20

    public init(sharedRunVariance: Double = 0, samplingFactor: Double = 1, ratio: Double, degreesOfFreedom: Double, decisions: Int) {
        self.sharedRunVariance = sharedRunVariance
        self.samplingFactor = samplingFactor
        self.ratio = ratio
        self.degreesOfFreedom = degreesOfFreedom
        self.decisions = decisions
    }

    /// The trend at sampling variance `s`: a + c·s (before r₀).
    public func trend(sampling s: Double) -> Double { sharedRunVariance + samplingFactor * s }

    /// The prior's typical spread for a series with sampling variance `s`: r₀ · (a + c·s).
    public func expectedSpread(sampling s: Double) -> Double { ratio * trend(sampling: s) }

    /// The share of the trend at `s` that scales with the sampling variance (whose own estimate
    /// is uncertain): c·s / (a + c·s).
    public func samplingShare(sampling s: Double) -> Double {
        let total = trend(sampling: s)
        return total > 0 ? samplingFactor * s / total : 0
    }

    /// Fits the prior; nil with fewer than `minimumDecisions` usable observations.
    public static func fit(_ observations: [Observation]) -> RunNoisePrior? {
        var usable = observations.filter {
            $0.spread > 0 && $0.spread.isFinite && $0.sampling >= 0 && $0.sampling.isFinite
                && $0.degreesOfFreedom > 0 && $0.degreesOfFreedom.isFinite
        }
        guard var prior = fitOnce(usable) else { return nil }
        for _ in 0..<10 {
            let typical = usable.filter {
                prior.upperTail(spread: $0.spread, sampling: $0.sampling, degreesOfFreedom: $0.degreesOfFreedom) >= 0.01
            }
            guard typical.count < usable.count, let refit = fitOnce(typical) else { break }
            usable = typical
            prior = refit
        }
        return prior
    }

    static func fitOnce(_ usable: [Observation]) -> RunNoisePrior? {
        guard usable.count >= minimumDecisions else { return nil }
        let (a, c) = trendFit(usable)
        guard a + c * (usable.map(\.sampling).min() ?? 0) > 0 else { return nil }
        let ratios = usable.map { (ratio: $0.spread / (a + c * $0.sampling), degreesOfFreedom: $0.degreesOfFreedom) }
        guard ratios.allSatisfy({ $0.ratio.isFinite && $0.ratio > 0 }) else { return nil }
        let (r0, d0) = moments(ratios)
        return RunNoisePrior(sharedRunVariance: a, samplingFactor: c, ratio: r0, degreesOfFreedom: d0, decisions: usable.count)
    }

    /// The line a + c·s by iteratively reweighted least squares, a, c ≥ 0.
    static func trendFit(_ usable: [Observation]) -> (Double, Double) {
        let samplings = usable.map(\.sampling)
        let spreadOut = (samplings.max() ?? 0) > 1.5 * (samplings.min() ?? 0)
        func throughOrigin(_ weights: [Double]) -> Double {
            // c = Σw·s·y / Σw·s², the least-squares slope of a line through the origin.
            var sxy = 0.0, sxx = 0.0
            for (o, w) in zip(usable, weights) { sxy += w * o.sampling * o.spread; sxx += w * o.sampling * o.sampling }
            return sxx > 0 ? sxy / sxx : 0
        }
        // Start from the ratio model with equal relative weights.
        var a = 0.0
        var c = throughOrigin(usable.map { o in o.sampling > 0 ? o.degreesOfFreedom / (o.sampling * o.sampling) : 0 })
        guard usable.count >= minimumTrendDecisions, spreadOut else {
            if c > 0 { return (0, c) }
            // No sampling variance anywhere (runs of one value): a constant.
            let weight = usable.reduce(0) { $0 + $1.degreesOfFreedom }
            return (usable.reduce(0) { $0 + $1.degreesOfFreedom * $1.spread } / weight, 0)
        }
        if c <= 0 { a = usable.reduce(0) { $0 + $1.spread } / Double(usable.count) }
        for _ in 0..<8 {
            let weights = usable.map { o -> Double in
                let m = a + c * o.sampling
                return m > 0 ? o.degreesOfFreedom / (m * m) : 0
            }
            var sw = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
            for (o, w) in zip(usable, weights) {
                sw += w; sx += w * o.sampling; sy += w * o.spread
                sxx += w * o.sampling * o.sampling; sxy += w * o.sampling * o.spread
            }
            let determinant = sw * sxx - sx * sx
            var newA = determinant > 0 ? (sxx * sy - sx * sxy) / determinant : 0
            var newC = determinant > 0 ? (sw * sxy - sx * sy) / determinant : 0
            if newA < 0 { newA = 0; newC = throughOrigin(weights) }
            if newC < 0 { newC = 0; newA = sy / sw }
            let settled = abs(newA - a) <= 1e-9 * max(newA, 1e-300) && abs(newC - c) <= 1e-9 * max(newC, 1e-300)
            (a, c) = (newA, newC)
            if settled { break }
        }
        return (a, c)
    }

    /// Smyth's (2004, §6) moment estimates of (r₀, d₀) from the given ratios.
    static func moments(_ usable: [(ratio: Double, degreesOfFreedom: Double)]) -> (Double, Double) {
        let e = usable.map { Foundation.log($0.ratio) - Polygamma.digamma($0.degreesOfFreedom / 2) + Foundation.log($0.degreesOfFreedom / 2) }
        let count = Double(e.count)
        let meanE = e.reduce(0, +) / count
        let varE = e.reduce(0) { $0 + ($1 - meanE) * ($1 - meanE) } / (count - 1)
        let excess = varE - usable.reduce(0) { $0 + Polygamma.trigamma($1.degreesOfFreedom / 2) } / count
        let available = usable.reduce(0) { $0 + $1.degreesOfFreedom }
        guard excess > 0 else { return (Foundation.exp(meanE), available) }
        let d0 = min(2 * Polygamma.trigammaInverse(excess), available)
        return (Foundation.exp(meanE + Polygamma.digamma(d0 / 2) - Foundation.log(d0 / 2)), d0)
    }

    /// P(a series' spread ≥ `spread`) under the prior predictive: spread / (r₀·m(s)) ~ F(d, d₀),
    /// by Paulson's (1942) normal approximation to F (Abramowitz & Stegun 26.6.15), which holds
    /// for d₀ = ∞ too (the χ²_d / d limit). Used to screen series in both tails: the upper 1 % from
    /// the fit, and beyond 5 % either way in `RunLevelTest.moderated`.
    public func upperTail(spread: Double, sampling: Double, degreesOfFreedom d: Double) -> Double {
        let expected = expectedSpread(sampling: sampling)
        guard spread > 0, expected > 0, d > 0 else { return 1 }
        let f = Foundation.cbrt(spread / expected)
        let a = 2 / (9 * d)
        let b = degreesOfFreedom.isFinite ? 2 / (9 * degreesOfFreedom) : 0
        let z = ((1 - b) * f - (1 - a)) / (b * f * f + a).squareRoot()
        return Normal.sf(z)
    }
}
