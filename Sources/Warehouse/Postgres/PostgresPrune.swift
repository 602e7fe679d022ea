import Foundation
import GRDB
import Records

/// `prune` on PostgreSQL: the same rule and receipt as on SQLite, in one transaction. The
/// space comes back through PostgreSQL's autovacuum, so the sizes are the database's
/// (`pg_database_size`) before and after, and they shrink only once it has run.
struct PostgresPrune {
    let session: PostgresSession

    func prune(_ rule: PruneRule, dryRun: Bool) throws -> PruneReceipt {
        let before = try databaseBytes()
        var keep: [String] = []
        var arguments: [DatabaseValue] = []
        if let since = rule.keepSince {
            keep.append("r.recorded_at >= ?")
            arguments.append(since.databaseValue)
        }
        if let commits = rule.keepCommits {
            keep.append("""
                r.commit_sha IN (SELECT commit_sha FROM runs WHERE commit_sha IS NOT NULL
                                 GROUP BY commit_sha ORDER BY max(recorded_at) DESC LIMIT ?)
                """)
            arguments.append(commits.databaseValue)
        }
        for pattern in rule.keepBranches {
            keep.append("hh_glob(r.branch, ?)")
            arguments.append(pattern.databaseValue)
        }
        let kept = keep.isEmpty ? "false" : keep.map { "coalesce(\($0), false)" }.joined(separator: " OR ")
        let counts: (runs: Int, series: Int, samples: Int, bytes: Int, kept: Int) = try session.transaction {
            try session.script("CREATE TEMP TABLE hh_pruning (run_id BIGINT PRIMARY KEY) ON COMMIT DROP")
            _ = try session.query(SQLText.numberingPlaceholders("""
                INSERT INTO hh_pruning (run_id)
                SELECT r.id FROM runs r
                WHERE EXISTS (SELECT 1 FROM sample_series s WHERE s.run_id = r.id) AND NOT (\(kept))
                """), arguments)
            var result = (runs: 0, series: 0, samples: 0, bytes: 0, kept: 0)
            try session.eachRow("""
                SELECT (SELECT count(*) FROM hh_pruning) AS runs, count(*) AS series,
                       coalesce(sum(count), 0) AS samples, coalesce(sum(length(samples)), 0) AS bytes,
                       (SELECT count(DISTINCT run_id) FROM sample_series WHERE run_id NOT IN (SELECT run_id FROM hh_pruning)) AS kept
                FROM sample_series WHERE run_id IN (SELECT run_id FROM hh_pruning)
                """, []) { row in
                result = (row["runs"], row["series"], row["samples"], row["bytes"], row["kept"])
            }
            if !dryRun {
                try session.script("DELETE FROM sample_series WHERE run_id IN (SELECT run_id FROM hh_pruning)")
                _ = try session.query("UPDATE runs SET samples_pruned_at = $1 WHERE id IN (SELECT run_id FROM hh_pruning)",
                                      [Timestamp.now()])
            }
            return result
        }
        return PruneReceipt(runs: counts.runs, series: counts.series, samples: counts.samples, sampleBytes: counts.bytes,
                            runsKeepingSamples: counts.kept, fileBytesBefore: before, fileBytesAfter: dryRun ? before : try databaseBytes())
    }

    private func databaseBytes() throws -> Int {
        Int(try session.value("SELECT pg_database_size(current_database())", as: Int64.self) ?? 0)
    }
}
