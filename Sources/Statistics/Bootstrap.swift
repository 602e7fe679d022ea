/// The percentile bootstrap (Efron & Tibshirani, *An Introduction to the Bootstrap*, 1993, §13.3):
/// resample each sample with replacement `resamples` times (default 2,000), compute the statistic,
/// and take the α/2 and 1 − α/2 quantiles of its distribution. Seeded (SplitMix64), so the same
/// samples always give the same interval.
public enum Bootstrap {
    public static func ratioOfMedians(_ baseline: [Double], _ candidate: [Double], confidence: Double = 0.95,
                                      resamples: Int = 2_000, seed: UInt64 = 0x5EED) -> (lower: Double, upper: Double) {
        precondition(!baseline.isEmpty && !candidate.isEmpty)
        var random = SplitMix64(seed: seed)
        var ratios: [Double] = []
        ratios.reserveCapacity(resamples)
        var a = baseline, b = candidate
        for _ in 0..<resamples {
            for i in a.indices { a[i] = baseline[Int(random.next() % UInt64(baseline.count))] }
            for i in b.indices { b[i] = candidate[Int(random.next() % UInt64(candidate.count))] }
            let denominator = Selection.percentile(&a, 50)
            if denominator != 0 { ratios.append(Selection.percentile(&b, 50) / denominator) }
        }
        guard !ratios.isEmpty else { return (.nan, .nan) }
        ratios.sort()
        let alpha = 1 - confidence
        return (Descriptive.percentile(sorted: ratios, alpha / 2 * 100), Descriptive.percentile(sorted: ratios, (1 - alpha / 2) * 100))
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seedable generator.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
