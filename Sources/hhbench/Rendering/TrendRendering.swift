import Analysis
import Foundation
import Records

/// The faces of a trend report.
enum TrendRendering {
    static let blocks = Array("▁▂▃▄▅▆▇█")

    static func sparkline(_ values: [Double], width: Int = 60) -> String {
        let sampled = downsample(values, to: width)
        guard let low = sampled.min(), let high = sampled.max() else { return "" }
        return String(sampled.map { value in
            high == low ? blocks[3] : blocks[min(7, Int((value - low) / (high - low) * 7.999))]
        })
    }

    /// At most `width` values: the mean of each bucket.
    static func downsample(_ values: [Double], to width: Int) -> [Double] {
        guard values.count > width else { return values }
        return (0..<width).map { bucket in
            let start = bucket * values.count / width, end = (bucket + 1) * values.count / width
            return values[start..<max(end, start + 1)].reduce(0, +) / Double(max(end - start, 1))
        }
    }

    static func changeLine(_ change: TrendChange, unit: String) -> String {
        let arrow = change.kind == .regression ? "▲ regression" : "▼ improvement"
        let subject = change.subject.map { " \"\(Printable.escaped(String($0.prefix(50))))\"" } ?? ""
        let environment = change.environment.map { " — \(Printable.escaped($0)) here: the environment's change, not the code's" } ?? ""
        return "  \(arrow) from #\(change.index) \(change.commit.prefix(10))\(subject) (the first commit of the new level): "
            + "\(Display.withUnit(change.before, unit)) → \(Display.withUnit(change.after, unit)) "
            + "(\(CompareRendering.percent(change.changePct)), p=\(CompareRendering.pValue(change.pValue)))\(environment)"
    }

    static func driftLine(_ drift: Drift, unit: String) -> String {
        "  drift over the last \(drift.points) points: \(signed(drift.slopePer100Commits)) \(unit) per 100 commits "
            + "[\(signed(drift.ciLow)), \(signed(drift.ciHigh))], \(CompareRendering.percent(drift.totalPct)) in all"
            + (drift.flagged ? " — flagged" : "")
    }

    static func signed(_ value: Double) -> String { (value >= 0 ? "+" : "") + Display.number(value) }

    static func text(_ report: TrendReport, chart: Bool, colour: Bool) -> String {
        var out = "\(report.metric) on \(report.branch)" + (report.machine.map { " (machine \($0))" } ?? "") + "\n"
        let names = report.series.map { Printable.escaped($0.benchmark.displayName) }
        let widths = names.map(\.count)
        let width = widths.max() ?? 0
        for (offset, series) in report.series.enumerated() {
            let latest = series.points.last.map { Display.withUnit($0.value, series.metric.unit) } ?? "-"
            out += names[offset] + String(repeating: " ", count: width - widths[offset]) + "  "
                + sparkline(series.points.map(\.value)) + "  " + latest + "  (\(series.points.count) commits)\n"
            for change in series.changes {
                let line = changeLine(change, unit: series.metric.unit)
                out += Terminal.paint(line, change.kind == .regression ? "31" : "32", colour) + "\n"
            }
            if !series.outliers.isEmpty {
                let listed = series.outliers.suffix(5).map { "#\($0.index) \($0.commit.prefix(10)) \(Display.withUnit($0.value, series.metric.unit))" }
                out += "  outliers (one-off, not changes): " + (series.outliers.count > 5 ? "\(series.outliers.count), the newest " : "")
                    + listed.joined(separator: ", ") + "\n"
            }
            for marker in series.environmentChanges where !series.changes.contains(where: { $0.index == marker.index }) {
                out += "  ◆ \(Printable.escaped(marker.description)) from #\(marker.index) \(marker.commit.prefix(10))\n"
            }
            if let drift = series.drift, drift.flagged || chart {
                out += Terminal.paint(driftLine(drift, unit: series.metric.unit), "33", colour && drift.flagged) + "\n"
            }
            if chart { out += plot(series) }
        }
        return out
    }

    /// A terminal line chart: 12 rows, one column a point (down-sampled to 72), change points marked.
    static func plot(_ series: TrendSeries, height: Int = 12, width: Int = 72) -> String {
        let values = downsample(series.points.map(\.value), to: width)
        guard let low = values.min(), let high = values.max() else { return "" }
        let span = high - low == 0 ? 1 : high - low
        var grid = [[Character]](repeating: [Character](repeating: " ", count: values.count), count: height)
        let scale = Double(values.count) / Double(max(series.points.count, 1))
        for change in series.changes {
            let column = min(values.count - 1, Int(Double(change.index) * scale))
            for row in 0..<height { grid[row][column] = "┊" }
        }
        for (column, value) in values.enumerated() {
            let row = height - 1 - Int((value - low) / span * Double(height - 1))
            grid[row][column] = "●"
        }
        let labels = (0..<height).map { row -> String in
            let value = high - Double(row) / Double(height - 1) * span
            return row == 0 || row == height - 1 || row == height / 2 ? Display.number(value) : ""
        }
        let labelWidth = labels.map(\.count).max() ?? 0
        var out = ""
        for row in 0..<height {
            out += String(repeating: " ", count: labelWidth - labels[row].count) + labels[row] + " ┤" + String(grid[row]) + "\n"
        }
        out += String(repeating: " ", count: labelWidth) + " └" + String(repeating: "─", count: values.count) + "\n"
        if let first = series.points.first, let last = series.points.last {
            let left = String(first.commit.prefix(8)), right = String(last.commit.prefix(8))
            out += String(repeating: " ", count: labelWidth + 2) + left
                + String(repeating: " ", count: max(1, values.count - left.count - right.count)) + right + "\n"
        }
        return out
    }

