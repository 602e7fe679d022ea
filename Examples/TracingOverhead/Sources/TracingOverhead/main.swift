import Foundation
import HHBenchKit
import InMemoryTracing
import Tracing

/// The work being traced: a computation of about 20 µs (n = 20,000), the size of a typical SDK call.
@inline(never)
func computation(_ n: Int) -> Int {
    var total = 0
    for i in 0..<n { total &+= i &* i ^ (total >> 3) }
    return total
}

let tracer = InMemoryTracer()
InstrumentationSystem.bootstrap(tracer)

let suite = BenchmarkSuite("tracing-overhead", tags: ["library": "swift-distributed-tracing 1.7.3"])

// 1. The bare operation.
suite.measure("computation_test/bare", warmup: 500, iterations: 5_000) { blackHole(computation(20_000)) }

// 2. Baseline against traced, interleaved: overhead_ratio, throughput_ratio, memory overhead.
suite.compare("computation_test", warmup: 500, iterations: 5_000, budgets: ["overhead_ratio" < 2.0],
              baseline: { blackHole(computation(20_000)) },
              candidate: {
                  blackHole(withSpan("computation") { span in
                      span.attributes["n"] = 20_000
                      return computation(20_000)
                  })
              })
tracer.clearAll()

// 3. Memory per span: the recording tracer keeps every finished span until cleared.
suite.memory("memory_per_span", operations: 20_000, budgets: ["memory_per_operation_kb" < 5.0], {
    withSpan("allocate") { span in
        span.attributes["user.id"] = "42"
        return computation(10)
    }
}, cleanup: { tracer.clearAll() })

// 4. Stability over a long run, clearing spans as an exporter would.
suite.memoryStability("memory_stability", rounds: 30, operationsPerRound: 2_000) {
    blackHole(withSpan("steady") { _ in computation(10) })
    if tracer.finishedSpans.count > 1_000 { tracer.clearFinishedSpans() }
}

// 5. A load test: 8 workers, ramped up over half a second, for two seconds.
await suite.load("load_test", workers: 8, duration: .seconds(2), rampUp: .milliseconds(500),
                 budgets: ["error_rate" < 0.01, "p95_time_ms" < 100]) {
    try await withSpan("request") { _ in
        try await Task.sleep(for: .milliseconds(1))
        blackHole(computation(400))
    }
    if tracer.finishedSpans.count > 10_000 { tracer.clearFinishedSpans() }
}

suite.harnessOverhead()
// hhbench's JSON lines on standard output, for `hhbench record -` (run.sh pipes them there).
let passed = try suite.finish()
if !passed { FileHandle.standardError.write(Data("budgets failed: \(suite.budgetFailures)\n".utf8)) }
