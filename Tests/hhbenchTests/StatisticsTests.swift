import Foundation
@testable import Statistics
import Testing

@Suite struct DescriptiveTests {
    // Expected values from numpy 2.4: np.percentile(x, q), np.mean(x), np.std(x, ddof=1).
    let sample = [0.051, 0.049, 0.050, 0.0512, 0.0498, 0.0731, 0.0444, 0.052, 0.0505, 0.0611, 0.0499]

    @Test func percentilesMatchNumpyLinearInterpolation() {
        let summary = Descriptive(sample)
        #expect(summary.median == 0.0505)
        #expect(summary.p95 == 0.06709999999999999)
        #expect(summary.p99 == 0.0719)
        #expect(Descriptive([3.0, 1.0, 2.0]).p95 == 2.9)
        #expect(Descriptive([3.0, 1.0, 2.0]).p99 == 2.98)
    }

    @Test func meanAndSampleStandardDeviation() {
        let summary = Descriptive(sample)
        #expect(abs(summary.mean - 0.05290909090909091) < 1e-17)
        #expect(abs(summary.standardDeviation - 0.007764206919635069) < 1e-16)
        #expect(summary.min == 0.0444)
        #expect(summary.max == 0.0731)
        #expect(summary.count == 11)
    }

    @Test func singleValue() {
        let summary = Descriptive([4.2])
        #expect(summary.standardDeviation == 0)
        #expect(summary.p99 == 4.2)
    }
}

/// Against scipy 1.17 (`Tests/tools/make_statistics_reference.py` wrote the answers).
@Suite struct InferenceTests {
    struct TCase: Decodable {
        let df: Double
        let q: Double?
        let quantile: Double?
        let t: Double?
        let sf: Double?
    }

