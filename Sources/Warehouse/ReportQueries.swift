import GRDB
import Records

/// A commit as the report and the alerts show it.
package struct CommitDetails: Sendable, Equatable, FetchableRecord {
    package let sha: String
    package let subject: String?
    package let author: String?
    /// The committer time, ISO 8601 UTC, when known.
    package let committedAt: String?

    enum Columns {
        static let sha = Column("sha"), subject = Column("subject"), author = Column("author_name"), committedAt = Column("committed_at")
    }

    package init(row: Row) {
        sha = row[Columns.sha]
        subject = row[Columns.subject]
        author = row[Columns.author]
        committedAt = row[Columns.committedAt]
    }
}

/// A metric as recorded, and whether it has raw samples (a series such as `time_ms`) or only
/// values (a summary such as `p95_time_ms`, or a given value).
package struct RecordedMetric: Sendable, Equatable, Hashable {
    package let name: String
    package let hasSamples: Bool
}

/// The newest value of one series on one branch and machine, for `export --format openmetrics`.
package struct LatestValue: Sendable, Equatable, FetchableRecord {
    package let benchmark: BenchmarkKey
    package let metric: MetricDescriptor
    package let branch: String
    package let machine: String
    package let value: Double
    package let commit: String?
    package let recordedAt: String

    enum Columns {
        static let name = Column("name"), group = Column("group_name"), params = Column("params"), metric = Column("metric")
        static let unit = Column("unit"), direction = Column("direction"), branch = Column("branch"), machine = Column("machine")
        static let value = Column("value"), commit = Column("commit_sha"), recordedAt = Column("recorded_at")
    }

    package init(row: Row) {
        benchmark = BenchmarkKey(name: row[Columns.name], group: row[Columns.group], paramsText: row[Columns.params])
        metric = MetricDescriptor(name: row[Columns.metric], unit: row[Columns.unit],
                                  direction: Direction(rawValue: row[Columns.direction]) ?? .lowerIsBetter)
        branch = row[Columns.branch]
        machine = row[Columns.machine]
        value = row[Columns.value]
        commit = row[Columns.commit]
        recordedAt = row[Columns.recordedAt]
    }
}

extension Warehouse {
    /// Subject, author and time of each commit the database knows, by sha.
    package func commitDetails(_ shas: [String]) throws -> [String: CommitDetails] {
        guard !shas.isEmpty else { return [:] }
        return try queue.read { db in
            var result: [String: CommitDetails] = [:]
            for start in stride(from: 0, to: shas.count, by: 500) {
                let chunk = Array(shas[start..<min(start + 500, shas.count)])
                let rows = try CommitDetails.fetchAll(
                    db, sql: "SELECT sha, subject, author_name, committed_at FROM commits WHERE sha IN (\(databaseQuestionMarks(count: chunk.count)))",
                    arguments: StatementArguments(chunk))
                for row in rows { result[row.sha] = row }
            }
            return result
        }
    }

    /// Every metric name with values, and whether it has raw samples, by name.
    package func recordedMetrics() throws -> [RecordedMetric] {
        try queue.read { db in
            let withSamples = Set(try String.fetchAll(db, sql: """
                SELECT DISTINCT mt.name FROM metrics mt WHERE EXISTS (SELECT 1 FROM sample_series s WHERE s.metric_id = mt.id)
                """))
            let names = try String.fetchAll(db, sql: "SELECT DISTINCT name FROM metrics ORDER BY name")
            return names.map { RecordedMetric(name: $0, hasSamples: withSamples.contains($0)) }
        }
    }

    /// The newest value of every benchmark × metric on every branch and machine (the newest run by
    /// time, then id), given values and summaries alike.
    package func latestValues() throws -> [LatestValue] {
        try queue.read { db in
            try LatestValue.fetchAll(db, sql: """
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
                ORDER BY mt.name, b.name, b.group_name, b.params, ranked.branch, mc.name
                """)
        }
    }
}

/// A run as the report's run table shows it.
package struct RunContextRow: Sendable, Equatable, FetchableRecord {
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

    enum Columns {
        static let uuid = Column("uuid"), recordedAt = Column("recorded_at"), commit = Column("commit_sha"), machine = Column("machine")
        static let sourceFormat = Column("source_format"), tool = Column("tool"), toolVersion = Column("tool_version")
        static let toolchain = Column("toolchain"), ciJobURL = Column("ci_job_url"), dirty = Column("dirty")
    }

    package init(row: Row) {
        uuid = row[Columns.uuid]
        recordedAt = row[Columns.recordedAt]
        commit = row[Columns.commit]
        machine = row[Columns.machine]
        sourceFormat = row[Columns.sourceFormat]
        tool = row[Columns.tool]
        toolVersion = row[Columns.toolVersion]
        toolchain = row[Columns.toolchain]
        ciJobURL = row[Columns.ciJobURL]
        dirty = (row[Columns.dirty] as Int?).map { $0 != 0 }
    }
}

extension Warehouse {
    /// The newest runs on `branch` that measured `benchmark`, newest first.
    package func recentRuns(of benchmark: BenchmarkKey, branch: String, limit: Int) throws -> [RunContextRow] {
        try queue.read { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM benchmarks WHERE name = ? AND group_name = ? AND params = ?",
                                              arguments: [benchmark.name, benchmark.group, benchmark.params]) else { return [] }
            return try RunContextRow.fetchAll(db, sql: RunContextRow.selection + """
                 WHERE r.branch = ? AND EXISTS (SELECT 1 FROM measurements ms WHERE ms.run_id = r.id AND ms.benchmark_id = ?)
                ORDER BY r.recorded_at DESC, r.id DESC LIMIT ?
                """, arguments: [branch, id, limit])
        }
    }
}

extension Warehouse {
    /// The context of the runs with these uuids, by uuid.
    package func runContexts(uuids: [String]) throws -> [String: RunContextRow] {
        guard !uuids.isEmpty else { return [:] }
        return try queue.read { db in
            let rows = try RunContextRow.fetchAll(db, sql: RunContextRow.selection + """
                 WHERE r.uuid IN (\(databaseQuestionMarks(count: uuids.count)))
                """, arguments: StatementArguments(uuids))
            return Dictionary(rows.map { ($0.uuid, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }
}

extension Warehouse {
    /// The newest run at each of these commits (on `branch` when one there exists), by commit sha.
    package func runsAt(commits: [String], branch: String?) throws -> [String: RunContextRow] {
        guard !commits.isEmpty else { return [:] }
        return try queue.read { db in
            let rows = try RunContextRow.fetchAll(db, sql: RunContextRow.selection + """
                 WHERE r.commit_sha IN (\(databaseQuestionMarks(count: commits.count)))
                ORDER BY r.branch IS ? DESC, r.recorded_at DESC, r.id DESC
                """, arguments: StatementArguments(commits) + [branch])
            var result: [String: RunContextRow] = [:]
            for row in rows { if let commit = row.commit, result[commit] == nil { result[commit] = row } }
            return result
        }
    }
}
