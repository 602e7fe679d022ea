import CMeasure
import Foundation
import Records

extension PerfEvent {
    /// The event a counted metric is read from, when perf has one.
    package static func event(for metric: CountedMetric) -> PerfEvent? {
        switch metric {
        case .instructions: .instructions
        case .cycles: .cycles
        case .cacheReferences: .cacheReferences
        case .cacheMisses: .cacheMisses
        case .pageFaults: .pageFaults
        case .estimatedCycles, .l1Hits, .llHits, .ramHits: nil
        }
    }

    /// Opens the event on hhbench itself and closes it: nil when the kernel gives it, or why not.
    package func refusal() -> String? {
        let fd = hh_counter_open_self(type, config)
        if fd >= 0 {
            close(fd)
            return nil
        }
        return Self.explain(-fd)
    }
}

/// Counts through perf_event_open: the command's user-space events, its children included,
/// with address-space randomisation off (see ccount_linux.c). Costs nothing measurable; the
/// counts still move a little with interrupts and code layout.
package struct PerfCounter: EventCounter {
    package let metrics: [CountedMetric]
    let events: [PerfEvent]

    package var description: String { "perf_event_open" }

    /// A counter of `metrics`, or why perf cannot count them here.
    package init(metrics: [CountedMetric]) throws(CountingFailure) {
        var events: [PerfEvent] = []
        for metric in metrics {
            guard let event = PerfEvent.event(for: metric) else {
                throw .usage("--measure \(metric.rawValue) needs callgrind's cache simulation; use --counter-backend callgrind or auto")
            }
            events.append(event)
        }
        self.init(metrics: metrics, events: events)
    }

    /// A counter of raw events, recorded under the given metric names (tests count software events this way).
    package init(metrics: [CountedMetric], events: [PerfEvent]) {
        self.metrics = metrics
        self.events = events
    }

    /// The first refusal among the events, or nil when the kernel gives them all.
    package func refusal() -> (metric: CountedMetric, reason: String)? {
        for (metric, event) in zip(metrics, events) {
            if let reason = event.refusal() { return (metric, reason) }
        }
        return nil
    }

    package func count(_ arguments: [String], showOutput: Bool) throws(CountingFailure) -> CountedExecution {
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var values = [UInt64](repeating: 0, count: events.count)
        var counterErrno: Int32 = 0
        var measurement = hh_measurement()
        let output: Int32 = showOutput ? -1 : -2
        let types = events.map(\.type), configs = events.map(\.config)
        let status = argv.withUnsafeBufferPointer { buffer in
            hh_count(arguments[0], buffer.baseAddress, environ, output, output, types, configs, Int32(events.count),
                     &values, &counterErrno, &measurement)
        }
        if status == -2 { throw .failed(PerfEvent.explain(counterErrno)) }
        if status != 0 {
            let reason = measurement.launch_errno == ENOENT ? "'\(arguments[0])' is not on PATH" : String(cString: strerror(measurement.launch_errno))
            throw .failed("cannot run \(arguments.joined(separator: " ").debugDescription): \(reason)")
        }
        var counts: [CountedMetric: UInt64] = [:]
        for (metric, value) in zip(metrics, values) { counts[metric] = value }
        return CountedExecution(counts: counts, wallNanoseconds: Int64((measurement.wall_seconds * 1e9).rounded()),
                                exitCode: measurement.exit_code)
    }
}
