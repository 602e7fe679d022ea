import Foundation

/// Base and head measured round by round on one machine (`hhbench ab`): the test of their
/// per-round differences.
///
/// **Why paired.** Within a round the two runs share the machine's state (its frequency, its
/// neighbours, the page cache, the day), so the difference of their locations cancels whatever
/// moves both: the run factor that limits `RunLevelTest` across days and machines. This is the
/// randomized multiple interleaved trials design of Abedi & Brecht (ICPE 2017): each round runs
/// both versions, in a random order per round, so a trend in the machine's state falls on both.
///
/// **Model.** On the log scale when every value is positive, else the raw scale, each run's
/// location is its 10 % trimmed mean (`RunLocation`, as in `RunLevelTest`). The round's
/// difference `D_r = T_head,r − T_base,r` estimates the shift δ, with a variance σ²_D that holds
/// both runs' sampling noise and what the machine did to one run and not the other. The test is
/// Yuen's one-sample trimmed t test of the D_r (20 % trimmed; `spread(upTo:)`), its spread
/// moderated across the call's series by `RunNoisePrior` (Smyth 2004: the spread of differences
/// against their sampling variance), so three rounds are not a t test on two degrees of freedom.
/// Trimmed because real runners are bimodal at the scale of a second: on this project's own CI
/// machine a Python loop takes 12 ms or 22 ms by the host's state, the two runs of a round land
/// in different states about half the time, and the 20 % trimmed mean of those differences had
/// half the standard error of their mean.
///
/// **Sequential.** `looks(upTo:)` gives the statistic after each round, for the O'Brien–Fleming
/// boundary of `SequentialBoundary`: the analysis may stop whenever the answer is known.
public struct PairedRounds: Sendable {
    /// True when the values were compared as logarithms (all positive).
    public let logScale: Bool
    /// The per-round differences head − base on the working scale, in round order.
    public let differences: [Double]
    /// Each round's sampling variance of its difference (the two runs' Yuen variances summed).
    public let samplingVariances: [Double]
    /// Mean base and head locations, back on the values' scale.
    public let baselineLevel: Double
    public let candidateLevel: Double
    /// The prior the spread is moderated toward, when there is one.
    public private(set) var prior: RunNoisePrior?

    /// Pairs whose base and head runs both have values; nil when fewer than one.
    public init?(rounds: [(base: [Double], head: [Double])], trim: Double = 0.1) {
        let usable = rounds.filter { !$0.base.isEmpty && !$0.head.isEmpty }
        guard !usable.isEmpty else { return nil }
        logScale = usable.allSatisfy { $0.base.allSatisfy { $0 > 0 && $0.isFinite } && $0.head.allSatisfy { $0 > 0 && $0.isFinite } }
        let transform: (Double) -> Double = logScale ? { Foundation.log($0) } : { $0 }
        let base = usable.map { RunLocation($0.base.map(transform), trim: trim) }
        let head = usable.map { RunLocation($0.head.map(transform), trim: trim) }
        differences = zip(head, base).map { $0.location - $1.location }
        samplingVariances = zip(head, base).map { $0.winsorizedVariance * $0.varianceFactor + $1.winsorizedVariance * $1.varianceFactor }
        let meanBase = base.map(\.location).reduce(0, +) / Double(base.count)
        let meanHead = head.map(\.location).reduce(0, +) / Double(head.count)
        baselineLevel = logScale ? Foundation.exp(meanBase) : meanBase
        candidateLevel = logScale ? Foundation.exp(meanHead) : meanHead
    }

    public var rounds: Int { differences.count }

