import Foundation
import Records
import Statistics
import Warehouse

/// What to compare.
package struct CompareRequest: Sendable {
    package enum Candidate: Sendable { case head, commit(String), runs([String]) }
    package enum Baseline: Sendable { case since(String), against(String) }

    package var candidate: Candidate = .head
    package var baseline: Baseline
    package var window = 10
    /// Compare across machines instead of within the candidate's machine fingerprint.
    package var anyMachine = false
    /// The candidate's machine by name, when runs at the commit come from several.
    package var machine: String?
    /// Settings from the command's flags, applied last to every series.
    package var overrides = SeriesRule()
    /// Only series whose benchmark / metric match these globs (metric globs add up; a glob that
    /// names a summary makes that summary a decision of its own).
    package var benchmarkGlob: String?
    package var metricGlobs: [String] = []
    package var correction: Correction = .bh
    /// The assumed run-to-run noise (relative) when too few runs measure it.
    package var assumedRunNoise = 0.03

    /// `--against baselines`: the newest imported legacy `performance_baselines.json`.
    package static let legacyBaselines = "baselines"

    package init(baseline: Baseline) { self.baseline = baseline }

    /// A request with `hhbench.toml`'s call settings (`[compare] window`, `correction`,
    /// `run_noise_pct`) where it gives them; a command's flags then override.
    package init(baseline: Baseline, config: ProjectConfig) {
        self.baseline = baseline
        if let window = config.window { self.window = window }
        if let correction = config.correction { self.correction = correction }
        if let noise = config.runNoisePct { assumedRunNoise = noise / 100 }
    }
}

/// Why a comparison could not be made.
package enum CompareError: Error, CustomStringConvertible, Sendable {
    /// Nothing recorded where it should be: exit 3.
    case notEnoughData(String)
    /// A reference that names nothing: exit 2.
    case unknownReference(String)

    package var description: String {
        switch self {
        case .notEnoughData(let message), .unknownReference(let message): return message
        }
    }
}

