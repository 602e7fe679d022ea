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
    /// Finite values near the largest double would overflow the sum; they are summed scaled down
    /// by their largest magnitude (a power of two, so scaling is exact), which keeps the mean finite.
    public static func mean(_ values: [Double]) -> Double {
        let plain = compensatedSum(values, scale: 1) / Double(values.count)
        if plain.isFinite { return plain }
        let scale = powerOfTwoScale(values)
        return compensatedSum(values, scale: scale) / Double(values.count) * scale
    }

    private static func compensatedSum(_ values: [Double], scale: Double) -> Double {
        var sum = 0.0
        var compensation = 0.0
        for value in values {
            let y = value / scale - compensation
            let t = sum + y
            compensation = (t - sum) - y
            sum = t
        }
        return sum
    }

    /// The power of two at the largest magnitude in `values` (1 for all zeros): dividing by it
    /// is exact and leaves every value below 2 in magnitude.
    private static func powerOfTwoScale(_ values: [Double]) -> Double {
        let largest = values.reduce(0.0) { Swift.max($0, $1.magnitude) }
        guard largest > 0, largest.isFinite else { return 1 }
        return Double(sign: .plus, exponent: largest.exponent, significand: 1)
    }

    /// Sample standard deviation (n - 1 in the denominator), 0 when there is one value. Squares
    /// are summed scaled down when they would overflow; the result is infinite only when the true
    /// standard deviation itself exceeds the largest double.
    public static func standardDeviation(_ values: [Double], mean: Double) -> Double {
        guard values.count > 1 else { return 0 }
        let plain = sumOfSquaredDeviations(values, mean: mean, scale: 1)
        if plain.isFinite { return (plain / Double(values.count - 1)).squareRoot() }
        let scale = powerOfTwoScale(values + [mean])
        let scaled = sumOfSquaredDeviations(values, mean: mean, scale: scale)
        return (scaled / Double(values.count - 1)).squareRoot() * scale
    }

    private static func sumOfSquaredDeviations(_ values: [Double], mean: Double, scale: Double) -> Double {
        var sumOfSquares = 0.0
        let scaledMean = mean / scale
        for value in values {
            let d = value / scale - scaledMean
            sumOfSquares += d * d
        }
        return sumOfSquares
    }

    /// The q-th percentile (0...100) of an ascending sample, by linear interpolation (numpy's default).
    public static func percentile(sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty)
        let rank = Double(sorted.count - 1) * q / 100
        let lower = Int(rank.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        let fraction = rank - Double(lower)
        let difference = sorted[upper] - sorted[lower]
        // Far-apart extremes (-1e308 and 1e308) overflow the difference; the weighted form cannot.
        guard difference.isFinite else { return sorted[lower] * (1 - fraction) + sorted[upper] * fraction }
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
