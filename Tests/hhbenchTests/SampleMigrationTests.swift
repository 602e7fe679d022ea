import Foundation
import GRDB
import Testing
@testable import Warehouse

/// Migration 0003 on a database written by hhbench before it (c353497: samples as JSON text), from
/// real tools' files and full-precision values: nothing changes but the size.
@Suite struct SampleMigrationTests {
    /// The version-2 database, copied so the fixture stays as it is.
    func copyOfVersion2(_ folder: TemporaryFolder) throws -> (old: String, new: String) {
        let old = fixture("warehouse-v2/history.db")
        let new = folder.file("history.db")
        try FileManager.default.copyItem(atPath: old, toPath: new)
        return (old, new)
    }

    @Test func exportIsByteForByteWhatTheOldBinaryExported() throws {
        let folder = try TemporaryFolder()
        let (_, db) = try copyOfVersion2(folder)
        #expect(try scalar(db, "PRAGMA user_version") == 2)
        #expect(try Warehouse(path: db).schemaVersion() == Migrations.latestVersion)
        #expect(try scalar(db, "SELECT count(*) FROM sqlite_master WHERE name = 'sample_series_json'") == 0)
        let export = try hhbench(["export", "--db", db, "--format", "jsonl"], cwd: folder.path)
        #expect(export.status == 0, "\(export.stderr)")
        let expected = try String(contentsOfFile: fixture("warehouse-v2/export.jsonl"), encoding: .utf8)
        #expect(export.stdout == expected)
    }

    @Test func theSamplesViewGivesTheSameDoublesBitForBit() throws {
        let folder = try TemporaryFolder()
        let (old, db) = try copyOfVersion2(folder)
        _ = try Warehouse(path: db)
        let sql = "SELECT run_uuid, benchmark, series, idx, value FROM hh_samples ORDER BY run_uuid, benchmark, series, idx"
        let before = try queryDatabase(old, sql)
        let after = try queryDatabase(db, sql)
        #expect(before.count == 6710)
        #expect(after.count == before.count)
        for (a, b) in zip(before, after) {
            #expect(a["benchmark"] as String == b["benchmark"] as String)
            #expect(a["idx"] as Int == b["idx"] as Int)
            let x: Double = a["value"], y: Double = b["value"]
            if x.bitPattern != y.bitPattern {
                Issue.record("\(a["benchmark"] as String) #\(a["idx"] as Int): \(x) became \(y)")
                return
            }
        }
    }

    @Test func fullPrecisionSamplesTakeAtMostTenBytesEach() throws {
        let folder = try TemporaryFolder()
        let (old, db) = try copyOfVersion2(folder)
        _ = try Warehouse(path: db)
        // The stored sample columns only: real pytest-benchmark, hyperfine, Google Benchmark and
        // go rounds, and the full-precision file, before and after.
        let before = try scalar(old, "SELECT sum(length(samples)) * 1.0 / sum(count) FROM sample_series", as: Double.self) ?? 0
        let after = try scalar(db, "SELECT sum(length(samples)) * 1.0 / sum(count) FROM sample_series", as: Double.self) ?? 0
        #expect(before > 14, "JSON text took \(before) bytes a sample")
        #expect(after <= 8, "binary takes \(after) bytes a sample")
        // Whole rows with their indexes, as the file holds them.
        let rows = try scalar(db, """
            SELECT sum(pgsize) * 1.0 / (SELECT sum(count) FROM sample_series) FROM dbstat
            WHERE name IN ('sample_series', 'sample_series_series', 'sqlite_autoindex_sample_series_1')
            """, as: Double.self)
        if let rows { #expect(rows <= 10, "sample_series and its indexes take \(rows) bytes a sample") }
    }
}