    static func relativelyClose(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-300)
    }

    @Test func studentTMatchesScipy() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture("statistics/student_t.json")))
        for c in try JSONDecoder().decode([TCase].self, from: data) {
            let t = StudentT(degreesOfFreedom: c.df)
            if let q = c.q, let expected = c.quantile {
                #expect(Self.relativelyClose(t.quantile(q), expected, 1e-9), "df \(c.df) q \(q)")
            }
            if let value = c.t, let expected = c.sf {
                #expect(Self.relativelyClose(t.sf(value), expected, 1e-9), "df \(c.df) t \(value): \(t.sf(value)) vs \(expected)")
            }
        }
    }

    @Test func holmMatchesRsPAdjust() {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
        let adjusted = Holm.adjust([0.01, 0.04, 0.03, 0.005])
        let expected = [0.03, 0.06, 0.06, 0.02]
        for (a, e) in zip(adjusted, expected) { #expect(abs(a - e) < 1e-15) }
    }

    @Test func benjaminiHochbergMatchesScipy() {
        // scipy.stats.false_discovery_control(p, method="bh"), the same as R's p.adjust(p, "BH").
        let adjusted = BenjaminiHochberg.adjust([0.01, 0.04, 0.03, 0.005, 0.2, 0.5])
        for (ours, theirs) in zip(adjusted, [0.03, 0.06, 0.06, 0.03, 0.24, 0.5]) { #expect(Self.relativelyClose(ours, theirs, 1e-12)) }
        #expect(BenjaminiHochberg.rejections([0.01, 0.04, 0.03, 0.005, 0.2, 0.5], q: 0.05) == 2)
    }

    @Test func runLevelTestIsThePredictionIntervalOfRunLocations() throws {
        // One value a run: the t test of a new run against six (scipy.stats.t on the logs).
        let test = try #require(RunLevelTest(baseline: [[10.1], [9.8], [10.3], [10.0], [9.9], [10.2]], candidate: [[11.0]]))
        #expect(test.logScale)
        #expect(Self.relativelyClose(test.shift, 0.09046706026768003, 1e-12))
        #expect(Self.relativelyClose(test.standardError, 0.02011060914182046, 1e-12))
        #expect(Self.relativelyClose(test.pValue, 0.006408537257681012, 1e-8))
        #expect(test.degreesOfFreedom == 5)
        // The change lies in its interval, and the interval in percent is the shift's.
        let interval = test.interval(level: 0.95)
        #expect(interval.low < test.shift && test.shift < interval.high)
        #expect(Self.relativelyClose(test.percent(test.shift), (test.candidateLevel / test.baselineLevel - 1) * 100, 1e-12))
    }

    @Test func aRunsLocationIsItsTrimmedMeanWithYuensVariance() {
        // scipy.stats.trim_mean(x, 0.2) and the winsorized variance of mstats.winsorize(x, (0.2, 0.2)).
        let run = RunLocation([1, 2, 3, 4, 5, 6, 7, 8, 9, 100], trim: 0.2)
        #expect(run.location == 5.5)
        #expect(Self.relativelyClose(run.winsorizedVariance, 4.722222222222222, 1e-12))
        #expect(Self.relativelyClose(run.winsorizedVariance * run.varianceFactor, 1.4166666666666667, 1e-12))
    }

    @Test func runToRunDriftWidensTheInterval() throws {
        // The same samples, arranged as runs that agree or as runs that drift: drift must not be
        // taken for a change.
        let tight: [[Double]] = (0..<8).map { (run: Int) -> [Double] in
            (0..<10).map { (i: Int) -> Double in 10 + 0.01 * Double((i * 7 + run) % 10) }
        }
        let drifting: [[Double]] = tight.enumerated().map { (run: Int, values: [Double]) -> [Double] in
            values.map { $0 * (run % 2 == 0 ? 1.05 : 0.95) }
        }
        let candidate: [[Double]] = [(0..<10).map { (i: Int) -> Double in 10.5 + 0.01 * Double(i) }]
        let calm = try #require(RunLevelTest(baseline: tight, candidate: candidate))
        let noisy = try #require(RunLevelTest(baseline: drifting, candidate: candidate))
        #expect(calm.pValue < 1e-6)
        #expect(noisy.pValue > 0.05)
        #expect(noisy.standardError > 5 * calm.standardError)
    }

    @Test func tooFewRunsAssumeTheRunNoise() throws {
        let test = try #require(RunLevelTest(baseline: [[1, 1.01, 0.99, 1, 1.02]], candidate: [[2, 2.02, 1.98, 2, 2.04]]))
        #expect(test.runNoiseAssumed)
        #expect(test.pValue < 1e-6, "a 2x slowdown is clear even with the run noise assumed")
        let small = try #require(RunLevelTest(baseline: [[1, 1.01, 0.99, 1, 1.02]], candidate: [[1.01, 1.02, 1.0, 1.01, 1.03]]))
        #expect(small.pValue > 0.5, "a 1 % difference between two single runs is within the assumed 3 %")
    }
}

@Suite struct ChangePointTests {
    struct OtavaCase: Decodable, Sendable, CustomStringConvertible {
        struct Point: Decodable, Sendable {
            let index: Int
            let p_value: Double
            let mean_before: Double
            let mean_after: Double
        }
        let name: String
        let values: [Double]
        let change_points: [Point]
        let weak_change_points: [Int]
        var description: String { name }
    }

    static let cases: [OtavaCase] = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: fixture("statistics/otava.json")))
        return try! JSONDecoder().decode([OtavaCase].self, from: data)
    }()

    static func agrees(_ ours: [Int], _ theirs: [Int]) -> Bool {
        ours.count == theirs.count && zip(ours, theirs).allSatisfy { abs($0 - $1) <= 1 }
    }

    @Test(arguments: cases)
    func sameChangePointsAsOtava(_ c: OtavaCase) {
        let found = ChangePoints.detect(c.values)
        #expect(Self.agrees(found.map(\.index), c.change_points.map(\.index)),
                "\(c.name): hhbench \(found.map(\.index)) vs Otava \(c.change_points.map(\.index))")
        for (ours, theirs) in zip(found, c.change_points) where ours.index == theirs.index {
            #expect(abs(ours.meanBefore - theirs.mean_before) <= 1e-9 * abs(theirs.mean_before))
            #expect(abs(ours.meanAfter - theirs.mean_after) <= 1e-9 * abs(theirs.mean_after))
            #expect(abs(ours.pValue - theirs.p_value) <= max(1e-12, 1e-6 * theirs.p_value), "\(c.name) p")
        }
    }

    @Test func weakChangePointsMatchToo() {
        var agreeing = 0
        for c in Self.cases {
            let firstPass = ChangePoints.split(c.values, window: 50, maxPValue: 0.01).map(\.index)
            if Self.agrees(firstPass, c.weak_change_points) { agreeing += 1 }
        }
        #expect(agreeing == Self.cases.count)
    }

    @Test func aClearStepIsFoundWhereItIs() {
        var values = [Double](repeating: 10, count: 60) + [Double](repeating: 13, count: 60)
        for i in values.indices { values[i] += Double((i * 7919) % 13) / 100 }
        let found = ChangePoints.detect(values)
        #expect(found.map(\.index) == [60])
        #expect(abs(found[0].forwardChange - 0.3) < 0.01)
    }
}

