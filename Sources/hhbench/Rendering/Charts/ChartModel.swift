import Analysis
import Foundation
import Records
import Statistics
import Warehouse

/// One trend series laid out for `ChartTemplates.chart`: per-commit points with the interquartile
/// band of their raw samples, segment means between change points, change points, outliers and
/// machine or toolchain changes, each with a hover title (commit, subject, author, date), and a
/// text title and description for screen readers.
struct ChartModel {
    static let width = 760.0, height = 280.0
    static let left = 74.0, right = 16.0, top = 34.0, bottom = 44.0

    let series: TrendSeries
    let metric: String
    /// Subject, author and date by commit sha.
    var commits: [String: CommitDetails] = [:]
    /// The band of each commit's raw samples, by commit sha, when it comes from another series
    /// (the p95 chart shows the spread of the time samples it summarises).
    var bands: [String: (low: Double, high: Double)] = [:]

    func data(id: String, y: Double? = nil) -> [String: Any] {
        let points = series.points
        let unit = series.metric.unit
        let band = points.map { point in point.sampleQuartiles ?? bands[point.commit] }
        let axis = AxisScale(values: points.map(\.value) + band.flatMap { $0.map { [$0.low, $0.high] } ?? [] }, unit: unit)
        let plotLeft = Self.left, plotRight = Self.width - Self.right
        let plotTop = Self.top, plotBottom = Self.height - Self.bottom
        func x(_ index: Int) -> Double {
            points.count <= 1 ? (plotLeft + plotRight) / 2 : plotLeft + Double(index) / Double(points.count - 1) * (plotRight - plotLeft)
        }
        func yOf(_ value: Double) -> Double {
            let clamped = min(max(value, axis.low), axis.high)
            return plotBottom - (clamped - axis.low) / (axis.high - axis.low) * (plotBottom - plotTop)
        }
        let n = Coordinate.text

        var data: [String: Any] = [
            "id": id, "width": Int(Self.width), "height": Int(Self.height),
            "left": n(plotLeft), "right": n(plotRight), "top": n(plotTop), "bottom": n(plotBottom),
            "middle": n((plotLeft + plotRight) / 2), "footY": n(Self.height - 8),
            "title": title, "description": description(axis),
            "footer": "\(points.count) commits, oldest to newest",
            "commits": points.map { String($0.commit.prefix(7)) }.joined(separator: " "),
            "values": points.map { HumanUnits.significant($0.value / axis.metricUnitsPerDisplayUnit) }.joined(separator: " "),
            "unit": SafeText.make(axis.displayUnit),
        ]
        if let y { data["y"] = n(y) }
        data["ticks"] = axis.ticks.map { tick in ["y": n(yOf(tick.value)), "labelX": n(plotLeft - 6), "labelY": n(yOf(tick.value) + 4), "label": tick.label] }
        data["line"] = points.map { "\(n(x($0.index))),\(n(yOf($0.value)))" }.joined(separator: " ")
        let banded = points.indices.compactMap { index in band[index].map { (index, $0) } }
        if banded.count >= 2 {
            let upper = banded.map { "\(Coordinate.whole(x($0.0))),\(Coordinate.whole(yOf($0.1.high)))" }
            let lower = banded.reversed().map { "\(Coordinate.whole(x($0.0))),\(Coordinate.whole(yOf($0.1.low)))" }
            data["band"] = (upper + lower).joined(separator: " ")
            data["bandTitle"] = "25th to 75th percentile of each commit's raw samples"
        }
        let allSegments = segments()
        data["segments"] = allSegments.enumerated().map { offset, segment -> [String: Any] in
            let span = "\(segment.end - segment.start + 1) commits, \(points[segment.start].commit.prefix(7))…\(points[segment.end].commit.prefix(7))"
            // Flagged drift over the newest segment: its fitted line (through the segment's median
            // at its middle) instead of a flat mean.
            if offset == allSegments.count - 1, let drift = series.drift, drift.flagged, segment.end > segment.start {
                let values = points[segment.start...segment.end].map(\.value)
                let middle = Double(segment.start + segment.end) / 2, center = Descriptive.median(values)
                let perCommit = drift.slopePer100Commits / 100
                let first = center - perCommit * (middle - Double(segment.start)), last = center + perCommit * (Double(segment.end) - middle)
                return ["x1": n(x(segment.start)), "x2": n(x(segment.end)), "y1": n(yOf(first)), "y2": n(yOf(last)),
                        "title": "drift \(CompareRendering.percent(drift.totalPct)) over \(span)"]
            }
            return ["x1": n(x(segment.start)), "x2": n(x(segment.end)), "y1": n(yOf(segment.mean)), "y2": n(yOf(segment.mean)),
                    "title": "mean \(axis.label(segment.mean)) over \(span)"]
        }
        data["changes"] = series.changes.map { change -> [String: Any] in
            let cx = x(change.index)
            let nearRight = cx > plotRight - 110
            return ["x": n(cx), "kind": change.kind == .regression ? "regression" : "improvement",
                    "labelX": n(nearRight ? cx - 4 : cx + 4), "labelY": n(plotTop + 12), "anchor": nearRight ? "end" : "start",
                    "label": "\(change.commit.prefix(7)) \(CompareRendering.percent(change.changePct))",
                    "title": "\(change.kind == .regression ? "regression" : "improvement") \(CompareRendering.percent(change.changePct)) "
                        + "(\(axis.label(change.before)) → \(axis.label(change.after)))"
                        + (change.environment.map { ", with a \($0)" } ?? "") + " at " + commitLine(change.commit)]
        }
        data["environment"] = series.environmentChanges.map { change in
            ["x": n(x(change.index)), "labelY": n(plotBottom - 4), "title": "\(SafeText.make(change.description)) at \(commitLine(change.commit))"]
        }
        data["outliers"] = series.outliers.map { outlier in
            ["x": n(x(outlier.index)), "y": n(yOf(outlier.value)), "title": "outlier \(axis.label(outlier.value)) at \(commitLine(outlier.commit))"]
        }
        let labelEvery = max(1, points.count / 6), last = points.count - 1
        data["xlabels"] = points.filter { ($0.index % labelEvery == 0 && last - $0.index >= labelEvery / 2) || $0.index == last }.map { point in
            ["x": n(x(point.index)), "y": n(plotBottom + 16), "label": String(point.commit.prefix(7)),
             "anchor": point.index == last && last > 0 ? "end" : (point.index == 0 ? "start" : "middle")]
        }
        return data
    }

