import Foundation
import Records
import Warehouse

/// Settings for one benchmark × metric series.
package struct SeriesSettings: Sendable, Equatable {
    /// Significance level of the test (after Holm's correction).
    package var alpha = 0.05
    /// The smallest change, in percent, that counts as a regression or an improvement.
    package var thresholdPct = 5.0
    /// An absolute limit: the most (lower-is-better) or the least (higher-is-better) the value may be.
    package var budget: Double?
    /// Overrides the metric's recorded direction.
    package var direction: Direction?

    package init() {}
}

/// One `[[rules]]` entry or `[metrics.NAME]` table of `hhbench.toml`.
package struct SeriesRule: Sendable, Equatable {
    package var benchmarkGlob = "*"
    package var metricGlob = "*"
    package var alpha: Double?
    package var thresholdPct: Double?
    package var budget: Double?
    package var direction: Direction?

    package init() {}

    func matches(_ key: SeriesKey) -> Bool {
        fnmatch(benchmarkGlob, key.benchmark.name, 0) == 0 && fnmatch(metricGlob, key.metric, 0) == 0
    }

    package func apply(to settings: inout SeriesSettings) {
        if let alpha { settings.alpha = alpha }
        if let thresholdPct { settings.thresholdPct = thresholdPct }
        if let budget { settings.budget = budget }
        if let direction { settings.direction = direction }
    }
}

