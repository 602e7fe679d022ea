/// An absolute limit declared next to a benchmark: `"overhead_ratio" < 2.0`, `"throughput_ops_per_sec" > 500`.
public struct Budget: Sendable, Equatable, CustomStringConvertible {
    public enum Comparison: String, Sendable { case below = "<", atMost = "<=", above = ">", atLeast = ">=" }

    public let metric: String
    public let comparison: Comparison
    public let limit: Double

    public init(_ metric: String, _ comparison: Comparison, _ limit: Double) {
        self.metric = metric
        self.comparison = comparison
        self.limit = limit
    }

    public func holds(for value: Double) -> Bool {
        switch comparison {
        case .below: return value < limit
        case .atMost: return value <= limit
        case .above: return value > limit
        case .atLeast: return value >= limit
        }
    }

    public var description: String { "\(metric) \(comparison.rawValue) \(limit)" }
}

/// A metric name in a budget expression; a string literal becomes one.
public struct BudgetMetric: ExpressibleByStringLiteral, Sendable {
    public let name: String
    public init(stringLiteral value: String) { name = value }
}

public func < (metric: BudgetMetric, limit: Double) -> Budget { Budget(metric.name, .below, limit) }
public func <= (metric: BudgetMetric, limit: Double) -> Budget { Budget(metric.name, .atMost, limit) }
public func > (metric: BudgetMetric, limit: Double) -> Budget { Budget(metric.name, .above, limit) }
public func >= (metric: BudgetMetric, limit: Double) -> Budget { Budget(metric.name, .atLeast, limit) }

/// A budget that did not hold.
public struct BudgetFailure: Sendable, CustomStringConvertible {
    public let benchmark: String
    public let budget: Budget
    public let value: Double
    public var description: String { "\(benchmark): \(budget.metric) = \(value), budget \(budget)" }
}
