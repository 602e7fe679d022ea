import Analysis
import Foundation
import Records
import Warehouse

extension ReportBuilder {
    /// The compare page: the verdicts `hhbench compare` gives for the request, regressions first.
    /// A compare that cannot run (no baseline yet) becomes a page that says why, not a failed report.
    func comparePage(_ request: CompareRequest, common: [String: Any]) -> (ReportPage, String) {
        var page = common
        page["pageTitle"] = "Compare — hhbench"
        do {
            let report = try Comparer(warehouse: warehouse, history: history, config: config).compare(request)
            let candidate = report.candidate.commits.first.map { String($0.prefix(10)) } ?? "the candidate runs"
            page["heading"] = "Compare: \(candidate)"
            page["summary"] = SafeText.make("candidate \(candidate) against \(report.baselineDescription)") + ": "
                + (CompareRendering.summaryLine(report).isEmpty ? "nothing compared" : CompareRendering.summaryLine(report))
            let ordered = report.comparisons.sorted { ($0.verdict.severity, $0.key) < ($1.verdict.severity, $1.key) }
            page["rows"] = ordered.map { comparison -> [String: Any] in
                let unit = comparison.metric.unit
                return [
                    "verdict": comparison.verdict.rawValue.replacingOccurrences(of: "_", with: " "),
                    "verdictClass": comparison.verdict == .regression || comparison.verdict == .overBudget ? "regression"
                        : comparison.verdict == .improvement ? "improvement" : "",
                    "benchmark": SafeText.make(comparison.key.benchmark.displayName), "metric": SafeText.make(comparison.key.metric),
                    "baseline": CompareRendering.value(comparison.baseline, unit), "candidate": CompareRendering.value(comparison.candidate, unit),
                    "change": CompareRendering.percent(comparison.changePct),
                    "changeValue": comparison.changePct.map { String(format: "%.3f", $0) } ?? "0",
                    "interval": CompareRendering.interval(comparison), "p": CompareRendering.pValue(comparison.pValue),
                    "note": SafeText.make(CompareRendering.note(comparison)),
                ]
            }
            let line = CompareRendering.summaryLine(report)
            return (ReportPage(path: "compare.html", html: ReportTemplates.render("compare", page)),
                    "\(candidate): \(line.isEmpty ? "nothing compared" : line)")
        } catch {
            let reason = SafeText.make(ErrorReport.message(for: error))
            page["heading"] = "Compare"
            page["summary"] = "No verdicts."
            page["problem"] = reason
            return (ReportPage(path: "compare.html", html: ReportTemplates.render("compare", page)), "no verdicts (\(reason))")
        }
    }
}
