import Foundation
import HHBenchKit
import HHBenchRecording
import Records
import Statistics
import Testing

/// Busy-waits `nanoseconds`: a CPU-bound operation of known length.
func spin(_ nanoseconds: UInt64) {
    let start = monotonicNanoseconds()
    while monotonicNanoseconds() &- start < nanoseconds {}
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
}

/// The Swift harness, through its public API, recording into real databases.
@Suite(.serialized) struct HarnessTests {
    @Test func measureReportsWhatItsSamplesSay() throws {
        let suite = BenchmarkSuite("unit")
        suite.printsResults = false
        let result = suite.measure("spin_20us", warmup: 5, iterations: 200) { spin(20_000) }
        let samples = try #require(result.samples["time_ms"])
        #expect(samples.count == 200)
        let stats = Descriptive(samples)
        #expect(result["avg_time_ms"] == stats.mean)
        #expect(result["p95_time_ms"] == stats.p95)
        #expect(result["p99_time_ms"] == stats.p99)
        #expect(result["std_dev_time_ms"] == stats.standardDeviation)
        #expect(result["min_time_ms"] == stats.min && result["max_time_ms"] == stats.max)
        #expect(abs(result["throughput_ops_per_sec"]! - 1000 / stats.mean) < 1e-6)
        #expect(stats.median > 0.019 && stats.median < 0.03, "a 20 µs spin: \(stats.median) ms")
        #expect(result["memory_usage_mb"]! > 1)

        let batched = suite.measure("spin_1us_batched", warmup: 5, iterations: 100, batch: 50) { spin(1_000) }
        #expect(batched["median_time_ms"]! > 0.0009 && batched["median_time_ms"]! < 0.002)
    }

    @Test func harnessOverheadIsSmall() {
        let suite = BenchmarkSuite("overhead")
        suite.printsResults = false
        let overhead = suite.harnessOverhead(iterations: 100_000)
        #expect(overhead > 0 && overhead < 200, "\(overhead) ns (the 50 ns target is checked by HarnessOverheadBench in release builds)")
    }

    @Test func aSlowedCandidateShowsItsSlowdown() throws {
        let suite = BenchmarkSuite("compare")
        suite.printsResults = false
        let result = suite.compare("tracing", warmup: 5, iterations: 150, budgets: ["overhead_ratio" < 2.5],
                                   baseline: { spin(20_000) }, candidate: { spin(40_000) })
        let ratio = result["overhead_ratio"]!
        #expect(ratio > 1.8 && ratio < 2.2, "a 2x slower candidate: \(ratio)")
        #expect(result["overhead_ratio_ci_low"]! <= ratio && ratio <= result["overhead_ratio_ci_high"]!)
        // Throughput comes from the means, which one preemption of the baseline can move by
        // milliseconds under the parallel suite: the definition is checked exactly on the samples.
        let baselineTimes = try #require(suite.benchmarks.first { $0.name == "tracing/baseline" }?.samples["time_ms"])
        let candidateTimes = try #require(suite.benchmarks.first { $0.name == "tracing/candidate" }?.samples["time_ms"])
        #expect(baselineTimes.count == 150 && candidateTimes.count == 150)
        #expect(result["throughput_ratio"] == Descriptive.mean(baselineTimes) / Descriptive.mean(candidateTimes))
        #expect(result.budgetFailures.isEmpty)
        #expect(suite.benchmarks.map(\.name) == ["tracing/baseline", "tracing/candidate", "tracing"])

        let same = suite.compare("same", warmup: 5, iterations: 150, baseline: { spin(20_000) }, candidate: { spin(20_000) })
        #expect(abs(same["overhead_ratio"]! - 1) < 0.1)
    }

