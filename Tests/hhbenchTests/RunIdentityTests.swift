import Foundation
import Testing
import Warehouse

/// A run's identity comes from what is stored: the content hash is computed by the warehouse,
/// never copied from a file, and a stored uuid with other content is a conflict.
@Suite struct RunIdentityTests {
    @Test(arguments: Engine.allCases) func anEditedExportIsAConflictAndAnUneditedOneADuplicate(engine: Engine) throws {
        let folder = try TemporaryFolder()
        let db = try engine.newWarehouse(in: folder)
        let input = try folder.write("r.jsonl", #"{"benchmark":"parse","metric":"time_ms","samples":[1.5,1.25,1.75,1.5]}"#
                                     + "\n" + #"{"benchmark":"parse","metric":"rss_mb","value":12}"# + "\n")
        let recorded = try hhbench(["record", "--db", db, input, "--commit", "abc123", "--branch", "main", "--machine", "m1"], cwd: folder.path)
        try #require(recorded.status == 0, "\(recorded.stderr)")
        let export = try hhbench(["export", "--db", db, "--format", "jsonl"], cwd: folder.path)
        try #require(export.status == 0 && export.stdout.contains("\"uuid\""), "\(export.stderr)")

        // The stored hash is the hash of what is stored, not of the file.
        let warehouse = try Warehouse(path: db, access: .readOnly)
        let runID = try #require(try warehouse.runIDs().first)
        let stored = try #require(try scalar(db, "SELECT content_hash FROM runs", as: String.self))
        #expect(stored == (try warehouse.exportRecord(runID: runID)).storedContentHash)

        // Unedited, the export is the same run: nothing new.
        let same = try folder.write("same.jsonl", export.stdout)
        let again = try hhbench(["record", "--db", db, same], cwd: folder.path)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try storedRuns(db) == 1)

        // A sample edited, the content_hash line left as it was: a conflict naming both, nothing written.
        let edited = try folder.write("edited.jsonl", export.stdout.replacingOccurrences(of: "1.75", with: "9.75"))
        let conflict = try hhbench(["record", "--db", db, edited], cwd: folder.path)
        #expect(conflict.status == 2, "\(conflict.stdout) \(conflict.stderr)")
        #expect(conflict.stderr.contains("edited.jsonl") && conflict.stderr.contains("as run \(runID)") && conflict.stderr.contains("other content"),
                "\(conflict.stderr)")
        #expect(try storedRuns(db) == 1)

        // A file's own content_hash is never taken.
        let claimed = try folder.write("claimed.jsonl", #"{"run":{"content_hash":"0000"}}"# + "\n"
                                       + #"{"benchmark":"other","metric":"time_ms","samples":[2,3]}"# + "\n")
        #expect(try hhbench(["record", "--db", db, claimed, "--commit", "abc123", "--branch", "main", "--machine", "m1"], cwd: folder.path).status == 0)
        #expect(try scalar(db, "SELECT count(*) FROM runs WHERE content_hash = '0000'") == 0)
    }

    /// merge between two files: a run of the same uuid with other content is a conflict there too.
    @Test func mergeRefusesAUuidWithOtherContent() throws {
        let folder = try TemporaryFolder()
        let input = try folder.write("r.jsonl", #"{"benchmark":"parse","metric":"time_ms","samples":[1.5,1.25,1.75]}"# + "\n")
        #expect(try hhbench(["record", "--db", "a.db", input, "--commit", "abc123", "--branch", "main"], cwd: folder.path).status == 0)
        let export = try hhbench(["export", "--db", "a.db", "--format", "jsonl"], cwd: folder.path)
        let edited = try folder.write("edited.jsonl", export.stdout.replacingOccurrences(of: "1.75", with: "9.75"))
        #expect(try hhbench(["record", "--db", "b.db", edited], cwd: folder.path).status == 0)
        let same = try folder.write("same.jsonl", export.stdout)
        #expect(try hhbench(["record", "--db", "c.db", same], cwd: folder.path).status == 0)
        #expect(try hhbench(["merge", "--db", "a.db", "c.db"], cwd: folder.path).status == 0, "the same run merges as a no-op")
        let merged = try hhbench(["merge", "--db", "a.db", "b.db"], cwd: folder.path)
        #expect(merged.status == 2 && merged.stderr.contains("other content"), "\(merged.stdout) \(merged.stderr)")
        #expect(try storedRuns(folder.file("a.db")) == 1)
    }
}
