import Foundation
import Records
import Statistics

extension BenchmarkSuite {
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
        let operations = Double(iterations * batch) * 1024
        return addComparison(name, a, b, batch: batch, memoryKB: (heapA / operations, heapB / operations), budgets: budgets)
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
        let operations = Double(iterations * batch) * 1024
        return addComparison(name, a, b, batch: batch, memoryKB: (heapA / operations, heapB / operations), budgets: budgets)
    }

    private func addComparison(_ name: String, _ a: [UInt64], _ b: [UInt64], batch: Int, memoryKB: (baseline: Double, candidate: Double),
                               budgets: [Budget]) -> BenchmarkResult {
        let timesA = SampleLoop.milliseconds(a, batch: batch), timesB = SampleLoop.milliseconds(b, batch: batch)
        _ = add(name + "/baseline", series: [("time_ms", timesA)], values: [], budgets: [])
        _ = add(name + "/candidate", series: [("time_ms", timesB)], values: [], budgets: [])
        // Heap growth an operation; NaN where the platform cannot read the heap, and then left out.
        let memory: (baseline: Double, candidate: Double)? = memoryKB.baseline.isFinite && memoryKB.candidate.isFinite ? memoryKB : nil
        let ratios = OverheadRatios.measurements(baselineTimes: timesA.map(\.value), candidateTimes: timesB.map(\.value),
                                                 memoryKB: memory, benchmark: BenchmarkKey(name: name))
        return add(name, series: [], values: ratios.map { ($0.metric.name, $0.value) }, budgets: budgets,
                   units: Dictionary(ratios.map { ($0.metric.name, $0.metric.unit) }, uniquingKeysWith: { first, _ in first }))
    }
}
