import Foundation
import Records
import Warehouse

/// The newest value of every series in the OpenMetrics text format (which Prometheus and the
/// Pushgateway read as their text exposition format): one gauge family per metric, named
/// `hhbench_` + the metric name with every character outside `[a-zA-Z0-9_]` as `_`, labelled
/// with `benchmark`, `metric` (the name as recorded), `unit`, `branch` and `machine`.
/// Label values escape `\`, `"` and line feeds as the format requires.
/// https://github.com/OpenObservability/OpenMetrics/blob/main/specification/OpenMetrics.md
enum OpenMetrics {
    static func familyName(_ metric: String) -> String {
        "hhbench_" + String(metric.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_": return Character(scalar)
            default: return "_"
            }
        })
    }

    static func labelValue(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The exposition of `values`, ending with `# EOF`.
    static func render(_ values: [LatestValue]) -> String {
        var families: [String: [LatestValue]] = [:]
        for value in values where value.value.isFinite { families[familyName(value.metric.name), default: []].append(value) }
        var out = ""
        for (family, members) in families.sorted(by: { $0.key < $1.key }) {
            let names = Set(members.map(\.metric.name)).sorted().joined(separator: ", ")
            out += "# TYPE \(family) gauge\n"
            out += "# HELP \(family) The newest value hhbench recorded of \(labelValue(names.replacingOccurrences(of: "\"", with: "'"))), per benchmark, branch and machine.\n"
            var seen = Set<String>()
            for value in members {
                let labels = [("benchmark", value.benchmark.displayName), ("metric", value.metric.name), ("unit", value.metric.unit),
                              ("branch", value.branch), ("machine", value.machine)]
                let labelText = labels.map { "\($0.0)=\"\(labelValue($0.1))\"" }.joined(separator: ",")
                // One sample per label set: a metric recorded with two directions would repeat one.
                guard seen.insert(labelText).inserted else { continue }
                out += family + "{" + labelText + "} " + DecimalNumber(value.value).jsonText + "\n"
            }
        }
        return out + "# EOF\n"
    }
}
