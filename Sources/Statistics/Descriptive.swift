/// Descriptive statistics over a sample of finite values.
///
/// Percentiles use linear interpolation between order statistics, numpy's default
/// (`numpy.percentile(..., method="linear")`, Hyndman & Fan 1996 definition 7): for a sorted
/// sample `x[0...n-1]` the q-th percentile is at rank `h = (n - 1) * q / 100`, and is
/// `x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)])`, evaluated as numpy's `_lerp` does.
public struct Descriptive: Sendable, Equatable {
    public let count: Int
    public let mean: Double
    /// Sample standard deviation, with Bessel's correction (n - 1); 0 for a single value.
    public let standardDeviation: Double
    public let min: Double
    public let max: Double
    public let median: Double
    public let p95: Double
    public let p99: Double

    /// Summarises `values`, which must be non-empty.
    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "Descriptive needs at least one value")
        let sorted = values.sorted()
        count = sorted.count
        mean = Descriptive.mean(sorted)
        standardDeviation = Descriptive.standardDeviation(sorted, mean: mean)
        min = sorted[0]
        max = sorted[sorted.count - 1]
        median = Descriptive.percentile(sorted: sorted, 50)
        p95 = Descriptive.percentile(sorted: sorted, 95)
        p99 = Descriptive.percentile(sorted: sorted, 99)
    }

    /// The arithmetic mean, summed with Kahan compensation so long samples lose no precision.
    public static func mean(_ values: [Double]) -> Double {
        var sum = 0.0
        var compensation = 0.0
        for value in values {
            let y = value - compensation
            let t = sum + y
            compensation = (t - sum) - y
            sum = t
        }
        return sum / Double(values.count)
    }

    /// Sample standard deviation (n - 1 in the denominator), 0 when there is one value.
    public static func standardDeviation(_ values: [Double], mean: Double) -> Double {
        guard values.count > 1 else { return 0 }
        var sumOfSquares = 0.0
        for value in values {
            let d = value - mean
            sumOfSquares += d * d
        }
        return (sumOfSquares / Double(values.count - 1)).squareRoot()
    }

    /// The q-th percentile (0...100) of an ascending sample, by linear interpolation (numpy's default).
    public static func percentile(sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty)
        let rank = Double(sorted.count - 1) * q / 100
        let lower = Int(rank.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        let fraction = rank - Double(lower)
        let difference = sorted[upper] - sorted[lower]
        // numpy's _lerp: interpolate from the nearer end so results match numpy to the last bit.
        return fraction >= 0.5
            ? sorted[upper] - difference * (1 - fraction)
            : sorted[lower] + difference * fraction
    }

    /// The median of an unsorted sample.
    public static func median(_ values: [Double]) -> Double {
        percentile(sorted: values.sorted(), 50)
    }
}
