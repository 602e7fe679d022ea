import Foundation
import Records
import Statistics

extension Suite {
    /// Baseline against candidate (the bare operation against the instrumented one), interleaved
    /// sample by sample so that drift hits both. Records `NAME/baseline` and `NAME/candidate`
    /// `time_ms` samples and, on `NAME`: `overhead_ratio` (median candidate / median baseline)
    /// with its 95 % percentile-bootstrap interval, `throughput_ratio` (candidate's operations per
    /// second over the baseline's, from the means), and `memory_overhead_kb` (heap kept per
    /// candidate call beyond the baseline's).
    @discardableResult
    public func compare(_ name: String, warmup: Int = 100, iterations: Int = 1_000, batch: Int = 1, budgets: [Budget] = [],
                        baseline: () throws -> Void, candidate: () throws -> Void) rethrows -> BenchmarkResult {
        for _ in 0..<warmup {
            try baseline()
            try candidate()
        }
        var a = [UInt64](), b = [UInt64]()
        a.reserveCapacity(iterations)
        b.reserveCapacity(iterations)
        var heapA = 0.0, heapB = 0.0
        for _ in 0..<iterations {
            let h0 = ProcessMemory.heapBytes()
            a += try SampleLoop.run(iterations: 1, batch: batch, baseline)
            let h1 = ProcessMemory.heapBytes()
            b += try SampleLoop.run(iterations: 1, batch: batch, candidate)
            let h2 = ProcessMemory.heapBytes()
            heapA += h1 - h0
            heapB += h2 - h1
        }
        return addComparison(name, a, b, batch: batch, memoryOverheadKB: (heapB - heapA) / Double(iterations * batch) / 1024, budgets: budgets)
    }

    /// `compare` for async work.
    @discardableResult
    public func compare(_ name: String, warmup: Int = 100, iterations: Int = 1_000, batch: Int = 1, budgets: [Budget] = [],
                        baseline: () async throws -> Void, candidate: () async throws -> Void) async rethrows -> BenchmarkResult {
        for _ in 0..<warmup {
            try await baseline()
            try await candidate()
        }
        var a = [UInt64](), b = [UInt64]()
        var heapA = 0.0, heapB = 0.0
        for _ in 0..<iterations {
            let h0 = ProcessMemory.heapBytes()
            a += try await SampleLoop.run(iterations: 1, batch: batch, baseline)
            let h1 = ProcessMemory.heapBytes()
            b += try await SampleLoop.run(iterations: 1, batch: batch, candidate)
            let h2 = ProcessMemory.heapBytes()
            heapA += h1 - h0
            heapB += h2 - h1
        }
        return addComparison(name, a, b, batch: batch, memoryOverheadKB: (heapB - heapA) / Double(iterations * batch) / 1024, budgets: budgets)
    }

    private func addComparison(_ name: String, _ a: [UInt64], _ b: [UInt64], batch: Int, memoryOverheadKB: Double,
                               budgets: [Budget]) -> BenchmarkResult {
        let timesA = SampleLoop.milliseconds(a, batch: batch), timesB = SampleLoop.milliseconds(b, batch: batch)
        _ = add(name + "/baseline", series: [("time_ms", timesA)], values: [], budgets: [])
        _ = add(name + "/candidate", series: [("time_ms", timesB)], values: [], budgets: [])
        let valuesA = timesA.map(\.value), valuesB = timesB.map(\.value)
        let medianA = Descriptive.median(valuesA), meanB = Descriptive.mean(valuesB)
        let interval = Bootstrap.ratioOfMedians(valuesA, valuesB)
        return add(name, series: [], values: [
            ("overhead_ratio", medianA == 0 ? .nan : Descriptive.median(valuesB) / medianA),
            ("overhead_ratio_ci_low", interval.lower), ("overhead_ratio_ci_high", interval.upper),
            ("throughput_ratio", meanB == 0 ? .nan : Descriptive.mean(valuesA) / meanB),
            ("memory_overhead_kb", memoryOverheadKB),
        ], budgets: budgets, units: ["overhead_ratio_ci_low": "ratio", "overhead_ratio_ci_high": "ratio"])
    }
}
