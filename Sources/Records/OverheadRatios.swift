import Statistics

/// The one way hhbench computes an overhead, for `hhbench run --baseline` and the harness's
/// `suite.compare` alike, so that the same names always mean the same arithmetic:
/// - `overhead_ratio`: median candidate time over median baseline time, with its 95 % percentile
///   bootstrap interval (`overhead_ratio_ci_low`, `_high`; `Bootstrap.ratioOfMedians`);
/// - `throughput_ratio`: the candidate's operations per second over the baseline's, from the mean
///   times (higher is better);
/// - `memory_overhead_kb` and `memory_overhead_ratio`: candidate memory minus and over baseline
///   memory, per unit of work as the caller measures it (the runner: median peak resident memory a
///   run; the harness: heap growth an operation). The ratio only where the baseline's is above 0.
public enum OverheadRatios {
    public static func measurements(baselineTimes: [Double], candidateTimes: [Double],
                                    memoryKB: (baseline: Double, candidate: Double)? = nil,
                                    benchmark: BenchmarkKey) -> [MeasuredValue] {
        let medianA = Descriptive.median(baselineTimes), medianB = Descriptive.median(candidateTimes)
        let meanA = Descriptive.mean(baselineTimes), meanB = Descriptive.mean(candidateTimes)
        let interval = Bootstrap.ratioOfMedians(baselineTimes, candidateTimes)
        func value(_ name: String, _ value: Double, unit: String = "ratio", _ direction: Direction = .lowerIsBetter) -> MeasuredValue {
            MeasuredValue(benchmark: benchmark, metric: MetricDescriptor(name: name, unit: unit, direction: direction), value: value)
        }
        var result = [
            value("overhead_ratio", medianA == 0 ? .nan : medianB / medianA),
            value("overhead_ratio_ci_low", interval.lower), value("overhead_ratio_ci_high", interval.upper),
            value("throughput_ratio", meanB == 0 ? .nan : meanA / meanB, .higherIsBetter),
        ]
        if let memoryKB {
            result.append(value("memory_overhead_kb", memoryKB.candidate - memoryKB.baseline, unit: "KB"))
            if memoryKB.baseline > 0 { result.append(value("memory_overhead_ratio", memoryKB.candidate / memoryKB.baseline)) }
        }
        return result.filter { $0.value.isFinite }
    }
}
