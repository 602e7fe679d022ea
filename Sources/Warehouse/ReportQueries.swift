import GRDB
import Records

/// A commit as the report and the alerts show it.
package struct CommitDetails: Sendable, Equatable {
    package let sha: String
    package let subject: String?
    package let author: String?
    /// The committer time, ISO 8601 UTC, when known.
    package let committedAt: String?


    init(row: any ResultRow) {
        sha = row["sha"]
        subject = row["subject"]
        author = row["author_name"]
        committedAt = row["committed_at"]
    }
}

/// A metric as recorded, and whether it has raw samples (a series such as `time_ms`) or only
/// values (a summary such as `p95_time_ms`, or a given value).
package struct RecordedMetric: Sendable, Equatable, Hashable {
    package let name: String
    package let hasSamples: Bool
}

/// The newest value of one series on one branch and machine, for `export --format openmetrics`.
package struct LatestValue: Sendable, Equatable {
    package let benchmark: BenchmarkKey
    package let metric: MetricDescriptor
    package let branch: String
    package let machine: String
    package let value: Double
    package let commit: String?
    package let recordedAt: String


    init(row: any ResultRow) {
        benchmark = BenchmarkKey(name: row["name"], group: row["group_name"], paramsText: row["params"])
        metric = MetricDescriptor(name: row["metric"], unit: row["unit"],
                                  direction: Direction(rawValue: row["direction"]) ?? .lowerIsBetter)
        branch = row["branch"]
        machine = row["machine"]
        value = row["value"]
        commit = row["commit_sha"]
        recordedAt = row["recorded_at"]
    }
}

extension Warehouse {
    /// Subject, author and time of each commit the database knows, by sha.
    package func commitDetails(_ shas: [String]) throws -> [String: CommitDetails] {
        guard !shas.isEmpty else { return [:] }
        return try read { reader in
            var result: [String: CommitDetails] = [:]
            for start in stride(from: 0, to: shas.count, by: 500) {
                let chunk = Array(shas[start..<min(start + 500, shas.count)])
                try reader.each("SELECT sha, subject, author_name, committed_at FROM commits WHERE sha IN (\(databaseQuestionMarks(count: chunk.count)))",
                                chunk.map(\.databaseValue)) { row in
                    let details = CommitDetails(row: row)
                    result[details.sha] = details
                }
            }
            return result
        }
    }

    /// Every metric name with values, and whether it has raw samples, by name.
    package func recordedMetrics() throws -> [RecordedMetric] {
        try read { reader in
            let withSamples = Set(try reader.column("""
                SELECT DISTINCT mt.name FROM metrics mt WHERE EXISTS (SELECT 1 FROM sample_series s WHERE s.metric_id = mt.id)
                """, as: String.self))
            let names = try reader.column("SELECT DISTINCT name \(reader.bytewise) FROM metrics ORDER BY 1", as: String.self)
            return names.map { RecordedMetric(name: $0, hasSamples: withSamples.contains($0)) }
        }
    }

    /// The newest value of every benchmark × metric on every branch and machine (the newest run by
    /// time, then id), given values and summaries alike.
    package func latestValues() throws -> [LatestValue] {
        try read { reader in
            let order = reader.bytewise
            return try reader.all("""
                WITH ranked AS (
                    SELECT ms.benchmark_id, ms.metric_id, r.branch, r.machine_id, ms.value, r.commit_sha, r.recorded_at,
                           row_number() OVER (PARTITION BY ms.benchmark_id, ms.metric_id, r.branch, r.machine_id
                                              ORDER BY r.recorded_at DESC, r.id DESC) AS newest
                    FROM measurements ms JOIN runs r ON r.id = ms.run_id
                    WHERE r.branch IS NOT NULL
                )
                SELECT b.name, b.group_name, b.params, mt.name AS metric, mt.unit, mt.direction, ranked.branch,
                       mc.name AS machine, ranked.value, ranked.commit_sha, ranked.recorded_at
                FROM ranked
                JOIN benchmarks b ON b.id = ranked.benchmark_id
                JOIN metrics mt ON mt.id = ranked.metric_id
                JOIN machines mc ON mc.id = ranked.machine_id
                WHERE newest = 1
                ORDER BY mt.name \(order), b.name \(order), b.group_name \(order), b.params \(order), ranked.branch \(order), mc.name \(order)
                """, [], LatestValue.init(row:))
        }
    }
}

