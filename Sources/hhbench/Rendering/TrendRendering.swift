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
                + "\(DataTable.markdownCell(series.points.last.map { Display.withUnit($0.value, series.metric.unit) } ?? "-")) | "
                + "\(sparkline(series.points.map(\.value), width: 30)) | \(changes) | \(DataTable.markdownCell(drift)) |\n"
        }
        for series in report.series {
            if let link = svgLinks[series.benchmark.displayName] {
                let target = link.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? link
                out += "\n![\(DataTable.markdownCell(series.benchmark.displayName))](\(target))\n"
            }
        }
        return out
    }

    /// One row a point and one a change point, written as they go (100,000 rows for 500 series
    /// x 200 commits).
    static func csv(_ report: TrendReport) -> [UInt8] {
        var csv = CSVWriter()
        csv.fields(["benchmark", "group", "params", "metric", "unit", "direction", "record", "index", "commit", "time",
                    "value", "runs", "before", "after", "change_pct", "p_value", "kind"])
        csv.endRecord()
        func number(_ value: Double) -> String { DecimalNumber(value).jsonText }
        for series in report.series {
            var prefix = CSVWriter()
            prefix.fields([series.benchmark.name, series.benchmark.group, series.benchmark.params, series.metric.name,
                           series.metric.unit, series.metric.direction.rawValue])
            for point in series.points {
                csv.encodedFields(prefix.bytes)
                csv.field("point")
                csv.field(String(point.index))
                csv.field(point.commit)
                csv.field(point.time ?? "")
                csv.field(number(point.value))
                csv.field(String(point.runs))
                csv.emptyFields(5)
                csv.endRecord()
            }
            for change in series.changes {
                csv.encodedFields(prefix.bytes)
                csv.fields(["change_point", String(change.index), change.commit, "", "", "", number(change.before),
                            number(change.after), number(change.changePct), number(change.pValue), change.kind.rawValue])
                csv.endRecord()
            }
        }
        return csv.bytes
    }

    /// The report as JSON, written as it goes: 500 series x 200 commits is 20 MB.
    static func json(_ report: TrendReport) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("metric"); json.string(report.metric)
        json.key("branch"); json.string(report.branch)
        json.key("machine"); json.string(report.machine)
        json.key("method"); json.string(report.method.rawValue)
        json.key("series"); json.beginArray()
        for series in report.series {
            json.beginObject()
            json.key("benchmark"); json.string(series.benchmark.name)
            json.key("group"); json.string(series.benchmark.group)
            json.key("params"); json.value(series.benchmark.parameters)
            json.key("unit"); json.string(series.metric.unit)
            json.key("direction"); json.string(series.metric.direction.rawValue)
            json.key("points"); json.beginArray()
            for point in series.points {
                json.beginObject()
                json.key("index"); json.number(point.index)
                json.key("commit"); json.string(point.commit)
                json.key("time"); json.string(point.time)
                json.key("value"); json.number(point.value)
                json.key("runs"); json.number(point.runs)
                json.endObject()
            }
            json.endArray()
            json.key("change_points"); json.beginArray()
            for change in series.changes {
                json.beginObject()
                json.key("index"); json.number(change.index)
                json.key("commit"); json.string(change.commit)
                json.key("subject"); json.string(change.subject)
                json.key("before"); json.number(change.before)
                json.key("after"); json.number(change.after)
                json.key("change_pct"); json.number(change.changePct)
                json.key("p_value"); json.number(change.pValue)
                json.key("kind"); json.string(change.kind.rawValue)
                json.key("environment"); json.string(change.environment)
                json.endObject()
            }
            json.endArray()
            json.key("outliers"); json.beginArray()
            for outlier in series.outliers {
                json.beginObject()
                json.key("index"); json.number(outlier.index)
                json.key("commit"); json.string(outlier.commit)
                json.key("value"); json.number(outlier.value)
                json.endObject()
            }
            json.endArray()
            json.key("environment_changes"); json.beginArray()
            for marker in series.environmentChanges {
                json.beginObject()
                json.key("index"); json.number(marker.index)
                json.key("commit"); json.string(marker.commit)
                json.key("change"); json.string(marker.description)
                json.endObject()
            }
            json.endArray()
            json.key("drift")
            if let drift = series.drift {
                json.beginObject()
                json.key("slope_per_100_commits"); json.number(drift.slopePer100Commits)
                json.key("ci_low"); json.number(drift.ciLow)
                json.key("ci_high"); json.number(drift.ciHigh)
                json.key("total_pct"); json.number(drift.totalPct)
                json.key("points"); json.number(drift.points)
                json.key("flagged"); json.bool(drift.flagged)
                json.endObject()
            } else {
                json.null()
            }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.finish()
    }
}
