import Foundation

/// The run-to-run noise typical of one call's decisions, for moderating each decision's own
/// estimate (empirical Bayes; Smyth 2004).
///
/// **Why.** A decision's run spread (the variance of its run locations) is estimated from its own
/// runs: ten baseline runs give nine degrees of freedom, and a t test on nine degrees of freedom
/// needs a much larger shift than one on ninety. But the series of one call were measured on the
/// same machines in the same runs: how much noisier a run's location is than its samples alone
/// explain is much the same from series to series. So each series' ratio
/// `r_g = spread_g / sampling_g` (sampling_g from its pooled within-run variance, which has many
/// degrees of freedom) is modelled as `r_g ~ ρ_g · χ²_{d_g} / d_g` with a scaled inverse-χ² prior
/// `1/ρ_g ~ χ²_{d₀} / (d₀ · r₀)` — limma's model (Smyth 2004, §3), with the sampling variance as
/// the covariate that scales the prior, as limma's intensity trend does (Sartor et al. 2006).
///
/// **Fit** by moments of log r_g (Smyth 2004, §6): with e_g = log r_g − ψ(d_g/2) + log(d_g/2),
/// ψ′(d₀/2) = var(e) − mean ψ′(d_g/2), and r₀ = exp(mean e + ψ(d₀/2) − log(d₀/2)). When the
/// ratios vary no more than their own sampling explains, d₀ = ∞ and r₀ = exp(mean e).
/// One series far noisier than the rest would inflate var(e) and so pull d₀ down for all (the
/// problem Phipson et al. 2016 solve by robust moments); here, more simply, series beyond the
/// fitted prior's upper 1 % are left out and the prior refitted, until none is left out anew.
///
/// **Guarantees.** With d₀ = ∞ and one common ratio the moderated test is the exact two-level
/// test with a known ratio; with d₀ → 0 it is the series' own test. Fitted only from five or more
/// decisions with measured spread and sampling; ratios of zero (identical run locations) are left
/// out of the fit.
///
/// Smyth, G. K. (2004). Linear models and empirical Bayes methods for assessing differential
/// expression in microarray experiments. *Statistical Applications in Genetics and Molecular
/// Biology* 3(1), Article 3. Sartor, M. A. et al. (2006). Intensity-based hierarchical Bayes
/// method improves testing for differentially expressed genes in microarray experiments. *BMC
/// Bioinformatics* 7:538. Phipson, B. et al. (2016). Robust hyperparameter estimation protects
/// against hypervariable genes and improves power to detect differential expression. *Annals of
/// Applied Statistics* 10(2), 946–963.
public struct RunNoisePrior: Sendable, Equatable {
    /// r₀: the typical ratio of run spread to sampling variance (1 when runs add no noise).
    public let ratio: Double
    /// d₀: how many degrees of freedom the prior is worth (∞ when the ratios agree).
    public let degreesOfFreedom: Double
    /// The decisions it was fitted from.
    public let decisions: Int

    public static let minimumDecisions = 5

    public init(ratio: Double, degreesOfFreedom: Double, decisions: Int) {
        self.ratio = ratio
        self.degreesOfFreedom = degreesOfFreedom
        self.decisions = decisions
    }

    /// Fits the prior from (ratio, degrees of freedom) pairs; nil with fewer than
    /// `minimumDecisions` usable ones.
    public static func fit(_ ratios: [(ratio: Double, degreesOfFreedom: Double)]) -> RunNoisePrior? {
        var usable = ratios.filter { $0.ratio > 0 && $0.ratio.isFinite && $0.degreesOfFreedom > 0 && $0.degreesOfFreedom.isFinite }
        guard var prior = moments(usable) else { return nil }
        for _ in 0..<10 {
            let typical = usable.filter { prior.upperTail(ratio: $0.ratio, degreesOfFreedom: $0.degreesOfFreedom) >= 0.01 }
            guard typical.count < usable.count, let refit = moments(typical) else { break }
            usable = typical
            prior = refit
        }
        return prior
    }

    /// Smyth's (2004, §6) moment estimates from the given ratios.
    static func moments(_ usable: [(ratio: Double, degreesOfFreedom: Double)]) -> RunNoisePrior? {
        guard usable.count >= minimumDecisions else { return nil }
        let e = usable.map { Foundation.log($0.ratio) - Polygamma.digamma($0.degreesOfFreedom / 2) + Foundation.log($0.degreesOfFreedom / 2) }
        let count = Double(e.count)
        let meanE = e.reduce(0, +) / count
        let varE = e.reduce(0) { $0 + ($1 - meanE) * ($1 - meanE) } / (count - 1)
        let excess = varE - usable.reduce(0) { $0 + Polygamma.trigamma($1.degreesOfFreedom / 2) } / count
        guard excess > 0 else {
            return RunNoisePrior(ratio: Foundation.exp(meanE), degreesOfFreedom: .infinity, decisions: usable.count)
        }
        let d0 = 2 * Polygamma.trigammaInverse(excess)
        let r0 = Foundation.exp(meanE + Polygamma.digamma(d0 / 2) - Foundation.log(d0 / 2))
        return RunNoisePrior(ratio: r0, degreesOfFreedom: d0, decisions: usable.count)
    }

    /// P(a series' ratio ≥ `ratio`) under the prior predictive: ratio / r₀ ~ F(d, d₀), by
    /// Paulson's (1942) normal approximation to F (Abramowitz & Stegun 26.6.15), which holds for
    /// d₀ = ∞ too (the χ²_d / d limit). Used only to screen hypervariable series at 5 %.
    public func upperTail(ratio value: Double, degreesOfFreedom d: Double) -> Double {
        guard value > 0, ratio > 0, d > 0 else { return 1 }
        let f = Foundation.cbrt(value / ratio)
        let a = 2 / (9 * d)
        let b = degreesOfFreedom.isFinite ? 2 / (9 * degreesOfFreedom) : 0
        let z = ((1 - b) * f - (1 - a)) / (b * f * f + a).squareRoot()
        return Normal.sf(z)
    }
}
