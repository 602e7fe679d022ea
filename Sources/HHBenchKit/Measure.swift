import Foundation
import Records
import Statistics

/// Per-operation samples from a loop that reads the clock once per iteration: the end of one
/// iteration is the start of the next, so the harness costs one clock read (~23 ns here) plus a
/// store per iteration. With `batch` > 1 each sample times `batch` calls and is divided by it,
/// for operations too short to time one by one.
struct SampleLoop {
    static func run(iterations: Int, batch: Int, _ body: () throws -> Void) rethrows -> [UInt64] {
        var samples = [UInt64](repeating: 0, count: iterations)
        try samples.withUnsafeMutableBufferPointer { buffer in
            var previous = monotonicNanoseconds()
            for index in 0..<iterations {
                for _ in 0..<batch { try body() }
                let current = monotonicNanoseconds()
                buffer[index] = current &- previous
                previous = current
            }
        }
        return samples
    }

    static func run(iterations: Int, batch: Int, _ body: () async throws -> Void) async rethrows -> [UInt64] {
        var samples = [UInt64](repeating: 0, count: iterations)
        var previous = monotonicNanoseconds()
        for index in 0..<iterations {
            for _ in 0..<batch { try await body() }
            let current = monotonicNanoseconds()
            samples[index] = current &- previous
            previous = current
        }
        return samples
    }

    /// Milliseconds per operation, exact when a sample times one call (nanoseconds as ms with six decimals).
    static func milliseconds(_ samples: [UInt64], batch: Int) -> [DecimalNumber] {
        samples.map { ns in
            batch == 1 ? DecimalNumber(value: Double(ns) / 1e6, mantissa: Int64(ns), scale: 6)
                       : DecimalNumber(Double(ns) / Double(batch) / 1e6)
        }
    }
}

extension BenchmarkSuite {
    /// The harness's own cost per iteration in nanoseconds: the median sample of an empty closure
    /// through the same loop. Recorded as `harness_overhead_ns` of the benchmark "hhbench.harness".
    @discardableResult
    public func harnessOverhead(iterations: Int = 200_000) -> Double {
        _ = SampleLoop.run(iterations: 10_000, batch: 1) {}
        let samples = SampleLoop.run(iterations: iterations, batch: 1) {}
        let median = Descriptive.median(samples.map { Double($0) })
        _ = add("hhbench.harness", series: [], values: [("harness_overhead_ns", median)], budgets: [], units: ["harness_overhead_ns": "ns"])
        return median
    }

    /// Measures `body`: `warmup` untimed calls, then `iterations` timed samples. Records `time_ms`
    /// samples (and so `avg_time_ms`, `std_dev_time_ms`, `min_time_ms`, `max_time_ms`,
    /// `p95_time_ms`, `p99_time_ms`, `throughput_ops_per_sec`) and `memory_usage_mb` (resident
    /// memory after the run) and `memory_per_operation_kb` (heap kept per call). With `counters`,
    /// also each counter per operation (`instructions`, `cycles`, `page_faults`), read around the
    /// timed samples, the loop's clock reads included (`Counter`; absent where perf_event_open is
    /// refused, with a line on standard error).
    @discardableResult
    public func measure(_ name: String, warmup: Int = 100, iterations: Int = 1_000, batch: Int = 1, budgets: [Budget] = [],
                        counters: [Counter] = [], _ body: () throws -> Void) rethrows -> BenchmarkResult {
        for _ in 0..<warmup { try body() }
        let group = counters.isEmpty ? nil : CounterGroup(counters, benchmark: name)
        let heapBefore = ProcessMemory.heapBytes()
        group?.start()
        let samples = try SampleLoop.run(iterations: iterations, batch: batch, body)
        let counts = group?.finish(operations: iterations * batch) ?? []
        let heapAfter = ProcessMemory.heapBytes()
        return add(name, series: [("time_ms", SampleLoop.milliseconds(samples, batch: batch))],
                   values: [("memory_usage_mb", ProcessMemory.residentMB()),
                            ("memory_per_operation_kb", max(0, heapAfter - heapBefore) / Double(iterations * batch) / 1024)] + counts,
                   budgets: budgets, units: Dictionary(uniqueKeysWithValues: counts.map { ($0.0, "count") }))
    }

    /// `measure` for async work.
    @discardableResult
    public func measure(_ name: String, warmup: Int = 100, iterations: Int = 1_000, batch: Int = 1, budgets: [Budget] = [],
                        _ body: () async throws -> Void) async rethrows -> BenchmarkResult {
        for _ in 0..<warmup { try await body() }
        let heapBefore = ProcessMemory.heapBytes()
        let samples = try await SampleLoop.run(iterations: iterations, batch: batch, body)
        let heapAfter = ProcessMemory.heapBytes()
        return add(name, series: [("time_ms", SampleLoop.milliseconds(samples, batch: batch))],
                   values: [("memory_usage_mb", ProcessMemory.residentMB()),
                            ("memory_per_operation_kb", max(0, heapAfter - heapBefore) / Double(iterations * batch) / 1024)],
                   budgets: budgets)
    }
}
