import HHBenchKit

// The harness's own cost per iteration, on an empty closure (issue 8's target: at most 50 ns).
// Usage: swift run -c release HarnessOverheadBench
let suite = BenchmarkSuite("harness-overhead")
suite.printsResults = false
var medians: [Double] = []
for _ in 0..<7 { medians.append(suite.harnessOverhead(iterations: 1_000_000)) }
medians.sort()
print("harness overhead per iteration (empty closure, median of 1,000,000 samples, 7 rounds): "
      + "min \(medians.first!) ns, median \(medians[3]) ns, max \(medians.last!) ns (target <= 50 ns)")
