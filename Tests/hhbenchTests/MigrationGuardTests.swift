import Foundation
import GRDB
import Records
import Testing
@testable import Warehouse

/// Landed migrations are never edited: their checksums are pinned here. A change to the schema
/// comes as a new file in migrations/, with its checksum added below once it lands.
@Suite struct MigrationGuardTests {
    static let landed: [Int: String] = [
        1: "1ad575ae1dcf2d5e3c2b5f9e06c3131bf392002e4a0055aa265a96f5a9edef83",
        2: "cabc8cf2972941f6ed7e9fbc2b3606f3a8cdcac94d853c1ba4bb0615ddd7d9a9",
    ]

    @Test func landedMigrationsAreUnchanged() {
        for (version, checksum) in Self.landed {
            let migration = Migrations.all.first { $0.version == version }
            #expect(migration?.checksum == checksum, "migration \\(version) was edited: add a new migration instead")
        }
        #expect(Migrations.all.map(\.version) == Array(1...Migrations.all.count), "migrations are numbered 1, 2, 3, … without gaps")
    }

    @Test func aDatabaseBuiltByAnEditedMigrationIsNoticed() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("h.db")
        #expect(try Warehouse(path: path).editedMigrations().isEmpty)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "UPDATE hh_schema_migrations SET checksum = 'edited' WHERE version = 1") }
        try queue.close()
        #expect(try Warehouse(path: path).editedMigrations() == [1])
        let result = try hhbench(["runs", "--db", path], cwd: folder.path)
        #expect(result.status == 0)
        #expect(result.stderr.contains("landed migrations must not be edited"))
    }
}