    /// The statistic after the first `count` rounds.
    public struct Look: Sendable, Equatable {
        public let round: Int
        public let shift: Double
        public let standardError: Double
        public let degreesOfFreedom: Double
        /// The t statistic and its two-sided fixed-sample p-value.
        public var t: Double { standardError > 0 ? shift / standardError : (shift == 0 ? 0 : shift > 0 ? .infinity : -.infinity) }
        public var pValue: Double {
            guard standardError > 0 else { return shift == 0 ? 1 : 0 }
            return degreesOfFreedom.isFinite ? StudentT(degreesOfFreedom: degreesOfFreedom).twoSidedP(t) : min(1, 2 * Normal.sf(abs(t)))
        }
        /// The z with the same two-sided p (the sequential boundary's scale).
        public var z: Double {
            guard standardError > 0 else { return shift == 0 ? 0 : .infinity }
            return SequentialBoundary.normalEquivalent(t: t, degreesOfFreedom: degreesOfFreedom)
        }
    }

    /// The spread observation of the first `count` rounds for the call's prior: the per-round
    /// variance of their trimmed mean (`spread(upTo:)`) and their mean sampling variance.
    public func noiseObservation(upTo count: Int) -> RunNoisePrior.Observation? {
        guard logScale, count >= 2, count <= rounds else { return nil }
        let (_, spread, df) = spread(upTo: count)
        let sampling = samplingVariances.prefix(count).reduce(0, +) / Double(count)
        guard spread > 0, df > 0 else { return nil }
        return RunNoisePrior.Observation(spread: spread, sampling: sampling, degreesOfFreedom: df)
    }

    /// The share of rounds trimmed from each end of the differences (Wilcox's 20 %).
    public static let trim = 0.2

    /// The 20 % trimmed mean of the first `count` differences, its variance times `count` (so
    /// that variance / count is Yuen's squared standard error, (n−1)·s²_w / (h(h−1)) with s²_w the
    /// winsorized variance and h the rounds kept), and h − 1 degrees of freedom (Tukey &
    /// McLaughlin 1963; Yuen 1974). A round whose two runs fell in different machine states
    /// (one fast, one slow) is a wild difference either way; trimming takes those out of the
    /// estimate, where the mean would carry them. Below 5 rounds nothing is trimmed (Student).
    func spread(upTo count: Int) -> (location: Double, spread: Double, degreesOfFreedom: Double) {
        let location = RunLocation(Array(differences.prefix(count)), trim: count >= 5 ? Self.trim : 0)
        return (location.location, location.winsorizedVariance * location.varianceFactor * Double(count), Double(location.kept - 1))
    }

    /// The look after the first `count` rounds, its spread moderated by `prior` when given:
    /// `(d₀·s₀² + d·s²) / (d₀ + d)` on d₀ + d degrees of freedom (Smyth 2004, §4), a series far
    /// noisier than the prior allows (its upper 5 %) keeping its own. One round alone borrows the
    /// prior's spread, or cannot be tested.
    public func look(upTo count: Int, prior: RunNoisePrior?) -> Look? {
        guard count >= 1, count <= rounds else { return nil }
        let (mean, variance, d) = spread(upTo: count)
        let sampling = samplingVariances.prefix(count).reduce(0, +) / Double(count)
        var spread = variance, df = d
        if let prior, logScale {
            let expected = prior.expectedSpread(sampling: sampling)
            let d0 = prior.degreesOfFreedom
            if count == 1 || variance <= 0 {
                (spread, df) = (expected, d0)
            } else if prior.upperTail(spread: variance, sampling: sampling, degreesOfFreedom: d) >= 0.05 {
                spread = d0.isFinite ? (d0 * expected + d * variance) / (d0 + d) : expected
                df = d0 + d
            }
        }
        guard count >= 2 || prior != nil, spread.isFinite, spread >= 0, df > 0 else { return nil }
        return Look(round: count, shift: mean, standardError: (spread / Double(count)).squareRoot(), degreesOfFreedom: df)
    }

    /// A value on the working scale as a percent change (log scale) or relative to the base level.
    public func percent(_ value: Double) -> Double {
        logScale ? (Foundation.exp(value) - 1) * 100 : (baselineLevel == 0 ? .nan : value / abs(baselineLevel) * 100)
    }

    /// A percent change on the working scale.
    public func shift(percent: Double) -> Double {
        logScale ? Foundation.log1p(percent / 100) : percent / 100 * abs(baselineLevel)
    }

}
