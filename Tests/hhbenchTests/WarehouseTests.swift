import Foundation
import GRDB
import Records
import Testing
@testable import Warehouse

@Suite struct SampleCodingTests {
    @Test func shortDecimalsAreStoredAsIntegersWithOneDivisor() {
        let samples = ["0.051234", "0.05", "1.2"].map { DecimalNumber.parse(Array($0.utf8)[...])! }
        let (text, divisor) = SampleCoding.encode(samples)
        #expect(text == "[51234,50000,1200000]")
        #expect(divisor == 1e6)
        #expect(SampleCoding.decode(text, divisor: divisor) == [0.051234, 0.05, 1.2])
    }

    @Test func valuesWithoutShortDecimalsFallBackToExactDoubles() {
        let samples = [DecimalNumber(0.1 + 0.2), DecimalNumber(1.5)]
        let (text, divisor) = SampleCoding.encode(samples)
        #expect(divisor == 1)
        #expect(SampleCoding.decode(text, divisor: divisor) == [0.1 + 0.2, 1.5])
    }

    @Test func everyDecodedValueIsTheDoubleOfItsText() {
        var generator = SystemRandomNumberGenerator()
        let texts = (0..<2000).map { _ in
            let ns = Int.random(in: 1...999_999_999, using: &generator)
            return String(format: "%.6f", Double(ns) / 1e6)
        }
        let samples = texts.map { DecimalNumber.parse(Array($0.utf8)[...])! }
        let (text, divisor) = SampleCoding.encode(samples)
        #expect(SampleCoding.decode(text, divisor: divisor) == texts.map { Double($0)! })
    }
}

@Suite struct WarehouseTests {
    func record(_ benchmark: String = "b", samples: [Double] = [1, 2, 3], hash: String = "h1", sha: String? = "a1") -> RunRecord {
        var record = RunRecord(sourceFormat: "native", series: [
            SampleSeries(benchmark: BenchmarkKey(name: benchmark), metric: MetricDescriptor(name: "time_ms"), values: samples),
        ]).addingDerivedMetrics()
        record.context.machine = MachineInfo(name: "m1", os: "Linux", cpuCores: 2)
        record.context.commit = sha.map { CommitInfo(sha: $0, parents: ["p0"], subject: "subject") }
        record.contentHash = hash
        return record
    }

    @Test func migratesANewDatabaseAndRecordsTheVersion() throws {
        let folder = try TemporaryFolder()
        let warehouse = try Warehouse(path: folder.file("nested/dir/history.db"))
        #expect(try warehouse.schemaVersion() == Migrations.latestVersion)
        let applied = try queryDatabase(warehouse.path, "SELECT version, name, checksum FROM hh_schema_migrations ORDER BY version")
        #expect(applied.map { $0["version"] as Int } == Migrations.all.map(\.version))
        #expect(applied.map { $0["checksum"] as String } == Migrations.all.map(\.checksum))
        #expect(try scalar(warehouse.path, "PRAGMA journal_mode", as: String.self) == "wal")
    }

    @Test func tablesAreStrict() throws {
        let folder = try TemporaryFolder()
        let warehouse = try Warehouse(path: folder.file("h.db"))
        let tables = try queryDatabase(warehouse.path, "SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'")
        #expect(tables.count >= 7)
        for table in tables { #expect(table["strict"] as Int == 1, "\(table["name"] as String) is not STRICT") }
    }

    @Test func writesARunWithEverySample() throws {
        let folder = try TemporaryFolder()
        let warehouse = try Warehouse(path: folder.file("h.db"))
        guard case .recorded(let receipt) = try warehouse.write(record(samples: [0.5, 0.25, 0.125])) else {
            Issue.record("not recorded"); return
        }
        #expect(receipt.samples == 3)
        let samples = try queryDatabase(warehouse.path, "SELECT idx, value, series FROM hh_samples ORDER BY idx")
        #expect(samples.map { $0["value"] as Double } == [0.5, 0.25, 0.125])
        #expect(samples.map { $0["idx"] as Int } == [0, 1, 2])
        #expect(try warehouse.samples(runID: receipt.runID, benchmark: "b", series: "time_ms") == [0.5, 0.25, 0.125])
        let commit = try queryDatabase(warehouse.path, "SELECT parents, first_parent, subject FROM commits").first
        #expect(commit?["first_parent"] as String? == "p0")
        #expect(commit?["parents"] as String? == #"["p0"]"#)
    }

    @Test func theSameInputForTheSameCommitAndMachineIsRecordedOnce() throws {
        let folder = try TemporaryFolder()
        let warehouse = try Warehouse(path: folder.file("h.db"))
        guard case .recorded(let first) = try warehouse.write(record()) else { Issue.record("not recorded"); return }
        #expect(try warehouse.write(record()) == .duplicate(runID: first.runID, uuid: first.uuid))
        #expect(try warehouse.count("runs") == 1)
        // Another commit, or allowDuplicate, records it again.
        if case .duplicate = try warehouse.write(record(sha: "a2")) { Issue.record("other commit skipped") }
        if case .duplicate = try warehouse.write(record(), allowDuplicate: true) { Issue.record("allowDuplicate skipped") }
        #expect(try warehouse.count("runs") == 3)
    }

    @Test func aFailedWriteLeavesNothing() throws {
        let folder = try TemporaryFolder()
        let warehouse = try Warehouse(path: folder.file("h.db"))
        var bad = record()
        // The same benchmark and metric twice breaks the measurements primary key halfway through the run.
        bad.measurements.append(bad.measurements[0])
        #expect(throws: (any Error).self) { try warehouse.write(bad) }
        for table in ["runs", "measurements", "sample_series", "commits", "benchmarks"] {
            #expect(try warehouse.count(table) == 0, "\(table) kept rows")
        }
    }

    @Test func aNewerSchemaIsRefusedAndLeftUntouched() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("h.db")
        _ = try Warehouse(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = DELETE")
            try db.execute(sql: "PRAGMA user_version = 999")
        }
        try queue.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect {
            _ = try Warehouse(path: path)
        } throws: { error in
            guard case WarehouseError.newerSchema(_, let found, let supported) = error else { return false }
            return found == 999 && supported == Migrations.latestVersion
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }
}
