import Foundation

/// How heavy-tailed a call's run-to-run noise is, from every series' runs at once.
///
/// **Why.** The run-level test is exact for normal run locations. Real run noise is not always
/// normal: a scheduler or a cache gives some runs a Laplace- or t-like tail, and with one
/// candidate run a 6-SD run turns up in some benchmark of most calls of 500. Each series' ten runs
/// cannot see its tail; the call's thousands of runs can. So the excess kurtosis of run locations
/// is estimated from every series' run residuals (each run location less its group's mean, over
/// the prior's spread for that series, which does not hold the series' own runs), pooled, less
/// what the prior's spread of variances explains (normal noise over a scaled inverse-χ² variance
/// is a t with d₀ degrees of freedom, excess kurtosis 6/(d₀ − 4)), and the shift's reference distribution keeps no more
/// degrees of freedom than the Student t of that kurtosis, 6 / (ν − 4) (Johnson, Kotz &
/// Balakrishnan, *Continuous Univariate Distributions*, vol. 2, 2nd ed., ch. 28): Student-t run
/// effects matched by moments. The shift's own kurtosis follows from its parts
/// (`RunLevelTest.withTails`): a sum of independent terms has excess kurtosis Σwᵢ⁴κᵢ / (Σwᵢ²)², so
/// many runs a side, or sampling noise that dominates, bring it back to normal.
///
/// **Estimate.** A residual rᵢ = xᵢ − x̄ of a group of n has excess kurtosis κ·gₙ with
/// gₙ = ((1 − 1/n)⁴ + (n − 1)/n⁴) / ((1 − 1/n)² + (n − 1)/n²)², so the pooled moment estimate
/// (m₄/m₂² − 3 over all standardized residuals) is divided by the mean gₙ. Platykurtic noise
/// (two machine states, κ < 0) and fewer than `minimumResiduals` residuals leave the test as it is.
/// Guarantees: for normal run noise the estimate is near 0 and the tests are unchanged; the cap
/// only ever lowers degrees of freedom (wider intervals, larger p).
public enum RunTails {
    public static let minimumResiduals = 200

    /// ν of the Student t with excess kurtosis `kurtosis`: 4 + 6/κ.
    public static func degreesOfFreedom(excessKurtosis kurtosis: Double) -> Double {
        kurtosis > 0 ? 4 + 6 / kurtosis : .infinity
    }

    /// The excess kurtosis of run locations across the tests, told apart from series whose run
    /// noise differs in size (nil with too few residuals).
    ///
    /// Standardized by a scale that does not use the series' own runs (the prior's spread when the
    /// test was moderated), run locations are σ_g·ε: ε with excess kurtosis κ, σ_g varying from
    /// series to series. Heavy tails and unequal sizes both fatten the pooled fourth moment, but only
    /// unequal sizes make two runs of one series large together. So, with a group's residuals
    /// rᵢ = Σₖ wᵢₖ εₖ (w = I − J/n), M = E[σ⁴]:
    /// E[rᵢ⁴] = M(3a² + κ·Σₖwᵢₖ⁴), E[rᵢ²rⱼ²] = M(a² + 2/n² + κ·Σₖwᵢₖ²wⱼₖ²), a = 1 − 1/n,
    /// and the pooled sums of rᵢ⁴ and of rᵢ²rⱼ² (i ≠ j, one group) give M and M·κ by two linear
    /// equations: κ without any assumption on how σ_g varies.
    public static func excessKurtosis(_ tests: [RunLevelTest]) -> Double? {
        let parts = contributions(tests)
        guard parts.reduce(0, { $0 + $1.count }) >= minimumResiduals else { return nil }
        return solve(parts)
    }

    /// The kurtosis to test with: 0 unless the call's runs show heavy tails (the bootstrap's lower
    /// 2.5 % bound above 0), else its upper 97.5 % bound. A tail measured from a few thousand runs
    /// is uncertain exactly where it matters, and the kurtosis of heavy tails is underestimated
    /// more often than not; normal run noise keeps its full power. Series are resampled with
    /// replacement, 400 times, seeded.
    public static func testingKurtosis(_ tests: [RunLevelTest]) -> Double? {
        let parts = contributions(tests)
        guard parts.reduce(0, { $0 + $1.count }) >= minimumResiduals, let estimate = solve(parts), estimate > 0 else { return nil }
        var random = SplitMix64(seed: 0x7A11)
        var draws: [Double] = []
        var resample = parts
        for _ in 0..<400 {
            for i in resample.indices { resample[i] = parts[Int(random.next() % UInt64(parts.count))] }
            draws.append(solve(resample) ?? 0)
        }
        draws.sort()
        let lower = Descriptive.percentile(sorted: draws, 2.5), upper = Descriptive.percentile(sorted: draws, 97.5)
        return lower > 0 ? max(estimate, upper) : nil
    }

    /// One series' sums: Σr⁴, Σ_{i≠j}rᵢ²rⱼ², and their expectations' coefficients.
    struct Contribution {
        var s4 = 0.0, s22 = 0.0, p4 = 0.0, q4 = 0.0, p22 = 0.0, q22 = 0.0, count = 0
    }

    static func contributions(_ tests: [RunLevelTest]) -> [Contribution] {
        tests.compactMap { test -> Contribution? in
            guard !test.runNoiseAssumed, let scale = test.priorSpread, scale > 0, scale.isFinite else { return nil }
            var c = Contribution()
            for group in test.residualGroups where group.count >= 3 {
                let n = Double(group.count), a = 1 - 1 / n
                let squares = group.map { $0 * $0 / scale }
                let sum = squares.reduce(0, +)
                let fourth = squares.reduce(0) { $0 + $1 * $1 }
                c.s4 += fourth
                c.s22 += sum * sum - fourth  // Σ_{i≠j} rᵢ² rⱼ²
                let pairs = n * (n - 1)
                c.p4 += n * 3 * a * a
                c.q4 += n * (a * a * a * a + (n - 1) / (n * n * n * n))
                c.p22 += pairs * (a * a + 2 / (n * n))
                c.q22 += pairs * (2 * a * a / (n * n) + (n - 2) / (n * n * n * n))
                c.count += group.count
            }
            return c.count > 0 ? c : nil
        }
    }

    /// s4 = M·p4 + (Mκ)·q4, s22 = M·p22 + (Mκ)·q22, solved for κ.
    static func solve(_ parts: [Contribution]) -> Double? {
        var t = Contribution()
        for c in parts {
            t.s4 += c.s4; t.s22 += c.s22; t.p4 += c.p4; t.q4 += c.q4; t.p22 += c.p22; t.q22 += c.q22
        }
        let determinant = t.p4 * t.q22 - t.q4 * t.p22
        guard determinant != 0 else { return nil }
        let m = (t.s4 * t.q22 - t.q4 * t.s22) / determinant
        let mk = (t.p4 * t.s22 - t.p22 * t.s4) / determinant
        guard m > 0 else { return nil }
        return mk / m
    }
}
