import Foundation
import Records

/// `hhbench run --measure`: the counter chosen for the call, and the counted runs of each command.
///
/// The back end: perf_event_open when the kernel gives every counter asked for (`auto`, `perf`),
/// else callgrind (`auto`, `callgrind`); under `auto` the refusal is kept, so the run's context
/// says why callgrind measured it. Counted runs come after the timed ones, so a counter's cost
/// never reaches the wall time; a shell's own counts (with `--shell`) are counted once on an
/// empty command and taken off, as its start-up time is.
package struct Counting: Sendable {
    package let counter: any EventCounter
    /// "perf_event_open" or "callgrind".
    package let backend: String
    /// Why perf_event_open was not used, when `auto` fell back to callgrind.
    package let refusal: String?
    /// Counted runs a command: `--count-runs`, else 1 under callgrind (each costs tens of plain
    /// runs) and 5 under perf (free, and its counts move a little).
    package let runs: Int
    private var shellCounts: [CountedMetric: UInt64] = [:]

    package init(measure wishes: [CountedWish], backend choice: CounterBackendChoice, runs: Int?) throws(CountingFailure) {
        func perf() throws(CountingFailure) -> PerfCounter {
            try PerfCounter(metrics: Self.resolve(wishes, cache: [.cacheReferences, .cacheMisses]))
        }
        func callgrind() throws(CountingFailure) -> CallgrindCounter {
            try CallgrindCounter(metrics: Self.resolve(wishes, cache: [.l1Hits, .llHits, .ramHits]))
        }
        switch choice {
        case .perf:
            let counter = try perf()
            if let (metric, reason) = counter.refusal() {
                throw .usage("--counter-backend perf: \(metric.rawValue): \(reason); use --counter-backend callgrind (or auto)")
            }
            (self.counter, backend, refusal) = (counter, "perf_event_open", nil)
        case .callgrind:
            (self.counter, backend, refusal) = (try callgrind(), "callgrind", nil)
        case .auto:
            // A metric only callgrind gives (estimated_cycles, its cache hits) settles it; else perf when it is allowed.
            let perfCounter = try? perf()
            let why = perfCounter.flatMap { $0.refusal() }.map { "\($0.metric.rawValue): \($0.reason)" }
            if let perfCounter, why == nil {
                (self.counter, backend, refusal) = (perfCounter, "perf_event_open", nil)
                break
            }
            do {
                (self.counter, backend, refusal) = (try callgrind(), "callgrind", why)
            } catch {
                throw .usage(error.description + (why.map { "; and hardware counters are out too (\($0))" } ?? ""))
            }
        }
        self.runs = runs ?? (backend == "callgrind" ? 1 : 5)
    }

    /// The metrics the wishes name, `cache` as the back end's cache events, each once, in order.
    static func resolve(_ wishes: [CountedWish], cache: [CountedMetric]) -> [CountedMetric] {
        var metrics: [CountedMetric] = []
        for wish in wishes {
            let named: [CountedMetric]
            switch wish {
            case .metric(let metric): named = [metric]
            case .cache: named = cache
            }
            for metric in named where !metrics.contains(metric) { metrics.append(metric) }
        }
        return metrics
    }

    /// Counts the shell's start-up (`shell -c ''`), to take it off every counted run.
    package mutating func calibrate(shell: String?) throws(CountingFailure) {
        guard let shell else { return }
        shellCounts = try counter.count([shell, "-c", ""], showOutput: false).counts
    }

    /// Counted run number `run` of one command, less the shell's counts; a non-zero exit fails
    /// unless `ignoreFailure`.
    package func measure(_ arguments: [String], label: String, run: Int, showOutput: Bool, ignoreFailure: Bool) throws(CountingFailure) -> CountedExecution {
        var execution = try counter.count(arguments, showOutput: showOutput)
        if execution.exitCode != 0 && !ignoreFailure {
            throw .failed("command \(label.debugDescription) exited with \(execution.exitCode) on counted run \(run) (under \(backend)); "
                          + "fix the command, or pass --ignore-failure")
        }
        for (metric, value) in shellCounts { execution.counts[metric] = execution.counts[metric].map { $0 - min($0, value) } }
        return execution
    }

    /// One series a counted metric, exact integers.
    package func series(_ executions: [CountedExecution], benchmark: BenchmarkKey) -> [SampleSeries] {
        counter.metrics.map { metric in
            SampleSeries(benchmark: benchmark, metric: metric.descriptor,
                         values: executions.map { Double($0.counts[metric] ?? 0) })
        }
    }

    /// The counted runs' spread as a fraction of their median (largest / smallest − 1), per metric.
    package static func spread(_ executions: [CountedExecution], _ metric: CountedMetric) -> Double {
        let values = executions.compactMap { $0.counts[metric] }.map { Double($0) }
        guard let low = values.min(), let high = values.max(), low > 0 else { return 0 }
        return high / low - 1
    }
}
