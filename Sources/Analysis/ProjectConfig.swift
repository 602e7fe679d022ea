import Foundation
import Records
import Warehouse

/// Settings for one benchmark × metric series.
public struct SeriesSettings: Sendable, Equatable {
    /// Significance level of the test (after Holm's correction).
    public var alpha = 0.05
    /// The smallest change, in percent, that counts as a regression or an improvement.
    public var thresholdPct = 5.0
    /// An absolute limit: the most (lower-is-better) or the least (higher-is-better) the value may be.
    public var budget: Double?
    /// Overrides the metric's recorded direction.
    public var direction: Direction?

    public init() {}
}

/// One `[[rules]]` entry or `[metrics.NAME]` table of `hhbench.toml`.
public struct SeriesRule: Sendable, Equatable {
    public var benchmarkGlob = "*"
    public var metricGlob = "*"
    public var alpha: Double?
    public var thresholdPct: Double?
    public var budget: Double?
    public var direction: Direction?

    public init() {}

    func matches(_ key: SeriesKey) -> Bool {
        fnmatch(benchmarkGlob, key.benchmark.name, 0) == 0 && fnmatch(metricGlob, key.metric, 0) == 0
    }

    public func apply(to settings: inout SeriesSettings) {
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
///     [[rules]]                # by benchmark (and metric) glob; later rules win
///     benchmark = "load_test*"
///     metric = "error_rate"
///     budget = 0.01
///
/// Precedence, lowest first: built-in defaults, `[compare]`, `[metrics.NAME]`, `[[rules]]` in
/// order, then the command's flags.
public struct ProjectConfig: Sendable, Equatable {
    public var baselineBranch: String?
    public var defaults = SeriesSettings()
    public var window: Int?
    /// `[compare] correction`: bh, holm or none.
    public var correction: Correction?
    /// `[compare] run_noise_pct`: the run-to-run noise assumed when too few runs measure it.
    public var runNoisePct: Double?
    /// `[trend] method`: the change point detector.
    public var trendMethod: TrendMethod?
    /// `[trend] false_alarms_per_1000`: `LevelShifts`' false-alarm control.
    public var falseAlarmsPer1000: Double?
    public var rules: [SeriesRule] = []

    public init() {}

    public static let fileName = "hhbench.toml"

    /// Reads `path`; a missing file is an empty config.
    public static func load(path: String) throws(InputError) -> ProjectConfig {
        guard let data = FileManager.default.contents(atPath: path) else { return ProjectConfig() }
        guard let text = String(validating: Array(data), as: UTF8.self) else {
            throw InputError(file: path, problem: "not UTF-8", fix: "save hhbench.toml as UTF-8")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(InputError) -> ProjectConfig {
        let document = try TOMLSubset.parse(text, file: file)
        var config = ProjectConfig()
        func number(_ value: JSONValue?, _ field: String) throws(InputError) -> Double? {
            guard let value else { return nil }
            guard let number = value.doubleValue else {
                throw InputError(file: file, field: field, problem: "expected a number, found \(value.typeName)")
            }
            return number
        }
        func rule(_ table: JSONValue, _ field: String) throws(InputError) -> SeriesRule {
            var rule = SeriesRule()
            let known: Set = ["benchmark", "metric", "alpha", "threshold_pct", "budget", "direction"]
            for (key, _) in table.objectValue ?? [] where !known.contains(key) {
                throw InputError(file: file, field: "\(field).\(key)", problem: "unknown setting",
                                 fix: "settings are benchmark, metric, alpha, threshold_pct, budget, direction")
            }
            rule.benchmarkGlob = table["benchmark"]?.stringValue ?? "*"
            rule.metricGlob = table["metric"]?.stringValue ?? "*"
            rule.alpha = try number(table["alpha"], field + ".alpha")
            rule.thresholdPct = try number(table["threshold_pct"], field + ".threshold_pct")
            rule.budget = try number(table["budget"], field + ".budget")
            if let direction = table["direction"]?.stringValue {
                guard let parsed = Direction(rawValue: direction) else {
                    throw InputError(file: file, field: field + ".direction", problem: "unknown direction \"\(direction)\"",
                                     fix: "use lower_is_better or higher_is_better")
                }
                rule.direction = parsed
            }
            if let alpha = rule.alpha, !(alpha > 0 && alpha < 1) {
                throw InputError(file: file, field: field + ".alpha", problem: "alpha must be between 0 and 1")
            }
            return rule
        }
        if let compare = document["compare"] {
            config.baselineBranch = compare["baseline"]?.stringValue
            if let window = try number(compare["window"], "compare.window") {
                guard let whole = Int(exactly: window), (2...100_000).contains(whole) else {
                    throw InputError(file: file, field: "compare.window", problem: "\(DecimalNumber(window).jsonText) is not a whole number of commits from 2 to 100000",
                                     fix: "write window = 10")
                }
                config.window = whole
            }
            if let text = compare["correction"] {
                guard let name = text.stringValue, let correction = Correction(rawValue: name) else {
                    throw InputError(file: file, field: "compare.correction", problem: "expected \"bh\", \"holm\" or \"none\"",
                                     fix: "write correction = \"bh\"")
                }
                config.correction = correction
            }
            if let noise = try number(compare["run_noise_pct"], "compare.run_noise_pct") {
                guard noise >= 0, noise < 1000 else {
                    throw InputError(file: file, field: "compare.run_noise_pct", problem: "expected a percentage from 0", fix: "write run_noise_pct = 3")
                }
                config.runNoisePct = noise
            }
            var table = compare
            let own: Set = ["baseline", "window", "correction", "run_noise_pct"]
            if case .object(let members) = compare { table = .object(members.filter { !own.contains($0.0) }) }
            try rule(table, "compare").apply(to: &config.defaults)
        }
        if let trend = document["trend"] {
            for (key, _) in trend.objectValue ?? [] where !["method", "false_alarms_per_1000"].contains(key) {
                throw InputError(file: file, field: "trend.\(key)", problem: "unknown setting", fix: "settings are method, false_alarms_per_1000")
            }
            if let text = trend["method"] {
                guard let name = text.stringValue, let method = TrendMethod(rawValue: name) else {
                    throw InputError(file: file, field: "trend.method", problem: "expected \"levels\" or \"otava\"", fix: "write method = \"levels\"")
                }
                config.trendMethod = method
            }
            if let rate = try number(trend["false_alarms_per_1000"], "trend.false_alarms_per_1000") {
                guard rate > 0, rate <= 100 else {
                    throw InputError(file: file, field: "trend.false_alarms_per_1000", problem: "expected a rate above 0 and at most 100",
                                     fix: "write false_alarms_per_1000 = 0.2")
                }
                config.falseAlarmsPer1000 = rate
            }
        }
        for (metric, table) in document["metrics"]?.objectValue ?? [] {
            var parsed = try rule(table, "metrics.\(metric)")
            parsed.metricGlob = metric
            config.rules.append(parsed)
        }
        for (index, table) in (document["rules"]?.arrayValue ?? []).enumerated() {
            config.rules.append(try rule(table, "rules[\(index)]"))
        }
        return config
    }

    /// The settings of one series: defaults, then matching rules in order.
    public func settings(for key: SeriesKey) -> SeriesSettings {
        var settings = defaults
        for rule in rules where rule.matches(key) { rule.apply(to: &settings) }
        return settings
    }
}
