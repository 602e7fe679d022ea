import Statistics
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