@Suite struct TheilSenTests {
    /// scipy 1.17: theilslopes(y, range(40)) for y = [100 + 0.3 i + gauss(0, 1) with random.Random(5)]
    /// gives slope 0.31584442647417127, intercept 99.72670026279323, interval [0.2814447666729688, 0.3511232016902852].
    @Test func matchesScipy() throws {
        let y: [Double] = try JSONDecoder().decode([Double].self, from: Data(contentsOf: URL(fileURLWithPath: fixture("statistics/theilsen_y.json"))))
        let estimate = try #require(TheilSen(x: y.indices.map(Double.init), y: y))
        #expect(abs(estimate.slope - 0.31584442647417127) < 1e-12)
        #expect(abs(estimate.intercept - 99.72670026279323) < 1e-9)
        #expect(abs(estimate.lower - 0.2814447666729688) < 1e-12)
        #expect(abs(estimate.upper - 0.3511232016902852) < 1e-12)
    }
}

@Suite struct TheilSenScalingTests {
    /// The all-pairs definition, sorted: what the banded selection must reproduce exactly.
    static func bruteForce(_ x: [Double], _ y: [Double]) -> [Double] {
        var slopes: [Double] = []
        for i in 0..<x.count { for j in (i + 1)..<x.count where x[j] != x[i] { slopes.append((y[j] - y[i]) / (x[j] - x[i])) } }
        return slopes.sorted()
    }

    @Test func theBandGivesTheSameOrderStatisticsAsAllPairs() throws {
        var generator = SplitMix64(seed: 42)
        for (n, ties) in [(3, false), (10, true), (57, false), (200, true), (301, false)] {
            let x = (0..<n).map { ties ? Double($0 / 3) : Double($0) }
            let y = (0..<n).map { i -> Double in
                let noise = Double(generator.next() % 1000) / 100
                return ties ? (10 + noise).rounded() : 10 + 0.02 * Double(i) + noise
            }
            let all = Self.bruteForce(x, y)
            let estimate = try #require(TheilSen(x: x, y: y))
            var copy = all
            #expect(estimate.slope == Selection.percentile(&copy, 50), "n \(n)")
            #expect(all.contains(estimate.lower) && all.contains(estimate.upper), "n \(n)")
            #expect(estimate.lower <= estimate.slope && estimate.slope <= estimate.upper)
        }
    }

