import Analysis
import Foundation
import Records
import Statistics
import Warehouse

/// What `hhbench report` is asked.
struct ReportRequest {
    var branch: String?
    var last = 200
    var machine: String?
    var anyMachine = false
    /// The index's metrics; nil for the default (each benchmark's main time series, its median
    /// and p95, or its given values when it has no time series).
    var headlineMetrics: [String]?
    /// Adds the current commit's compare verdicts as a page.
    var compare: CompareRequest?
}

/// A page of the site: its path inside the output folder and its HTML.
struct ReportPage {
    let path: String
    let html: String
}

/// A series on the site: the trend of one benchmark × metric along the branch.
struct ReportSeries {
    let metric: String
    /// How the metric is named on the site: `time_ms (median)` for a raw series.
    let label: String
    let headline: Bool
    let trend: TrendSeries
}

/// Builds the static site of `hhbench report`: the index, one page per benchmark and, when asked,
/// the compare page. Trends come from `Trend` (the same analysis as `hhbench trend`), charts from
/// `SVGChart`, pages from `ReportTemplates`.
struct ReportBuilder {
    let warehouse: Warehouse
    let history: CommitHistory
    let config: ProjectConfig
    let generatedAt: String

    func build(_ request: ReportRequest) throws -> (pages: [ReportPage], series: Int, branch: String) {
        let (branch, machine, byBenchmark) = try collect(request)
        let commits = try warehouse.commitDetails(Array(Set(byBenchmark.values.flatMap { $0.flatMap { $0.trend.points.map(\.commit) } })))
        let names = Self.pageNames(Array(byBenchmark.keys))
        var pages: [ReportPage] = []
        var rows: [[String: Any]] = []
        var seriesCount = 0
        let common: [String: String] = ["version": HHBenchVersion.current, "generatedAt": generatedAt,
                                     "database": SafeText.make((warehouse.path as NSString).lastPathComponent)]
        // Each benchmark's page on its own: spread over the cores (the database reads are serialised by GRDB).
        let benchmarks = byBenchmark.sorted(by: { $0.key < $1.key })
        let results = UnsafeMutableBufferPointer<Result<BenchmarkPage, Error>?>.allocate(capacity: benchmarks.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        nonisolated(unsafe) let slots = results
        DispatchQueue.concurrentPerform(iterations: benchmarks.count) { item in
            let (benchmark, series) = benchmarks[item]
            slots[item] = Result {
                try benchmarkPage(benchmark, series: series, file: names[benchmark] ?? "page\(item).html", branch: branch, machine: machine,
                                  commits: commits, common: common)
            }
        }
        for result in results {
            guard let page = try result?.get() else { continue }
            pages.append(page.page)
            rows += page.rows
            seriesCount += page.charts
        }
        var index: [String: Any] = common
        index["pageTitle"] = "hhbench — \(SafeText.make(branch))"
        index["heading"] = "Benchmarks on \(SafeText.make(branch))"
        index["branch"] = SafeText.make(branch)
        index["summary"] = "\(byBenchmark.count) benchmarks, \(rows.count) headline series"
            + (machine.map { " on \(SafeText.make($0))" } ?? " on every machine") + "; change points by hhbench trend's default detector."
        index["rows"] = rows
        if let compare = request.compare {
            let (page, line) = comparePage(compare, common: common)
            pages.append(page)
            index["compare"] = line
        }
        pages.append(ReportPage(path: "index.html", html: ReportTemplates.render("index", index)))
        return (pages + ReportTemplates.assets, seriesCount, branch)
    }

    /// A benchmark's page, its index rows and its number of charts.
    struct BenchmarkPage {
        let page: ReportPage
        let rows: [[String: Any]]
        let charts: Int
    }

    private func benchmarkPage(_ benchmark: BenchmarkKey, series: [ReportSeries], file: String, branch: String, machine: String?,
                               commits: [String: CommitDetails], common: [String: String]) throws -> BenchmarkPage {
        let name = SafeText.make(benchmark.displayName)
        // The p95 chart's band is the spread of the time samples it summarises.
        let bands = Dictionary(series.flatMap { one in one.trend.points.compactMap { point in point.sampleQuartiles.map { (point.commit, $0) } } },
                               uniquingKeysWith: { first, _ in first })
        var charts: [[String: Any]] = []
        var rows: [[String: Any]] = []
        for (offset, one) in series.enumerated() {
            let model = ChartModel(series: one.trend, metric: one.label, commits: commits, bands: bands)
            charts.append(["metric": SafeText.make(one.label), "svg": SVGChart.inline(model, id: "c\(offset)")])
            if one.headline { rows.append(indexRow(one, benchmark: name, href: "benchmarks/\(file)", commits: commits)) }
        }
        let runs = try warehouse.recentRuns(of: benchmark, branch: branch, limit: 15).map { run -> [String: Any] in
            var row: [String: Any] = [
                "commit": run.commit.map { SafeText.make(String($0.prefix(10))) } ?? "-",
                "subject": run.commit.flatMap { commits[$0]?.subject }.map { SafeText.make(String($0.prefix(80))) } ?? "",
                "recorded": String(run.recordedAt.prefix(16)).replacingOccurrences(of: "T", with: " "),
                "machine": SafeText.make(run.machine), "toolchain": SafeText.make(run.toolchain ?? ""),
                "tool": SafeText.make([run.tool ?? run.sourceFormat, run.toolVersion].compactMap { $0 }.joined(separator: " ")),
                "uuid": SafeText.make(run.uuid),
            ]
            if let url = run.ciJobURL, Self.isWebLink(url) { row["jobURL"] = url }
            return row
        }
        var page: [String: Any] = common
        page["root"] = "../"
        page["pageTitle"] = "\(name) — hhbench"
        page["heading"] = name
        page["summary"] = SafeText.make(branch) + (machine.map { " · \(SafeText.make($0))" } ?? " · every machine")
            + " · \(series.first?.trend.points.count ?? 0) commits"
        page["charts"] = charts
        page["runs"] = runs
        return BenchmarkPage(page: ReportPage(path: "benchmarks/\(file)", html: ReportTemplates.render("benchmark", page)), rows: rows,
                             charts: charts.count)
    }

    /// Trends of every metric the site shows, by benchmark, headline metrics first.
    private func collect(_ request: ReportRequest) throws -> (String, String?, [BenchmarkKey: [ReportSeries]]) {
        let recorded = try warehouse.recordedMetrics()
        let sampled = Set(recorded.filter(\.hasSamples).map(\.name))
        let summaries = Set(sampled.flatMap { name in RunRecord.derivedPrefixes.map { "\($0)_\(name)" } } + ["throughput_ops_per_sec"])
        let timeSeries = sampled.filter { $0.hasPrefix("time_") }.sorted()
        // Given values and sample series other than times (memory, say): a benchmark's headline when it has no time series.
        let given = recorded.map(\.name).filter { !sampled.contains($0) && !summaries.contains($0) }
            + sampled.filter { !$0.hasPrefix("time_") }.sorted()
        let wanted = request.headlineMetrics ?? (timeSeries.flatMap { [$0, "p95_\($0)"] } + given)
        var branch = request.branch ?? ""
        var machine: String?
        var byBenchmark: [BenchmarkKey: [ReportSeries]] = [:]
        var seen = Set<String>()
        for metric in wanted where seen.insert(metric).inserted && recorded.contains(where: { $0.name == metric }) {
            var trend = TrendRequest(metric: metric, config: config)
            trend.branch = request.branch
            trend.last = request.last
            trend.machine = request.machine
            trend.anyMachine = request.anyMachine
            let report = try Trend(warehouse: warehouse, history: history, config: config).run(trend)
            branch = report.branch
            machine = machine ?? report.machine
            for series in report.series {
                byBenchmark[series.benchmark, default: []].append(
                    ReportSeries(metric: metric, label: sampled.contains(metric) ? "\(metric) (median)" : metric, headline: true, trend: series))
            }
        }
        if request.headlineMetrics == nil {
            // A benchmark with a time series is headlined by it; its other given values are charted on its page only.
            for (benchmark, series) in byBenchmark where series.contains(where: { timeSeries.contains($0.metric) }) {
                byBenchmark[benchmark] = series.map { one in
                    ReportSeries(metric: one.metric, label: one.label, headline: !given.contains(one.metric), trend: one.trend)
                }
            }
        }
        if branch.isEmpty { branch = try history.currentBranch() ?? config.baselineBranch ?? history.defaultBaselineBranch() }
        return (branch, request.anyMachine ? nil : machine, byBenchmark)
    }

    /// One line of the index: the latest value, its change against the mean of its baseline
    /// segment (the newest segment without the latest point, or the one before when the latest
    /// point starts a segment), a sparkline and the newest change point.
    private func indexRow(_ series: ReportSeries, benchmark: String, href: String, commits: [String: CommitDetails]) -> [String: Any] {
        let trend = series.trend
        let points = trend.points
        let unit = trend.metric.unit
        var row: [String: Any] = ["benchmark": benchmark, "metric": SafeText.make(series.label), "href": href,
                                  "search": (benchmark + " " + SafeText.make(series.label)).lowercased(),
                                  "sparkline": SVGChart.sparkline(trend)]
        guard let latest = points.last else { return row }
        row["latest"] = HumanUnits.format(latest.value, unit: unit)
        row["latestValue"] = String(latest.value)
        let starts = trend.changes.map(\.index)
        let segmentStart = starts.last(where: { $0 < latest.index }) ?? 0
        let baseline = starts.last == latest.index
            ? Array(points[(starts.dropLast().last ?? 0)..<latest.index])
            : Array(points[segmentStart..<latest.index])
        if !baseline.isEmpty {
            let mean = Descriptive.mean(baseline.map(\.value))
            let change = mean == 0 ? 0 : (latest.value / mean - 1) * 100
            row["change"] = CompareRendering.percent(change)
            row["changeValue"] = String(format: "%.3f", change)
            let worse = change * trend.metric.direction.worseSign > 0
            row["changeClass"] = abs(change) < 2 ? "" : (worse ? "regression" : "improvement")
        } else {
            row["change"] = "-"
            row["changeValue"] = "0"
        }
        if let newest = trend.changes.last {
            row["newest"] = ["kind": newest.kind == .regression ? "regression" : "improvement",
                             "label": "\(newest.commit.prefix(7)) \(CompareRendering.percent(newest.changePct))",
                             "subject": commits[newest.commit]?.subject.map { SafeText.make(String($0.prefix(70))) } ?? ""]
            row["changeAge"] = String(points.count - newest.index)
        } else {
            row["changeAge"] = "100000000"
        }
        if let drift = trend.drift, drift.flagged {
            row["drift"] = "drift \(CompareRendering.percent(drift.totalPct)) over \(drift.points) commits"
            row["driftClass"] = drift.totalPct * trend.metric.direction.worseSign > 0 ? "regression" : "improvement"
        }
        return row
    }

    /// Unique file names for the benchmark pages.
    static func pageNames(_ benchmarks: [BenchmarkKey]) -> [BenchmarkKey: String] {
        var taken = Set<String>()
        var names: [BenchmarkKey: String] = [:]
        for benchmark in benchmarks.sorted() {
            var name = SafeFileName.make(benchmark.displayName, extension: "html")
            var suffix = 2
            while taken.contains(name.lowercased()) {
                name = SafeFileName.make(benchmark.displayName + "-\(suffix)", extension: "html")
                suffix += 1
            }
            taken.insert(name.lowercased())
            names[benchmark] = name
        }
        return names
    }

    /// Only http and https links are made clickable: a recorded `javascript:` URL stays text.
    static func isWebLink(_ text: String) -> Bool {
        let lower = text.lowercased()
        return (lower.hasPrefix("https://") || lower.hasPrefix("http://")) && !text.unicodeScalars.contains(where: Printable.isUnsafe)
    }
}
