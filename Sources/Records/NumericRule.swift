
/// What a number hhbench takes means and which values it accepts: one rule per meaning, shared
/// by the command-line flag and the hhbench.toml setting that say the same thing, so that the
/// two cannot disagree. Non-finite values are refused everywhere (a `nan` threshold would make
/// every comparison false, and so weaken a gate without a word); a whole number must be written
/// as one and fit its range before any arithmetic sees it.
package struct NumericRule: Sendable {
    /// "a percentage", "a number of commits": what the value is, for the message.
    package let meaning: String
    package let whole: Bool
    package let lower: Double
    package let lowerOpen: Bool
    package let upper: Double
    package let upperOpen: Bool
    /// A good value, for the fix: "5".
    package let example: String

    /// An end of the range: the value itself allowed (`closed`) or not (`open`).
    package enum Bound: Sendable {
        case closed(Double), open(Double)
        var value: Double { switch self { case .closed(let v), .open(let v): v } }
        var isOpen: Bool { if case .open = self { true } else { false } }
    }

    package init(_ meaning: String, whole: Bool = false, _ lower: Bound, _ upper: Bound, example: String) {
        self.meaning = meaning
        self.whole = whole
        self.lower = lower.value
        self.lowerOpen = lower.isOpen
        self.upper = upper.value
        self.upperOpen = upper.isOpen
        self.example = example
    }

    /// "a percentage from 0 to 1000", "a probability above 0 and below 1".
    package var rangeText: String {
        func number(_ value: Double) -> String {
            abs(value) == .greatestFiniteMagnitude ? (value < 0 ? "-max" : "max") : DecimalNumber(value).jsonText
        }
        let range: String
        if lower == -.greatestFiniteMagnitude && upper == .greatestFiniteMagnitude {
            range = ""
        } else if upper == .greatestFiniteMagnitude {
            range = lowerOpen ? " above \(number(lower))" : " of at least \(number(lower))"
        } else {
            switch (lowerOpen, upperOpen) {
            case (false, false): range = " from \(number(lower)) to \(number(upper))"
            case (false, true): range = " of at least \(number(lower)) and below \(number(upper))"
            case (true, false): range = " above \(number(lower)) and at most \(number(upper))"
            case (true, true): range = " above \(number(lower)) and below \(number(upper))"
            }
        }
        return (whole ? "a whole " : "") + (whole ? String(meaning.drop { $0 != " " }.dropFirst()) : meaning) + range
    }

    package func accepts(_ value: Double) -> Bool {
        guard value.isFinite, !whole || value.rounded() == value else { return false }
        let aboveLower = lowerOpen ? value > lower : value >= lower
        let belowUpper = upperOpen ? value < upper : value <= upper
        return aboveLower && belowUpper
    }

    /// A flag's value, for ArgumentParser's `transform:` (which names the flag and the text in
    /// its message): a number within the rule.
    package func real(_ text: String) throws(NumericRuleError) -> Double {
        let trimmed = text.trimmingBlanks
        guard !trimmed.isEmpty, let value = Double(trimmed), accepts(value) else {
            throw NumericRuleError(message: "expected \(rangeText), such as \(example)")
        }
        return value == 0 ? 0 : value  // -0 is 0
    }

    /// A whole-number flag's value, within the rule's range and so within `Int`.
    package func wholeNumber(_ text: String) throws(NumericRuleError) -> Int {
        guard let whole = Int(exactly: try real(text)) else { throw NumericRuleError(message: "expected \(rangeText), such as \(example)") }
        return whole
    }

    /// The problem with a setting's value, or nil when it is accepted.
    package func problem(with value: Double) -> String? {
        accepts(value) ? nil : "\(DecimalNumber.text(value)) is not \(rangeText)"
    }
}

package struct NumericRuleError: Error, Sendable, CustomStringConvertible {
    package let message: String
    package var description: String { message }
}

