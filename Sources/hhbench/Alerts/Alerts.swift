import Analysis
import Crypto
import Foundation
import Records
import Warehouse

/// One alert: a regression or an exceeded budget, in the shape of the seed's `PerformanceMonitor`:
/// `{"alert_type", "test_name", "severity", "details": {...}, "timestamp", "source": "hhbench"}`.
struct Alert {
    enum Kind: String {
        case regression = "performance_regression"
        case overBudget = "performance_budget_exceeded"
    }

    let kind: Kind
    let benchmark: String
    let metric: MetricDescriptor
    let baseline: Double?
    let candidate: Double?
    let changePct: Double?
    let ciLowPct: Double?
    let ciHighPct: Double?
    let pValue: Double?
    let commit: String?
    let branch: String?
    let machine: String?
    let runUUID: String?
    let ciJobURL: String?
    /// What makes this alert the same alert when sent again: the runs or the change point it is about.
    let identity: String
    /// `high` for an exceeded budget or a change of at least twice the series' threshold, else `medium`.
    let severity: String

    func key(destination: String) -> String {
        Hex.string(SHA256.hash(data: Array([destination, identity, benchmark, metric.name, kind.rawValue].joined(separator: "\u{0}").utf8)))
    }

    func json(timestamp: String) -> JSONValue {
        // A value that is not finite has no JSON number: null, as a missing one.
        func number(_ value: Double?) -> JSONValue { JSONValue.optional(value.flatMap { $0.isFinite ? $0 : nil }) }
        let text = JSONValue.optional as (String?) -> JSONValue
        return .object([
            ("alert_type", .string(kind.rawValue)), ("test_name", .string(benchmark)), ("severity", .string(severity)),
            ("details", .object([
                ("metric", .string(metric.name)), ("unit", .string(metric.unit)), ("baseline", number(baseline)), ("candidate", number(candidate)),
                ("change_pct", number(changePct)), ("ci_low_pct", number(ciLowPct)), ("ci_high_pct", number(ciHighPct)),
                ("p_value", number(pValue)), ("commit", text(commit)), ("branch", text(branch)), ("machine", text(machine)),
                ("run_uuid", text(runUUID)), ("ci_job_url", text(ciJobURL)),
            ])),
            ("timestamp", .string(timestamp)), ("source", .string("hhbench")),
        ])
    }

    /// A Slack incoming-webhook message: `{"text": …}` with the same facts in one line.
    func slack() -> JSONValue {
        let what = kind == .regression ? "Performance regression" : "Performance budget exceeded"
        var line = "\(what): \(benchmark) \(metric.name) \(CompareRendering.percent(changePct))"
        if let baseline, let candidate {
            line += " (\(HumanUnits.format(baseline, unit: metric.unit)) → \(HumanUnits.format(candidate, unit: metric.unit)))"
        }
        if let commit { line += " at \(commit.prefix(10))" }
        if let branch { line += " on \(branch)" }
        if let machine { line += ", machine \(machine)" }
        if let ciJobURL { line += " — \(ciJobURL)" }
        return .object([("text", .string(Printable.escaped(line)))])
    }

    /// The alerts of a compare: its regressions and exceeded budgets.
    static func from(_ report: CompareReport, contexts: [String: RunContextRow]) -> [Alert] {
        let runs = report.candidate.runs.sorted { $0.id < $1.id }
        let identity = runs.map(\.uuid).joined(separator: ",")
        let newest = runs.last
        return report.comparisons.compactMap { comparison in
            let kind: Kind
            switch comparison.verdict {
            case .regression: kind = .regression
            case .overBudget: kind = .overBudget
            default: return nil
            }
            let big = abs(comparison.changePct ?? 0) >= 2 * comparison.settings.thresholdPct
            return Alert(kind: kind, benchmark: comparison.key.benchmark.displayName, metric: comparison.metric,
                         baseline: comparison.baseline?.value, candidate: comparison.candidate?.value, changePct: comparison.changePct,
                         ciLowPct: comparison.ciLowPct, ciHighPct: comparison.ciHighPct, pValue: comparison.pValue,
                         commit: newest?.commit, branch: newest?.branch, machine: newest?.machineName, runUUID: newest?.uuid,
                         ciJobURL: newest.flatMap { contexts[$0.uuid]?.ciJobURL }, identity: identity,
                         severity: kind == .overBudget || big ? "high" : "medium")
        }
    }

    /// The alert of a change point `trend --fail-on regression` blames: one per change point.
    static func from(_ change: TrendChange, series: TrendSeries, report: TrendReport, run: RunContextRow?) -> Alert {
        Alert(kind: .regression, benchmark: series.benchmark.displayName, metric: series.metric, baseline: change.before,
              candidate: change.after, changePct: change.changePct, ciLowPct: nil, ciHighPct: nil, pValue: change.pValue,
              commit: change.commit, branch: report.branch, machine: report.machine ?? run?.machine, runUUID: run?.uuid,
              ciJobURL: run?.ciJobURL, identity: "change point at \(change.commit)", severity: abs(change.changePct) >= 10 ? "high" : "medium")
    }
}
