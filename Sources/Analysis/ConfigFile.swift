import Foundation
import Records
import TOMLKit

/// `hhbench.toml` as written, decoded by TOMLKit (toml++ underneath, TOML 1.0) with strict keys:
/// a setting hhbench does not know is an error, so a config is never half-understood. The checks
/// of values (ranges, names) are `ProjectConfig`'s.
struct ConfigFile: Decodable {
    var compare: CompareTable?
    var trend: TrendTable?
    var metrics: [String: RuleTable]?
    var rules: [RuleTable]?
    var report: ReportTable?
    var alerts: AlertsTable?

    /// `[compare]`: the call's own settings and the defaults of every series.
    struct CompareTable: Decodable {
        var baseline: String?
        var window: ConfigNumber?
        var correction: String?
        var runNoisePct: ConfigNumber?
        var alpha: ConfigNumber?
        var thresholdPct: ConfigNumber?
        var budget: ConfigNumber?
        var direction: String?

        enum CodingKeys: String, CodingKey {
            case baseline, window, correction, runNoisePct = "run_noise_pct", alpha, thresholdPct = "threshold_pct", budget, direction
        }
    }

    struct TrendTable: Decodable {
        var method: String?
        var falseAlarmsPer1000: ConfigNumber?

        enum CodingKeys: String, CodingKey { case method, falseAlarmsPer1000 = "false_alarms_per_1000" }
    }

    /// `[report]`: the static site's branch and headline metrics (comma-separated: TOML arrays
    /// are refused before toml++ sees them, see `TOMLPrecheck`).
    struct ReportTable: Decodable {
        var branch: String?
        var metrics: String?
    }

    /// `[alerts]`: where `--notify` sends alerts when no flag says.
    struct AlertsTable: Decodable {
        var notifyURL: String?
        var notifyFormat: String?

        enum CodingKeys: String, CodingKey { case notifyURL = "notify_url", notifyFormat = "notify_format" }
    }

    /// `[metrics.NAME]` and `[[rules]]`.
    struct RuleTable: Decodable {
        var benchmark: String?
        var metric: String?
        var alpha: ConfigNumber?
        var thresholdPct: ConfigNumber?
        var budget: ConfigNumber?
        var direction: String?

        enum CodingKeys: String, CodingKey { case benchmark, metric, alpha, thresholdPct = "threshold_pct", budget, direction }
    }

    /// Decodes `text`; a TOML syntax error names its line and column, a wrong or unknown setting
    /// its field and the line it is on.
    static func decode(_ text: String, file: String, lines: ConfigLines) throws(InputError) -> ConfigFile {
        try TOMLPrecheck.check(text, file: file)
        do {
            return try TOMLDecoder(strictDecoding: true).decode(ConfigFile.self, from: text)
        } catch let error as TOMLParseError {
            throw InputError(file: file, line: error.source.begin.line, column: error.source.begin.column,
                             problem: "not valid TOML: \(error.description)", fix: "see https://toml.io for the syntax")
        } catch let error as UnexpectedKeysError {
            let fields = error.keys.values.map(Self.path).sorted()  // each path ends with its key
            let field = fields.first ?? ""
            throw InputError(file: file, line: lines.line(of: field), field: field, problem: "unknown setting",
                             fix: "settings are listed in the README's hhbench.toml section")
        } catch let error as DecodingError {
            let (path, problem) = Self.describe(error)
            throw InputError(file: file, line: lines.line(of: path), field: path.isEmpty ? nil : path, problem: problem)
        } catch {
            throw InputError(file: file, problem: "could not read: \(error)")
        }
    }

    /// `rules[1].direction` for the coding path rules → 1 → direction.
    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    private static func describe(_ error: DecodingError) -> (String, String) {
        switch error {
        case .typeMismatch(let type, let context): return (path(context.codingPath), "expected \(typeName(type))")
        case .valueNotFound(let type, let context): return (path(context.codingPath), "expected \(typeName(type))")
        // TOMLKit reports a value of the wrong type as a missing key.
        case .keyNotFound(let key, let context): return (path(context.codingPath + [key]), "expected \(context.debugDescription.contains("String") ? "a string" : "a table")")
        case .dataCorrupted(let context): return (path(context.codingPath), context.debugDescription)
        @unknown default: return ("", "\(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is ConfigNumber.Type, is Double.Type, is Int.Type: return "a number"
        default: return "a table"
        }
    }
}

/// A number in `hhbench.toml`: TOML keeps integers and floats apart (`threshold_pct = 10` is an
/// integer), and every hhbench setting takes either.
struct ConfigNumber: Decodable {
    var value: Double

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let whole = try? container.decode(Int.self) {
            value = Double(whole)
        } else if let real = try? container.decode(Double.self) {
            value = real
        } else {
            throw DecodingError.typeMismatch(ConfigNumber.self, .init(codingPath: decoder.codingPath, debugDescription: "expected a number"))
        }
    }
}
