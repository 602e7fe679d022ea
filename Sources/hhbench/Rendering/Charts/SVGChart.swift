import Analysis
import Foundation
import Records
import Warehouse

/// The one chart renderer of `trend --format svg` and `hhbench report`: `ChartModel` lays a
/// series out, `ChartTemplates` turns it into SVG.
enum SVGChart {
    /// Every series stacked in one standalone SVG document, with its own style.
    static func document(_ series: [TrendSeries], metric: String, commits: [String: CommitDetails] = [:]) -> String {
        let charts = series.enumerated().map { offset, one in
            ["svg": ChartTemplates.render("chart", ChartModel(series: one, metric: metric, commits: commits)
                .data(id: "chart\(offset)", y: Double(offset) * ChartModel.height))]
        }
        return ChartTemplates.render("stack", [
            "width": Int(ChartModel.width), "height": Int(ChartModel.height * Double(max(series.count, 1))),
            "style": ChartTemplates.style, "charts": charts,
        ])
    }

    /// One chart for an HTML page (the page carries the style).
    static func inline(_ model: ChartModel, id: String) -> String {
        ChartTemplates.render("chart", model.data(id: id))
    }

    /// A small line of the newest values for the report's index.
    static func sparkline(_ series: TrendSeries, width: Double = 120, height: Double = 28) -> String {
        let points = series.points.suffix(60)
        guard let first = points.first, let last = points.last else { return "" }
        let values = points.map(\.value)
        let low = values.min() ?? 0, high = values.max() ?? 1
        let span = high - low > 0 ? high - low : 1
        func x(_ index: Int) -> Double { points.count == 1 ? width / 2 : 2 + Double(index - first.index) / Double(points.count - 1) * (width - 4) }
        func y(_ value: Double) -> Double { height - 3 - (value - low) / span * (height - 6) }
        let n = Coordinate.text
        let newest = series.changes.last
        return ChartTemplates.render("sparkline", [
            "width": Int(width), "height": Int(height),
            "label": "the newest \(points.count) values of \(SafeText.make(series.benchmark.displayName))",
            "line": points.map { "\(n(x($0.index))),\(n(y($0.value)))" }.joined(separator: " "),
            "changes": series.changes.filter { $0.index >= first.index }.map { ["x": n(x($0.index)), "kind": $0.kind == .regression ? "regression" : "improvement"] },
            "lastX": n(x(last.index)), "lastY": n(y(last.value)),
            "lastKind": newest.map { $0.kind == .regression ? "regression" : "improvement" } ?? "line",
        ])
    }
}
