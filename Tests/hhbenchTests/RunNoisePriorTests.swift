import Foundation
@testable import Statistics
import Testing

/// The prior seen through ratios alone (sampling variance 1 each), as the fitting tests state it.
extension RunNoisePrior {
    static func fit(ratios: [(ratio: Double, degreesOfFreedom: Double)]) -> RunNoisePrior? {
        fit(ratios.map { Observation(spread: $0.ratio, sampling: 1, degreesOfFreedom: $0.degreesOfFreedom) })
    }

    func upperTail(ratio value: Double, degreesOfFreedom d: Double) -> Double {
        upperTail(spread: value * trend(sampling: 1), sampling: 1, degreesOfFreedom: d)
    }
}

@Suite struct RunNoisePriorTests {
    /// scipy 1.16: scipy.special.digamma(x), polygamma(1, x), polygamma(2, x).
    @Test(arguments: [
        (0.05, -20.49784499129987, 401.53235734211506, -16002.108158021943),
        (0.5, -1.9635100260214235, 4.93480220054468, -16.828796644234316),
        (1.0, -0.5772156649015329, 1.6449340668482266, -2.404113806319188),
        (2.5, 0.7031566406452432, 0.4903577561002349, -0.23620405164172736),
        (9.99, 2.250700372831201, 0.10527695014824176, -0.01107307053146105),
        (37.2, 3.6028076865063574, 0.02724627098476493, -0.0007423133793704142),
    ])
    func polygammaMatchesScipy(x: Double, digamma: Double, trigamma: Double, tetragamma: Double) {
        #expect(abs(Polygamma.digamma(x) - digamma) <= 1e-13 * max(1, abs(digamma)))
        #expect(abs(Polygamma.trigamma(x) / trigamma - 1) <= 1e-13)
        #expect(abs(Polygamma.tetragamma(x) / tetragamma - 1) <= 1e-12)
        #expect(abs(Polygamma.trigammaInverse(trigamma) / x - 1) <= 1e-7)
    }

    /// χ²_d / d by summing squared standard normals (Box–Muller).
    static func chiSquareOverDF(_ d: Int, _ rng: inout SplitMix64) -> Double {
        var sum = 0.0
        for _ in 0..<d {
            let u = Double.random(in: Double.ulpOfOne..<1, using: &rng), v = Double.random(in: 0..<1, using: &rng)
            let z = (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * .pi * v)
            sum += z * z
        }
        return sum / Double(d)
    }

    @Test func theFitRecoversAKnownPrior() throws {
        // 3,000 series, true ratios from 1/ρ ~ χ²_20 / (20 · 3), each seen through 9 degrees of freedom.
        var rng = SplitMix64(seed: 11)
        let ratios = (0..<3000).map { _ -> (ratio: Double, degreesOfFreedom: Double) in
            let truth = 3 / Self.chiSquareOverDF(20, &rng)
            return (truth * Self.chiSquareOverDF(9, &rng), 9)
        }
        let prior = try #require(RunNoisePrior.fit(ratios: ratios))
        #expect(prior.degreesOfFreedom > 14 && prior.degreesOfFreedom < 28, "d0 = \(prior.degreesOfFreedom)")
        #expect(abs(prior.expectedSpread(sampling: 1) / 3 - 1) < 0.06, "r0 = \(prior.expectedSpread(sampling: 1))")
    }

    @Test func oneCommonRatioIsAnInfinitePrior() throws {
        var rng = SplitMix64(seed: 5)
        let ratios = (0..<2000).map { _ in (ratio: 2.5 * Self.chiSquareOverDF(9, &rng), degreesOfFreedom: 9.0) }
        let prior = try #require(RunNoisePrior.fit(ratios: ratios))
        #expect(prior.degreesOfFreedom > 50, "far more than the series' own 9: d0 = \(prior.degreesOfFreedom)")
        #expect(abs(prior.expectedSpread(sampling: 1) / 2.5 - 1) < 0.03, "r0 = \(prior.expectedSpread(sampling: 1))")
        #expect(RunNoisePrior.fit(ratios: Array(ratios.prefix(4))) == nil, "four decisions are too few to fit")
    }

