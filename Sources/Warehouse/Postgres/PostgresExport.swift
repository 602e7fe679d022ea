import Foundation
import PostgresNIO
import Records

/// `runIDs` and `exportRecord` on PostgreSQL: what `export --format jsonl` and `merge` read.
/// The same queries as on SQLite (the tables keep SQLite's value forms); rows are read by column
/// name.
struct PostgresExport {
    let session: PostgresSession

    func runIDs(since: String?, branch: String?) throws -> [Int64] {
        var sql = "SELECT id FROM runs WHERE true"
        var arguments: [any PostgresArgument] = []
        if let since {
            arguments.append(since)
            sql += " AND recorded_at >= $\(arguments.count)"
        }
        if let branch {
            arguments.append(branch)
            sql += " AND branch = $\(arguments.count)"
        }
        return try session.column(sql + " ORDER BY recorded_at, id", arguments, as: Int64.self)
    }

    func record(runID: Int64) throws -> RunRecord {
        guard let found = try session.query("""
            SELECT r.uuid, r.recorded_at, r.started_at, r.finished_at, r.commit_sha, r.branch, r.dirty::bigint AS dirty, r.source_format,
                   r.tool, r.tool_version, r.command_line, r.toolchain, r.ci_provider, r.ci_job_url, r.tags, r.context, r.content_hash,
                   m.fingerprint, m.name AS machine_name, m.hostname, m.os, m.kernel, m.arch, m.cpu_model, m.cpu_cores, m.memory_bytes,
                   c.parents, c.author_name, c.author_email, c.committed_at, c.subject
            FROM runs r JOIN machines m ON m.id = r.machine_id LEFT JOIN commits c ON c.sha = r.commit_sha
            WHERE r.id = $1
            """, [runID]).first else { throw WarehouseError.runNotFound(String(runID)) }
        let row = found.makeRandomAccess()
        func text(_ name: String) throws -> String? { try row[name].decode(String?.self) }
        func integer(_ name: String) throws -> Int64? { try row[name].decode(Int64?.self) }
        var record = try Warehouse.exportedRun(text: text, integer: integer)
        for found in try session.query("""
            SELECT b.name, b.group_name, b.params, mt.name AS metric, mt.unit, mt.direction,
                   s.count::bigint AS count, s.ieee754::bigint AS ieee754, s.divisor, s.base, s.width::bigint AS width, s.samples
            FROM sample_series s JOIN benchmarks b ON b.id = s.benchmark_id JOIN metrics mt ON mt.id = s.metric_id
            WHERE s.run_id = $1 ORDER BY s.id
            """, [runID]) {
            let series = found.makeRandomAccess()
            let bytes = try series["samples"].decode(ByteBuffer.self)
            let stored = SampleCoding.Stored(count: Int(try series["count"].decode(Int64.self)), ieee754: try series["ieee754"].decode(Int64.self) != 0,
                                             divisor: try series["divisor"].decode(Double.self), base: try series["base"].decode(Int64.self),
                                             width: Int(try series["width"].decode(Int64.self)),
                                             bytes: bytes.getBytes(at: bytes.readerIndex, length: bytes.readableBytes) ?? [])
            guard let values = SampleCoding.decode(stored) else {
                throw WarehouseError.corrupt(path: session.address.redacted, message: "a sample series of \(stored.count) samples of width "
                                             + "\(stored.width) holds \(stored.bytes.count) bytes")
            }
            record.series.append(SampleSeries(benchmark: try Self.benchmark(series), metric: try Self.metric(series), values: values))
        }
        for found in try session.query("""
            SELECT b.name, b.group_name, b.params, mt.name AS metric, mt.unit, mt.direction, ms.value
            FROM measurements ms JOIN benchmarks b ON b.id = ms.benchmark_id JOIN metrics mt ON mt.id = ms.metric_id
            WHERE ms.run_id = $1 AND ms.derived = 0 ORDER BY b.name COLLATE "C", b.group_name COLLATE "C", b.params COLLATE "C", mt.name COLLATE "C"
            """, [runID]) {
            let measurement = found.makeRandomAccess()
            record.measurements.append(MeasuredValue(benchmark: try Self.benchmark(measurement), metric: try Self.metric(measurement),
                                                     value: try measurement["value"].decode(Double.self)))
        }
        return record
    }

    private static func benchmark(_ row: PostgresRandomAccessRow) throws -> BenchmarkKey {
        BenchmarkKey(name: try row["name"].decode(String.self), group: try row["group_name"].decode(String.self),
                     paramsText: try row["params"].decode(String.self))
    }

    private static func metric(_ row: PostgresRandomAccessRow) throws -> MetricDescriptor {
        MetricDescriptor(name: try row["metric"].decode(String.self), unit: try row["unit"].decode(String.self),
                         direction: Direction(rawValue: try row["direction"].decode(String.self)) ?? .lowerIsBetter)
    }
}
