import Foundation
import Records
import Statistics

extension BenchmarkSuite {
    /// Memory of an operation: runs it `operations` times keeping every result, then lets them
    /// go and calls `cleanup`. Records `memory_per_operation_kb` (heap kept per call while the
    /// results live), `memory_usage_mb` (resident memory at that point), `memory_peak_mb` (the
    /// process's peak resident memory during the operations), `memory_growth_mb` (heap
    /// kept in all), and `memory_leak_mb` (heap still kept after the results are released and
    /// `cleanup` has run: what leaked). Heap figures come from the allocator (mallinfo2), which
    /// sees every byte, where resident memory moves in pages and is rarely returned.
    @discardableResult
    public func memory(_ name: String, operations: Int = 1_000, budgets: [Budget] = [],
                       _ operation: () throws -> Any, cleanup: () -> Void = {}) rethrows -> BenchmarkResult {
        let residentBefore = ProcessMemory.residentMB()
        ProcessMemory.resetPeak()
        let heapBefore = ProcessMemory.heapBytes()
        var kept: [Any] = []
        kept.reserveCapacity(operations)
        let heapReserved = ProcessMemory.heapBytes()
        for _ in 0..<operations { kept.append(try operation()) }
        let heapWith = ProcessMemory.heapBytes()
        let resident = ProcessMemory.residentMB()
        let peak = ProcessMemory.peakResidentMB()
        kept = []
        cleanup()
        let heapAfter = ProcessMemory.heapBytes()
        let perOperation = (heapWith - heapReserved) / Double(operations) / 1024
        return add(name, series: [], values: [
            ("memory_per_operation_kb", perOperation),
            ("memory_usage_mb", resident),
            ("memory_before_mb", residentBefore),
            ("memory_peak_mb", peak),
            ("memory_growth_mb", (heapWith - heapBefore) / 1_048_576),
            ("memory_leak_mb", max(0, heapAfter - heapBefore) / 1_048_576),
        ], budgets: budgets)
    }

    /// Stability over a long run: `rounds` rounds of `operationsPerRound` calls, the heap in use
    /// sampled after each. Records the `heap_mb` samples, `memory_variance_mb` (their sample
    /// standard deviation) and `memory_growth_per_round_kb` (their Theil–Sen slope): a steady
    /// workload keeps both near zero, a leak shows as a slope.
    @discardableResult
    public func memoryStability(_ name: String, rounds: Int = 20, operationsPerRound: Int = 1_000, budgets: [Budget] = [],
                                _ operation: () throws -> Void) rethrows -> BenchmarkResult {
        var heap: [Double] = []
        for _ in 0..<rounds {
            for _ in 0..<operationsPerRound { try operation() }
            heap.append(ProcessMemory.heapBytes() / 1_048_576)
        }
        let slope = TheilSen(x: heap.indices.map(Double.init), y: heap)?.slope ?? 0
        return add(name, series: [("heap_mb", heap.map(DecimalNumber.init))], values: [
            ("memory_variance_mb", Descriptive.standardDeviation(heap, mean: Descriptive.mean(heap))),
            ("memory_growth_per_round_kb", slope * 1024),
        ], budgets: budgets, units: ["heap_mb": "MB"])
    }
}
