import Analysis
import ArgumentParser
import Foundation
import Records
import Statistics
import Warehouse

struct TrendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trend",
        abstract: "A metric along a branch's history, with the commits where it changed and its drift.",
        discussion: """
            One point per commit with results on the branch's first-parent history (the median over its runs on \
            the machine). By default (--method levels) each commit's level and its noise come from its runs and \
            samples; one-off outliers are reported as outliers, steps as change points (at most about \
            --false-alarms false ones per 1,000 commits), and slow drift as drift. --method otava: Apache Otava \
            0.8's e-divisive means, exactly (--otava-window, --max-p-value, --min-magnitude), with Theil-Sen drift over \
            the last segment. Machine and toolchain changes are marked, and not blamed on code. docs/STATISTICS.md.
            """)

    enum TrendFormat: String, ExpressibleByArgument, CaseIterable { case text, csv, json, markdown, svg }
    enum FailOnChange: String, ExpressibleByArgument, CaseIterable { case regression }
    enum Method: String, ExpressibleByArgument, CaseIterable { case levels, otava }

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var notifyOptions: NotifyOptions

    @Argument(help: ArgumentHelp("The metric, such as p95_time_ms or time_ms.", valueName: "metric"))
    var metric: String

    @Option(help: ArgumentHelp("Only benchmarks matching this glob.", valueName: "glob"))
    var benchmark: String?

    @Option(help: ArgumentHelp("The branch (or any ref). Default: the current branch.", valueName: "ref"))
    var branch: String?

    @Option(help: "At most this many commits with results, the newest; 0 for all. (default: 200)", transform: NumericRule.commitsShown.wholeNumber)
    var last = 200

    @Option(help: ArgumentHelp("Only runs on this machine. Default: the machine of the newest run.", valueName: "name"))
    var runsOn: String?
    @Option(name: .customLong("machine"), help: .hidden) var deprecatedMachine: String?

    @Flag(help: "Use runs from every machine.")
    var anyMachine = false

    @Option(help: "The change point detector: levels (default, or [trend] method) or otava.")
    var method: Method?

    @Option(help: ArgumentHelp("Expected false change points per 1,000 commits of an unchanging series, for --method levels (0.2, or [trend] false_alarms_per_1000).",
                               valueName: "rate"), transform: NumericRule.falseAlarmsPer1000.real)
    var falseAlarms: Double?

    @Option(help: "Change point window, for --method otava (Otava's default 50).", transform: NumericRule.otavaWindow.wholeNumber)
    var otavaWindow: Int?
    @Option(name: .customLong("window"), help: .hidden, transform: NumericRule.otavaWindow.wholeNumber) var deprecatedWindow: Int?

    @Option(help: "Change point significance, for --method otava (Otava's default 0.001).", transform: NumericRule.pValue.real)
    var maxPValue = 0.001

    @Option(help: "Smallest relative change of a change point, for --method otava; 0.05 = 5 %. (default: 0)", transform: NumericRule.magnitude.real)
    var minMagnitude = 0.0

    @Flag(help: "Draw each series as a chart in the terminal.")
    var chart = false

    @Option(help: ArgumentHelp("Write one SVG per series into this folder (with --format svg or markdown).", valueName: "dir"))
    var out: String?

    @Option(help: "Exit 1 on this: regression (the newest segment starts with a regression within the last --recent commits).")
    var failOn: FailOnChange?
    @Option(name: .customLong("fail-on-change"), help: .hidden) var deprecatedFailOnChange: FailOnChange?

    @Option(help: "How recent a change point must be for --fail-on regression, in commits. (default: 5)", transform: NumericRule.recent.wholeNumber)
    var recent = 5

    @Option(help: "text, csv, json, markdown or svg.")
    var format: TrendFormat = .text

    func validate() throws {
        if (runsOn ?? deprecatedMachine) != nil && anyMachine { throw ValidationError("--runs-on and --any-machine contradict each other") }
        if notifyOptions.notify != nil && (failOn ?? deprecatedFailOnChange) == nil {
            throw ValidationError("--notify sends the regressions that --fail-on regression finds; add --fail-on regression")
        }
    }

    func run() throws {
        let warehouse = try database.openForReading()
        let config = try configOptions.load()
        var request = TrendRequest(metric: metric, config: config)
        request.benchmarkGlob = benchmark
        request.branch = branch
        request.last = last
        request.machine = Deprecation.renamed(runsOn, deprecatedMachine, old: "trend --machine", new: "--runs-on")
        request.anyMachine = anyMachine
        request.options.window = Deprecation.renamed(otavaWindow, deprecatedWindow, old: "trend --window", new: "--otava-window") ?? 50
        request.options.maxPValue = maxPValue
        request.options.minMagnitude = minMagnitude
        if let method = method.flatMap({ TrendMethod(rawValue: $0.rawValue) }) { request.method = method }
        if let falseAlarms { request.levelOptions.falseAlarmsPer1000 = falseAlarms }
        let report = try Trend(warehouse: warehouse, history: CommitHistory(warehouse: warehouse), config: config).run(request)
        guard !report.series.isEmpty else {
            throw CommandFailure.notEnoughData("no benchmark has the metric '\(metric)' on \(report.branch)"
                                               + (benchmark.map { " matching '\($0)'" } ?? ""))
        }
        if report.runsWithSummariesOnly > 0 {
            note("note: \(report.runsWithSummariesOnly) run\(report.runsWithSummariesOnly == 1 ? " has" : "s have") summaries only "
                       + "(raw samples pruned): each counts as its recorded median of \(metric)")
        }
        var links: [String: String] = [:]
        let commits = format == .svg || out != nil ? try warehouse.commitDetails(Array(Set(report.series.flatMap { $0.points.map(\.commit) }))) : [:]
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            for series in report.series {
                // Names come from data and the command line: never a path of their own.
                let path = (out as NSString).appendingPathComponent(
                    SafeFileName.make("\(metric)-\(series.benchmark.displayName)", extension: "svg"))
                try SVGChart.document([series], metric: metric, commits: commits).write(toFile: path, atomically: true, encoding: .utf8)
                links[series.benchmark.displayName] = path
            }
        }
        switch format {
        case .text: print(TrendRendering.text(report, chart: chart, colour: Terminal.wantsColour), terminator: "")
        case .csv: JSONOutput.print(TrendRendering.csv(report))
        case .json: JSONOutput.print(TrendRendering.json(report))
        case .markdown: print(TrendRendering.markdown(report, svgLinks: links), terminator: "")
        case .svg:
            if out == nil { print(SVGChart.document(report.series, metric: metric, commits: commits), terminator: "") }
            else { for path in links.values.sorted() { note("wrote \(path)") } }
        }
        let failOn = Deprecation.renamed(failOn, deprecatedFailOnChange, old: "--fail-on-change", new: "--fail-on")
        if failOn == .regression {
            // Only the detector's change points count (outliers are not changes), and a change
            // where the machine or toolchain changed is the environment's, not the code's.
            let regressions = report.series.compactMap { series -> (TrendSeries, TrendChange)? in
                guard let change = series.changes.last, change.kind == .regression, change.environment == nil,
                      change.index >= series.points.count - recent else { return nil }
                return (series, change)
            }
            if let notifier = try notifyOptions.notifier(config: config, database: database), !regressions.isEmpty {
                let runs = try warehouse.runsAt(commits: regressions.map(\.1.commit), branch: report.branch)
                notifier.send(regressions.map { Alert.from($0.1, series: $0.0, report: report, run: runs[$0.1.commit]) })
            }
            let blamed = regressions.map { series, change -> String in
                let subject = change.subject.map { " \"\(Printable.escaped(String($0.prefix(60))))\"" } ?? ""
                return "\(Printable.escaped(series.benchmark.displayName)) \(CompareRendering.percent(change.changePct)) "
                    + "from commit \(change.commit.prefix(10))\(subject)"
            }
            if !blamed.isEmpty {
                throw CommandFailure.checkFailed("regression in the last \(recent) commits: " + blamed.joined(separator: ", "))
            }
        }
    }
}