    /// The O(n log n) path (inversion counting and sampling) against all pairs: continuous y, with
    /// and without tied x, at ranks across the range.
    @Test func theInversionPathGivesTheSameOrderStatisticsAsAllPairs() throws {
        var generator = SplitMix64(seed: 99)
        for (n, tiedX) in [(40, false), (57, true), (301, false), (1_500, true), (2_500, false)] {
            let x = (0..<n).map { tiedX ? Double($0 / 4) : Double($0) * 0.5 }
            let y = (0..<n).map { i in 50 + 0.03 * Double(i) + Double(generator.next() % 1_000_000) / 1e5 }
            var all = Self.bruteForce(x, y)
            let ranks = [0, all.count / 7, all.count / 2, all.count / 2 + 1, all.count - 1]
            let fast = try #require(SlopeSelection.fastOrderStatistics(x: x, y: y, ranks: ranks, count: all.count), "n \(n)")
            for (rank, value) in zip(ranks, fast.values) { #expect(value == Selection.kth(&all, rank), "n \(n) rank \(rank)") }
            #expect(fast.peakHeld <= max(4096, 16 * n))
            #expect(InversionBand(x: x, y: y, low: -.infinity, high: .infinity).count() == all.count)
            // A band's count and its drawn slopes agree with the pairs themselves.
            let low = Selection.kth(&all, all.count / 3), high = Selection.kth(&all, all.count / 2)
            let band = InversionBand(x: x, y: y, low: low, high: high)
            let inside = all.filter { $0 > low && $0 <= high }
            #expect(band.count() == inside.count, "n \(n)")
            if inside.count < 200_000 {
                #expect(band.slopes(numbered: Array(0..<band.count())).sorted() == inside.sorted(), "n \(n)")
            }
        }
        // Heavily tied slopes are left to the exact path.
        let x = (0..<3_000).map(Double.init), y = x.map { ($0 / 300).rounded(.down) }
        #expect(SlopeSelection.fastOrderStatistics(x: x, y: y, ranks: [100], count: 3_000 * 2_999 / 2) == nil)
    }

    /// Issue 13: 1.6 GB for one 20,000-point series, from keeping all n(n−1)/2 slopes. The
    /// selection holds at most a few bands of 16 n slopes at once, in a few passes, however many
    /// pairs there are.
    @Test func theMemoryStaysLinear() throws {
        var generator = SplitMix64(seed: 7)
        for n in [1_000, 3_000] {
            let x = (0..<n).map(Double.init)
            let y = x.map { 100 + 0.01 * $0 + Double(generator.next() % 1000) / 100 }
            let pairs = n * (n - 1) / 2
            let ranks = [pairs / 2 - 5 * n, pairs / 2, pairs / 2 + 1, pairs / 2 + 5 * n]
            let cost = SlopeSelection.orderStatisticsAndCost(x: x, y: y, ranks: ranks, count: pairs)
            #expect(cost.peakHeld <= 4 * 2 * 16 * n, "n \(n): held \(cost.peakHeld) slopes of \(pairs)")
            // n = 1,000 streams the pairs (a few passes in all); n = 3,000 counts inversions (a few
            // O(n log n) sweeps a rank).
            #expect(cost.passes <= (n < SlopeSelection.exactBelow ? 4 : 4 * ranks.count))
            var all = TheilSenScalingTests.bruteForce(x, y)
            for (rank, value) in zip(ranks, cost.values) { #expect(value == Selection.kth(&all, rank)) }
        }
    }
}

@Suite struct SelectionTests {
    @Test func selectionAgreesWithSorting() {
        var generator = SystemRandomNumberGenerator()
        for count in [1, 2, 3, 10, 101, 1000] {
            let values = (0..<count).map { _ in Double(Int.random(in: 0..<50, using: &generator)) }  // many ties
            let sorted = values.sorted()
            for k in Set([0, count / 3, count / 2, count - 1]) {
                var copy = values
                #expect(Selection.kth(&copy, k) == sorted[k])
            }
            for q in [0.0, 25, 50, 95, 99, 100] {
                var copy = values
                #expect(Selection.percentile(&copy, q) == Descriptive.percentile(sorted: sorted, q))
            }
        }
    }
}
