import Foundation
import GRDB
import Records

/// One metric over many runs, flat: what `trend` reads. A trend over 500 series × 200 commits
/// reads 100,000 values; a dictionary a run (`RunValues`) cost more than the detector.
package struct MetricValues: Sendable {
    /// One run's values of one benchmark: `values[start..<start + count]`.
    package struct Entry: Sendable {
        /// The run's position in the runs asked for.
        package let run: Int
        /// An index into `benchmarks` and `metrics`.
        package let series: Int
        package let start: Int
        package let count: Int
    }

    /// The benchmarks with the metric, by series index, and the metric as each first recorded it.
    package fileprivate(set) var benchmarks: [BenchmarkKey] = []
    package fileprivate(set) var metrics: [MetricDescriptor] = []
    package fileprivate(set) var entries: [Entry] = []
    package fileprivate(set) var values: [Double] = []
    /// Runs of those asked whose raw samples were pruned and that had the metric as a median.
    package fileprivate(set) var runsWithSummariesOnly = 0

    fileprivate var seriesOfBenchmark: [Int64: Int] = [:]

    package func values(of entry: Entry) -> ArraySlice<Double> { values[entry.start..<entry.start + entry.count] }

    fileprivate mutating func series(_ benchmarkID: Int64, _ row: any ResultRow, metricName: String) -> Int {
        if let known = seriesOfBenchmark[benchmarkID] { return known }
        let direction: String = row[6]
        benchmarks.append(BenchmarkKey(name: row[2], group: row[3], paramsText: row[4]))
        metrics.append(MetricDescriptor(name: metricName, unit: row[5], direction: Direction(rawValue: direction) ?? .lowerIsBetter))
        seriesOfBenchmark[benchmarkID] = benchmarks.count - 1
        return benchmarks.count - 1
    }

    fileprivate mutating func append(run: Int, series: Int, _ values: some Collection<Double>) {
        entries.append(Entry(run: run, series: series, start: self.values.count, count: values.count))
        self.values.append(contentsOf: values)
    }
}

extension Warehouse {
    /// Every value of `metric` the runs `runIDs` recorded, by run and benchmark: a run's given
    /// value where it has one, else its raw samples, else (for a run whose samples were pruned)
    /// the median derived from them when they were recorded.
    package func metricValues(ofRuns runIDs: [Int64], pruned: Set<Int64>, metric: String) throws -> MetricValues {
        var result = MetricValues()
        guard !runIDs.isEmpty else { return result }
        var position: [Int64: Int] = [:]
        position.reserveCapacity(runIDs.count)
        for (index, id) in runIDs.enumerated() where position[id] == nil { position[id] = index }
        // One bound parameter however many runs: a trend over all history asks for 100,000.
        let columns = "b.name, b.group_name, b.params, mt.unit, mt.direction"
        return try read { reader in
            let ids = reader.integers(runIDs)
            // (run position, series) pairs already given, so samples or a median do not repeat them.
            var given = Set<Int64>()
            func key(_ run: Int, _ series: Int) -> Int64 { Int64(run) << 32 | Int64(series) }
            try reader.each("""
                SELECT ms.run_id, ms.benchmark_id, \(columns), ms.value
                FROM measurements ms JOIN benchmarks b ON b.id = ms.benchmark_id JOIN metrics mt ON mt.id = ms.metric_id
                WHERE mt.name = ? AND \(reader.isIn("ms.run_id"))
                """, [metric.databaseValue, ids]) { row in
                guard let run = position[row[0] as Int64] else { return }
                let series = result.series(row[1] as Int64, row, metricName: metric)
                result.append(run: run, series: series, CollectionOfOne(row[7] as Double))
                given.insert(key(run, series))
            }
            try reader.each("""
                SELECT s.run_id, s.benchmark_id, \(columns), \(SampleCoding.columns)
                FROM sample_series s JOIN benchmarks b ON b.id = s.benchmark_id JOIN metrics mt ON mt.id = s.metric_id
                WHERE mt.name = ? AND \(reader.isIn("s.run_id"))
                """, [metric.databaseValue, ids]) { row in
                guard let run = position[row[0] as Int64] else { return }
                let series = result.series(row[1] as Int64, row, metricName: metric)
                guard !given.contains(key(run, series)) else { return }
                let samples = try SampleCoding.decode(row, path: path)
                guard !samples.isEmpty else { return }
                result.append(run: run, series: series, samples)
                given.insert(key(run, series))
            }
            let prunedIDs = runIDs.filter(pruned.contains)
            guard !prunedIDs.isEmpty else { return result }
            // A pruned run still has its series, through the median derived from its samples.
            try reader.each("""
                SELECT ms.run_id, ms.benchmark_id, \(columns), ms.value
                FROM measurements ms JOIN benchmarks b ON b.id = ms.benchmark_id JOIN metrics mt ON mt.id = ms.metric_id
                WHERE mt.name = ? AND ms.derived = 1 AND \(reader.isIn("ms.run_id"))
                """, [("median_" + metric).databaseValue, reader.integers(prunedIDs)]) { row in
                guard let run = position[row[0] as Int64] else { return }
                let series = result.series(row[1] as Int64, row, metricName: metric)
                guard !given.contains(key(run, series)) else { return }
                result.append(run: run, series: series, CollectionOfOne(row[7] as Double))
            }
            result.runsWithSummariesOnly = Set(result.entries.lazy.map(\.run).filter { pruned.contains(runIDs[$0]) }).count
            return result
        }
    }
}
