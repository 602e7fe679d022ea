import Foundation
import Records
import Statistics
import Warehouse

/// `compare --against baselines`: the candidate's values against the newest imported legacy
/// `performance_baselines.json`, by the rules the teams' own regression checks used with it:
/// a change worse than +20 % (+15 % for memory) is a regression, one better than −5 % an
/// improvement, anything between unchanged. One number a side, so no test and no p-value
/// (`threshold_only`); the candidate's value is the median over its runs.
struct LegacyBaselineComparison {
    let warehouse: Warehouse
    let config: ProjectConfig

    static let regressionPct = 20.0
    static let memoryRegressionPct = 15.0
    static let improvementPct = 5.0

    func compare(candidate: SideInfo, request: CompareRequest) throws -> CompareReport {
        guard let legacy = try warehouse.newestRun(sourceFormat: "perf-baseline", excluding: Set(candidate.runs.map(\.id))) else {
            throw CompareError.notEnoughData("no imported performance_baselines.json: import one with hhbench import-baselines FILE")
        }
        let baseline = try warehouse.values(ofRuns: [legacy.id], includeSamples: false)
        let current = try warehouse.values(ofRuns: candidate.runs.map(\.id), includeSamples: false)
        var comparisons: [Comparison] = []
        for (key, recorded) in baseline.first?.metrics ?? [:] where !recorded.isRunFact {
            guard request.benchmarkGlob.map({ fnmatch($0, key.benchmark.name, 0) == 0 }) ?? true,
                  request.metricGlobs.isEmpty || request.metricGlobs.contains(where: { fnmatch($0, key.metric, 0) == 0 }),
                  let before = baseline.first?.values[key] else { continue }
            var settings = config.settings(for: key)
            request.overrides.apply(to: &settings)
            let metric = MetricDescriptor(name: recorded.name, unit: recorded.unit, direction: settings.direction ?? recorded.direction)
            let values = current.compactMap { $0.values[key] }
            let baselineSide = SideSummary(runs: 1, samples: 0, median: before, mean: before, value: before)
            guard !values.isEmpty else {
                comparisons.append(Comparison(key: key, metric: metric, baseline: baselineSide, candidate: nil, changePct: nil, ciLowPct: nil,
                                              ciHighPct: nil, pValue: nil, pAdjusted: nil, method: .none, verdict: .missing, settings: settings))
                continue
            }
            let after = Descriptive.median(values)
            let change = Comparer.percent(after, of: before)
            var verdict = Verdict.unchanged
            if let change {
                let worse = change * metric.direction.worseSign
                let limit = Self.isMemory(metric) ? Self.memoryRegressionPct : Self.regressionPct
                if worse > limit { verdict = .regression } else if worse < -Self.improvementPct { verdict = .improvement }
            }
            let candidateSide = SideSummary(runs: values.count, samples: 0, median: after, mean: Descriptive.mean(values), value: after)
            comparisons.append(Comparer.applyBudget(Comparison(
                key: key, metric: metric, baseline: baselineSide, candidate: candidateSide, changePct: change, ciLowPct: nil, ciHighPct: nil,
                pValue: nil, pAdjusted: nil, method: .thresholdOnly, verdict: verdict, settings: settings)))
        }
        comparisons.sort { ($0.verdict.severity, -Comparer.worseness($0), $0.key) < ($1.verdict.severity, -Comparer.worseness($1), $1.key) }
        var report = CompareReport(baselineDescription: "the imported performance_baselines.json (run \(legacy.id); +20 %, memory +15 %, −5 % rules)",
                                   baseline: SideInfo(commits: legacy.commit.map { [$0] } ?? [], runs: [legacy]),
                                   candidate: candidate, comparisons: comparisons)
        report.correction = .none
        return report
    }

    /// Memory by unit (bytes) or by name, as the legacy checks told memory tests apart.
    static func isMemory(_ metric: MetricDescriptor) -> Bool {
        Unit.bytesPerUnit[metric.unit] != nil || metric.name.lowercased().contains("memory") || metric.name.lowercased().contains("rss")
    }
}
