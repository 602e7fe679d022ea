import Statistics
import Warehouse

/// One series as `trend` analyses it: the commits with values (positions in the oldest-first
/// commit list) and, for each, its runs' values.
struct SeriesInput: Sendable {
    /// An index into `MetricValues.benchmarks`.
    let series: Int
    let commits: [Int]
    let runs: CommitRuns
}

extension Trend {
    /// The values grouped by series, then commit (oldest first), then run (in the order the runs
    /// were asked for), with three stable counting sorts: linear in the number of points, where a
    /// dictionary a series and an array a point were most of a large trend's time.
    static func seriesInputs(_ values: MetricValues, commitOfRun: [Int], commitCount: Int) -> [SeriesInput] {
        let entries = values.entries
        let kept = entries.indices.filter { commitOfRun[entries[$0].run] >= 0 }
        let byRun = countingSort(kept, buckets: commitOfRun.count) { entries[$0].run }
        let byCommit = countingSort(byRun, buckets: commitCount) { commitOfRun[entries[$0].run] }
        let ordered = countingSort(byCommit, buckets: values.benchmarks.count) { entries[$0].series }
        var inputs: [SeriesInput] = []
        var position = 0
        while position < ordered.count {
            let series = entries[ordered[position]].series
            var commits: [Int] = []
            var runs = CommitRuns()
            while position < ordered.count, entries[ordered[position]].series == series {
                let commit = commitOfRun[entries[ordered[position]].run]
                while position < ordered.count, entries[ordered[position]].series == series,
                      commitOfRun[entries[ordered[position]].run] == commit {
                    runs.appendRun(values.values(of: entries[ordered[position]]))
                    position += 1
                }
                runs.closeCommit()
                commits.append(commit)
            }
            inputs.append(SeriesInput(series: series, commits: commits, runs: runs))
        }
        return inputs
    }

    /// `items` ordered by `key` (0..<buckets), keeping the order of items with equal keys.
    private static func countingSort(_ items: [Int], buckets: Int, key: (Int) -> Int) -> [Int] {
        var starts = [Int](repeating: 0, count: buckets + 1)
        for item in items { starts[key(item) + 1] += 1 }
        for bucket in 0..<buckets { starts[bucket + 1] += starts[bucket] }
        var sorted = [Int](repeating: 0, count: items.count)
        for item in items {
            let bucket = key(item)
            sorted[starts[bucket]] = item
            starts[bucket] += 1
        }
        return sorted
    }
}