    @Test func paulsonsTailAgreesWithTheChiSquareLimit() {
        // P(χ²_9 / 9 ≥ 2.114) = 0.025 and P(F(9, 20) ≥ 2.837) = 0.025 (scipy.stats chi2, f).
        let infinite = RunNoisePrior(ratio: 1, degreesOfFreedom: .infinity, decisions: 10)
        #expect(abs(infinite.upperTail(ratio: 2.114, degreesOfFreedom: 9) - 0.025) < 0.002)
        let finite = RunNoisePrior(ratio: 1, degreesOfFreedom: 20, decisions: 10)
        #expect(abs(finite.upperTail(ratio: 2.837, degreesOfFreedom: 9) - 0.025) < 0.003)
    }

    /// Ten baseline runs and one candidate run of ten samples each, run factor SD `runSD`.
    static func runs(_ rng: inout SplitMix64, shift: Double, runSD: Double, sampleSD: Double) -> (baseline: [[Double]], candidate: [[Double]]) {
        func run(_ level: Double) -> [Double] {
            let factor = 1 + runSD * (chiSquareOverDF(1, &rng).squareRoot() * (Bool.random(using: &rng) ? 1 : -1))
            return (0..<10).map { _ in
                let u = Double.random(in: Double.ulpOfOne..<1, using: &rng), v = Double.random(in: 0..<1, using: &rng)
                return level * factor * (1 + sampleSD * (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * .pi * v))
            }
        }
        return ((0..<10).map { _ in run(1) }, [run(1 + shift)])
    }

