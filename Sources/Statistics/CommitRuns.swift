/// A series' commits, each its runs, each its samples (or one value), in three flat arrays: what
/// `CommitLevels` and `trend` read. A trend over 500 series × 200 commits holds 100,000 runs, and
/// an array a run (`[[[Double]]]`) spent more time allocating than the detector spent detecting.
///
/// Run `r`'s values are `values[runStarts[r]..<runStarts[r + 1]]`; commit `c`'s runs are
/// `commitStarts[c]..<commitStarts[c + 1]`. Both start arrays begin with 0 and end with the count.
public struct CommitRuns: Sendable, Equatable {
    public private(set) var values: [Double] = []
    public private(set) var runStarts: [Int] = [0]
    public private(set) var commitStarts: [Int] = [0]

    public init() {}

    /// The nested form: `commits[c][r]` is commit c's run r.
    public init(_ commits: [[[Double]]]) {
        for commit in commits {
            for run in commit { appendRun(run) }
            closeCommit()
        }
    }

    public var commitCount: Int { commitStarts.count - 1 }
    public var runCount: Int { runStarts.count - 1 }

    /// Adds a run to the commit being built.
    public mutating func appendRun<Values: Sequence<Double>>(_ run: Values) {
        values.append(contentsOf: run)
        runStarts.append(values.count)
    }

    /// Ends the commit being built (its runs are those appended since the last call).
    public mutating func closeCommit() { commitStarts.append(runStarts.count - 1) }

    public func runs(ofCommit commit: Int) -> Range<Int> { commitStarts[commit]..<commitStarts[commit + 1] }
    public func values(ofRun run: Int) -> ArraySlice<Double> { values[runStarts[run]..<runStarts[run + 1]] }
}
