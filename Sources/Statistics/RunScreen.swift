import Foundation

/// A call-level look at runs: a run that moved most of a call's series the same way at once.
///
/// **Why.** A noisy neighbour, a thermal throttle or a CI host change slows every benchmark of one
/// run together. Within one series such a run is one value among ten and may pass for run-to-run
/// noise, inflating the spread and moving the baseline's level for every decision of the call;
/// trimming acts within runs and cannot see it. Across the call it stands out: run noise of one
/// series is independent of another's, so a run that is an outlier in most series at once is not
/// noise of the series but of the run.
///
/// **Rule.** In every series, each group of at least `minimumGroup` runs (the baseline's newest
/// segment, each older segment, the candidate's runs when there are that many) gives each run a
/// robust z score: its location (10 % trimmed mean, log scale when positive) less the group's
/// median location, over the group's scale, 1.4826 × the median absolute deviation (Hampel 1974),
/// floored at the runs' typical sampling SD and at `floor` (0.5 % on the log scale: a run that
/// moves series by less is not worth removing). A run is flagged when it is present in at least
/// `minimumSeries` series and more than `share` (half) of them put it beyond ±`z` (3.5), the same
/// way. Under independent run noise a run is beyond 3.5 robust SDs in a few series in a hundred, so
/// a majority happens by chance essentially never; a per-series bimodal state (a benchmark's run
/// in its slow mode with probability 0.3) gives about a third. The finding says in how many series
/// the run was present and outlying, and its median shift: the report names the run and why.
public enum RunScreen {
    public struct Finding: Sendable, Equatable {
        public let runID: Int64
        /// Series in which the run was judged, and in which it was beyond ±z the same way.
        public let series: Int
        public let outlying: Int
        /// The run's median deviation from its group's median over the series it was present in,
        /// on the working scale (a log ratio when the series were positive).
        public let medianShift: Double
        /// True when every series it was judged in was on the log scale.
        public let logScale: Bool
    }

    public struct Options: Sendable, Equatable {
        public var z = 3.5
        public var share = 0.5
        public var minimumSeries = 10
        public var minimumGroup = 3
        public var floor = 0.005
        public var trim = 0.1
        public init() {}
    }

    /// One run of one series: its id and its values (samples or one value).
    public typealias Run = (id: Int64, values: [Double])

    /// `series`: for each series, its groups of runs.
    public static func screen(_ series: [[[Run]]], options: Options = Options()) -> [Finding] {
        struct Tally { var series = 0, up = 0, down = 0, shifts: [Double] = [], logScale = true }
        var tallies: [Int64: Tally] = [:]
        for groups in series {
            let usable = groups.filter { $0.count >= options.minimumGroup }
            guard !usable.isEmpty else { continue }
            let logScale = usable.allSatisfy { $0.allSatisfy { $0.values.allSatisfy { $0 > 0 && $0.isFinite } } }
            for group in usable {
                let located = group.map { run in
                    (run.id, RunLocation(logScale ? run.values.map { Foundation.log($0) } : run.values, trim: options.trim))
                }
                let locations = located.map(\.1.location)
                let center = Descriptive.median(locations)
                let mad = 1.4826 * Descriptive.median(locations.map { abs($0 - center) })
                let sampling = Descriptive.median(located.map { $0.1.winsorizedVariance * $0.1.varianceFactor }).squareRoot()
                let scale = max(mad, sampling, logScale ? options.floor : options.floor * abs(center))
                guard scale > 0, scale.isFinite else { continue }
                for (id, location) in located {
                    var tally = tallies[id] ?? Tally()
                    let z = (location.location - center) / scale
                    tally.series += 1
                    if z > options.z { tally.up += 1 }
                    if z < -options.z { tally.down += 1 }
                    tally.shifts.append(location.location - center)
                    tally.logScale = tally.logScale && logScale
                    tallies[id] = tally
                }
            }
        }
        return tallies.compactMap { id, tally in
            let outlying = max(tally.up, tally.down)
            guard tally.series >= options.minimumSeries, Double(outlying) > options.share * Double(tally.series) else { return nil }
            return Finding(runID: id, series: tally.series, outlying: outlying, medianShift: Descriptive.median(tally.shifts),
                           logScale: tally.logScale)
        }.sorted { $0.runID < $1.runID }
    }
}
