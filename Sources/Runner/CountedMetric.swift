import Foundation
import Records

/// What `hhbench run --measure` counts besides time: events a run repeats nearly exactly, so a
/// change of 1 % shows through noise that hides 5 % in wall time.
package enum CountedMetric: String, CaseIterable, Sendable {
    /// Instructions retired in user space (perf) or executed (callgrind's Ir).
    case instructions
    /// CPU cycles in user space: hardware counters only.
    case cycles
    /// Callgrind's cache simulation weighed as iai-callgrind does: L1 hits + 5 × LL hits + 35 × RAM hits.
    case estimatedCycles = "estimated_cycles"
    /// Callgrind's simulated cache: accesses served by L1, by the last level, and by memory.
    case l1Hits = "l1_hits", llHits = "ll_hits", ramHits = "ram_hits"
    /// Hardware cache events (perf): references to and misses of the last-level cache.
    case cacheReferences = "cache_references", cacheMisses = "cache_misses"
    /// Page faults in the command (a software event: every Linux kernel has it).
    case pageFaults = "page_faults"

    package var descriptor: MetricDescriptor {
        MetricDescriptor(name: rawValue, unit: "count", direction: .lowerIsBetter)
    }

    /// The words `--measure` takes: a metric's name, or `cache` for whichever cache events the back end has.
    package static func parse(_ list: String) throws(CountingFailure) -> [CountedWish] {
        var wishes: [CountedWish] = []
        for word in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !word.isEmpty {
            if word == "time" { continue }
            if word == "cache" { wishes.append(.cache); continue }
            guard let metric = CountedMetric(rawValue: word) else {
                throw .usage("--measure: unknown measure '\(word)'; use instructions, cycles, estimated_cycles, cache or page_faults (comma-separated)")
            }
            wishes.append(.metric(metric))
        }
        return wishes
    }
}

/// One word of `--measure`.
package enum CountedWish: Equatable, Sendable {
    case metric(CountedMetric)
    /// The back end's cache events: callgrind's simulated hits, or perf's references and misses.
    case cache
}

/// Which counter `hhbench run` reads.
package enum CounterBackendChoice: String, CaseIterable, Sendable {
    /// perf_event_open when the kernel gives every requested counter, callgrind otherwise.
    case auto
    case perf
    case callgrind
}

/// Why counting could not go on: a bad request (exit 2) or a counter that failed on the way.
package enum CountingFailure: Error, CustomStringConvertible, Equatable {
    case usage(String)
    case failed(String)

    package var description: String {
        switch self {
        case .usage(let message), .failed(let message): message
        }
    }
}

/// What one counted execution gave: the counts, and its wall time under the counter.
package struct CountedExecution: Sendable {
    package var counts: [CountedMetric: UInt64]
    package let wallNanoseconds: Int64
    package let exitCode: Int32
}

/// A counter back end: runs one command once and counts it.
package protocol EventCounter: Sendable {
    /// What the run's context records: "perf_event_open", or callgrind with its version and cache geometry.
    var description: String { get }
    var metrics: [CountedMetric] { get }
    func count(_ arguments: [String], showOutput: Bool) throws(CountingFailure) -> CountedExecution
}
