import Foundation
import Records

/// A value axis with round ticks in human units: `0 ms, 2 ms, 4 ms`, `500 µs, 1 ms`, never
/// `0.0005181`. The ticks are Heckbert's "nice numbers" (1, 2 or 5 times a power of ten;
/// P. S. Heckbert, "Nice Numbers for Graph Labels", Graphics Gems, 1990) in the display unit
/// chosen for the largest tick, so every label of an axis uses one unit and as few decimals as
/// the step needs. Values stay in the metric's unit; only the labels are converted.
struct AxisScale {
    /// The axis range, in the metric's unit (the outermost ticks).
    let low: Double
    let high: Double
    /// Tick values in the metric's unit, with their labels.
    let ticks: [(value: Double, label: String)]
    /// The display unit's name and how many metric units make one display unit.
    let displayUnit: String
    let metricUnitsPerDisplayUnit: Double

    /// About `count` ticks covering `values` (with a little room above and below).
    init(values: [Double], unit: String, count: Int = 5) {
        let finite = values.filter(\.isFinite)
        var minimum = finite.min() ?? 0, maximum = finite.max() ?? 1
        if minimum == maximum {
            let room = max(abs(minimum) * 0.05, minimum == 0 ? 1 : 0)
            minimum -= room
            maximum += room
        }
        let (name, factor) = Self.displayUnit(for: max(abs(minimum), abs(maximum)), unit: unit)
        let range = Self.nice((maximum - minimum) / factor, round: false)
        let step = Self.nice(range / Double(max(count - 1, 1)), round: true)
        let first = floor(minimum / factor / step) * step, last = ceil(maximum / factor / step) * step
        let decimals = max(0, -Int(floor(log10(step) + 1e-9)))
        var ticks: [(Double, String)] = []
        var tick = first
        while tick <= last + step * 0.5 && ticks.count < 50 {
            let shown = abs(tick) < step * 1e-9 ? 0 : tick
            let number = String(format: "%.\(decimals)f", shown)
            ticks.append((shown * factor, name.isEmpty ? number : "\(number) \(name)"))
            tick += step
        }
        self.ticks = ticks
        low = first * factor
        high = max(last * factor, low + step * factor)
        displayUnit = name
        metricUnitsPerDisplayUnit = factor
    }

    /// The value in the axis's display unit, with 3 to 4 significant digits and the unit.
    func label(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let number = HumanUnits.significant(value / metricUnitsPerDisplayUnit)
        return displayUnit.isEmpty ? number : "\(number) \(displayUnit)"
    }

    /// The time or size unit that puts `magnitude` between 1 and 1000; other units are shown as
    /// recorded (`ops/s`, `ratio`, '' for counts).
    static func displayUnit(for magnitude: Double, unit: String) -> (String, Double) {
        let scaled: [(String, Double)]
        let perBase: Double
        if let seconds = Unit.secondsPerUnit[unit] { scaled = HumanUnits.timeUnits; perBase = 1 / seconds }
        else if let bytes = Unit.bytesPerUnit[unit] { scaled = HumanUnits.sizeUnits; perBase = 1 / bytes }
        else { return (unit == "count" ? "" : unit, 1) }
        let chosen = HumanUnits.unit(for: magnitude / perBase, among: scaled)
        return (chosen.0, chosen.1 * perBase)
    }

    /// Heckbert's nice number near `x`: 1, 2, 5 or 10 times a power of ten (rounded, or the
    /// next one up).
    static func nice(_ x: Double, round: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let exponent = floor(log10(x))
        let fraction = x / pow(10, exponent)
        let niceFraction: Double
        if round { niceFraction = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10 }
        else { niceFraction = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10 }
        return niceFraction * pow(10, exponent)
    }
}
