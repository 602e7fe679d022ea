import Foundation
import Records
import Statistics

/// Latencies and outcomes collected from many threads or tasks at once.
final class OutcomeTally: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var latencies: [UInt64] = []
    private(set) var errors = 0
    private(set) var firstStart = UInt64.max
    private(set) var lastEnd: UInt64 = 0

    func add(start: UInt64, end: UInt64, failed: Bool) {
        lock.withLock {
            latencies.append(end &- start)
            if failed { errors += 1 }
            firstStart = min(firstStart, start)
            lastEnd = max(lastEnd, end)
        }
    }

    var count: Int { lock.withLock { latencies.count } }
}

extension BenchmarkSuite {
    /// `threads` threads each run `body` `operationsPerThread` times; a thrown error counts as an
    /// error. Records `time_ms` samples (every operation), `throughput_ops_per_sec` (operations
    /// over the wall time from the first start to the last end) and `error_rate`.
    @discardableResult
    public func concurrent(_ name: String, threads: Int, operationsPerThread: Int, budgets: [Budget] = [],
                           _ body: @escaping @Sendable () throws -> Void) -> BenchmarkResult {
        let collector = OutcomeTally()
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            Thread {
                defer { group.leave() }
                for _ in 0..<operationsPerThread {
                    let start = monotonicNanoseconds()
                    var failed = false
                    do { try body() } catch { failed = true }
                    collector.add(start: start, end: monotonicNanoseconds(), failed: failed)
                }
            }.start()
        }
        group.wait()
        return addCollected(name, collector, extra: [("threads", Double(threads))], budgets: budgets)
    }

    /// `operations` calls of an async `body`, at most `concurrency` at a time.
    @discardableResult
    public func concurrent(_ name: String, concurrency: Int, operations: Int, budgets: [Budget] = [],
                           _ body: @escaping @Sendable () async throws -> Void) async -> BenchmarkResult {
        let collector = OutcomeTally()
        await withTaskGroup(of: Void.self) { group in
            var started = 0
            func launch() {
                started += 1
                group.addTask {
                    let start = monotonicNanoseconds()
                    var failed = false
                    do { try await body() } catch { failed = true }
                    collector.add(start: start, end: monotonicNanoseconds(), failed: failed)
                }
            }
            while started < min(concurrency, operations) { launch() }
            for await _ in group where started < operations { launch() }
        }
        return addCollected(name, collector, extra: [("concurrency", Double(concurrency))], budgets: budgets)
    }

    /// Load: `workers` tasks start staggered over `rampUp` and call `body` back to back until
    /// `duration` has passed since the start (at most `maxOperations` in all). Records `time_ms`
    /// samples, `throughput_ops_per_sec`, `error_rate` (and so `p95_time_ms`, `p99_time_ms`).
    @discardableResult
    public func load(_ name: String, workers: Int, duration: Duration, rampUp: Duration = .zero, maxOperations: Int = 10_000_000,
                     budgets: [Budget] = [], _ body: @escaping @Sendable () async throws -> Void) async -> BenchmarkResult {
        let collector = OutcomeTally()
        let start = monotonicNanoseconds()
        let end = start + UInt64(duration.nanoseconds)
        let ramp = UInt64(rampUp.nanoseconds)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    let delay = workers > 1 ? ramp * UInt64(worker) / UInt64(workers) : 0
                    if delay > 0 { try? await Task.sleep(nanoseconds: delay) }
                    while monotonicNanoseconds() < end, collector.count < maxOperations {
                        let begin = monotonicNanoseconds()
                        var failed = false
                        do { try await body() } catch { failed = true }
                        collector.add(start: begin, end: monotonicNanoseconds(), failed: failed)
                    }
                }
            }
        }
        let measured = Double(collector.lastEnd &- start) / 1e9
        let throughput = measured > 0 ? Double(collector.latencies.count) / measured : 0
        return addCollected(name, collector, extra: [("workers", Double(workers))], throughputOverride: throughput, budgets: budgets)
    }

    private func addCollected(_ name: String, _ collector: OutcomeTally, extra: [(String, Double)], throughputOverride: Double? = nil,
                              budgets: [Budget]) -> BenchmarkResult {
        let latencies = collector.latencies
        let wall = collector.lastEnd > collector.firstStart ? Double(collector.lastEnd - collector.firstStart) / 1e9 : 0
        let throughput = throughputOverride ?? (wall > 0 ? Double(latencies.count) / wall : 0)
        var values: [(String, Double)] = [
            ("throughput_ops_per_sec", throughput),
            ("error_rate", latencies.isEmpty ? 0 : Double(collector.errors) / Double(latencies.count)),
        ]
        values += extra
        return add(name, series: [("time_ms", SampleLoop.milliseconds(latencies, batch: 1))], values: values, budgets: budgets,
                   units: ["threads": "count", "concurrency": "count", "workers": "count"])
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
