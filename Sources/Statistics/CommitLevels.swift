import Foundation

/// Each commit's level and the sampling variance of that level, from its runs' raw samples: the
/// input of `LevelShifts`, which is how the detector uses what only the warehouse has.
///
/// A run's location is its 10 % trimmed mean (as in `RunLevelTest`); a commit's level is the mean
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
    public init(commits: [[[Double]]], trim: Double = RunLevelTest.Options().trim) {
        self.init(CommitRuns(commits), trim: trim)
    }

    /// The same, from the flat form.
    public init(_ commits: CommitRuns, trim: Double = RunLevelTest.Options().trim) {
        let positive = commits.values.allSatisfy { $0 > 0 && $0.isFinite }
        logScale = positive
        // One pass, without an array a run: most series hold one run of few values a commit.
        var levels = [Double](repeating: .nan, count: commits.commitCount)
        var runCounts = [Int](repeating: 0, count: commits.commitCount)
        var winsorizedSquares = 0.0, winsorizedDF = 0, factors = 0.0, runs = 0
        var squares = 0.0, spreadDF = 0
        var locations: [Double] = []
        for index in 0..<commits.commitCount {
            locations.removeAll(keepingCapacity: true)
            for runIndex in commits.runs(ofCommit: index) {
                let run = commits.values(ofRun: runIndex)
                guard let first = run.first else { continue }
                if run.count == 1 {
                    locations.append(positive ? Foundation.log(first) : first)
                } else {
                    let located = RunLocation(positive ? run.map { Foundation.log($0) } : Array(run), trim: trim)
                    locations.append(located.location)
                    winsorizedSquares += located.winsorizedVariance * Double(located.count - 1)
                    winsorizedDF += located.count - 1
                    factors += located.varianceFactor
                }
                runs += 1
            }
            guard !locations.isEmpty else { continue }
            let level = locations.reduce(0, +) / Double(locations.count)
            levels[index] = level
            runCounts[index] = locations.count
            if locations.count >= 2 {
                squares += locations.reduce(0) { $0 + ($1 - level) * ($1 - level) }
                spreadDF += locations.count - 1
            }
        }
        self.levels = levels
        // Sampling: the pooled winsorized variance (Yuen) times the average factor, as RunLevelTest's stage one.
        let sampling = winsorizedDF > 0 && runs > 0 ? winsorizedSquares / Double(winsorizedDF) * factors / Double(runs) : 0
        // Run to run: the spread of run locations about their commit's level, pooled. A few commits
        // with several runs say too little about run-to-run noise to weigh all others by.
        let perRun = spreadDF >= Self.minimumSpreadDF ? max(squares / Double(spreadDF), sampling) : sampling
        samplingVariances = runCounts.map { $0 == 0 ? 0 : perRun / Double($0) }
    }

    /// A level back on the values' scale.
    public func value(_ level: Double) -> Double { logScale ? Foundation.exp(level) : level }

    public func detect(options: LevelShifts.Options = LevelShifts.Options()) -> LevelShifts.Result {
        LevelShifts.detect(levels: levels, samplingVariances: samplingVariances, options: options)
    }

    /// The first commit of a new level of the newest 2 to 4 commits, when they form one: the
    /// detector's rules (a new level needs 3 commits; the newest commit is an outlier until a
    /// second confirms it) cannot cut there, or cut one commit early. Each variance is the
    /// detector's (`LevelShifts`: environment noise from the MAD of first differences plus the
    /// commit's sampling variance). The newest k commits against the up to `reference` commits
    /// before them (from `after` on) must differ by a z test at `pValue` (two-sided) and by
    /// `minimumChange` (relative) with every one of the k on the new side of the midpoint; of the
    /// k that qualify, the cut with the least weighted squared error over the same commits wins.
    public func newestStep(after previous: Int = 0, pValue: Double = 0.001, minimumChange: Double = 0.05, reference: Int = 10) -> Int? {
        let n = levels.count
        guard n >= 5, levels.allSatisfy(\.isFinite) else { return nil }
        let tau2 = LevelShifts.noiseVariance(levels)
        let environment = max(0, tau2 - Descriptive.median(samplingVariances))
        let weights = samplingVariances.map { environment + $0 > 0 ? 1 / (environment + $0) : 0 }
        guard weights.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
        let low = max(previous, n - 4 - reference)
        func mean(_ range: Range<Int>) -> (mean: Double, weight: Double) {
            let weight = range.reduce(0.0) { $0 + weights[$1] }
            return (range.reduce(0.0) { $0 + weights[$1] * levels[$1] } / weight, weight)
        }
        func squares(_ range: Range<Int>, about centre: Double) -> Double {
            range.reduce(0.0) { $0 + weights[$1] * (levels[$1] - centre) * (levels[$1] - centre) }
        }
        let critical = Normal.quantile(1 - pValue / 2)
        var best: (index: Int, cost: Double)?
        for k in 2...4 where n - k - low >= 3 {
            let start = n - k
            let before = mean(low..<start), after = mean(start..<n)
            let difference = after.mean - before.mean
            let z = difference / (1 / before.weight + 1 / after.weight).squareRoot()
            let change = logScale ? Foundation.exp(difference) - 1 : (before.mean != 0 ? difference / abs(before.mean) : 0)
            let midpoint = (before.mean + after.mean) / 2
            let confirmed = (start..<n).allSatisfy { (levels[$0] - midpoint) * difference > 0 }
            guard abs(z) >= critical, abs(change) >= minimumChange, confirmed else { continue }
            let cost = squares(low..<start, about: before.mean) + squares(start..<n, about: after.mean)
            if best.map({ cost < $0.cost }) ?? true { best = (start, cost) }
        }
        return best?.index
    }
}