    var title: String {
        "\(SafeText.make(series.benchmark.displayName)) — \(SafeText.make(metric)) "
            + "(\(series.metric.direction == .lowerIsBetter ? "lower" : "higher") is better)"
    }

    /// What the chart shows, in words.
    func description(_ axis: AxisScale) -> String {
        guard let first = series.points.first, let last = series.points.last else { return "no data" }
        var text = "\(series.points.count) commits from \(first.commit.prefix(7)) to \(last.commit.prefix(7)); newest \(axis.label(last.value))."
        if series.changes.isEmpty { text += " No change points." }
        for change in series.changes {
            text += " \(change.kind == .regression ? "Regression" : "Improvement") \(CompareRendering.percent(change.changePct)) at \(change.commit.prefix(7))."
        }
        if let drift = series.drift, drift.flagged { text += " Drifting \(CompareRendering.percent(drift.totalPct)) over the last \(drift.points) commits." }
        if !series.environmentChanges.isEmpty { text += " \(series.environmentChanges.count) machine or toolchain change(s)." }
        return text
    }

    /// `abc1234 "subject" by Author, 2026-11-30`.
    func commitLine(_ sha: String) -> String {
        var text = String(sha.prefix(10))
        guard let details = commits[sha] else { return text }
        if let subject = details.subject { text += " “\(SafeText.make(String(subject.prefix(80))))”" }
        if let author = details.author { text += " by \(SafeText.make(author))" }
        if let date = details.committedAt { text += ", \(date.prefix(10))" }
        return text
    }

    /// The stretches between change points, with the mean of their points.
    func segments() -> [(start: Int, end: Int, mean: Double)] {
        let values = series.points.map(\.value)
        guard !values.isEmpty else { return [] }
        let cuts = series.changes.map(\.index).filter { $0 > 0 && $0 < values.count }.sorted()
        var result: [(Int, Int, Double)] = []
        var start = 0
        for cut in cuts + [values.count] where cut > start {
            result.append((start, cut - 1, Descriptive.mean(Array(values[start..<cut]))))
            start = cut
        }
        return result
    }
}
