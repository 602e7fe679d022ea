import Foundation
import PostgresNIO
import Records

/// `Warehouse.write` on PostgreSQL: a batch of runs in one transaction, safe against any number
/// of writers at once.
///
/// Shared rows (machines, commits, benchmarks, metrics) are inserted first, each kind in sorted
/// order, with `ON CONFLICT`: two writers then wait for each other in one order only (no
/// deadlock), and a row another writer is inserting is waited for and then found, never inserted
/// twice. A run is inserted with `ON CONFLICT DO NOTHING`: its uuid and `runs_once` (the same
/// input for the same commit and machine) make a racing copy of it a no-op the writer reports as
/// a duplicate. Measurements and sample series go in as multi-row inserts.
struct PostgresRunWriter {
    let session: PostgresSession

    func write(_ records: [(record: RunRecord, source: String)], allowDuplicate: Bool) throws -> [WriteOutcome] {
        try session.transaction {
            var ids = SharedRowIDs()
            try insertSharedRows(records.map(\.record), into: &ids)
            return try records.map { record, source in
                do {
                    return try writeOne(record, allowDuplicate: allowDuplicate, ids: ids)
                } catch WarehouseError.runRefused(let path, _, let reason) {
                    throw WarehouseError.runRefused(path: path, source: source, reason: reason)
                } catch WarehouseError.uuidConflict(let path, "", let uuid, let runID) {
                    throw WarehouseError.uuidConflict(path: path, source: source, uuid: uuid, runID: runID)
                }
            }
        }
    }

    /// The ids of a batch's shared rows, by key.
    private struct SharedRowIDs {
        var machines: [String: Int64] = [:]
        var benchmarks: [BenchmarkKey: Int64] = [:]
        var metrics: [MetricDescriptor: Int64] = [:]
    }

    private func insertSharedRows(_ records: [RunRecord], into ids: inout SharedRowIDs) throws {
        var machines: [String: MachineInfo] = [:]
        var commits: [String: CommitInfo] = [:]
        var benchmarks = Set<BenchmarkKey>(), metrics = Set<MetricDescriptor>()
        for record in records {
            let machine = record.context.machine ?? MachineInfo(name: "unknown")
            machines[machine.fingerprint] = machine
            for commit in (record.context.commit.map { [$0] } ?? []) + record.context.ancestry {
                commits[commit.sha] = commits[commit.sha].map { Self.merged($0, commit) } ?? commit
            }
            for measurement in record.measurements {
                benchmarks.insert(measurement.benchmark)
                metrics.insert(measurement.metric)
            }
            for series in record.series {
                benchmarks.insert(series.benchmark)
                metrics.insert(series.metric)
            }
        }
        for (fingerprint, machine) in machines.sorted(by: { $0.key < $1.key }) {
            ids.machines[fingerprint] = try findOrInsert(
                insert: """
                    INSERT INTO machines (fingerprint, name, hostname, os, kernel, arch, cpu_model, cpu_cores, memory_bytes)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (fingerprint) DO NOTHING RETURNING id
                    """,
                [fingerprint, machine.name, Nullable(machine.hostname), Nullable(machine.os), Nullable(machine.kernel),
                 Nullable(machine.arch), Nullable(machine.cpuModel), Nullable(machine.cpuCores.map(Int64.init)),
                 Nullable(machine.memoryBytes)],
                find: "SELECT id FROM machines WHERE fingerprint = $1", [fingerprint])
        }
        for (_, commit) in commits.sorted(by: { $0.key < $1.key }) { try upsertCommit(commit) }
        for key in benchmarks.sorted() {
            let arguments: [any PostgresArgument] = [key.name, key.group, key.params]
            ids.benchmarks[key] = try findOrInsert(
                insert: "INSERT INTO benchmarks (name, group_name, params) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id",
                arguments, find: "SELECT id FROM benchmarks WHERE name = $1 AND group_name = $2 AND params = $3", arguments)
        }
        for metric in metrics.sorted(by: { ($0.name, $0.unit, $0.direction.rawValue) < ($1.name, $1.unit, $1.direction.rawValue) }) {
            let arguments: [any PostgresArgument] = [metric.name, metric.unit, metric.direction.rawValue]
            ids.metrics[metric] = try findOrInsert(
                insert: "INSERT INTO metrics (name, unit, direction) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id",
                arguments, find: "SELECT id FROM metrics WHERE name = $1 AND unit = $2 AND direction = $3", arguments)
        }
    }