/// A run as the report's run table shows it.
package struct RunContextRow: Sendable, Equatable {
    package let uuid: String
    package let recordedAt: String
    package let commit: String?
    package let machine: String
    package let sourceFormat: String
    package let tool: String?
    package let toolVersion: String?
    package let toolchain: String?
    package let ciJobURL: String?
    package let dirty: Bool?

    /// The columns above, from a run joined with its machine; a query adds its WHERE and ORDER.
    static let selection = """
        SELECT r.uuid, r.recorded_at, r.commit_sha, mc.name AS machine, r.source_format, r.tool, r.tool_version, r.toolchain,
               r.ci_job_url, r.dirty
        FROM runs r JOIN machines mc ON mc.id = r.machine_id
        """


    init(row: any ResultRow) {
        uuid = row["uuid"]
        recordedAt = row["recorded_at"]
        commit = row["commit_sha"]
        machine = row["machine"]
        sourceFormat = row["source_format"]
        tool = row["tool"]
        toolVersion = row["tool_version"]
        toolchain = row["toolchain"]
        ciJobURL = row["ci_job_url"]
        dirty = (row["dirty"] as Int?).map { $0 != 0 }
    }
}

extension Warehouse {
    /// The newest runs on `branch` that measured `benchmark`, newest first.
    package func recentRuns(of benchmark: BenchmarkKey, branch: String, limit: Int) throws -> [RunContextRow] {
        try read { reader in
            guard let id = try reader.value("SELECT id FROM benchmarks WHERE name = ? AND group_name = ? AND params = ?",
                                            bound(benchmark.name, benchmark.group, benchmark.params), as: Int64.self) else { return [] }
            return try reader.all(RunContextRow.selection + """
                 WHERE r.branch = ? AND EXISTS (SELECT 1 FROM measurements ms WHERE ms.run_id = r.id AND ms.benchmark_id = ?)
                ORDER BY r.recorded_at DESC, r.id DESC LIMIT ?
                """, bound(branch, id, limit), RunContextRow.init(row:))
        }
    }
}

extension Warehouse {
    /// The context of the runs with these uuids, by uuid.
    package func runContexts(uuids: [String]) throws -> [String: RunContextRow] {
        guard !uuids.isEmpty else { return [:] }
        return try read { reader in
            let rows = try reader.all(RunContextRow.selection + """
                 WHERE r.uuid IN (\(databaseQuestionMarks(count: uuids.count)))
                """, uuids.map(\.databaseValue), RunContextRow.init(row:))
            return Dictionary(rows.map { ($0.uuid, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }
}

extension Warehouse {
    /// The newest run at each of these commits (on `branch` when one there exists), by commit sha.
    package func runsAt(commits: [String], branch: String?) throws -> [String: RunContextRow] {
        guard !commits.isEmpty else { return [:] }
        return try read { reader in
            let rows = try reader.all(RunContextRow.selection + """
                 WHERE r.commit_sha IN (\(databaseQuestionMarks(count: commits.count)))
                ORDER BY (r.branch IS NOT DISTINCT FROM CAST(? AS TEXT)) DESC, r.recorded_at DESC, r.id DESC
                """, commits.map(\.databaseValue) + bound(branch), RunContextRow.init(row:))
            var result: [String: RunContextRow] = [:]
            for row in rows { if let commit = row.commit, result[commit] == nil { result[commit] = row } }
            return result
        }
    }
}
