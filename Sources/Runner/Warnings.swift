import Foundation
import Statistics

/// The warnings hyperfine gives about a set of runs.
enum Warnings {
    /// hyperfine's rule: modified Z-scores z = (x − median) / MAD (Iglewicz & Hoaglin 1993), an
    /// outlier above 14.826 = 10 × 1.4826, i.e. ten standard deviations with the MAD scaled to one.
    static let outlierThreshold = 1.4826 * 10

    static func check(_ executions: [Execution]) -> [String] {
        let times = executions.map { Double($0.wallNanoseconds) / 1e6 }
        guard !times.isEmpty else { return [] }
        var warnings: [String] = []
        let median = Descriptive.median(times)
        let mad = Descriptive.median(times.map { abs($0 - median) })
        if mad > 0 {
            let scores = times.map { ($0 - median) / mad }
            if scores.count > 1, scores[0] > outlierThreshold {
                warnings.append("The first run was much slower than the rest (\(Int(times[0].rounded())) ms against a median of "
                                + "\(String(format: "%.1f", median)) ms): caches were probably cold. Use --warmup or --prepare.")
            } else if scores.contains(where: { abs($0) > outlierThreshold }) {
                warnings.append("Statistical outliers were found (modified Z-score above \(String(format: "%.3f", outlierThreshold))). Other programs or "
                                + "the system may have interfered; consider --warmup, a quieter machine, or more runs.")
            }
        }
        if executions.contains(where: { !$0.memoryExact }) {
            warnings.append("Peak memory comes from rusage here: this platform (or a ptrace refusal) does not let hhbench read the "
                            + "command's own, so max_rss_mb can include memory inherited from hhbench. Read it as an upper bound.")
        }
        if median < 5 {
            warnings.append("The command took less than 5 ms: the spawn and measurement overhead matters at this scale; "
                            + "results may be less accurate.")
        }
        return warnings
    }
}
