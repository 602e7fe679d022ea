import Foundation
import Records

/// Values for people: times in ns, µs, ms or s and sizes in B, KB, MB or GB, whichever puts the
/// number between 1 and 1000, with four significant digits (`30.39 ns`, not `3.039e-05 ms`).
/// Data stays in its declared unit; this is for tables and Markdown only.
enum HumanUnits {
    static let timeUnits: [(String, Double)] = [("ns", 1e-9), ("µs", 1e-6), ("ms", 1e-3), ("s", 1)]
    static let sizeUnits: [(String, Double)] = [("B", 1), ("KB", 1024), ("MB", 1024 * 1024), ("GB", 1024 * 1024 * 1024)]

    static func format(_ value: Double, unit: String) -> String {
        guard value.isFinite else { return Display.withUnit(value, unit) }
        if let seconds = Unit.secondsPerUnit[unit] { return scaled(value * seconds, timeUnits) }
        if let bytes = Unit.bytesPerUnit[unit] { return scaled(value * bytes, sizeUnits) }
        return Display.withUnit(value, unit)
    }

    private static func scaled(_ base: Double, _ units: [(String, Double)]) -> String {
        let chosen = unit(for: base, among: units)
        return significant(base / chosen.1) + " " + chosen.0
    }

    /// The largest of `units` (name, size in the base unit) that puts `base` at 1 or more
    /// (0.9995 or more: what rounds to 1 at four digits), else the smallest.
    static func unit(for base: Double, among units: [(String, Double)]) -> (String, Double) {
        let magnitude = abs(base)
        var chosen = units[0]
        for unit in units where magnitude >= unit.1 * 0.9995 { chosen = unit }
        return chosen
    }

    /// Four significant digits, trailing zeros dropped (`48.7`, `221.7`, `0.0049`, `12350`).
    /// Written from an integer, not with `String(format:)`: a report formats every point.
    static func significant(_ value: Double) -> String {
        guard value != 0 else { return "0" }
        guard value.isFinite else { return "\(value)" }
        let digits = max(0, 3 - Int(floor(log10(abs(value)))))
        let scale = pow(10, Double(digits))
        let product = abs(value) * scale
        // Near a tie the product's own rounding may differ from the value's: printf decides those.
        guard digits <= 15, product < 9e15, abs(product - product.rounded(.down) - 0.5) > 1e-6 else {
            var text = String(format: "%.\(digits)f", value)
            if text.contains(".") {
                while text.hasSuffix("0") { text.removeLast() }
                if text.hasSuffix(".") { text.removeLast() }
            }
            return text
        }
        let scaled = Int(product.rounded())
        var text = String(scaled)
        if digits > 0 {
            if text.count <= digits { text = String(repeating: "0", count: digits - text.count + 1) + text }
            text.insert(".", at: text.index(text.endIndex, offsetBy: -digits))
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return value < 0 && text != "0" ? "-" + text : text
    }
}
