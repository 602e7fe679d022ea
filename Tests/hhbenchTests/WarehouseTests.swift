import Foundation
import GRDB
import Records
import Testing
@testable import Warehouse

@Suite struct SampleCodingTests {
    func roundTrip(_ samples: [DecimalNumber]) -> (SampleCoding.Stored, [Double]?) {
        let stored = SampleCoding.encode(samples)
        return (stored, SampleCoding.decode(stored))
    }

    @Test func shortDecimalsAreStoredAsMantissasOverOneDivisor() {
        let samples = ["0.051234", "0.05", "0.0612"].map { DecimalNumber.parse(Array($0.utf8)[...])! }
        let (stored, values) = roundTrip(samples)
        #expect(!stored.ieee754)
        #expect(stored.divisor == 1e6)
        #expect(stored.base == 50_000)
        #expect(stored.width == 2, "offsets up to 11,200 take two bytes")
        #expect(stored.bytes == [0x04, 0xD2, 0x00, 0x00, 0x2B, 0xC0])
        #expect(values == [0.051234, 0.05, 0.0612])
    }

    @Test func fullPrecisionTimesAreStoredAsBitPatternsInSevenBytes() throws {
        // pytest-benchmark's first rounds of test_sum_range, in ms: 16 and 17 significant digits.
        let texts = ["1.578881000000365", "1.6234170000188897", "1.5514909999865267", "1.217546000020775"]
        let samples = texts.map { DecimalNumber.parse(Array($0.utf8)[...])! }
        let (stored, values) = roundTrip(samples)
        #expect(stored.ieee754)
        #expect(stored.width == 7)
        #expect(try #require(values).map(\.bitPattern) == texts.map { Double($0)!.bitPattern })
    }

    @Test func aConstantSeriesTakesNoBytesPerSample() {
        let (stored, values) = roundTrip(Array(repeating: DecimalNumber(3.25), count: 1000))
        #expect(stored.width == 0)
        #expect(stored.bytes.isEmpty)
        #expect(values == Array(repeating: 3.25, count: 1000))
    }

    @Test func everyDoubleComesBackBitForBit() throws {
        var generator = SystemRandomNumberGenerator()
        let awkward: [Double] = [0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude,
                                 .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e-310, 0.1 + 0.2, -5, 9_007_199_254_740_993]
        var series: [[DecimalNumber]] = [awkward.map(DecimalNumber.init)]
        for _ in 0..<300 {
            let count = Int.random(in: 1...60, using: &generator)
            let scale: Double = pow(10, Double.random(in: -6...6, using: &generator))
            let spread: Double = [0.001, 0.05, 1, 40].randomElement(using: &generator) ?? 1
            series.append((0..<count).map { _ in
                let value = scale * exp(Double.random(in: -spread...spread, using: &generator))
                let signed = Bool.random(using: &generator) && spread > 1 ? -value : value
                // Half the series as short decimals (six places), as most tools write them.
                return spread < 1 && count % 2 == 0
                    ? DecimalNumber.parse(Array(String(format: "%.6f", signed).utf8)[...]) ?? DecimalNumber(signed)
                    : DecimalNumber(signed)
            })
        }
        for samples in series {
            let (stored, values) = roundTrip(samples)
            #expect(try #require(values).map(\.bitPattern) == samples.map(\.value.bitPattern))
            #expect(stored.bytes.count == samples.count * stored.width)
        }
    }

    @Test func columnsThatDisagreeAreRefusedNotTrapped() {
        let stored = SampleCoding.Stored(count: 3, ieee754: true, divisor: 1, base: 0, width: 7, bytes: [1, 2, 3])
        #expect(SampleCoding.decode(stored) == nil)
        #expect(SampleCoding.decode(SampleCoding.Stored(count: Int.max, ieee754: true, divisor: 1, base: 0, width: 8, bytes: [])) == nil)
        #expect(SampleCoding.decode(SampleCoding.Stored(count: 1, ieee754: false, divisor: 0, base: 0, width: 0, bytes: [])) == nil)
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
