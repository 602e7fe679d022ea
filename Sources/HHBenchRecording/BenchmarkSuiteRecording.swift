import Foundation
import HHBenchKit
import Records
import Recording
import Warehouse

/// Recording a suite straight into the warehouse, in process: the opt-in half of the harness
/// (product `HHBenchRecording`), so that `HHBench` alone stays a small library without a database.
/// It goes through `hhbench record`'s own path: context captured from git, the machine and CI,
/// derived metrics, one transaction.
extension BenchmarkSuite {
    /// Records the suite as one run into the warehouse (`database`, else HHBENCH_DB, else
    /// .hhbench/history.db at the git top level).
    @discardableResult
    public func record(database: String? = nil, machine: String? = nil, tags: [String: String] = [:]) throws -> RunReceipt? {
        var overrides = RunContext()
        overrides.tags = tags
        let recorder = Recorder(overrides: overrides, machineName: machine, allowDuplicate: true)
        let warehouse = try Warehouse(path: DatabaseLocation.resolve(database))
        if case .recorded(let receipt) = try recorder.record(runRecord, source: "suite \(name)", into: warehouse) { return receipt }
        return nil
    }

    /// Records the suite (or, with `HHBENCH_OUTPUT` set, writes its JSON lines as `finish()` does).
    /// Returns false when a budget failed.
    @discardableResult
    public func finishRecording(database: String? = nil) throws -> Bool {
        if ProcessInfo.processInfo.environment["HHBENCH_OUTPUT"] != nil { return try finish() }
        if let receipt = try record(database: database), printsResults {
            FileHandle.standardError.write(Data("hhbench: recorded run \(receipt.runID) (\(receipt.uuid)): \(receipt.benchmarks) benchmarks, \(receipt.samples) samples\n".utf8))
        }
        return budgetFailures.isEmpty
    }
}
