import Foundation
@testable import Statistics
import Testing

/// The paired test of `hhbench ab` and its sequential boundary, against independent references.
struct PairedRoundsTests {
    /// Yuen's one-sample 20 % trimmed t test, as computed with numpy and scipy.stats.t:
    /// trimmed mean 0.085, standard error 0.022951812875799466 on 7 degrees of freedom, p 0.007620661316936514.
    @Test func trimmedDifferencesMatchAnIndependentYuenTest() throws {
        let differences = [0.12, -0.05, 0.31, 0.08, 0.02, 0.11, -0.4, 0.09, 0.07, 0.15, 0.5, 0.04]
        let paired = try #require(PairedRounds(rounds: differences.map { (base: [1.0], head: [Foundation.exp($0)]) }))
        #expect(paired.logScale && paired.rounds == 12)
        let look = try #require(paired.look(upTo: 12, prior: nil))
        #expect(abs(look.shift - 0.085) < 1e-12)
        #expect(abs(look.standardError - 0.022951812875799466) < 1e-12)
        #expect(look.degreesOfFreedom == 7)
        #expect(abs(look.pValue - 0.007620661316936514) < 1e-9)
        // The first rounds alone: under 5 nothing is trimmed (Student's t on the mean).
        let early = try #require(paired.look(upTo: 4, prior: nil))
        #expect(abs(early.shift - (0.12 - 0.05 + 0.31 + 0.08) / 4) < 1e-12 && early.degreesOfFreedom == 3)
    }

    /// The two series for P(sup |B| ≥ m) agree where they meet, and the constants are the
    /// continuous-monitoring O'Brien–Fleming ones.
    @Test func boundaryConstants() {
        for m in stride(from: 0.6, through: 1.4, by: 0.1) {
            // The reflection series, evaluated directly for any m.
            var reflection = 0.0
            for k in 1...40 { reflection += (k % 2 == 1 ? 1 : -1) * 4 * Normal.sf(Double(2 * k - 1) * m) }
            #expect(abs(SequentialBoundary.crossingProbability(m) - reflection) < 1e-9, "m = \(m)")
        }
        #expect(abs(SequentialBoundary.constant(alpha: 0.05) - 2.2414) < 1e-3)
        #expect(abs(SequentialBoundary.constant(alpha: 0.01) - 2.8070) < 1e-3)
        #expect(SequentialBoundary.tEquivalent(z: 12, degreesOfFreedom: 5) > 12)
        #expect(abs(SequentialBoundary.tEquivalent(z: 1.96, degreesOfFreedom: 1e9) - 1.96) < 1e-4)
        #expect(abs(SequentialBoundary.normalEquivalent(t: 40, degreesOfFreedom: 1e9) - 40) < 0.5)
    }

    /// Under no change, a z test looked at after each of 20 rounds and stopped at the first
    /// crossing rejects at most α of the time, and not far less (20,000 seeded walks).
    @Test func stoppingAtTheFirstCrossingKeepsAlpha() {
        var random = SplitMix64(seed: 29)
        var rejected = 0
        let walks = 20_000
        for _ in 0..<walks {
            var sum = 0.0
            var looks: [(round: Int, z: Double)] = []
            for round in 1...20 {
                // A standard normal by Box–Muller.
                let u = max(Double(random.next() >> 11) / Double(1 << 53), 1e-300), v = Double(random.next() >> 11) / Double(1 << 53)
                sum += (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
                looks.append((round, sum / Double(round).squareRoot()))
                if SequentialBoundary.repeatedP(looks: looks, plannedRounds: 20) <= 0.05 { rejected += 1; break }
            }
        }
        let rate = Double(rejected) / Double(walks)
        #expect(rate <= 0.05 && rate >= 0.03, "rejected \(rate)")
    }
}