/// `hhbench.toml` at the repository root:
///
///     [compare]
///     baseline = "main"        # the default of --since
///     alpha = 0.05
///     threshold_pct = 5
///     window = 10
///
///     [trend]
///     method = "levels"        # or "otava"
///     false_alarms_per_1000 = 0.2   # expected false change points per 1,000 commits
///
///     [metrics.p95_time_ms]    # every benchmark's p95_time_ms
///     threshold_pct = 10
///     budget = 100             # at most 100 ms (for a higher-is-better metric: at least)
///
///     [report]
///     branch = "main"          # the branch `hhbench report` shows
///     metrics = "time_ms, p95_time_ms"   # the index's metrics (default: each main time series and its p95)
///
///     [alerts]
///     notify_url = "https://hooks.example.com/perf"   # --notify's default
///     notify_format = "json"   # or "slack"
///
///     [[rules]]                # by benchmark (and metric) glob; later rules win
///     benchmark = "load_test*"
///     metric = "error_rate"
///     budget = 0.01
///
/// Precedence, lowest first: built-in defaults, `[compare]`, `[metrics.NAME]`, `[[rules]]` in
/// order, then the command's flags.
package struct ProjectConfig: Sendable, Equatable {
    package var baselineBranch: String?
    package var defaults = SeriesSettings()
    package var window: Int?
    /// `[compare] correction`: bh, holm or none.
    package var correction: Correction?
    /// `[compare] run_noise_pct`: the run-to-run noise assumed when too few runs measure it.
    package var runNoisePct: Double?
    /// `[trend] method`: the change point detector.
    package var trendMethod: TrendMethod?
    /// `[trend] false_alarms_per_1000`: `LevelShifts`' false-alarm control.
    package var falseAlarmsPer1000: Double?
    package var rules: [SeriesRule] = []
    /// `[report] branch` and `[report] metrics`.
    package var reportBranch: String?
    package var reportMetrics: [String]?
    /// `[alerts] notify_url` and `notify_format` ("json" or "slack").
    package var notifyURL: String?
    package var notifyFormat: String?

    package init() {}

    package static let fileName = "hhbench.toml"

    /// Reads `path`; a missing file is an empty config.
    package static func load(path: String) throws(InputError) -> ProjectConfig {
        guard let data = FileManager.default.contents(atPath: path) else { return ProjectConfig() }
        guard let text = String(validating: Array(data), as: UTF8.self) else {
            throw InputError(file: path, problem: "not UTF-8", fix: "save hhbench.toml as UTF-8")
        }
        return try parse(text, file: path)
    }

    package static func parse(_ text: String, file: String) throws(InputError) -> ProjectConfig {
        let lines = ConfigLines(text)
        let document = try ConfigFile.decode(text, file: file, lines: lines)
        func fail(_ field: String, _ problem: String, fix: String? = nil) -> InputError {
            InputError(file: file, line: lines.line(of: field), field: field, problem: problem, fix: fix)
        }
        func direction(_ text: String?, _ field: String) throws(InputError) -> Direction? {
            guard let text else { return nil }
            guard let parsed = Direction(rawValue: text) else {
                throw fail(field, "unknown direction \"\(text)\"", fix: "use lower_is_better or higher_is_better")
            }
            return parsed
        }
        func alpha(_ number: ConfigNumber?, _ field: String) throws(InputError) -> Double? {
            guard let value = number?.value else { return nil }
            guard value > 0, value < 1 else { throw fail(field, "alpha must be between 0 and 1", fix: "write alpha = 0.05") }
            return value
        }
        func rule(_ table: ConfigFile.RuleTable, _ field: String) throws(InputError) -> SeriesRule {
            var rule = SeriesRule()
            rule.benchmarkGlob = table.benchmark ?? "*"
            rule.metricGlob = table.metric ?? "*"
            rule.alpha = try alpha(table.alpha, field + ".alpha")
            rule.thresholdPct = table.thresholdPct?.value
            rule.budget = table.budget?.value
            rule.direction = try direction(table.direction, field + ".direction")
            return rule
        }
        var config = ProjectConfig()
        if let compare = document.compare {
            config.baselineBranch = compare.baseline
            if let window = compare.window?.value {
                guard let whole = Int(exactly: window), (2...100_000).contains(whole) else {
                    throw fail("compare.window", "\(DecimalNumber(window).jsonText) is not a whole number of commits from 2 to 100000",
                               fix: "write window = 10")
                }
                config.window = whole
            }
            if let name = compare.correction {
                guard let correction = Correction(rawValue: name) else {
                    throw fail("compare.correction", "expected \"bh\", \"holm\" or \"none\"", fix: "write correction = \"bh\"")
                }
                config.correction = correction
            }
            if let noise = compare.runNoisePct?.value {
                guard noise >= 0, noise < 1000 else {
                    throw fail("compare.run_noise_pct", "expected a percentage from 0", fix: "write run_noise_pct = 3")
                }
                config.runNoisePct = noise
            }
            let defaults = ConfigFile.RuleTable(alpha: compare.alpha, thresholdPct: compare.thresholdPct, budget: compare.budget,
                                                direction: compare.direction)
            try rule(defaults, "compare").apply(to: &config.defaults)
        }
        if let trend = document.trend {
            if let name = trend.method {
                guard let method = TrendMethod(rawValue: name) else {
                    throw fail("trend.method", "expected \"levels\" or \"otava\"", fix: "write method = \"levels\"")
                }
                config.trendMethod = method
            }
            if let rate = trend.falseAlarmsPer1000?.value {
                guard rate > 0, rate <= 100 else {
                    throw fail("trend.false_alarms_per_1000", "expected a rate above 0 and at most 100", fix: "write false_alarms_per_1000 = 0.2")
                }
                config.falseAlarmsPer1000 = rate
            }
        }
        if let report = document.report {
            config.reportBranch = report.branch
            if let text = report.metrics {
                let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                guard !names.isEmpty else { throw fail("report.metrics", "no metric named", fix: "write metrics = \"time_ms, p95_time_ms\"") }
                config.reportMetrics = names
            }
        }
        if let alerts = document.alerts {
            if let url = alerts.notifyURL {
                let lower = url.lowercased()
                guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
                    throw fail("alerts.notify_url", "expected an http:// or https:// URL", fix: "write notify_url = \"https://hooks.example.com/perf\"")
                }
                config.notifyURL = url
            }
            if let format = alerts.notifyFormat {
                guard format == "json" || format == "slack" else {
                    throw fail("alerts.notify_format", "expected \"json\" or \"slack\"", fix: "write notify_format = \"slack\"")
                }
                config.notifyFormat = format
            }
        }
        // A table's keys come back unordered; by name, so that overlapping [metrics.*] rules apply
        // the same way every time ([[rules]] keep their order and come after).
        for (metric, table) in (document.metrics ?? [:]).sorted(by: { $0.key < $1.key }) {
            var parsed = try rule(table, "metrics.\(metric)")
            parsed.metricGlob = metric
            config.rules.append(parsed)
        }
        for (index, table) in (document.rules ?? []).enumerated() {
            config.rules.append(try rule(table, "rules[\(index)]"))
        }
        return config
    }

    /// The settings of one series: defaults, then matching rules in order.
    package func settings(for key: SeriesKey) -> SeriesSettings {
        var settings = defaults
        for rule in rules where rule.matches(key) { rule.apply(to: &settings) }
        return settings
    }
}
