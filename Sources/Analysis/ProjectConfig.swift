import Foundation
import Records
import TOML
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

    /// Counted metrics' threshold (instructions, estimated cycles: `MetricDescriptor.isCounted`),
    /// in place of `[compare] threshold_pct`, which is for timings: counts repeat to well under
    /// 0.1 %, so a 0.5 % change is real. `[metrics.instructions]`, a rule or `--threshold` sets another.
    package static let countedThresholdPct = 0.5

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
///     metrics = ["time_ms", "p95_time_ms"]   # the index's metrics (or one comma-separated string)
///
///     [run]
///     secret_names = ["cookie"]   # masked in recorded command lines, beside password, token, secret, key
///
///     [ab]                     # hhbench ab's defaults: a CI job needs one line
///     build = "swift build -c release"
///     bench = "python3 bench.py"   # writes a result file in any format record reads
///     output = "results.json"      # where it writes it (default: its standard output)
///     input_format = "pytest-benchmark"
///     rounds = 10              # or, with --until-decided, max_rounds = 30 and max_time = "20m"
///     warmup_rounds = 1
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
    /// `[run] secret_names`: more names whose values `run` masks in what it records (SecretMask).
    package var secretNames: [String] = []
    /// `[ab]`: the defaults of `hhbench ab`'s flags.
    package var ab = ABSettings()

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
        let document: TOMLTable
        do {
            document = try TOMLReader.parse(text)
        } catch {
            throw InputError(file: file, line: error.line, column: error.column, problem: "not valid TOML: \(error.message)",
                             fix: "see https://toml.io for the syntax")
        }
        let root = try ConfigSection(document, path: "", file: file, line: nil, known: ["compare", "trend", "metrics", "rules", "report", "alerts", "run", "ab"])
        let ruleKeys: Set<String> = ["benchmark", "metric", "alpha", "threshold_pct", "budget", "direction"]
        func rule(_ section: ConfigSection) throws(InputError) -> SeriesRule {
            var rule = SeriesRule()
            rule.benchmarkGlob = try section.string("benchmark") ?? "*"
            rule.metricGlob = try section.string("metric") ?? "*"
            rule.alpha = try section.number("alpha", .alpha)
            rule.thresholdPct = try section.number("threshold_pct", .thresholdPct)
            rule.budget = try section.number("budget", .budget)
            if let text = try section.string("direction") {
                guard let parsed = Direction(rawValue: text) else {
                    throw section.fail("direction", "unknown direction \"\(text)\"", fix: "use lower_is_better or higher_is_better")
                }
                rule.direction = parsed
            }
            return rule
        }
        var config = ProjectConfig()
        if let compare = try root.section("compare", known: ruleKeys.subtracting(["benchmark", "metric"]).union(["baseline", "window", "correction", "run_noise_pct"])) {
            config.baselineBranch = try compare.string("baseline")
            config.window = try compare.whole("window", .window)
            if let name = try compare.string("correction") {
                guard let correction = Correction(rawValue: name) else {
                    throw compare.fail("correction", "expected \"bh\", \"holm\" or \"none\"", fix: "write correction = \"bh\"")
                }
                config.correction = correction
            }
            config.runNoisePct = try compare.number("run_noise_pct", .runNoisePct)
            try rule(compare).apply(to: &config.defaults)
        }
        if let trend = try root.section("trend", known: ["method", "false_alarms_per_1000"]) {
            if let name = try trend.string("method") {
                guard let method = TrendMethod(rawValue: name) else {
                    throw trend.fail("method", "expected \"levels\" or \"otava\"", fix: "write method = \"levels\"")
                }
                config.trendMethod = method
            }
            config.falseAlarmsPer1000 = try trend.number("false_alarms_per_1000", .falseAlarmsPer1000)
        }
        if let report = try root.section("report", known: ["branch", "metrics"]) {
            config.reportBranch = try report.string("branch")
            config.reportMetrics = try report.names("metrics", example: "[\"time_ms\", \"p95_time_ms\"]")
        }
        if let run = try root.section("run", known: ["secret_names"]) {
            config.secretNames = try run.names("secret_names", example: "[\"cookie\", \"auth\"]") ?? []
        }
        if let ab = try root.section("ab", known: ["build", "bench", "output", "input_format", "rounds", "max_rounds", "warmup_rounds", "max_time"]) {
            config.ab.build = try ab.string("build")
            config.ab.bench = try ab.string("bench")
            config.ab.output = try ab.string("output")
            config.ab.inputFormat = try ab.string("input_format")
            config.ab.rounds = try ab.whole("rounds", .rounds)
            config.ab.maxRounds = try ab.whole("max_rounds", .rounds)
            config.ab.warmupRounds = try ab.whole("warmup_rounds", .warmupRounds)
            if let text = try ab.string("max_time") {
                do {
                    config.ab.maxTimeSeconds = try DurationRule.runTime.seconds(text)
                } catch {
                    throw ab.fail("max_time", error.message, fix: "write max_time = \"20m\"")
                }
            }
        }
        if let alerts = try root.section("alerts", known: ["notify_url", "notify_format"]) {
            if let url = try alerts.string("notify_url") {
                let lower = url.lowercased()
                guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
                    throw alerts.fail("notify_url", "expected an http:// or https:// URL", fix: "write notify_url = \"https://hooks.example.com/perf\"")
                }
                config.notifyURL = url
            }
            if let format = try alerts.string("notify_format") {
                guard format == "json" || format == "slack" else {
                    throw alerts.fail("notify_format", "expected \"json\" or \"slack\"", fix: "write notify_format = \"slack\"")
                }
                config.notifyFormat = format
            }
        }
        // [metrics.NAME] tables by name, so that overlapping ones apply the same way however
        // they are written; [[rules]] keep their order and come after.
        let metricTables = try root.sections(under: "metrics", known: ruleKeys.subtracting(["metric"]))
        for (metric, table) in metricTables.sorted(by: { $0.name < $1.name }) {
            var parsed = try rule(table)
            parsed.metricGlob = metric
            config.rules.append(parsed)
        }
        for table in try root.array("rules", known: ruleKeys) {
            config.rules.append(try rule(table))
        }
        return config
    }

    /// The settings of one series: defaults, then matching rules in order.
    package func settings(for key: SeriesKey) -> SeriesSettings {
        var settings = defaults
        if MetricDescriptor.isCounted(key.metric) { settings.thresholdPct = SeriesSettings.countedThresholdPct }
        for rule in rules where rule.matches(key) { rule.apply(to: &settings) }
        return settings
    }
}

/// `[ab]` in hhbench.toml: what `hhbench ab` builds and runs, and for how many rounds.
package struct ABSettings: Sendable, Equatable {
    package var build: String?
    package var bench: String?
    package var output: String?
    package var inputFormat: String?
    package var rounds: Int?
    package var maxRounds: Int?
    package var warmupRounds: Int?
    package var maxTimeSeconds: Double?
    package init() {}
}
