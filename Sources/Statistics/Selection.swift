/// Order statistics without sorting: Hoare's quickselect with a median-of-three pivot,
/// O(n) on average. The array is reordered.
public enum Selection {
    /// The `k`-th smallest (0-based) of `values`.
    public static func kth(_ values: inout [Double], _ k: Int) -> Double {
        precondition(k >= 0 && k < values.count)
        var low = 0, high = values.count - 1
        return values.withUnsafeMutableBufferPointer { v in
            while low < high {
                let mid = low + (high - low) / 2
                // Median of three into v[mid] as the pivot.
                if v[mid] < v[low] { v.swapAt(mid, low) }
                if v[high] < v[low] { v.swapAt(high, low) }
                if v[high] < v[mid] { v.swapAt(high, mid) }
                let pivot = v[mid]
                var i = low, j = high
                while i <= j {
                    while v[i] < pivot { i += 1 }
                    while v[j] > pivot { j -= 1 }
                    if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
                }
                if k <= j { high = j } else if k >= i { low = i } else { return v[k] }
            }
            return v[k]
        }
    }

    /// The q-th percentile (0...100) by linear interpolation, as `Descriptive.percentile(sorted:)`
    /// gives on the sorted values, without sorting them.
    public static func percentile(_ values: inout [Double], _ q: Double) -> Double {
        let rank = Double(values.count - 1) * q / 100
        let lower = Int(rank.rounded(.down))
        let lowValue = kth(&values, lower)
        guard lower + 1 < values.count, rank > Double(lower) else { return lowValue }
        // After selecting `lower`, everything above it is at or above it: the next order statistic is their minimum.
        var next = Double.infinity
        for index in (lower + 1)..<values.count where values[index] < next { next = values[index] }
        let fraction = rank - Double(lower)
        let difference = next - lowValue
        return fraction >= 0.5 ? next - difference * (1 - fraction) : lowValue + difference * fraction
    }
}