/// Every numeric flag and setting, by meaning. The README's hhbench.toml section and the
/// commands' help say these ranges.
extension NumericRule {
    package static let alpha = NumericRule("a significance level", .open(0), .open(1), example: "0.05")
    package static let thresholdPct = NumericRule("a percentage", .closed(0), .closed(1000), example: "5")
    package static let runNoisePct = NumericRule("a percentage", .closed(0), .open(1000), example: "3")
    package static let window = NumericRule("a number of commits", whole: true, .closed(1), .closed(100_000), example: "10")
    package static let falseAlarmsPer1000 = NumericRule("a rate per 1,000 commits", .open(0), .closed(100), example: "0.2")
    package static let budget = NumericRule("a finite number", .closed(-Double.greatestFiniteMagnitude), .closed(.greatestFiniteMagnitude), example: "100")
    package static let pValue = NumericRule("a probability", .open(0), .open(1), example: "0.001")
    package static let magnitude = NumericRule("a relative change", .closed(0), .closed(100), example: "0.05")
    package static let otavaWindow = NumericRule("a number of commits", whole: true, .closed(2), .closed(100_000), example: "50")
    package static let commitsShown = NumericRule("a number of commits (0 for all)", whole: true, .closed(0), .closed(100_000_000), example: "100")
    package static let recent = NumericRule("a number of commits", whole: true, .closed(1), .closed(100_000_000), example: "5")
    package static let keepCommits = NumericRule("a number of commits", whole: true, .closed(0), .closed(100_000_000), example: "50")
    package static let runs = NumericRule("a number of runs", whole: true, .closed(1), .closed(10_000_000), example: "10")
    package static let warmup = NumericRule("a number of runs", whole: true, .closed(0), .closed(10_000_000), example: "3")
    package static let concurrency = NumericRule("a number of workers", whole: true, .closed(1), .closed(1024), example: "8")
    package static let parameterStep = NumericRule("a step", .open(0), .closed(.greatestFiniteMagnitude), example: "1")
    package static let parameterBound = NumericRule("a finite number", .closed(-1e15), .closed(1e15), example: "10")
    /// The most values a --parameter-scan may produce: a tiny step must not loop for hours.
    package static let maximumScanValues = 10_000
    package static let timeoutSeconds = NumericRule("a number of seconds", .open(0), .closed(86_400), example: "30")
    package static let runsListed = NumericRule("a number of runs", whole: true, .closed(1), .closed(100_000_000), example: "20")
    package static let overheadRatio = NumericRule("a ratio", .open(0), .closed(1e6), example: "1.5")
    package static let rounds = NumericRule("a number of rounds", whole: true, .closed(1), .closed(100_000), example: "20")
    package static let warmupRounds = NumericRule("a number of rounds", whole: true, .closed(0), .closed(100_000), example: "1")
    package static let seed = NumericRule("a seed", whole: true, .closed(0), .closed(9_007_199_254_740_991), example: "42")
    package static let pullRequest = NumericRule("a pull-request number", whole: true, .closed(1), .closed(1_000_000_000), example: "42")
    package static let ballastMegabytes = NumericRule("a number of megabytes", whole: true, .closed(0), .closed(65_536), example: "64")
}

/// A duration as flags write it: a number with ms, s, m, h, d or w, or plain seconds (`500ms`,
/// `30s`, `2m`, `1.5`, `90d`). One grammar for every duration flag, each with its own ceiling,
/// so that no duration overflows what measures it.
package struct DurationRule: Sendable {
    package let maximumSeconds: Double
    package let example: String
    /// An age (`90d`) must say its unit: a bare 90 would be read as seconds where days were meant.
    package var unitRequired = false

    package static let runTime = DurationRule(maximumSeconds: 7 * 86_400, example: "30s")
    package static let age = DurationRule(maximumSeconds: 100 * 365 * 86_400, example: "90d", unitRequired: true)

    private static let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800)]

    /// The seconds `text` says, or an error that says what a duration looks like and its ceiling.
    package func seconds(_ text: String) throws(NumericRuleError) -> Double {
        let trimmed = text.trimmingBlanks
        let unit = Self.units.first { trimmed.hasSuffix($0.suffix) && Double(trimmed.dropLast($0.suffix.count)) != nil }
        let number = unit.map { String(trimmed.dropLast($0.suffix.count)) } ?? trimmed
        guard !number.isEmpty, unit != nil || !unitRequired, let value = Double(number), value.isFinite, value >= 0,
              value * (unit?.seconds ?? 1) <= maximumSeconds else {
            throw NumericRuleError(message: "expected a duration from 0 to \(DecimalNumber(maximumSeconds / 86_400).jsonText) days: "
                                   + "a number with ms, s, m, h, d or w\(unitRequired ? "" : " (plain: seconds)"), such as \(example)")
        }
        return value * (unit?.seconds ?? 1) + 0  // -0 is 0
    }
}

extension String {
    /// Without the spaces and tabs around it.
    package var trimmingBlanks: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

extension DecimalNumber {
    /// A value as a person would type it back: `nan`, `inf`, or the shortest decimal.
    package static func text(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return DecimalNumber(value).jsonText
    }
}