    static func markdown(_ report: TrendReport, svgLinks: [String: String]) -> String {
        var out = "### \(DataTable.markdownCell(report.metric)) on \(DataTable.markdownCell(report.branch))\n\n"
        out += "| benchmark | commits | latest | trend | change points | drift |\n|---|---:|---:|---|---|---|\n"
        for series in report.series {
            let changes = series.changes.map { "\($0.kind == .regression ? "▲" : "▼") \(DataTable.markdownCell(String($0.commit.prefix(8)))) \(CompareRendering.percent($0.changePct))" }
                .joined(separator: "<br>")
            let drift = series.drift.map { "\(signed($0.slopePer100Commits)) per 100 commits" + ($0.flagged ? " ⚠️" : "") } ?? ""
            out += "| \(DataTable.markdownCell(series.benchmark.displayName)) | \(series.points.count) | "
                + "\(series.points.last.map { Display.withUnit($0.value, series.metric.unit) } ?? "-") | "
                + "\(sparkline(series.points.map(\.value), width: 30)) | \(changes) | \(drift) |\n"
        }
        for series in report.series {
            if let link = svgLinks[series.benchmark.displayName] {
                let target = link.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? link
                out += "\n![\(DataTable.markdownCell(series.benchmark.displayName))](\(target))\n"
            }
        }
        return out
    }

    static func csv(_ report: TrendReport) -> String {
        var table = DataTable(["benchmark", "group", "params", "metric", "unit", "direction", "record", "index", "commit", "time",
                               "value", "runs", "before", "after", "change_pct", "p_value", "kind"].map { DataTable.Column($0) })
        func number(_ value: Double) -> String { DecimalNumber(value).jsonText }
        for series in report.series {
            let prefix = [series.benchmark.name, series.benchmark.group, series.benchmark.params, series.metric.name,
                          series.metric.unit, series.metric.direction.rawValue]
            for point in series.points {
                table.append(prefix + ["point", String(point.index), point.commit, point.time ?? "", number(point.value),
                                       String(point.runs), "", "", "", "", ""])
            }
            for change in series.changes {
                table.append(prefix + ["change_point", String(change.index), change.commit, "", "", "", number(change.before),
                                       number(change.after), number(change.changePct), number(change.pValue), change.kind.rawValue])
            }
        }
        return table.renderCSV()
    }

    static func json(_ report: TrendReport) -> JSONValue {
        .object([
            ("metric", .string(report.metric)), ("branch", .string(report.branch)), ("machine", .optional(report.machine)),
            ("method", .string(report.method.rawValue)),
            ("series", .array(report.series.map { series in
                .object([
                    ("benchmark", .string(series.benchmark.name)), ("group", .string(series.benchmark.group)),
                    ("params", series.benchmark.parameters),
                    ("unit", .string(series.metric.unit)), ("direction", .string(series.metric.direction.rawValue)),
                    ("points", .array(series.points.map { point in
                        .object([("index", .number(Double(point.index))), ("commit", .string(point.commit)),
                                 ("time", .optional(point.time)), ("value", .number(point.value)), ("runs", .number(Double(point.runs)))])
                    })),
                    ("change_points", .array(series.changes.map { change in
                        .object([("index", .number(Double(change.index))), ("commit", .string(change.commit)),
                                 ("subject", .optional(change.subject)), ("before", .number(change.before)), ("after", .number(change.after)),
                                 ("change_pct", .number(change.changePct)), ("p_value", .number(change.pValue)),
                                 ("kind", .string(change.kind.rawValue)), ("environment", .optional(change.environment))])
                    })),
                    ("outliers", .array(series.outliers.map { outlier in
                        .object([("index", .number(Double(outlier.index))), ("commit", .string(outlier.commit)), ("value", .number(outlier.value))])
                    })),
                    ("environment_changes", .array(series.environmentChanges.map { marker in
                        .object([("index", .number(Double(marker.index))), ("commit", .string(marker.commit)),
                                 ("change", .string(marker.description))])
                    })),
                    ("drift", series.drift.map { drift in
                        .object([("slope_per_100_commits", .number(drift.slopePer100Commits)), ("ci_low", .number(drift.ciLow)),
                                 ("ci_high", .number(drift.ciHigh)), ("total_pct", .number(drift.totalPct)),
                                 ("points", .number(Double(drift.points))), ("flagged", .bool(drift.flagged))])
                    } ?? .null),
                ])
            })),
        ])
    }
}
