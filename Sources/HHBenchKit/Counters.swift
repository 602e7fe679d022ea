import CMeasure
import Foundation
import Records

/// Counters `measure(_:counters:)` reads around a benchmark's timed samples, through
/// perf_event_open on the process itself (user space only, threads started meanwhile included).
///
/// Where the kernel refuses them (no hardware counters in most VMs and CI runners; a
/// `kernel.perf_event_paranoid` above 2; seccomp in containers; every system but Linux) the
/// benchmark records its times alone and says why on standard error: `Counter.unavailability`
/// tells beforehand. `page_faults` is a software event and counts wherever perf_event_open exists.
/// For instruction counts on such machines, run the benchmark's executable under
/// `hhbench run --measure instructions`, which falls back to callgrind.
public enum Counter: String, Sendable, CaseIterable {
    case instructions
    case cycles
    case pageFaults = "page_faults"

    var event: PerfEvent {
        switch self {
        case .instructions: .instructions
        case .cycles: .cycles
        case .pageFaults: .pageFaults
        }
    }

    /// nil when this counter can be read here, else why not.
    public var unavailability: String? {
        let fd = hh_counter_open_self(event.type, event.config)
        if fd >= 0 {
            close(fd)
            return nil
        }
        return PerfEvent.explain(-fd)
    }
}

/// The counters of one `measure` call, open on this process and read around its samples.
struct CounterGroup {
    private var open: [(Counter, Int32)] = []

    /// The counters that open; for each that does not, a line on standard error naming the benchmark.
    init(_ counters: [Counter], benchmark: String) {
        for counter in counters {
            let fd = hh_counter_open_self(counter.event.type, counter.event.config)
            if fd >= 0 {
                open.append((counter, fd))
            } else {
                FileHandle.standardError.write(Data("HHBenchKit: \(benchmark): \(counter.rawValue) not counted: \(PerfEvent.explain(-fd))\n".utf8))
            }
        }
    }

    func start() {
        for (_, fd) in open {
            _ = hh_counter_reset(fd)
            _ = hh_counter_enable(fd)
        }
    }

    /// Stops the counters, reads them per operation and closes them.
    func finish(operations: Int) -> [(String, Double)] {
        for (_, fd) in open { _ = hh_counter_disable(fd) }
        var values: [(String, Double)] = []
        for (counter, fd) in open {
            var count: UInt64 = 0
            if hh_counter_read(fd, &count) == 0 { values.append((counter.rawValue, Double(count) / Double(max(operations, 1)))) }
            close(fd)
        }
        return values
    }
}
