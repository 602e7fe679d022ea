import Foundation
import GRDB
import Records

/// Which runs `prune` keeps raw samples of. A run keeps them when any rule says so.
package struct PruneRule: Sendable {
    /// Runs recorded at or after this time (`recorded_at`, ISO 8601 UTC) keep their samples.
    package var keepSince: String?
    /// Runs at the newest this-many commits with runs (by their newest run) keep their samples.
    package var keepCommits: Int?
    /// Runs on a branch matching one of these globs (`main`, `release/*`) keep their samples.
    package var keepBranches: [String] = []

    package init(keepSince: String? = nil, keepCommits: Int? = nil, keepBranches: [String] = []) {
        self.keepSince = keepSince
        self.keepCommits = keepCommits
        self.keepBranches = keepBranches
    }
}

/// What `prune` removed, or would remove under `--dry-run`.
package struct PruneReceipt: Sendable, Equatable {
    package let runs: Int
    package let series: Int
    package let samples: Int
    /// The bytes of the removed sample columns (what the file can shrink by, roughly).
    package let sampleBytes: Int
    package let runsKeepingSamples: Int
    /// File size before and after (after the vacuum); equal under `--dry-run`.
    package let fileBytesBefore: Int
    package let fileBytesAfter: Int
}

extension Warehouse {
    /// Removes the raw samples of the runs no rule keeps, leaving their measurements (every summary
    /// derived at record time), in one transaction; the runs are marked `samples_pruned_at`, so
    /// `compare` and `trend` can say a baseline has summaries only. Then gives the free pages back
    /// to the file system: `PRAGMA incremental_vacuum` (a database hhbench created before
    /// incremental auto-vacuum was on is converted once by a full `VACUUM`).
    package func prune(_ rule: PruneRule, dryRun: Bool) throws -> PruneReceipt {
        #if POSTGRES
        if case .postgres(let session) = engine { return try PostgresPrune(session: session).prune(rule, dryRun: dryRun) }
        #endif
        let before = fileBytes()
        let receipt: (runs: Int, series: Int, samples: Int, bytes: Int, kept: Int) = try Self.translating(path) {
            try queue.writeWithoutTransaction { db in
                var result = (runs: 0, series: 0, samples: 0, bytes: 0, kept: 0)
                try db.inTransaction(.immediate) {
                    try db.execute(sql: "DROP TABLE IF EXISTS temp.pruning")
                    try db.execute(sql: "CREATE TEMP TABLE pruning (run_id INTEGER PRIMARY KEY)")
                    var keep: [String] = []
                    var arguments: [DatabaseValueConvertible?] = []
                    if let since = rule.keepSince {
                        keep.append("r.recorded_at >= ?")
                        arguments.append(since)
                    }
                    if let commits = rule.keepCommits {
                        keep.append("""
                            r.commit_sha IN (SELECT commit_sha FROM runs WHERE commit_sha IS NOT NULL
                                             GROUP BY commit_sha ORDER BY max(recorded_at) DESC LIMIT ?)
                            """)
                        arguments.append(commits)
                    }
                    for pattern in rule.keepBranches {
                        keep.append("r.branch GLOB ?")
                        arguments.append(pattern)
                    }
                    let kept = keep.isEmpty ? "0" : keep.map { "coalesce(\($0), 0)" }.joined(separator: " OR ")
                    try db.execute(sql: """
                        INSERT INTO temp.pruning (run_id)
                        SELECT r.id FROM runs r
                        WHERE EXISTS (SELECT 1 FROM sample_series s WHERE s.run_id = r.id) AND NOT (\(kept))
                        """, arguments: StatementArguments(arguments))
                    let row = try Row.fetchOne(db, sql: """
                        SELECT (SELECT count(*) FROM temp.pruning) AS runs, count(*) AS series,
                               coalesce(sum(count), 0) AS samples, coalesce(sum(length(samples)), 0) AS bytes
                        FROM sample_series WHERE run_id IN (SELECT run_id FROM temp.pruning)
                        """)
                    result.runs = row?["runs"] ?? 0
                    result.series = row?["series"] ?? 0
                    result.samples = row?["samples"] ?? 0
                    result.bytes = row?["bytes"] ?? 0
                    result.kept = try Int.fetchOne(db, sql: """
                        SELECT count(DISTINCT run_id) FROM sample_series WHERE run_id NOT IN (SELECT run_id FROM temp.pruning)
                        """) ?? 0
                    if dryRun {
                        try db.execute(sql: "DROP TABLE temp.pruning")
                        return .rollback
                    }
                    try db.execute(sql: "DELETE FROM sample_series WHERE run_id IN (SELECT run_id FROM temp.pruning)")
                    try db.execute(sql: "UPDATE runs SET samples_pruned_at = ? WHERE id IN (SELECT run_id FROM temp.pruning)",
                                   arguments: [Timestamp.now()])
                    try db.execute(sql: "DROP TABLE temp.pruning")
                    return .commit
                }
                if !dryRun && result.runs > 0 { try Self.vacuum(db) }
                return result
            }
        }
        return PruneReceipt(runs: receipt.runs, series: receipt.series, samples: receipt.samples, sampleBytes: receipt.bytes,
                            runsKeepingSamples: receipt.kept, fileBytesBefore: before, fileBytesAfter: dryRun ? before : fileBytes())
    }

    /// Frees the pages deleted rows left, and folds the write-ahead log back into the file.
    private static func vacuum(_ db: Database) throws {
        let mode = try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") ?? 0
        if mode == 2 {
            try db.execute(sql: "PRAGMA incremental_vacuum")
        } else {
            // auto_vacuum can only change with a full rewrite; after it, later prunes are incremental.
            try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            try db.execute(sql: "VACUUM")
        }
        try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
    }

    /// The database's size on disk, with its write-ahead log.
    func fileBytes() -> Int {
        ["", "-wal"].reduce(0) { total, suffix in
            total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
        }
    }
}
