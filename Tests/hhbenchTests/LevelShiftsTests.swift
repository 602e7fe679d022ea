import Foundation
@testable import Statistics
import Testing

/// `LevelShifts` over `CommitLevels` on planted series: each commit two runs of ten samples.
@Suite struct LevelShiftsTests {
    /// Commits with the given true levels: two runs each, run noise 1 %, sample CV 3 %.
    static func commits(_ levels: [Double], seed: UInt64) -> [[[Double]]] {
        var random = SyntheticResults(seed: seed)
        return levels.map { level in
            (0..<2).map { _ in
                let runLevel = level * (1 + random.normal(0, 0.01))
                return (0..<10).map { _ in runLevel * (1 + random.normal(0, 0.03)) }
            }
        }
    }

    static func detect(_ levels: [Double], seed: UInt64) -> LevelShifts.Result {
        CommitLevels(commits: commits(levels, seed: seed)).detect()
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func anOutlierIsNotAChangePoint(seed: UInt64) {
        var levels = Array(repeating: 10.0, count: 120)
        levels[40] = 14  // one slow commit: a noisy neighbour
        levels[90] = 7
        let result = Self.detect(levels, seed: seed)
        #expect(result.shifts.isEmpty, "seed \(seed): \(result.shifts.map(\.index))")
        #expect(result.outliers == [40, 90], "seed \(seed)")
        #expect(result.drift?.flagged == false)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func aStepBehindOutliersIsFound(seed: UInt64) throws {
        // +8 % from commit 60, with spikes just before and after it.
        var levels = (0..<120).map { $0 < 60 ? 10.0 : 10.8 }
        levels[57] = 13
        levels[63] = 15
        let result = Self.detect(levels, seed: seed)
        #expect(result.shifts.map(\.index) == [60], "seed \(seed)")
        #expect(result.outliers == [57, 63], "seed \(seed)")
        let shift = try #require(result.shifts.first)
        #expect(abs(Foundation.exp(shift.after - shift.before) - 1.08) < 0.01)
        #expect(shift.pValue < 1e-6)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func driftIsReportedAsDrift(seed: UInt64) throws {
        // 12 % over 200 commits: a staircase to a step detector, one slope here.
        let levels = (0..<200).map { 10 * (1 + 0.12 * Double($0) / 200) }
        let result = Self.detect(levels, seed: seed)
        #expect(result.shifts.isEmpty, "seed \(seed): \(result.shifts.map(\.index))")
        let drift = try #require(result.drift)
        #expect(drift.flagged)
        // Log scale: about 0.113 / 200 a commit.
        #expect(abs(drift.slope * 200 - Foundation.log(1.12)) < 0.02)
        // The Otava port cuts the same series into steps.
        let perCommit = Self.commits(levels, seed: seed).map { runs in runs.flatMap { $0 }.reduce(0, +) / 20 }
        #expect(!ChangePoints.detect(perCommit).isEmpty)
    }

    @Test func aFlatSeriesStaysQuietAndStepsAreExact() {
        var falseAlarms = 0
        for seed in UInt64(1)...40 {
            falseAlarms += Self.detect(Array(repeating: 5.0, count: 300), seed: seed).shifts.count
        }
        // 12,000 commits at 0.2 false alarms per 1,000: about 2.4 expected.
        #expect(falseAlarms <= 8, "\(falseAlarms) false change points in 12,000 commits")
        let steps = Self.detect((0..<150).map { $0 < 50 ? 5.0 : $0 < 100 ? 5.5 : 4.4 }, seed: 9)
        #expect(steps.shifts.map(\.index) == [50, 100])
    }

    @Test func functionalPruningKeepsTheOptimum() {
        // FPOP against the unpruned recursion on series with and without steps and weights.
        var random = SyntheticResults(seed: 77)
        for trial in 0..<60 {
            let n = 50 + trial * 7
            let levels = (0..<n).map { i in (i / (10 + trial % 40)) % 3 == 0 ? 0.0 : Double(trial % 4) * 0.7 }
            let y = levels.map { $0 + random.normal(0, 1) }
            let w = (0..<n).map { _ in 0.5 + random.uniform() * 2 }
            let beta = 4 + Double(trial % 5) * 3
            let fast = Segmentation(y: y, w: w, beta: beta, minimum: 1 + trial % 3)
            let slow = Segmentation(y: y, w: w, beta: beta, minimum: 1 + trial % 3, pruned: false)
            #expect(abs(fast.penalisedCost - slow.penalisedCost) <= 1e-9 * max(1, abs(slow.penalisedCost)), "trial \(trial)")
            #expect(fast.cuts == slow.cuts, "trial \(trial)")
        }
    }

    @Test func segmentationIsTheExactOptimum() {
        // PELT against every partition of a short series into segments of at least two points.
        var random = SyntheticResults(seed: 21)
        let y = (0..<12).map { $0 < 5 ? random.normal(0, 1) : random.normal(2.5, 1) }
        let w = Array(repeating: 1.0, count: y.count)
        let beta = 6.0
        func cost(_ a: Int, _ b: Int) -> Double {
            let mean = y[a..<b].reduce(0, +) / Double(b - a)
            return y[a..<b].reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        }
        func best(_ start: Int) -> Double {
            var value = cost(start, y.count)
            for cut in stride(from: start + 2, through: y.count - 2, by: 1) {
                value = min(value, cost(start, cut) + beta + best(cut))
            }
            return value
        }
        let fit = Segmentation(y: y, w: w, beta: beta, minimum: 2)
        #expect(abs(fit.penalisedCost - best(0)) < 1e-9)
    }
}
