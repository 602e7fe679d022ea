import Analysis
import Foundation
import Records
import Warehouse

/// The four faces of a compare report.
enum CompareRendering {
    static let verdictOrder: [Verdict] = [.regression, .overBudget, .improvement, .inconclusive, .unchanged, .insufficient, .new, .missing]

    static func summaryLine(_ report: CompareReport) -> String {
        verdictOrder.compactMap { verdict in
            let n = report.count(verdict)
            return n == 0 ? nil : "\(n) \(verdict.rawValue.replacingOccurrences(of: "_", with: " "))"
        }.joined(separator: ", ")
    }

    static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        let shown = (value * 10).rounded() / 10
        return shown == 0 ? "+0.0%" : (shown > 0 ? "+" : "") + String(format: "%.1f%%", shown)
    }

    static func interval(_ comparison: Comparison) -> String {
        guard let low = comparison.ciLowPct, let high = comparison.ciHighPct else { return "" }
        return "[\(percent(low)), \(percent(high))]"
    }

    static func pValue(_ value: Double?) -> String {
        guard let value else { return "-" }
        return value < 0.0001 ? "<0.0001" : String(format: "%.4f", value)
    }

    static func value(_ side: SideSummary?, _ unit: String) -> String {
        side.map { HumanUnits.format($0.value, unit: unit) } ?? "-"
    }

    static func pLabel(_ correction: Correction) -> String {
        switch correction {
        case .bh: return "p (BH)"
        case .holm: return "p (Holm)"
        case .none: return "p"
        }
    }

    /// What a reader needs beside the numbers: what the inconclusive data could detect, how the
    /// run-to-run noise was handled when it matters, where the baseline's segment starts.
    static func note(_ c: Comparison) -> String {
        var parts: [String] = []
        if c.verdict == .inconclusive, let detectable = c.minimumDetectablePct {
            parts.append("could detect ±\(String(format: "%.1f", detectable))%" + (c.advice.map { "; \($0)" } ?? ""))
        } else if c.runNoise == .assumed {
            parts.append("run noise assumed")
        }
        if let start = c.segmentStart { parts.append("baseline since \(start.prefix(10))") }
        if c.method == .thresholdOnly { parts.append("by threshold") }
        if c.method == .counted { parts.append("counted: change against 3× the counts' spread") }
        parts += c.labels
        if let round = c.decidedAtRound, c.verdict != .inconclusive {
            parts.append("since round \(round)" + (c.decidedAfterSeconds.map { " (\(seconds($0)))" } ?? ""))
        }
        return parts.joined(separator: "; ")
    }

    static func rows(_ comparisons: [Comparison], correction: Correction, all: Bool = false) -> DataTable {
        var table = DataTable([.init("verdict"), .init("benchmark"), .init("metric"), .init("baseline", .right),
                               .init("candidate", .right), .init("change", .right), .init("95% CI"), .init(pLabel(correction), .right),
                               .init("note")])
        for c in comparisons {
            table.append([c.verdict.rawValue, c.key.benchmark.displayName, c.metric.name, value(c.baseline, c.metric.unit),
                          value(c.candidate, c.metric.unit), percent(c.changePct), interval(c), pValue(c.pAdjusted), note(c)])
            guard all else { continue }
            for summary in c.summaries {
                let unit = summary.metric == "throughput_ops_per_sec" ? "ops/s" : c.metric.unit
                table.append(["", "", "  " + summary.metric, summary.baseline.map { HumanUnits.format($0, unit: unit) } ?? "-",
                              summary.candidate.map { HumanUnits.format($0, unit: unit) } ?? "-", percent(summary.changePct), "", "", "not tested"])
            }
        }
        return table
    }

    static func header(_ report: CompareReport) -> String {
        let candidate = report.candidate.commits.map { String($0.prefix(10)) }.joined(separator: ",")
        return "candidate \(candidate.isEmpty ? "-" : candidate) (\(report.candidate.runs.count) run\(report.candidate.runs.count == 1 ? "" : "s")"
            + " on \(report.candidate.machine ?? "?")) against \(report.baselineDescription): "
            + "\(report.baseline.commits.count) commit\(report.baseline.commits.count == 1 ? "" : "s"), \(report.baseline.runs.count) runs"
            + summariesOnly(report.baseline) + "\n" + paired(report) + excludedRuns(report)
    }

    /// The paired design's line: rounds, how they were analysed, and the time they took.
    static func paired(_ report: CompareReport) -> String {
        guard let paired = report.paired else { return "" }
        let design: String
        switch paired.design {
        case .fixed: design = "one look at the end"
        case .sequential(let planned): design = "looked at after every round of up to \(planned) (O'Brien-Fleming; p are repeated p-values)"
        }
        return "paired: \(paired.rounds) round\(paired.rounds == 1 ? "" : "s") of base and head on one machine, \(design)"
            + (paired.seconds.map { ", \(seconds($0))" } ?? "") + "\n"
    }

    static func seconds(_ value: Double) -> String {
        value < 120 ? String(format: "%.1f s", value) : String(format: "%.1f min", value / 60)
    }

    /// One line per run the call-level look left out, naming it and saying why.
    static func excludedRuns(_ report: CompareReport) -> String {
        report.excludedRuns.map { run in
            let commit = run.commit.map { " at \($0.prefix(10))" } ?? ""
            return "\(run.candidate ? "candidate" : "baseline") run \(run.runID)\(commit): \(run.reason)\n"
        }.joined()
    }

    /// Says when runs of a side had their raw samples pruned: they count with their medians.
    static func summariesOnly(_ side: SideInfo) -> String {
        let pruned = side.runs.filter(\.samplesPruned).count
        guard pruned > 0 else { return "" }
        return " (\(pruned) with summaries only: their raw samples were pruned, so each counts as its recorded median)"
    }

    static func table(_ report: CompareReport, colour: Bool, changesOnly: Bool = false, all: Bool = false) -> String {
        var text = header(report)
        let shown = changesOnly ? report.comparisons.filter { $0.verdict != .unchanged } : report.comparisons
        var lines = rows(shown, correction: report.correction, all: all).renderTable().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if colour {
            for index in lines.indices.dropFirst(2) {
                let line = lines[index]
                if line.hasPrefix("regression") || line.hasPrefix("over_budget") { lines[index] = Terminal.paint(line, "31", true) }
                else if line.hasPrefix("improvement") { lines[index] = Terminal.paint(line, "32", true) }
                else if line.hasPrefix("missing") { lines[index] = Terminal.paint(line, "33", true) }
            }
        }
        text += lines.joined(separator: "\n")
        text += summaryLine(report) + "\n"
        return text
    }

    /// For a pull-request comment or $GITHUB_STEP_SUMMARY: what changed first, unchanged series folded away.
    static func markdown(_ report: CompareReport, all: Bool = false) -> String {
        let regressions = report.count(.regression) + report.count(.overBudget)
        var text = "### hhbench compare: " + (regressions > 0 ? "⚠️ " : "✅ ") + summaryLine(report) + "\n\n"
        // Machine, branch and commit names are data: escaped like every cell.
        text += header(report).split(separator: "\n").map { DataTable.markdownCell(String($0)) }.joined(separator: "  \n") + "\n\n"
        let notable = report.comparisons.filter { $0.verdict != .unchanged }
        let quiet = report.comparisons.filter { $0.verdict == .unchanged }
        if !notable.isEmpty { text += rows(notable, correction: report.correction, all: all).renderMarkdown() + "\n" }
        if !quiet.isEmpty {
            text += "<details><summary>\(quiet.count) unchanged series</summary>\n\n"
                + rows(quiet, correction: report.correction, all: all).renderMarkdown() + "\n</details>\n"
        }
        return text
    }

    static func csv(_ report: CompareReport) -> String {
        var table = DataTable(["benchmark", "group", "params", "metric", "unit", "direction", "baseline_median", "baseline_runs",
                               "baseline_samples", "candidate_median", "candidate_runs", "candidate_samples", "change_pct",
                               "ci_low_pct", "ci_high_pct", "p_value", "p_adjusted", "method", "verdict", "baseline_value", "candidate_value",
                               "run_noise", "minimum_detectable_pct", "segment_start", "rounds", "decided_at_round", "decided_after_s"].map { .init($0) })
        func number(_ value: Double?) -> String { value.map { DecimalNumber($0).jsonText } ?? "" }
        for c in report.comparisons {
            table.append([c.key.benchmark.name, c.key.benchmark.group, c.key.benchmark.params, c.metric.name, c.metric.unit,
                          c.metric.direction.rawValue, number(c.baseline?.median), c.baseline.map { String($0.runs) } ?? "",
                          c.baseline.map { String($0.samples) } ?? "", number(c.candidate?.median),
                          c.candidate.map { String($0.runs) } ?? "", c.candidate.map { String($0.samples) } ?? "",
                          number(c.changePct), number(c.ciLowPct), number(c.ciHighPct), number(c.pValue), number(c.pAdjusted),
                          c.method.rawValue, c.verdict.rawValue, number(c.baseline?.value), number(c.candidate?.value),
                          c.runNoise?.rawValue ?? "", number(c.minimumDetectablePct), c.segmentStart ?? "",
                          c.rounds.map(String.init) ?? "", c.decidedAtRound.map(String.init) ?? "", number(c.decidedAfterSeconds)])
        }
        return table.renderCSV()
    }

    static func json(_ report: CompareReport) -> JSONValue {
        func side(_ info: SideInfo, description: String?) -> JSONValue {
            var members: [(String, JSONValue)] = []
            if let description { members.append(("description", .string(description))) }
            members += [
                ("commits", .array(info.commits.map(JSONValue.string))),
                ("runs", .array(info.runs.map { .object([("id", .number(Double($0.id))), ("uuid", .string($0.uuid)),
                                                          ("commit", .optional($0.commit)),
                                                          ("summaries_only", .bool($0.samplesPruned))]) })),
                ("machine", .optional(info.machine)), ("machine_fingerprint", .optional(info.machineFingerprint)),
            ]
            return .object(members)
        }
        func summary(_ side: SideSummary?) -> JSONValue {
            guard let side else { return .null }
            return .object([("runs", .number(Double(side.runs))), ("samples", .number(Double(side.samples))),
                            ("median", .number(side.median)), ("mean", .number(side.mean)), ("value", .number(side.value))])
        }
        let comparisons: [JSONValue] = report.comparisons.map { c in
            .object([
                ("benchmark", .string(c.key.benchmark.name)), ("group", .string(c.key.benchmark.group)),
                ("params", c.key.benchmark.parameters),
                ("metric", .string(c.metric.name)), ("unit", .string(c.metric.unit)), ("direction", .string(c.metric.direction.rawValue)),
                ("baseline", summary(c.baseline)), ("candidate", summary(c.candidate)),
                ("change_pct", .optional(c.changePct)), ("ci_low_pct", .optional(c.ciLowPct)), ("ci_high_pct", .optional(c.ciHighPct)),
                ("p_value", .optional(c.pValue)), ("p_adjusted", .optional(c.pAdjusted)),
                ("method", .string(c.method.rawValue)), ("verdict", .string(c.verdict.rawValue)),
                ("alpha", .number(c.settings.alpha)), ("threshold_pct", .number(c.settings.thresholdPct)),
                ("budget", .optional(c.settings.budget)),
                ("run_noise", .optional(c.runNoise?.rawValue)), ("minimum_detectable_pct", .optional(c.minimumDetectablePct)),
                ("advice", .optional(c.advice)), ("segment_start", .optional(c.segmentStart)),
                ("labels", .array(c.labels.map { .string($0) })),
                ("rounds", .optional(c.rounds.map(Double.init))), ("decided_at_round", .optional(c.decidedAtRound.map(Double.init))),
                ("decided_after_s", .optional(c.decidedAfterSeconds)),
                ("summaries", .array(c.summaries.map { s in
                    .object([("metric", .string(s.metric)), ("baseline", .optional(s.baseline)), ("candidate", .optional(s.candidate)),
                             ("change_pct", .optional(s.changePct))])
                })),
            ])
        }
        let counts: [(String, JSONValue)] = Verdict.allCases.sorted { $0.severity < $1.severity }
            .map { verdict in (verdict.rawValue, .number(Double(report.count(verdict)))) }
        return .object([
            ("baseline", side(report.baseline, description: report.baselineDescription)),
            ("candidate", side(report.candidate, description: nil)),
            ("correction", .string(report.correction.rawValue)),
            ("excluded_runs", .array(report.excludedRuns.map { run in
                .object([("id", .number(Double(run.runID))), ("commit", .optional(run.commit)), ("side", .string(run.candidate ? "candidate" : "baseline")),
                         ("series", .number(Double(run.series))), ("outlying", .number(Double(run.outlying))),
                         ("median_shift_pct", .optional(run.medianShiftPct)), ("reason", .string(run.reason))])
            })),
            ("paired", report.paired.map { paired in
                var members: [(String, JSONValue)] = [("rounds", .number(Double(paired.rounds))), ("seconds", .optional(paired.seconds))]
                switch paired.design {
                case .fixed: members.append(("design", .string("fixed")))
                case .sequential(let planned): members += [("design", .string("sequential")), ("planned_rounds", .number(Double(planned)))]
                }
                return JSONValue.object(members)
            } ?? .null),
            ("comparisons", .array(comparisons)),
            ("summary", .object(counts)),
        ])
    }
}