    /// A commit named twice in a batch: what either record knew.
    private static func merged(_ a: CommitInfo, _ b: CommitInfo) -> CommitInfo {
        CommitInfo(sha: a.sha, parents: b.parents ?? a.parents, authorName: b.authorName ?? a.authorName,
                   authorEmail: b.authorEmail ?? a.authorEmail, committedAt: b.committedAt ?? a.committedAt, subject: b.subject ?? a.subject)
    }

    /// The id the insert returned, else (another writer's row, or an earlier one) the one found.
    private func findOrInsert(insert: String, _ insertArguments: [any PostgresArgument], find: String,
                              _ findArguments: [any PostgresArgument]) throws -> Int64 {
        if let id = try session.value(insert, insertArguments, as: Int64.self) { return id }
        guard let id = try session.value(find, findArguments, as: Int64.self) else {
            throw WarehouseError.engine(path: session.address.redacted, message: "a row vanished while it was recorded")
        }
        return id
    }

    /// Inserts the commit, or fills in what an earlier, sparser record of it lacked (as on SQLite).
    private func upsertCommit(_ commit: CommitInfo) throws {
        let parents = commit.parents.map { JSONValue.array($0.map(JSONValue.string)).compactText }
        try session.query("""
            INSERT INTO commits (sha, parents, first_parent, author_name, author_email, committed_at, subject)
            VALUES ($1, coalesce($2::text, '[]'), $3, $4, $5, $6, $7)
            ON CONFLICT (sha) DO UPDATE SET
                parents      = CASE WHEN $2::text IS NOT NULL THEN $2::text ELSE commits.parents END,
                first_parent = CASE WHEN $2::text IS NOT NULL THEN $3::text ELSE commits.first_parent END,
                author_name  = coalesce($4::text, commits.author_name),
                author_email = coalesce($5::text, commits.author_email),
                committed_at = coalesce($6::text, commits.committed_at),
                subject      = coalesce($7::text, commits.subject)
            """, [commit.sha, Nullable(parents), Nullable(commit.parents?.first), Nullable(commit.authorName),
                  Nullable(commit.authorEmail), Nullable(commit.committedAt), Nullable(commit.subject)])
    }

