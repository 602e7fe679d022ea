/// Which way is better for a metric.
public enum Direction: String, Sendable, Codable, CaseIterable {
    case lowerIsBetter = "lower_is_better"
    case higherIsBetter = "higher_is_better"

    /// The sign of a change that makes things worse: +1 when a rise is worse.
    public var worseSign: Double { self == .lowerIsBetter ? 1 : -1 }
}

/// A metric as the warehouse keys it: name, unit and direction.
public struct MetricDescriptor: Hashable, Sendable, Codable {
    public let name: String
    public let unit: String
    public let direction: Direction

    public init(name: String, unit: String, direction: Direction) {
        self.name = name
        self.unit = unit
        self.direction = direction
    }

    /// A metric named `name`, with the unit and direction inferred from the name where not given.
    public init(name: String, unit: String? = nil, direction: Direction? = nil) {
        self.init(
            name: name,
            unit: unit ?? MetricDescriptor.inferUnit(name),
            direction: direction ?? MetricDescriptor.inferDirection(name)
        )
    }

    /// Units by the metric name's suffix (`p95_time_ms` is in ms, `memory_per_span_kb` in KB).
    /// Longer suffixes are tried first, so `_per_sec` wins over `_sec`.
    static let unitSuffixes: [(suffix: String, unit: String)] = [
        ("_ops_per_sec", "ops/s"), ("_per_sec", "/s"), ("_per_second", "/s"),
        ("_ns", "ns"), ("_us", "us"), ("_ms", "ms"), ("_s", "s"), ("_sec", "s"), ("_seconds", "s"),
        ("_bytes", "B"), ("_kb", "KB"), ("_mb", "MB"), ("_gb", "GB"),
        ("_ratio", "ratio"), ("_rate", "ratio"), ("_pct", "%"), ("_percent", "%"),
        ("_count", "count"),
    ]

    /// The unit a metric name implies; "" when its suffix names none.
    public static func inferUnit(_ name: String) -> String {
        let lower = name.lowercased()
        let matches = unitSuffixes.filter { lower.hasSuffix($0.suffix) }
        guard let best = matches.max(by: { $0.suffix.count < $1.suffix.count }) else { return "" }
        if best.unit == "/s" {
            // "requests_per_sec" is in requests/s.
            let stem = lower.dropLast(best.suffix.count)
            let thing = stem.split(separator: "_").last.map(String.init) ?? "ops"
            return thing + "/s"
        }
        return best.unit
    }

    /// Throughput (`throughput` anywhere, `_per_sec`, or an `ops` word) is higher-is-better;
    /// everything else (times, memory, errors, ratios of cost) is lower-is-better.
    public static func inferDirection(_ name: String) -> Direction {
        let lower = name.lowercased()
        let words = lower.split(whereSeparator: { $0 == "_" || $0 == "." || $0 == "/" || $0 == "-" || $0 == " " })
        if lower.contains("throughput") || lower.hasSuffix("_per_sec") || lower.hasSuffix("_per_second")
            || words.contains("ops") || lower.hasSuffix("ops/s") {
            return .higherIsBetter
        }
        return .lowerIsBetter
    }

    /// Counts that describe how a run was made (pytest-benchmark's `rounds`, iterations, sample
    /// counts, exit codes), not how fast it was: kept as run facts, never compared as performance.
    public static let runFactNames: Set<String> = [
        "rounds", "iterations", "iterations_per_round", "sample_count", "exit_code", "warmup_iterations", "repetitions",
        "counter_slowdown",
    ]

    public var isRunFact: Bool { Self.runFactNames.contains(name) }

    /// Counts a run repeats nearly exactly (`hhbench run --measure`): compared by their size
    /// against their own spread (`CountedChange`), not by a sampling test, and with a threshold of
    /// their own.
    public static let countedNames: Set<String> = [
        "instructions", "cycles", "estimated_cycles", "l1_hits", "ll_hits", "ram_hits", "cache_references", "cache_misses", "page_faults",
    ]

    /// True for a counted metric, and for a summary of one (`median_instructions`).
    public var isCounted: Bool { Self.isCounted(name) }

    public static func isCounted(_ name: String) -> Bool {
        if countedNames.contains(name) { return true }
        guard let underscore = name.firstIndex(of: "_") else { return false }
        var stem = name[name.index(after: underscore)...]
        if name.hasPrefix("std_dev_") { stem = name.dropFirst("std_dev_".count) }
        return countedNames.contains(String(stem))
    }

    /// True for units of time, whose samples give a throughput.
    public var isTime: Bool { Unit.secondsPerUnit[unit] != nil }
}

/// Unit arithmetic for the few conversions hhbench does itself (adapters, display).
public enum Unit {
    /// Seconds per one of each time unit.
    public static let secondsPerUnit: [String: Double] = ["ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1]

    /// Bytes per one of each memory unit (binary multiples, as RSS and allocators report).
    public static let bytesPerUnit: [String: Double] = ["B": 1, "KB": 1024, "MB": 1024 * 1024, "GB": 1024 * 1024 * 1024]
}