    @Test func errorsThrownOneTimeInTenAreAnErrorRateOfATenth() async {
        struct Failure: Error {}
        let suite = BenchmarkSuite("errors")
        suite.printsResults = false
        let counter = Counter()
        let threads = suite.concurrent("threads", threads: 4, operationsPerThread: 250) {
            if counter.next() % 10 == 0 { throw Failure() }
        }
        #expect(threads["error_rate"] == 0.1)
        #expect(threads.samples["time_ms"]?.count == 1000)
        #expect(threads["throughput_ops_per_sec"]! > 0)

        let asyncCounter = Counter()
        let tasks = await suite.concurrent("tasks", concurrency: 8, operations: 400) {
            try await Task.sleep(nanoseconds: 100_000)
            if asyncCounter.next() % 10 == 0 { throw Failure() }
        }
        #expect(tasks["error_rate"] == 0.1)
        #expect(tasks.samples["time_ms"]?.count == 400)

        let loadCounter = Counter()
        let load = await suite.load("load", workers: 4, duration: .milliseconds(600), rampUp: .milliseconds(200)) {
            try await Task.sleep(nanoseconds: 1_000_000)
            if loadCounter.next() % 10 == 0 { throw Failure() }
        }
        #expect(abs(load["error_rate"]! - 0.1) < 0.02)
        let operations = Double(load.samples["time_ms"]!.count)
        #expect(operations > 200)
        #expect(abs(load["throughput_ops_per_sec"]! - operations / 0.6) < operations / 0.6 * 0.25)
        #expect(load["p99_time_ms"]! >= load["p95_time_ms"]!)
    }

    @Test func keptAllocationsShowAndFreedOnesDoNot() {
        final class Box { var bytes = [UInt8](repeating: 1, count: 16_384) }
        nonisolated(unsafe) var leaked: [Box] = []
        let suite = BenchmarkSuite("memory")
        suite.printsResults = false
        // The heap is the whole process's, and other tests run beside this one (freeing memory
        // while this one keeps some): the best of several attempts shows what this operation itself
        // leaves behind, for keeping and for freeing alike. (Six attempts: resident memory is the
        // process's too, and a parallel test freeing 8 MB at the wrong moment hid one in CI.)
        let attempts = (0..<6).map { _ in suite.memory("keeps", operations: 500, { () -> Any in
            let box = Box()
            leaked.append(box)
            return box
        }) }
        let keeps = attempts.first { $0["memory_usage_mb"]! > $0["memory_before_mb"]! && $0["memory_leak_mb"]! > 7 } ?? attempts[0]
        let frees = (0..<3).map { _ in suite.memory("frees", operations: 500, { Box() as Any }) }
        #expect(keeps["memory_per_operation_kb"]! > 15 && keeps["memory_per_operation_kb"]! < 24)
        #expect(keeps["memory_leak_mb"]! > 7, "16 KB x 500 kept: \(keeps["memory_leak_mb"]!) MB")
        #expect(keeps["memory_peak_mb"]! >= keeps["memory_usage_mb"]! && keeps["memory_usage_mb"]! > keeps["memory_before_mb"]!)
        #expect(frees.contains { $0["memory_per_operation_kb"]! > 15 && $0["memory_per_operation_kb"]! < 24 })
        #expect(frees.map { $0["memory_leak_mb"]! }.min()! < 0.5, "\(frees.map { $0["memory_leak_mb"]! }) MB")

        let growing = suite.memoryStability("growing", rounds: 15, operationsPerRound: 50) { leaked.append(Box()) }
        let steady = (0..<3).map { _ in suite.memoryStability("steady", rounds: 15, operationsPerRound: 50) { blackHole(Box()) } }
        #expect(growing["memory_growth_per_round_kb"]! > 700)
        #expect(steady.map { abs($0["memory_growth_per_round_kb"]!) }.min()! < 50)
        #expect(growing["memory_variance_mb"]! > steady.map { $0["memory_variance_mb"]! }.min()!)
        leaked.removeAll()
    }

