import Foundation
import Records
import Statistics
import Warehouse

/// The tags `hhbench ab` records on each of its runs, and what they say of the session.
package enum ABTags {
    /// The session's id (a uuid): the runs of one `ab` call.
    package static let session = "ab_session"
    /// The round (1, 2, …) and the run's position in it (1: first).
    package static let round = "ab_round"
    package static let position = "ab_position"
    /// "base" or "head".
    package static let side = "ab_side"
    /// The planned maximum of rounds when the session stops once decided (the sequential design's
    /// K); absent for a fixed number of rounds, analysed once at the end.
    package static let plannedRounds = "ab_planned_rounds"
    /// The seed of the session's random order.
    package static let seed = "ab_seed"
    /// Seconds from the session's start to the end of the run's round.
    package static let elapsed = "ab_elapsed_s"
}

/// The design a paired analysis follows: one look at the end, or a look after every round up
/// to `plannedRounds` (O'Brien–Fleming, `SequentialBoundary`).
package enum PairedDesign: Sendable, Equatable {
    case fixed
    case sequential(plannedRounds: Int)

    /// Rounds before the first look of a sequential design: fewer cannot show a spread of their own.
    package static let firstLook = 3
}

/// One round's runs: the base's and the head's, by id.
package struct PairedRound: Sendable, Equatable {
    package let round: Int
    package let base: Int64
    package let head: Int64
    /// Seconds since the session started when the round ended (nil when not known).
    package var endedAfter: Double?

    package init(round: Int, base: Int64, head: Int64, endedAfter: Double? = nil) {
        self.round = round
        self.base = base
        self.head = head
        self.endedAfter = endedAfter
    }
}

