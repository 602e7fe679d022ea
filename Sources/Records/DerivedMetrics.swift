import Statistics

extension RunRecord {
    /// The summary metrics computed from a series of samples of metric `X`, in the names the
    /// performance tests of our users assert on: `avg_X`, `median_X`, `p95_X`, `p99_X`, `min_X`,
    /// `max_X`, `std_dev_X` (sample standard deviation, n - 1; only from two samples up).
    /// Percentiles interpolate linearly between order statistics, as numpy does by default.
    public static let derivedPrefixes = ["avg", "median", "p95", "p99", "min", "max", "std_dev"]

    /// Adds the derived metrics of every sample series, and `throughput_ops_per_sec` (operations
    /// per second from the mean) for the benchmark's main time series: the one named `time_<unit>`,
    /// else its only series in a time unit. A metric the input gave explicitly is kept and the
    /// derived one of the same name is skipped.
    public func addingDerivedMetrics() -> RunRecord {
        var copy = self
        var given = Set<MeasurementKey>()
        for measurement in measurements { given.insert(MeasurementKey(measurement.benchmark, measurement.metric.name)) }

        var timeSeriesByBenchmark: [BenchmarkKey: [SampleSeries]] = [:]
        for series in series where series.metric.isTime {
            timeSeriesByBenchmark[series.benchmark, default: []].append(series)
        }

        for series in series {
            let values = series.values
            let summary = Descriptive(values)
            let stem = series.metric.name
            var derived: [(String, Double)] = [
                ("avg_" + stem, summary.mean), ("median_" + stem, summary.median),
                ("p95_" + stem, summary.p95), ("p99_" + stem, summary.p99),
                ("min_" + stem, summary.min), ("max_" + stem, summary.max),
            ]
            if summary.count > 1 { derived.append(("std_dev_" + stem, summary.standardDeviation)) }
            for (name, value) in derived where !given.contains(MeasurementKey(series.benchmark, name)) {
                let metric = MetricDescriptor(name: name, unit: series.metric.unit, direction: series.metric.direction)
                copy.measurements.append(MeasuredValue(benchmark: series.benchmark, metric: metric, value: value, derived: true))
                given.insert(MeasurementKey(series.benchmark, name))
            }

            let throughputName = "throughput_ops_per_sec"
            if isMainTimeSeries(series, among: timeSeriesByBenchmark[series.benchmark] ?? []),
               !given.contains(MeasurementKey(series.benchmark, throughputName)),
               let secondsPerUnit = Unit.secondsPerUnit[series.metric.unit], summary.mean > 0,
               (1 / (summary.mean * secondsPerUnit)).isFinite {
                let metric = MetricDescriptor(name: throughputName, unit: "ops/s", direction: .higherIsBetter)
                copy.measurements.append(MeasuredValue(
                    benchmark: series.benchmark, metric: metric, value: 1 / (summary.mean * secondsPerUnit), derived: true))
                given.insert(MeasurementKey(series.benchmark, throughputName))
            }
        }
        return copy
    }

    private func isMainTimeSeries(_ series: SampleSeries, among timeSeries: [SampleSeries]) -> Bool {
        guard series.metric.isTime else { return false }
        if let named = timeSeries.first(where: { $0.metric.name.hasPrefix("time_") }) {
            return named.metric == series.metric
        }
        return timeSeries.count == 1
    }
}

private struct MeasurementKey: Hashable {
    let benchmark: BenchmarkKey
    let metric: String
    init(_ benchmark: BenchmarkKey, _ metric: String) {
        self.benchmark = benchmark
        self.metric = metric
    }
}