    @Test func everythingLandsInTheDatabaseWithContextAndBudgets() throws {
        let folder = try TemporaryFolder()
        let suite = BenchmarkSuite("sdk", tags: ["team": "platform"])
        suite.printsResults = false
        suite.measure("fast", warmup: 1, iterations: 50) { spin(5_000) }
        // Operations long enough that a preempted sample (tests run in parallel) cannot carry the
        // mean-based throughput ratio over its budget.
        let failing = suite.compare("instrumented", warmup: 1, iterations: 40, budgets: ["overhead_ratio" < 1.2, "throughput_ratio" > 0.9],
                                    baseline: { spin(300_000) }, candidate: { spin(900_000) })
        #expect(failing.budgetFailures.count == 2)
        #expect(suite.budgetFailures.map(\.budget.metric) == ["overhead_ratio", "throughput_ratio"])
        let receipt = try #require(try suite.record(database: folder.file("h.db"), machine: "test-box"))
        #expect(receipt.samples == 50 + 40 + 40)
        let db = folder.file("h.db")
        let run = try #require(try queryDatabase(db, "SELECT * FROM hh_runs").first)
        #expect(run["source_format"] as String == "hhbench-swift")
        #expect(run["tool"] as String == "HHBenchKit")
        #expect(run["machine"] as String == "test-box")
        #expect((run["tags"] as String).contains(#""team":"platform""#) && (run["tags"] as String).contains(#""suite":"sdk""#))
        #expect(run["commit_sha"] as String? != nil, "the context comes from git, as hhbench record's")
        #expect((run["context"] as String).contains("budgets:instrumented"))
        #expect(try scalar(db, "SELECT value FROM hh_measurements WHERE benchmark = 'instrumented' AND metric = 'budget_failures'", as: Double.self) == 2)
        let recordedP95 = try #require(try scalar(db, "SELECT value FROM hh_measurements WHERE benchmark = 'fast' AND metric = 'p95_time_ms'", as: Double.self))
        #expect(recordedP95 == suite.benchmarks.first { $0.name == "fast" }?["p95_time_ms"])
        #expect(try scalar(db, "SELECT count(*) FROM hh_samples WHERE benchmark = 'fast'") == 50)
    }

    @Test func jsonLinesGoThroughHHBenchRecord() throws {
        let folder = try TemporaryFolder()
        let suite = BenchmarkSuite("piped")
        suite.printsResults = false
        suite.measure("op", warmup: 1, iterations: 30) { spin(2_000) }
        suite.memory("alloc", operations: 10, { [UInt8](repeating: 0, count: 1000) as Any })
        try suite.write(to: folder.file("suite.jsonl"))
        let result = try hhbench(["record", "suite.jsonl", "--db", "h.db"], cwd: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        let piped = try hhbench(["record", "-", "--db", "piped.db"], cwd: folder.path, input: suite.jsonLines())
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(try scalar(folder.file("piped.db"), "SELECT count(*) FROM hh_samples WHERE benchmark = 'op'") == 30)
        #expect(try scalar(folder.file("h.db"), "SELECT count(*) FROM hh_samples WHERE benchmark = 'op'") == 30)
        #expect(try scalar(folder.file("h.db"), "SELECT count(*) FROM hh_measurements WHERE metric = 'memory_per_operation_kb'") == 2)
        #expect(try scalar(folder.file("h.db"), "SELECT tool FROM hh_runs", as: String.self) == "HHBenchKit")
    }

    @Test func asyncMeasureAndCompare() async {
        let suite = BenchmarkSuite("async")
        suite.printsResults = false
        let measured = await suite.measure("sleep", warmup: 2, iterations: 20) { try? await Task.sleep(nanoseconds: 200_000) }
        #expect(measured["median_time_ms"]! > 0.2)
        let compared = await suite.compare("async-overhead", warmup: 5, iterations: 150, budgets: ["overhead_ratio" < 2.0],
                                           baseline: { spin(20_000); await Task.yield() }, candidate: { spin(30_000); await Task.yield() })
        #expect(compared["overhead_ratio"]! > 1.2 && compared["overhead_ratio"]! < 1.8, "about 1.5: \(compared["overhead_ratio"]!)")
        #expect(compared.budgetFailures.isEmpty)
    }
}
