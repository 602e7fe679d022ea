import Foundation
import GRDB

/// What `merge` brought in.
package struct MergeReceipt: Sendable, Equatable {
    package let runsAdded: Int
    package let runsAlreadyPresent: Int
    package let samplesAdded: Int

    package init(runsAdded: Int, runsAlreadyPresent: Int, samplesAdded: Int) {
        self.runsAdded = runsAdded
        self.runsAlreadyPresent = runsAlreadyPresent
        self.samplesAdded = samplesAdded
    }
}

extension Warehouse {
    /// Copies the runs of the database at `otherPath` that this one lacks (by their uuid), with
    /// their commits, machines, benchmarks, metrics, measurements and samples, in one transaction.
    /// Merging the same file twice changes nothing. A database with a newer schema is refused; an
    /// older one is read through a migrated temporary copy, leaving the file as it was.
    package func merge(from otherPath: String) throws -> MergeReceipt {
        guard FileManager.default.fileExists(atPath: otherPath) else {
            throw WarehouseError.missingDatabase(path: otherPath)
        }
        if URL(fileURLWithPath: otherPath).standardizedFileURL.resolvingSymlinksInPath()
            == URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath() {
            throw WarehouseError.notADatabase(path: otherPath, reason: "it is the database being merged into")
        }
        // Read-only checks first: a foreign SQLite file or a newer schema is refused untouched.
        let otherVersion: Int
        do {
            otherVersion = try Warehouse(path: otherPath, access: .readOnly).schemaVersion()
        } catch WarehouseError.olderSchema(_, let found, _) {
            otherVersion = found
        }
        var source = otherPath
        var temporary: String?
        if otherVersion < Migrations.latestVersion {
            let copy = FileManager.default.temporaryDirectory.appendingPathComponent("hhbench-merge-\(UUID().uuidString).db").path
            try FileManager.default.copyItem(atPath: otherPath, toPath: copy)
            _ = try Warehouse(path: copy)
            source = copy
            temporary = copy
        }
        defer {
            if let temporary {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: temporary + suffix) }
            }
        }
        let other = try Warehouse(path: source, access: .readOnly)
        return try Self.translating(path) { try queue.writeWithoutTransaction { db in
            // Attached read-only, so merging never writes to the other file (not even its journal mode).
            try db.execute(sql: "ATTACH DATABASE ? AS other", arguments: ["file:" + Warehouse.uriEncoded(source) + "?mode=ro"])
            defer { try? db.execute(sql: "DETACH DATABASE other") }
            try db.execute(sql: "PRAGMA other.cache_size = -\(Warehouse.pageCacheKiB)")
            var receipt: MergeReceipt!
            try db.inTransaction(.immediate) {
                // A uuid in both with other content is a conflict, not a run to skip: the stored
                // hashes may come from an older hhbench, so both runs are hashed as stored.
                let shared = try Row.fetchAll(db, sql: """
                    SELECT m.id AS main_id, o.id AS other_id, m.uuid FROM main.runs m JOIN other.runs o ON o.uuid = m.uuid
                    WHERE m.content_hash IS NOT o.content_hash
                    """)
                for row in shared {
                    let mine = try Self.exportRecord(runID: row["main_id"], SQLReader(connection: .sqlite(db), path: path))
                    let theirs = try other.exportRecord(runID: row["other_id"])
                    guard mine.storedContentHash == theirs.storedContentHash else {
                        throw WarehouseError.uuidConflict(path: path, source: otherPath, uuid: row["uuid"], runID: row["main_id"])
                    }
                }
                try db.execute(sql: "DROP TABLE IF EXISTS temp.merging")
                try db.execute(sql: "CREATE TEMP TABLE merging AS SELECT id AS other_id, uuid FROM other.runs WHERE uuid NOT IN (SELECT uuid FROM main.runs)")
                let added = try Int.fetchOne(db, sql: "SELECT count(*) FROM temp.merging") ?? 0
                let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM other.runs") ?? 0
                try db.execute(sql: """
                    INSERT INTO main.commits (sha, parents, first_parent, author_name, author_email, committed_at, subject)
                    SELECT sha, parents, first_parent, author_name, author_email, committed_at, subject FROM other.commits WHERE true
                    ON CONFLICT (sha) DO UPDATE SET
                        parents      = CASE WHEN main.commits.parents = '[]' THEN excluded.parents ELSE main.commits.parents END,
                        first_parent = coalesce(main.commits.first_parent, excluded.first_parent),
                        author_name  = coalesce(main.commits.author_name, excluded.author_name),
                        author_email = coalesce(main.commits.author_email, excluded.author_email),
                        committed_at = coalesce(main.commits.committed_at, excluded.committed_at),
                        subject      = coalesce(main.commits.subject, excluded.subject)
                    """)
                try db.execute(sql: """
                    INSERT OR IGNORE INTO main.machines (fingerprint, name, hostname, os, kernel, arch, cpu_model, cpu_cores, memory_bytes)
                    SELECT fingerprint, name, hostname, os, kernel, arch, cpu_model, cpu_cores, memory_bytes FROM other.machines
                    """)
                try db.execute(sql: """
                    INSERT OR IGNORE INTO main.benchmarks (name, group_name, params) SELECT name, group_name, params FROM other.benchmarks;
                    INSERT OR IGNORE INTO main.metrics (name, unit, direction) SELECT name, unit, direction FROM other.metrics;
                    """)
                try db.execute(sql: """
                    INSERT INTO main.runs (uuid, recorded_at, started_at, finished_at, commit_sha, branch, dirty, machine_id, source_format,
                                           tool, tool_version, command_line, toolchain, ci_provider, ci_job_url, tags, context, content_hash)
                    SELECT o.uuid, o.recorded_at, o.started_at, o.finished_at, o.commit_sha, o.branch, o.dirty,
                           (SELECT m.id FROM main.machines m JOIN other.machines om ON om.fingerprint = m.fingerprint WHERE om.id = o.machine_id),
                           o.source_format, o.tool, o.tool_version, o.command_line, o.toolchain, o.ci_provider, o.ci_job_url,
                           o.tags, o.context, o.content_hash
                    FROM other.runs o JOIN temp.merging t ON t.other_id = o.id
                    ORDER BY o.id
                    """)
                try db.execute(sql: """
                    INSERT INTO main.measurements (run_id, benchmark_id, metric_id, value, derived)
                    SELECT nr.id, nb.id, nm.id, om.value, om.derived
                    FROM other.measurements om
                    JOIN temp.merging t ON t.other_id = om.run_id
                    JOIN main.runs nr ON nr.uuid = t.uuid
                    JOIN other.benchmarks ob ON ob.id = om.benchmark_id
                    JOIN main.benchmarks nb ON nb.name = ob.name AND nb.group_name = ob.group_name AND nb.params = ob.params
                    JOIN other.metrics omt ON omt.id = om.metric_id
                    JOIN main.metrics nm ON nm.name = omt.name AND nm.unit = omt.unit AND nm.direction = omt.direction
                    """)
                try db.execute(sql: """
                    INSERT INTO main.sample_series (run_id, benchmark_id, metric_id, count, ieee754, divisor, base, width, samples)
                    SELECT nr.id, nb.id, nm.id, os.count, os.ieee754, os.divisor, os.base, os.width, os.samples
                    FROM other.sample_series os
                    JOIN temp.merging t ON t.other_id = os.run_id
                    JOIN main.runs nr ON nr.uuid = t.uuid
                    JOIN other.benchmarks ob ON ob.id = os.benchmark_id
                    JOIN main.benchmarks nb ON nb.name = ob.name AND nb.group_name = ob.group_name AND nb.params = ob.params
                    JOIN other.metrics omt ON omt.id = os.metric_id
                    JOIN main.metrics nm ON nm.name = omt.name AND nm.unit = omt.unit AND nm.direction = omt.direction
                    """)
                let samples = try Int.fetchOne(db, sql: """
                    SELECT coalesce(sum(count), 0) FROM other.sample_series WHERE run_id IN (SELECT other_id FROM temp.merging)
                    """) ?? 0
                try db.execute(sql: "DROP TABLE temp.merging")
                receipt = MergeReceipt(runsAdded: added, runsAlreadyPresent: total - added, samplesAdded: samples)
                return .commit
            }
            return receipt
        } }
    }
}
