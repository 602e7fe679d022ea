/// SVG coordinates as short text: one decimal, or none (`123.4`, `57`), written without
/// `String(format:)`, which took a third of a report's time. Only numbers come out, so the chart
/// templates insert these strings as they are.
enum Coordinate {
    static func text(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e9 else { return "0" }
        let tenths = Int((value * 10).rounded())
        let whole = tenths / 10, fraction = abs(tenths % 10)
        let sign = tenths < 0 && whole == 0 ? "-" : ""
        return fraction == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }

    /// Whole pixels, for shapes whose edges need no finer place (the samples' band).
    static func whole(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e9 else { return "0" }
        return String(Int(value.rounded()))
    }
}