/// `hhbench compare`: the candidate's runs against the baseline branch's newest stable segment.
///
/// **One decision per measured quantity:** each raw series of a benchmark (`time_ms`,
/// `cpu_time_ms`, `max_rss_mb`, …) and each given single value (`overhead_ratio`, `error_rate`).
/// The summaries derived from a series (`avg_`, `median_`, `p95_`, …) are shown with their own
/// change but are not tested, unless a `--metric` glob or a budget names them: then the summary
/// is the decision, tested on its per-run values. Counts that describe a run (`rounds`,
/// iterations, exit codes) are run facts and are not compared.
///
/// **The test** is `RunLevelTest`: run-level locations (10 % trimmed means on the log scale) with
/// sampling noise and run-to-run noise modelled apart, the run noise moderated across the call's
/// decisions (`RunNoisePrior`, empirical Bayes). **Multiplicity:** p-values of one call are
/// adjusted by Benjamini-Hochberg (default), Holm or not at all. **Verdicts:** `regression` /
/// `improvement` when the adjusted p is at most α and the estimated change passes the threshold
/// the worse / better way (so the label always follows the change shown, which lies inside its
/// interval); `unchanged` only when the 1 − α interval lies within ±threshold; otherwise
/// `inconclusive`, with the smallest change the data could detect. A value past its budget is
/// `over_budget`.
///
/// **Baseline:** the merge-base with `--since` and its first-parent ancestors on the candidate's
/// machine, cut per decision at the newest change point of that series (trend's detector), so a
/// regression that already landed is the new normal; up to `window` commits of the newest
/// segment, with the older segments' runs informing the run-to-run noise.
package struct Comparer: Sendable {
    package let warehouse: Warehouse
    package let history: CommitHistory
    package let config: ProjectConfig

    /// Commits of history read to find the newest stable segment: this many times the window.
    package static let segmentSearchFactor = 3
    package static let minimumSegmentSearch = 30

    package init(warehouse: Warehouse, history: CommitHistory, config: ProjectConfig) {
        self.warehouse = warehouse
        self.history = history
        self.config = config
    }

    package func compare(_ request: CompareRequest) throws -> CompareReport {
        let candidate = try candidateSide(request)
        let fingerprint = request.anyMachine ? nil : candidate.machineFingerprint
        if case .against(let reference) = request.baseline, reference == CompareRequest.legacyBaselines {
            return try LegacyBaselineComparison(warehouse: warehouse, config: config).compare(candidate: candidate, request: request)
        }
        let (baseline, description, againstMode) = try baselineSide(request, candidate: candidate, fingerprint: fingerprint)
        // Both commits measured in the same rounds of an `ab` session: the paired test ab used.
        if againstMode, let session = try ABSessionRuns.find(base: baseline.runs, head: candidate.runs, warehouse: warehouse) {
            let ids = Set(session.rounds.flatMap { [$0.base, $0.head] })
            return try PairedComparison(warehouse: warehouse, config: config).compare(
                rounds: session.rounds, design: session.design, request: request,
                baseline: SideInfo(commits: baseline.commits, runs: baseline.runs.filter { ids.contains($0.id) }),
                candidate: SideInfo(commits: candidate.commits, runs: candidate.runs.filter { ids.contains($0.id) }),
                description: description + ", in the same rounds (ab session \(session.session.prefix(8)))")
        }
        let candidateValues = try warehouse.values(ofRuns: candidate.runs.map(\.id))
        let baselineValues = try warehouse.values(ofRuns: baseline.runs.map(\.id))
        let decisions = Decisions(candidate: candidateValues, baseline: baselineValues, request: request, config: config)
        let prepared = decisions.keys.map { key in
            prepare(key, decisions: decisions, baselineCommits: baseline.commits, request: request, againstMode: againstMode)
        }
        // A run that moved most of the call's series at once is the machine's, not the code's (RunScreen).
        // Counted series do not move with the machine, so they would only dilute that look.
        let findings = RunScreen.screen(prepared.filter { !$0.metric.isCounted }.map(\.screenGroups))
        let excluded = Set(findings.map(\.runID))
        let drafts = prepared.map { decide($0, decisions: decisions, request: request, excluding: excluded) }
        // Run-to-run noise, moderated across the call's decisions (RunNoisePrior).
        let prior = RunNoisePrior.fit(drafts.compactMap { $0.test?.noiseObservation })
        let moderated = drafts.map { draft in draft.test.map { test in prior.map(test.moderated) ?? test } }
        // Heavy-tailed run noise, as the call's runs show it (RunTails).
        let kurtosis = RunTails.testingKurtosis(moderated.compactMap { $0 })
        let tests = moderated.map { test in kurtosis.flatMap { k in test?.withTails(kurtosis: k) } ?? test }
        var comparisons = zip(drafts, tests).map { draft, test in
            guard let test else { return draft.comparison }
            return Self.judged(draft.comparison, by: test, raw: decisions.isRawSeries(draft.comparison.key))
        }
        Comparer.applyCorrection(&comparisons, request.correction)
        Comparer.addSettling(&comparisons, tests: tests, correction: request.correction, assumedRunNoise: request.assumedRunNoise)
        CountedDecision.labelEnvironment(&comparisons)
        comparisons.sort { ($0.verdict.severity, -Comparer.worseness($0), $0.key) < ($1.verdict.severity, -Comparer.worseness($1), $1.key) }
        let window = Set(baseline.commits.prefix(request.window))
        let shown = SideInfo(commits: Array(baseline.commits.prefix(request.window)),
                             runs: baseline.runs.filter { ($0.commit.map(window.contains) ?? false) && !excluded.contains($0.id) })
        var report = CompareReport(baselineDescription: description, baseline: shown, candidate: candidate, comparisons: comparisons)
        report.correction = request.correction
        let allRuns = baseline.runs + candidate.runs
        report.excludedRuns = findings.map { finding in
            let run = allRuns.first { $0.id == finding.runID }
            return ExcludedRun(runID: finding.runID, commit: run?.commit, candidate: candidate.runs.contains { $0.id == finding.runID },
                               series: finding.series, outlying: finding.outlying,
                               medianShiftPct: finding.logScale ? (Foundation.exp(finding.medianShift) - 1) * 100 : nil)
        }
        return report
    }

    // MARK: choosing the runs

    private func candidateSide(_ request: CompareRequest) throws -> SideInfo {
        var runs: [RunReference]
        switch request.candidate {
        case .runs(let references):
            runs = try references.map { try warehouse.runReference(try warehouse.resolveRun($0)) }
        case .head, .commit:
            let sha: String
            if case .commit(let reference) = request.candidate {
                guard let resolved = try history.resolve(reference) else {
                    throw CompareError.unknownReference("no commit '\(reference)' in git or the database")
                }
                sha = resolved
            } else {
                guard let head = history.head() else {
                    throw CompareError.unknownReference("not in a git repository: name the candidate with --commit SHA or --run ID")
                }
                sha = head
            }
            runs = try warehouse.runs(atCommits: [sha])
            guard !runs.isEmpty else {
                throw CompareError.notEnoughData("no runs recorded at the candidate commit \(sha.prefix(10)); record some first (hhbench record)")
            }
            if let machine = request.machine {
                let fingerprints = Set(try warehouse.machineFingerprints(named: machine))
                runs = runs.filter { fingerprints.contains($0.machineFingerprint) }
                guard !runs.isEmpty else {
                    throw CompareError.notEnoughData("no runs at \(sha.prefix(10)) on machine '\(machine)'")
                }
            }
            // Pool the runs of one machine: the newest run's.
            let newest = runs[0].machineFingerprint
            runs = runs.filter { $0.machineFingerprint == newest }
        }
        return SideInfo(commits: Array(Set(runs.compactMap(\.commit))).sorted(), runs: runs)
    }

    private func baselineSide(_ request: CompareRequest, candidate: SideInfo,
                              fingerprint: String?) throws -> (SideInfo, String, Bool) {
        switch request.baseline {
        case .against(let reference):
            if let id = try? warehouse.resolveRun(reference) {
                let run = try warehouse.runReference(id)
                return (SideInfo(commits: run.commit.map { [$0] } ?? [], runs: [run]), "run \(run.id)", true)
            }
            guard let sha = try history.resolve(reference) else {
                throw CompareError.unknownReference("'\(reference)' is neither a run nor a commit known to git or the database")
            }
            let runs = try warehouse.runs(atCommits: [sha], machineFingerprint: fingerprint)
            guard !runs.isEmpty else {
                throw CompareError.notEnoughData("no runs at \(sha.prefix(10))\(fingerprint == nil ? "" : " on the candidate's machine (--any-machine lifts that)")")
            }
            return (SideInfo(commits: [sha], runs: runs), "commit \(sha.prefix(10))", true)
        case .since(let reference):
            guard let target = try history.resolve(reference) else {
                throw CompareError.unknownReference(
                    "no branch, tag or commit '\(reference)' in git or the database; name the baseline with --since REF, "
                        + "or set baseline under [compare] in hhbench.toml")
            }
            guard let candidateCommit = candidate.commits.first else {
                throw CompareError.notEnoughData("the candidate runs have no commit; use --against to name a baseline")
            }
            guard let mergeBase = try history.mergeBase(candidateCommit, target) else {
                throw CompareError.notEnoughData("\(candidateCommit.prefix(10)) and \(reference) have no common ancestor in git or the database")
            }
            let candidateCommits = Set(candidate.commits)
            // Read more than the window: the newest stable segment is found per series in it.
            let wanted = max(request.window * Self.segmentSearchFactor, Self.minimumSegmentSearch)
            var chosen: [String] = []
            var limit = max(wanted * 20, 200)
            while true {
                let line = try history.firstParentHistory(from: mergeBase, limit: limit).filter { !candidateCommits.contains($0) }
                let withRuns = try warehouse.commitsWithRuns(line, machineFingerprint: fingerprint)
                chosen = Array(line.filter { withRuns.contains($0) }.prefix(wanted))
                if chosen.count >= wanted || line.count < limit - candidateCommits.count || limit >= 1_000_000 { break }
                limit *= 10
            }
            guard !chosen.isEmpty else {
                var message = "no baseline: no runs at \(mergeBase.prefix(10)) (merge-base with \(reference)) or its first-parent ancestors"
                    + (fingerprint == nil ? "" : " on machine \(candidate.machine ?? "?") (--any-machine lifts that)")
                if try warehouse.newestRun(sourceFormat: "perf-baseline", excluding: Set(candidate.runs.map(\.id))) != nil {
                    message += "; an imported performance_baselines.json is there: compare with it by --against \(CompareRequest.legacyBaselines)"
                }
                throw CompareError.notEnoughData(message)
            }
            let runs = try warehouse.runs(atCommits: chosen, machineFingerprint: fingerprint)
            return (SideInfo(commits: chosen, runs: runs), "merge-base \(mergeBase.prefix(10)) of the candidate and \(reference)", false)
        }
    }

    // MARK: testing

    /// A decision before the call's run noise is known: its data and segment, and its test alone.
    struct Draft {
        var comparison: Comparison
        var test: RunLevelTest?
    }

    /// One decision's data before the call-level look at runs: settings, both sides' runs and the
    /// baseline's newest stable segment.
    struct Prepared {
        let key: SeriesKey
        let settings: SeriesSettings
        let metric: MetricDescriptor
        let candidateRuns: [DecisionRun]
        let segment: Segment

        /// The groups `RunScreen` judges runs within: the newest segment, each older one, the candidate's runs.
        var screenGroups: [[RunScreen.Run]] {
            ([segment.newest] + segment.older + [candidateRuns]).map { group in group.map { (id: $0.runID, values: $0.values) } }
        }
    }

    private func prepare(_ key: SeriesKey, decisions: Decisions, baselineCommits: [String], request: CompareRequest,
                         againstMode: Bool) -> Prepared {
        let (settings, metric) = Self.settingsAndMetric(key, decisions: decisions, request: request, config: config)
        // Newest first, one group of runs a commit.
        let byCommit = baselineCommits.map { commit in
            (commit, decisions.runs(key, of: decisions.baseline.filter { $0.run.commit == commit }))
        }.filter { !$0.1.isEmpty }
        let segment = againstMode ? Segment(newest: byCommit.flatMap(\.1), older: [], start: nil)
            : Self.newestStableSegment(byCommit.map(\.1), commits: byCommit.map(\.0), window: request.window)
        return Prepared(key: key, settings: settings, metric: metric, candidateRuns: decisions.runs(key, of: decisions.candidate),
                        segment: segment)
    }

    /// A decision's settings (config, then the call's flags) and its metric with the direction in force.
    static func settingsAndMetric(_ key: SeriesKey, decisions: Decisions, request: CompareRequest,
                                  config: ProjectConfig) -> (SeriesSettings, MetricDescriptor) {
        var settings = config.settings(for: key)
        request.overrides.apply(to: &settings)
        let recorded = decisions.descriptors[key] ?? MetricDescriptor(name: key.metric)
        return (settings, MetricDescriptor(name: recorded.name, unit: recorded.unit, direction: settings.direction ?? recorded.direction))
    }

    /// One decision: its data on both sides without the runs the call-level look left out (a side
    /// keeps at least one run), and the test.
    private func decide(_ prepared: Prepared, decisions: Decisions, request: CompareRequest, excluding excluded: Set<Int64>) -> Draft {
        func kept(_ runs: [DecisionRun]) -> [DecisionRun] {
            let left = runs.filter { !excluded.contains($0.runID) }
            return left.isEmpty ? runs : left
        }
        let key = prepared.key
        let candidateRuns = kept(prepared.candidateRuns)
        let segment = Segment(newest: kept(prepared.segment.newest), older: prepared.segment.older.map(kept), start: prepared.segment.start)
        let candidateSide = Comparer.summary(candidateRuns)
        let baselineSide = Comparer.summary(segment.newest)
        let summaries = decisions.summaries(of: key, baselineRuns: Set(segment.runIDs), candidateRuns: Set(candidateRuns.map(\.runID)))
        var comparison = Comparison(key: key, metric: prepared.metric, baseline: baselineSide, candidate: candidateSide, changePct: nil,
                                    ciLowPct: nil, ciHighPct: nil, pValue: nil, pAdjusted: nil, method: .none, verdict: .insufficient,
                                    settings: prepared.settings)
        comparison.segmentStart = segment.start
        comparison.summaries = summaries
        guard candidateSide != nil else { comparison.verdict = .missing; return Draft(comparison: Self.applyBudget(comparison)) }
        guard baselineSide != nil else { comparison.verdict = .new; return Draft(comparison: Self.applyBudget(comparison)) }
        if prepared.metric.isCounted {
            return Draft(comparison: CountedDecision.judged(comparison, baseline: segment.newest, candidate: candidateRuns))
        }
        var options = RunLevelTest.Options()
        options.assumedRunNoise = request.assumedRunNoise
        let test = RunLevelTest(baseline: segment.newest.map(\.values), candidate: candidateRuns.map(\.values),
                                history: segment.older.map { $0.map(\.values) }, options: options)
        return Draft(comparison: test == nil ? Self.applyBudget(comparison) : comparison, test: test)
    }

    /// A decision's figures and verdict (before correction) from its test.
    static func judged(_ draft: Comparison, by test: RunLevelTest, raw: Bool) -> Comparison {
        let settings = draft.settings
        let low = test.percent(test.interval(level: 1 - settings.alpha).low)
        let high = test.percent(test.interval(level: 1 - settings.alpha).high)
        var comparison = Comparison(key: draft.key, metric: draft.metric,
                                    baseline: draft.baseline.map { Self.with($0, value: test.baselineLevel) },
                                    candidate: draft.candidate.map { Self.with($0, value: test.candidateLevel) },
                                    changePct: Self.finite(test.percent(test.shift)), ciLowPct: Self.finite(low), ciHighPct: Self.finite(high),
                                    pValue: test.pValue, pAdjusted: nil,
                                    method: raw ? .runTrimmedMean : .runValues, verdict: .inconclusive, settings: settings)
        comparison.segmentStart = draft.segmentStart
        comparison.summaries = draft.summaries
        switch (test.runNoiseAssumed, test.moderation) {
        case (true, _): comparison.runNoise = .assumed
        case (false, .moderated): comparison.runNoise = .moderated
        case (false, .borrowed): comparison.runNoise = .borrowed
        case (false, .none), (false, .hypervariable): comparison.runNoise = .estimated
        }
        return comparison
    }

    /// What would settle each inconclusive decision (`Settling`): the change the call's rule would
    /// catch with 80 % probability (at the level this decision would join the call's discoveries,
    /// and past the threshold), and the runs that would make a decision 80 % likely.
    static func addSettling(_ comparisons: inout [Comparison], tests: [RunLevelTest?], correction: Correction, assumedRunNoise: Double) {
        let tested = comparisons.indices.filter { comparisons[$0].pAdjusted != nil }
        for index in tested where comparisons[index].verdict == .inconclusive {
            guard let test = tests[index] else { continue }
            let settings = comparisons[index].settings
            let discoveries = tested.filter { $0 != index && (comparisons[$0].pAdjusted ?? 1) <= comparisons[$0].settings.alpha }.count
            let level = Settling.criticalAlpha(alpha: settings.alpha, decisions: tested.count, discoveries: discoveries,
                                               holm: correction == .holm, corrected: correction != .none)
            let worseSign = comparisons[index].metric.direction.worseSign
            comparisons[index].minimumDetectablePct = finite(test.minimumDetectablePercent(
                criticalAlpha: level, thresholdPct: settings.thresholdPct, worseSign: worseSign))
            comparisons[index].advice = advice(test, settings: settings, level: level, worseSign: worseSign, assumedRunNoise: assumedRunNoise)
        }
    }

    /// "About N candidate runs would tell ±5 %" (`Settling.runs`), counting the baseline's share of
    /// the error: when more candidate runs alone cannot settle it, runs on both sides.
    static func advice(_ test: RunLevelTest, settings: SeriesSettings, level: Double, worseSign: Double, assumedRunNoise: Double) -> String {
        let thresholds = [test.shift(percent: settings.thresholdPct * worseSign), test.shift(percent: -settings.thresholdPct * worseSign)]
        let quantile: (Double) -> Double = test.degreesOfFreedom.isFinite
            ? { StudentT(degreesOfFreedom: test.degreesOfFreedom).quantile($0) } : { Normal.quantile($0) }
        let target = settings.thresholdPct > 0 ? "tell ±\(percentText(settings.thresholdPct))" : "tell a change from none"
        let assumed = test.runNoiseAssumed ? " if run-to-run noise is \(percentText(assumedRunNoise * 100))" : ""
        guard let runs = Settling.runs(estimate: test.shift, runVariance: test.runVariance, baselineRuns: test.baselineRuns,
                                       candidateRuns: test.candidateRuns,
                                       threshold: (worse: thresholds.max() ?? 0, better: thresholds.min() ?? 0),
                                       discoveryCritical: quantile(1 - level / 2), intervalCritical: quantile(1 - settings.alpha / 2)) else {
            return "no practical number of runs would \(target): the change is too close to the threshold for this noise"
        }
        if runs.bothSides {
            return "about \(runs.runs) runs a side would \(target)\(assumed) (the baseline's \(test.baselineRuns) are too few)"
        }
        return "about \(runs.runs) candidate runs would \(target)\(assumed)"
    }

    /// A percentage, or nil when there is none (a baseline of zero on the raw scale).
    static func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }

    static func percentText(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))%" : String(format: "%.1f%%", value)
    }

    static func with(_ side: SideSummary, value: Double) -> SideSummary {
        SideSummary(runs: side.runs, samples: side.samples, median: side.median, mean: side.mean, value: value)
    }

    /// The baseline's runs of one series, cut at its newest change point.
    struct Segment {
        /// Runs of the newest segment, newest commits first, at most `window` commits.
        let newest: [DecisionRun]
        /// Runs of older segments within the search, one group a segment, for the noise estimate.
        let older: [[DecisionRun]]
        /// The first commit of the newest segment when a change point cut it.
        let start: String?
        var runIDs: [Int64] { newest.map(\.runID) }
    }

    /// Change points over the per-commit levels (each commit's mean run location, oldest first),
    /// found by trend's detector at a strict setting (a shift of at least 5 %), so noise rarely
    /// cuts the baseline, and a new level of the newest 2–4 commits by `CommitLevels.newestStep`
    /// (p ≤ 0.001); the newest segment is the new normal.
    static func newestStableSegment(_ byCommit: [[DecisionRun]], commits: [String], window: Int) -> Segment {
        // trend's detector over each commit's runs, with three commits a side: a segment of one
        // commit is as likely a noisy excursion as a new level. Only a level change of 5 % or more
        // cuts. The newest level is checked apart (`CommitLevels.newestStep`): two to four commits
        // that all agree on a new level at p ≤ 0.001 are the new normal, cut exactly where it began.
        let chronological = Array(byCommit.reversed())
        let levels = CommitLevels(commits: chronological.map { $0.map(\.values) })
        var options = LevelShifts.Options()
        options.minimumSegment = 3
        var found = chronological.count < 6 ? [] : levels.detect(options: options).shifts.filter { shift in
            let before = levels.value(shift.before), after = levels.value(shift.after)
            return before != 0 && abs(after / before - 1) >= 0.05
        }.map(\.index).filter { $0 >= 3 && chronological.count - $0 >= 3 }
        // A new level of the newest 2–3 commits: the detector cannot cut there (or cuts one early).
        let previous = found.last { $0 < chronological.count - 4 } ?? 0
        if let tail = levels.newestStep(after: previous) {
            found = found.filter { $0 < chronological.count - 4 } + [tail]
        }
        guard let last = found.last else {
            // No new level: the window's runs are the baseline, and the older commits read for the
            // search (one group, about its own mean) add degrees of freedom to the run noise.
            let older = byCommit.dropFirst(window).flatMap { $0 }
            return Segment(newest: byCommit.prefix(window).flatMap { $0 }, older: older.count >= 2 ? [older] : [], start: nil)
        }
        let newestCount = chronological.count - last  // commits in the newest segment
        let boundaries = [0] + found + [chronological.count]
        var older: [[DecisionRun]] = []
        for (from, to) in zip(boundaries, boundaries.dropFirst()) where to <= last {
            older.append(chronological[from..<to].flatMap { $0 })
        }
        let start = commits.count >= newestCount ? commits[newestCount - 1] : nil
        return Segment(newest: byCommit.prefix(min(window, newestCount)).flatMap { $0 }, older: older, start: start)
    }

    static func applyBudget(_ comparison: Comparison) -> Comparison {
        var result = comparison
        if let budget = comparison.settings.budget, let value = comparison.candidate?.value {
            let over = comparison.metric.direction == .lowerIsBetter ? value > budget : value < budget
            if over { result.verdict = .overBudget }
        }
        return result
    }

    /// Corrects the p-values of the decisions tested and gives each its verdict.
    static func applyCorrection(_ comparisons: inout [Comparison], _ correction: Correction) {
        let tested = comparisons.indices.filter { comparisons[$0].pValue != nil && comparisons[$0].method != .thresholdOnly }
        let raw = tested.map { comparisons[$0].pValue ?? 1 }
        let adjusted: [Double]
        switch correction {
        case .bh: adjusted = BenjaminiHochberg.adjust(raw)
        case .holm: adjusted = Holm.adjust(raw)
        case .none: adjusted = raw
        }
        for (index, p) in zip(tested, adjusted) {
            comparisons[index].pAdjusted = p
            comparisons[index].verdict = verdict(comparisons[index], adjustedP: p)
            comparisons[index] = applyBudget(comparisons[index])
        }
    }

    /// The verdict of a tested decision, by its estimate, interval and adjusted p.
    static func verdict(_ c: Comparison, adjustedP: Double) -> Verdict {
        guard let change = c.changePct else { return .insufficient }
        let worse = change * c.metric.direction.worseSign
        let threshold = c.settings.thresholdPct
        if adjustedP <= c.settings.alpha {
            if worse >= threshold && worse > 0 { return .regression }
            if worse <= -threshold && worse < 0 { return .improvement }
        }
        if let low = c.ciLowPct, let high = c.ciHighPct, threshold > 0, low >= -threshold, high <= threshold { return .unchanged }
        return .inconclusive
    }

    static func summary(_ runs: [DecisionRun]) -> SideSummary? {
        let data = runs.flatMap(\.values)
        guard !data.isEmpty else { return nil }
        let median = Descriptive.median(data)
        return SideSummary(runs: runs.count, samples: runs.reduce(0) { $0 + ($1.isSamples ? $1.values.count : 0) },
                           median: median, mean: Descriptive.mean(data), value: median)
    }

    static func percent(_ value: Double, of base: Double) -> Double? {
        base == 0 ? nil : (value / base - 1) * 100 * (base < 0 ? -1 : 1)
    }

    /// How much worse a comparison is, for sorting (positive = worse).
    static func worseness(_ comparison: Comparison) -> Double {
        (comparison.changePct ?? 0) * comparison.metric.direction.worseSign
    }
}
