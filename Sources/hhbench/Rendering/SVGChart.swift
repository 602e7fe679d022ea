import Analysis
import Foundation
import Records

/// A line chart of trend series as standalone SVG: axes with values, commits along the bottom,
/// change points marked (red for regressions, green for improvements).
enum SVGChart {
    static let width = 760.0, panelHeight = 260.0
    static let left = 70.0, right = 20.0, top = 36.0, bottom = 46.0

    /// Text for an SVG text node or attribute: well-formed XML 1.0 for any input. Markup
    /// characters become entities; control characters (forbidden in XML 1.0, or invisible) and
    /// the noncharacters U+FFFE and U+FFFF are shown escaped as `\\u{…}`.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in Printable.escaped(text).unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\u{FFFE}", "\u{FFFF}": out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func document(_ series: [TrendSeries], metric: String) -> String {
        let height = panelHeight * Double(max(series.count, 1))
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" \
            font-family="-apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>

            """
        for (offset, one) in series.enumerated() { svg += panel(one, metric: metric, y: Double(offset) * panelHeight) }
        return svg + "</svg>\n"
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    static func panel(_ series: TrendSeries, metric: String, y originY: Double) -> String {
        let values = series.points.map(\.value)
        guard var low = values.min(), var high = values.max() else { return "" }
        if low == high { low -= max(abs(low) * 0.05, 1); high += max(abs(high) * 0.05, 1) }
        let pad = (high - low) * 0.08
        low -= pad
        high += pad
        let plotWidth = width - left - right, plotHeight = panelHeight - top - bottom
        func x(_ index: Int) -> Double { left + (values.count == 1 ? plotWidth / 2 : Double(index) / Double(values.count - 1) * plotWidth) }
        func y(_ value: Double) -> Double { originY + top + (high - value) / (high - low) * plotHeight }
        var svg = "<g>\n"
        svg += "<text x=\"\(format(left))\" y=\"\(format(originY + 20))\" font-size=\"13\" font-weight=\"600\">"
            + escape("\(series.benchmark.displayName) — \(metric) (\(series.metric.unit), \(series.metric.direction == .lowerIsBetter ? "lower" : "higher") is better)")
            + "</text>\n"
        for tick in 0...4 {
            let value = low + (high - low) * Double(tick) / 4
            let ty = y(value)
            svg += "<line x1=\"\(format(left))\" y1=\"\(format(ty))\" x2=\"\(format(width - right))\" y2=\"\(format(ty))\" stroke=\"#e5e5e5\"/>\n"
            svg += "<text x=\"\(format(left - 6))\" y=\"\(format(ty + 4))\" text-anchor=\"end\" fill=\"#555\">\(escape(Display.number(value)))</text>\n"
        }
        svg += "<line x1=\"\(format(left))\" y1=\"\(format(originY + top))\" x2=\"\(format(left))\" y2=\"\(format(originY + top + plotHeight))\" stroke=\"#333\"/>\n"
        svg += "<line x1=\"\(format(left))\" y1=\"\(format(originY + top + plotHeight))\" x2=\"\(format(width - right))\" y2=\"\(format(originY + top + plotHeight))\" stroke=\"#333\"/>\n"
        let labelEvery = max(1, series.points.count / 6)
        let lastIndex = series.points.count - 1
        for point in series.points where (point.index % labelEvery == 0 && lastIndex - point.index >= labelEvery / 2) || point.index == lastIndex {
            let anchor = point.index == lastIndex && lastIndex > 0 ? "end" : (point.index == 0 ? "start" : "middle")
            svg += "<text x=\"\(format(x(point.index)))\" y=\"\(format(originY + top + plotHeight + 16))\" text-anchor=\"\(anchor)\" fill=\"#555\" "
                + "font-family=\"monospace\">\(escape(String(point.commit.prefix(7))))</text>\n"
        }
        for change in series.changes {
            let colour = change.kind == .regression ? "#d1242f" : "#1a7f37"
            let cx = x(change.index)
            svg += "<line x1=\"\(format(cx))\" y1=\"\(format(originY + top))\" x2=\"\(format(cx))\" y2=\"\(format(originY + top + plotHeight))\" "
                + "stroke=\"\(colour)\" stroke-dasharray=\"4 3\"/>\n"
            let nearRightEdge = cx > width - right - 90
            svg += "<text x=\"\(format(nearRightEdge ? cx - 4 : cx + 4))\" y=\"\(format(originY + top + 12))\" fill=\"\(colour)\""
                + (nearRightEdge ? " text-anchor=\"end\">" : ">")
                + escape("\(change.commit.prefix(7)) \(CompareRendering.percent(change.changePct))") + "</text>\n"
        }
        let path = series.points.map { "\(format(x($0.index))),\(format(y($0.value)))" }.joined(separator: " ")
        svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"1.5\"/>\n"
        for point in series.points {
            svg += "<circle cx=\"\(format(x(point.index)))\" cy=\"\(format(y(point.value)))\" r=\"2.2\" fill=\"#0969da\">"
                + "<title>\(escape("\(point.commit.prefix(10)): \(Display.withUnit(point.value, series.metric.unit))"))</title></circle>\n"
        }
        svg += "<text x=\"\(format(width / 2))\" y=\"\(format(originY + panelHeight - 8))\" text-anchor=\"middle\" fill=\"#555\">commits (oldest to newest)</text>\n"
        return svg + "</g>\n"
    }
}
