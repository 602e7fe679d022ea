import ArgumentParser
import Records

/// `--budget METRIC=VALUE`, the one spelling of an absolute limit (compare and run): the most a
/// lower-is-better metric may be, or the least a higher-is-better one may be.
struct BudgetFlag: Sendable, Equatable {
    let metric: String
    let limit: Double

    init?(_ text: String) {
        let parts = text.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty, let value = try? NumericRule.budget.real(String(parts[1])) else { return nil }
        metric = String(parts[0])
        limit = value
    }

    init(metric: String, limit: Double) {
        self.metric = metric
        self.limit = limit
    }

    /// For `validate()`: every flag must parse, with the fix in the message.
    static func check(_ texts: [String]) throws {
        for text in texts where BudgetFlag(text) == nil {
            throw ValidationError("--budget '\(text)': expected METRIC=VALUE with VALUE \(NumericRule.budget.rangeText); write --budget p95_time_ms=100")
        }
    }
}
