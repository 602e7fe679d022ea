import Foundation

/// Each commit's level and the sampling variance of that level, from its runs' raw samples: the
/// input of `LevelShifts`, which is how the detector uses what only the warehouse has.
///
/// A run's location is its 20 % trimmed mean (as in `RunLevelTest`); a commit's level is the mean
/// of its runs' locations. Its variance comes from the whole series, not from the commit's own two
/// or three runs (which would give it one or two degrees of freedom): a run location's variance is
/// the series' pooled spread of run locations about their commit's mean (run-to-run noise and
/// sampling together) when commits hold several runs (at least 10 degrees of freedom), else the pooled winsorized variance times
/// the run's Yuen factor (sampling only); the commit's level has that over R_i, its run count.
/// A series of one value a run has no sampling variance (0): then the series' own spread is all
/// `LevelShifts` knows. Levels are logarithms when every value is positive, so steps are relative.
public struct CommitLevels: Sendable, Equatable {
    public let logScale: Bool
    public let levels: [Double]
    public let samplingVariances: [Double]
    /// Degrees of freedom (runs beyond the first, over all commits) needed to use the run spread.
    public static let minimumSpreadDF = 10

    /// `commits[i]` holds commit i's runs, each its samples (or one value). Commits with no values
    /// are not allowed: leave them out.
    public init(commits: [[[Double]]], trim: Double = 0.2) {
        logScale = commits.allSatisfy { runs in runs.allSatisfy { run in run.allSatisfy { $0 > 0 && $0.isFinite } } }
        let transform: (Double) -> Double = logScale ? { Foundation.log($0) } : { $0 }
        let located = commits.map { runs in runs.filter { !$0.isEmpty }.map { RunLocation($0.map(transform), trim: trim) } }
        levels = located.map { runs in runs.isEmpty ? .nan : runs.reduce(0) { $0 + $1.location } / Double(runs.count) }
        // Sampling: the pooled winsorized variance (Yuen), as RunLevelTest's stage one.
        let allRuns = located.flatMap { $0 }
        let winsorizedDF = allRuns.reduce(0) { $0 + max(0, $1.count - 1) }
        let pooledWinsorized = winsorizedDF > 0
            ? allRuns.reduce(0.0) { $0 + $1.winsorizedVariance * Double(max(0, $1.count - 1)) } / Double(winsorizedDF) : 0
        let sampling = allRuns.isEmpty ? 0 : pooledWinsorized * allRuns.reduce(0) { $0 + $1.varianceFactor } / Double(allRuns.count)
        // Run to run: the spread of run locations about their commit's level, pooled.
        var squares = 0.0, spreadDF = 0
        for (runs, level) in zip(located, levels) where runs.count >= 2 {
            squares += runs.reduce(0) { $0 + ($1.location - level) * ($1.location - level) }
            spreadDF += runs.count - 1
        }
        // A few commits with several runs say too little about run-to-run noise to weigh all others by.
        let perRun = spreadDF >= Self.minimumSpreadDF ? max(squares / Double(spreadDF), sampling) : sampling
        samplingVariances = located.map { $0.isEmpty ? 0 : perRun / Double($0.count) }
    }

    /// A level back on the values' scale.
    public func value(_ level: Double) -> Double { logScale ? Foundation.exp(level) : level }

    public func detect(options: LevelShifts.Options = LevelShifts.Options()) -> LevelShifts.Result {
        LevelShifts.detect(levels: levels, samplingVariances: samplingVariances, options: options)
    }
}