    private func writeOne(_ given: RunRecord, allowDuplicate: Bool, ids: SharedRowIDs) throws -> WriteOutcome {
        var record = given
        record.contentHash = given.storedContentHash
        let context = record.context
        let path = session.address.redacted
        let machine = context.machine ?? MachineInfo(name: "unknown")
        guard let machineID = ids.machines[machine.fingerprint] else {
            throw WarehouseError.engine(path: path, message: "the run's machine was not recorded")
        }
        if let bad = record.measurements.first(where: { !$0.value.isFinite }) {
            throw WarehouseError.runRefused(path: path, source: "", reason: "\(bad.benchmark.displayName) \(bad.metric.name) is not finite")
        }
        let uuid = record.uuid ?? RunIdentifier.make()
        let repeatsAllowed = allowDuplicate
        let tags = JSONValue.object(context.tags).canonicalText
        let extra = JSONValue.object(context.extra).compactText
        let inserted = try session.value("""
            INSERT INTO runs (uuid, recorded_at, started_at, finished_at, commit_sha, branch, dirty, machine_id, source_format, tool,
                              tool_version, command_line, toolchain, ci_provider, ci_job_url, tags, context, content_hash, repeats_allowed)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
            ON CONFLICT DO NOTHING RETURNING id
            """, [uuid, context.recordedAt ?? Timestamp.now(), Nullable(context.startedAt), Nullable(context.finishedAt),
                  Nullable(context.commit?.sha), Nullable(context.branch), Nullable(context.dirty.map { $0 ? 1 : 0 }), machineID,
                  record.sourceFormat, Nullable(context.tool), Nullable(context.toolVersion), Nullable(context.commandLine),
                  Nullable(context.toolchain), Nullable(context.ciProvider), Nullable(context.ciJobURL), tags, extra,
                  record.contentHash, repeatsAllowed ? 1 : 0], as: Int64.self)
        guard let runID = inserted else {
            // The same uuid, or the same input at the same commit and machine: recorded before,
            // or by another writer a moment ago.
            let earlier = try session.query("""
                SELECT id, uuid, content_hash FROM runs WHERE uuid = $1
                   OR (content_hash = $2 AND coalesce(commit_sha, '') = $3 AND machine_id = $4 AND repeats_allowed = 0)
                ORDER BY (uuid = $1) DESC, id LIMIT 1
                """, [uuid, record.contentHash, context.commit?.sha ?? "", machineID])
            guard let row = earlier.first else { throw WarehouseError.engine(path: path, message: "a run conflicted with nothing") }
            let (id, existing, storedHash) = try row.decode((Int64, String, String?).self)
            if existing == uuid, storedHash != record.contentHash {
                try Warehouse.checkSameContent(record, storedRunID: id, uuid: uuid, SQLReader(connection: .postgres(session), path: path))
                try session.query("UPDATE runs SET content_hash = $1 WHERE id = $2", [record.contentHash, id])
            }
            return .duplicate(runID: id, uuid: existing)
        }
        var measurementRows: [[any PostgresArgument]] = []
        for measurement in record.measurements {
            guard let benchmark = ids.benchmarks[measurement.benchmark], let metric = ids.metrics[measurement.metric] else { continue }
            measurementRows.append([runID, benchmark, metric, measurement.value, measurement.derived ? 1 : 0])
        }
        try insertRows("INSERT INTO measurements (run_id, benchmark_id, metric_id, value, derived) VALUES", measurementRows)
        var seriesRows: [[any PostgresArgument]] = []
        var sampleCount = 0
        for series in record.series {
            guard let benchmark = ids.benchmarks[series.benchmark], let metric = ids.metrics[series.metric] else { continue }
            let stored = SampleCoding.encode(series.samples)
            seriesRows.append([runID, benchmark, metric, stored.count, stored.ieee754 ? 1 : 0, stored.divisor, stored.base,
                               stored.width, ByteBuffer(bytes: stored.bytes)])
            sampleCount += series.samples.count
        }
        try insertRows("INSERT INTO sample_series (run_id, benchmark_id, metric_id, count, ieee754, divisor, base, width, samples) VALUES",
                       seriesRows)
        let benchmarks = Set(record.measurements.map(\.benchmark) + record.series.map(\.benchmark))
        let metricNames = Set(record.measurements.map(\.metric.name) + record.series.map(\.metric.name))
        return .recorded(RunReceipt(runID: runID, uuid: uuid, benchmarks: benchmarks.count, metrics: metricNames.count,
                                    measurements: record.measurements.count, series: record.series.count, samples: sampleCount))
    }

    /// Rows in multi-row INSERTs of at most 1,000 rows (PostgreSQL binds at most 65,535 parameters).
    private func insertRows(_ insert: String, _ rows: [[any PostgresArgument]]) throws {
        guard let width = rows.first?.count else { return }
        for start in stride(from: 0, to: rows.count, by: 1000) {
            let chunk = rows[start..<min(start + 1000, rows.count)]
            let values = chunk.indices.map { row in
                "(" + (0..<width).map { "$\((row - start) * width + $0 + 1)" }.joined(separator: ", ") + ")"
            }
            try session.query(insert + " " + values.joined(separator: ", "), chunk.flatMap { $0 })
        }
    }
}