/// Base against head from the rounds of one `ab` session, as `compare`'s report: one decision per
/// series (as `Decisions` chooses them), tested on per-round differences (`PairedRounds`), the
/// spread moderated across the call's series at each look, p-values (repeated p-values in a
/// sequential design) corrected by Benjamini-Hochberg, and the same verdict rule.
package struct PairedComparison: Sendable {
    package let warehouse: Warehouse
    package let config: ProjectConfig

    package init(warehouse: Warehouse, config: ProjectConfig) {
        self.warehouse = warehouse
        self.config = config
    }

    /// The report after the rounds given (in round order), and for each decision the round from
    /// which its verdict has held.
    package func compare(rounds: [PairedRound], design: PairedDesign, request: CompareRequest,
                         baseline: SideInfo, candidate: SideInfo, description: String) throws -> CompareReport {
        guard !rounds.isEmpty else { throw CompareError.notEnoughData("the session has no complete round yet: nothing to compare") }
        let baseValues = try warehouse.values(ofRuns: rounds.map(\.base))
        let headValues = try warehouse.values(ofRuns: rounds.map(\.head))
        let decisions = Decisions(candidate: headValues, baseline: baseValues, request: request, config: config)
        let roundOfRun = Dictionary(rounds.flatMap { [($0.base, $0.round), ($0.head, $0.round)] }, uniquingKeysWith: { a, _ in a })
        let order = rounds.map(\.round)
        var drafts: [(comparison: Comparison, paired: PairedRounds?)] = []
        for key in decisions.keys {
            let (settings, metric) = Comparer.settingsAndMetric(key, decisions: decisions, request: request, config: config)
            let baseRuns = decisions.runs(key, of: decisions.baseline), headRuns = decisions.runs(key, of: decisions.candidate)
            let baseByRound = Dictionary(baseRuns.map { (roundOfRun[$0.runID] ?? 0, $0) }, uniquingKeysWith: { a, _ in a })
            let headByRound = Dictionary(headRuns.map { (roundOfRun[$0.runID] ?? 0, $0) }, uniquingKeysWith: { a, _ in a })
            let pairs = order.compactMap { round in baseByRound[round].flatMap { b in headByRound[round].map { (base: b.values, head: $0.values) } } }
            var comparison = Comparison(key: key, metric: metric, baseline: Comparer.summary(baseRuns), candidate: Comparer.summary(headRuns),
                                        changePct: nil, ciLowPct: nil, ciHighPct: nil, pValue: nil, pAdjusted: nil, method: .none,
                                        verdict: headRuns.isEmpty ? .missing : baseRuns.isEmpty ? .new : .insufficient, settings: settings)
            comparison.summaries = decisions.summaries(of: key, baselineRuns: Set(baseRuns.map(\.runID)), candidateRuns: Set(headRuns.map(\.runID)))
            if metric.isCounted && !baseRuns.isEmpty && !headRuns.isEmpty {
                // Counts need no pairing: they do not drift with the machine (CountedDecision).
                comparison.rounds = pairs.count
                drafts.append((CountedDecision.judged(comparison, baseline: baseRuns, candidate: headRuns), nil))
                continue
            }
            drafts.append((Comparer.applyBudget(comparison), PairedRounds(rounds: pairs)))
        }
        let maximum = drafts.map { $0.paired?.rounds ?? 0 }.max() ?? 0
        // Every look's verdicts, for the round each decision settled at; the last is the answer.
        var history: [[Verdict]] = []
        var final: [Comparison] = drafts.map(\.comparison)
        let looks = design == .fixed ? [maximum] : Array(Swift.max(1, Swift.min(PairedDesign.firstLook, maximum))...Swift.max(maximum, 1))
        for upTo in looks where upTo >= 1 {
            let judged = Self.judge(drafts, upTo: upTo, design: design, correction: request.correction)
            history.append(judged.map(\.verdict))
            final = judged
        }
        for index in final.indices where final[index].pValue != nil {
            // The first look from which the verdict has stayed what it is now.
            var settled = looks.count - 1
            while settled > 0 && history[settled - 1][index] == final[index].verdict { settled -= 1 }
            final[index].decidedAtRound = looks[settled]
            final[index].decidedAfterSeconds = rounds[Swift.min(looks[settled], rounds.count) - 1].endedAfter
        }
        final.sort { ($0.verdict.severity, -Comparer.worseness($0), $0.key) < ($1.verdict.severity, -Comparer.worseness($1), $1.key) }
        var report = CompareReport(baselineDescription: description, baseline: baseline, candidate: candidate, comparisons: final)
        report.correction = request.correction
        report.paired = PairedSummary(rounds: rounds.count, design: design, seconds: rounds.last?.endedAfter)
        return report
    }

    /// The verdicts after the first `upTo` rounds: the prior fitted from those rounds alone.
    static func judge(_ drafts: [(comparison: Comparison, paired: PairedRounds?)], upTo: Int, design: PairedDesign,
                      correction: Correction) -> [Comparison] {
        let prior = RunNoisePrior.fit(drafts.compactMap { $0.paired?.noiseObservation(upTo: Swift.min(upTo, $0.paired!.rounds)) })
        var judged: [Comparison] = drafts.map { draft in
            guard let paired = draft.paired else { return draft.comparison }
            let count = Swift.min(upTo, paired.rounds)
            guard let look = paired.look(upTo: count, prior: prior) else { return draft.comparison }
            let alpha = draft.comparison.settings.alpha
            let p: Double, halfWidth: Double
            switch design {
            case .fixed:
                p = look.pValue
                halfWidth = (look.degreesOfFreedom.isFinite ? StudentT(degreesOfFreedom: look.degreesOfFreedom).quantile(1 - alpha / 2)
                    : Normal.quantile(1 - alpha / 2)) * look.standardError
            case .sequential(let planned):
                let first = Swift.min(PairedDesign.firstLook, count)
                let earlier = (first...count).compactMap { paired.look(upTo: $0, prior: prior) }
                p = SequentialBoundary.repeatedP(looks: earlier.map { (round: $0.round, z: $0.z) }, plannedRounds: planned)
                let z = SequentialBoundary.intervalZ(alpha: alpha, round: count, plannedRounds: planned)
                halfWidth = SequentialBoundary.tEquivalent(z: z, degreesOfFreedom: look.degreesOfFreedom) * look.standardError
            }
            var comparison = draft.comparison
            comparison = Comparison(key: comparison.key, metric: comparison.metric,
                                    baseline: comparison.baseline.map { Comparer.with($0, value: paired.baselineLevel) },
                                    candidate: comparison.candidate.map { Comparer.with($0, value: paired.candidateLevel) },
                                    changePct: Comparer.finite(paired.percent(look.shift)),
                                    ciLowPct: Comparer.finite(paired.percent(look.shift - halfWidth)),
                                    ciHighPct: Comparer.finite(paired.percent(look.shift + halfWidth)),
                                    pValue: p, pAdjusted: nil, method: .pairedRounds, verdict: .inconclusive, settings: comparison.settings)
            comparison.summaries = draft.comparison.summaries
            comparison.runNoise = prior != nil && paired.logScale ? .moderated : .estimated
            comparison.rounds = count
            return comparison
        }
        Comparer.applyCorrection(&judged, correction)
        return judged
    }
}

/// What a paired report adds: the rounds, the design and the time they took.
package struct PairedSummary: Sendable, Equatable {
    package let rounds: Int
    package let design: PairedDesign
    package let seconds: Double?
}