    @Test func moderationBorrowsDegreesOfFreedomAndKeepsHypervariableSeriesApart() throws {
        var rng = SplitMix64(seed: 2026)
        // 60 quiet series (no run noise) and one whose runs drift by 20 %.
        var tests = try (0..<60).map { _ in
            let r = Self.runs(&rng, shift: 0, runSD: 0, sampleSD: 0.05)
            return try #require(RunLevelTest(baseline: r.baseline, candidate: r.candidate))
        }
        let drifting = Self.runs(&rng, shift: 0, runSD: 0.2, sampleSD: 0.05)
        tests.append(try #require(RunLevelTest(baseline: drifting.baseline, candidate: drifting.candidate)))
        let prior = try #require(RunNoisePrior.fit(tests.compactMap(\.noiseObservation)))
        let sampling = try #require(tests[0].noiseObservation?.sampling)
        let ratio = prior.expectedSpread(sampling: sampling) / sampling
        #expect(ratio > 0.7 && ratio < 1.5, "runs add nothing to sampling noise here: \(ratio), \(prior)")
        let quiet = tests[0].moderated(by: prior)
        #expect(quiet.moderation == .moderated)
        #expect(quiet.degreesOfFreedom > 3 * tests[0].degreesOfFreedom, "borrowed: \(quiet.degreesOfFreedom) vs \(tests[0].degreesOfFreedom)")
        let noisy = tests[60].moderated(by: prior)
        #expect(noisy.moderation == .hypervariable)
        #expect(noisy.standardError == tests[60].standardError, "a hypervariable series keeps its own spread")
    }

    @Test func moderationFindsAModestShiftTheSeriesAloneCannot() throws {
        var rng = SplitMix64(seed: 7)
        let tests = try (0..<40).map { _ in
            let r = Self.runs(&rng, shift: 0, runSD: 0.01, sampleSD: 0.04)
            return try #require(RunLevelTest(baseline: r.baseline, candidate: r.candidate))
        }
        let prior = try #require(RunNoisePrior.fit(tests.compactMap(\.noiseObservation)))
        var alone = 0, moderated = 0
        for _ in 0..<200 {
            let r = Self.runs(&rng, shift: 0.06, runSD: 0.01, sampleSD: 0.04)
            let test = try #require(RunLevelTest(baseline: r.baseline, candidate: r.candidate))
            if test.pValue < 0.001 { alone += 1 }
            if test.moderated(by: prior).pValue < 0.001 { moderated += 1 }
        }
        #expect(moderated > alone + 20, "moderated \(moderated) of 200, alone \(alone)")
    }

    @Test func theTrendFindsRunNoiseEverySeriesShares() throws {
        // Run noise of one size for all (a machine state: variance 0.0013) over sampling variances
        // spread a hundredfold: a ratio model would fit neither end.
        var rng = SplitMix64(seed: 29)
        let observations = (0..<400).map { i -> RunNoisePrior.Observation in
            let sampling = 2e-6 * Foundation.pow(100, Double(i) / 399)
            return RunNoisePrior.Observation(spread: (0.0013 + sampling) * Self.chiSquareOverDF(9, &rng), sampling: sampling, degreesOfFreedom: 9)
        }
        let prior = try #require(RunNoisePrior.fit(observations))
        #expect(abs(prior.ratio * prior.sharedRunVariance / 0.0013 - 1) < 0.15, "\(prior)")
        #expect(prior.degreesOfFreedom > 50, "one trend explains them all: \(prior)")
        #expect(abs(prior.expectedSpread(sampling: 2e-6) / 0.0013 - 1) < 0.15, "the quietest series get the shared noise")
    }

    /// Residual groups for `RunTails`: 300 series of 10 runs, run noise `draw`, series scales from `scale`.
    static func tailTests(_ rng: inout SplitMix64, scale: (inout SplitMix64) -> Double, draw: (inout SplitMix64) -> Double) throws -> [RunLevelTest] {
        var tests = try (0..<300).map { _ -> RunLevelTest in
            let sd = scale(&rng)
            let runs = (0..<11).map { _ -> [Double] in
                let level = Foundation.exp(sd * draw(&rng))
                return (0..<10).map { _ in level * (1 + 0.001 * Self.chiSquareOverDF(1, &rng).squareRoot()) }
            }
            return try #require(RunLevelTest(baseline: Array(runs.prefix(10)), candidate: [runs[10]]))
        }
        let prior = try #require(RunNoisePrior.fit(tests.compactMap(\.noiseObservation)))
        tests = tests.map { $0.moderated(by: prior) }
        return tests
    }

    static func normal(_ rng: inout SplitMix64) -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &rng), v = Double.random(in: 0..<1, using: &rng)
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * .pi * v)
    }

    @Test func heavyTailsAreToldFromSeriesOfUnequalNoise() throws {
        var rng = SplitMix64(seed: 4)
        // Normal run noise whose size differs threefold from series to series: no tail.
        let unequal = try Self.tailTests(&rng, scale: { 0.01 * Foundation.exp(Double.random(in: -1.1...1.1, using: &$0)) }, draw: Self.normal)
        let flat = try #require(RunTails.excessKurtosis(unequal))
        #expect(abs(flat) < 0.6, "κ = \(flat)")
        #expect(RunTails.testingKurtosis(unequal) == nil, "normal run noise keeps its test")
        // Laplace run noise of one size (excess kurtosis 3).
        let laplace = try Self.tailTests(&rng, scale: { _ in 0.01 }, draw: { rng in
            let u = Double.random(in: -0.5..<0.5, using: &rng)
            return -(u < 0 ? -1 : 1) * Foundation.log(1 - 2 * abs(u)) / 2.0.squareRoot()
        })
        let heavy = try #require(RunTails.testingKurtosis(laplace))
        #expect(heavy > 1.5, "κ = \(heavy)")
        let test = laplace[0].withTails(kurtosis: heavy)
        #expect(test.degreesOfFreedom < laplace[0].degreesOfFreedom && test.pValue >= laplace[0].pValue)
    }
}
