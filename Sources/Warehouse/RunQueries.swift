import Foundation
import GRDB
import Records

/// One line of `hhbench runs`, read from the run summary query (`summarySQL`).
package struct RunSummary: Sendable, Equatable {
    package let id: Int64
    package let uuid: String
    package let recordedAt: String
    package let commit: String?
    package let branch: String?
    package let dirty: Bool?
    package let machine: String
    package let sourceFormat: String
    package let benchmarks: Int
    package let measurements: Int
    package let samples: Int
    /// The run's tags as the object they were recorded as.
    package let tags: JSONValue

    /// A row of `Warehouse.summarySQL`, by column name.
    init(row: any ResultRow) {
        id = row["id"]
        uuid = row["uuid"]
        recordedAt = row["recorded_at"]
        commit = row["commit_sha"]
        branch = row["branch"]
        dirty = (row["dirty"] as Int?).map { $0 != 0 }
        machine = row["machine"]
        sourceFormat = row["source_format"]
        benchmarks = row["benchmarks"]
        measurements = row["measurement_count"]
        samples = row["samples"]
        tags = (row["tags"] as String?).flatMap { try? JSONParser.parse($0) } ?? .object([])
    }
}

/// One value of a run, for `hhbench show`.
package struct StoredMeasurement: Sendable, Equatable {
    package let benchmark: BenchmarkKey
    package let metric: MetricDescriptor
    package let value: Double
    package let derived: Bool

    init(row: any ResultRow) {
        benchmark = BenchmarkKey(name: row["name"], group: row["group_name"], paramsText: row["params"])
        let direction = Direction(rawValue: row["direction"] as String) ?? .lowerIsBetter
        metric = MetricDescriptor(name: row["metric"], unit: row["unit"], direction: direction)
        value = row["value"]
        derived = row["derived"]
    }
}

/// A value of a run's context, typed by its column: numbers stay numbers, flags flags, and the
/// JSON columns (tags, context, parents) the objects they hold.
package enum ContextValue: Sendable, Equatable {
    case text(String)
    case number(Double)
    case flag(Bool)
    case json(JSONValue)

    /// How tables show it.
    package var text: String {
        switch self {
        case .text(let text): text
        case .number(let number): DecimalNumber(number).jsonText
        case .flag(let flag): flag ? "true" : "false"
        case .json(let value): value.compactText
        }
    }

    package var json: JSONValue {
        switch self {
        case .text(let text): .string(text)
        case .number(let number): .number(number)
        case .flag(let flag): .bool(flag)
        case .json(let value): value
        }
    }
}

/// A run with its whole context and every measurement.
package struct RunDetail: Sendable {
    package let summary: RunSummary
    /// Every column of the run and its machine and commit, by name (null columns left out).
    package let context: [(name: String, value: ContextValue)]
    package let measurements: [StoredMeasurement]
    /// Sample counts per benchmark and series.
    package let series: [(benchmark: String, series: String, count: Int)]
}

extension Warehouse {
    private static let summarySQL = """
        SELECT r.id, r.uuid, r.recorded_at, r.commit_sha, r.branch, r.dirty, m.name AS machine, r.source_format, r.tags,
               (SELECT count(DISTINCT benchmark_id) FROM measurements WHERE run_id = r.id) AS benchmarks,
               (SELECT count(*) FROM measurements WHERE run_id = r.id) AS measurement_count,
               (SELECT coalesce(sum(count), 0) FROM sample_series WHERE run_id = r.id) AS samples
        FROM runs r JOIN machines m ON m.id = r.machine_id
        """


    /// The newest runs first, optionally of one branch.
    package func runs(limit: Int, branch: String? = nil) throws -> [RunSummary] {
        try read { reader in
            var sql = Self.summarySQL
            var arguments: [DatabaseValue] = []
            if let branch {
                sql += " WHERE r.branch = ?"
                arguments.append(branch.databaseValue)
            }
            sql += " ORDER BY r.recorded_at DESC, r.id DESC LIMIT ?"
            arguments.append(limit.databaseValue)
            return try reader.all(sql, arguments, RunSummary.init(row:))
        }
    }

    /// Finds a run by its id, its uuid, a unique prefix of its uuid, or "latest".
    package func resolveRun(_ reference: String) throws -> Int64 {
        try read { reader in try Self.resolveRun(reference, reader) }
    }

    private static func resolveRun(_ reference: String, _ reader: SQLReader) throws -> Int64 {
        if reference == "latest" {
            guard let id = try reader.value("SELECT id FROM runs ORDER BY recorded_at DESC, id DESC LIMIT 1", as: Int64.self) else {
                throw WarehouseError.runNotFound(reference)
            }
            return id
        }
        if let id = Int64(reference), try reader.value("SELECT id FROM runs WHERE id = ?", bound(id), as: Int64.self) != nil {
            return id
        }
        let escaped = reference.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "")
        let matches = try reader.all("SELECT id, uuid FROM runs WHERE uuid LIKE ? LIMIT 5", bound(escaped.lowercased() + "%")) {
            (id: $0["id"] as Int64, uuid: $0["uuid"] as String)
        }
        if matches.count == 1 { return matches[0].id }
        if matches.isEmpty { throw WarehouseError.runNotFound(reference) }
        throw WarehouseError.ambiguousRun(reference, matches: matches.map(\.uuid))
    }

    package func runDetail(_ reference: String) throws -> RunDetail {
        try read { reader in
            let id = try Self.resolveRun(reference, reader)
            guard let summary = try reader.first(Self.summarySQL + " WHERE r.id = ?", bound(id), RunSummary.init(row:)) else {
                throw WarehouseError.runNotFound(String(id))
            }
            guard let contextCells = try reader.first("""
                SELECT r.uuid, r.recorded_at, r.started_at, r.finished_at, r.commit_sha, c.parents, c.author_name,
                       c.author_email, c.committed_at AS commit_time, c.subject AS commit_subject, r.branch, r.dirty,
                       m.name AS machine, m.fingerprint AS machine_fingerprint, m.hostname, m.os, m.kernel, m.arch,
                       m.cpu_model, m.cpu_cores, m.memory_bytes, r.source_format, r.tool, r.tool_version,
                       r.command_line, r.toolchain, r.ci_provider, r.ci_job_url, r.tags, r.context, r.content_hash
                FROM runs r JOIN machines m ON m.id = r.machine_id LEFT JOIN commits c ON c.sha = r.commit_sha
                WHERE r.id = ?
                """, bound(id), \.cells) else { throw WarehouseError.runNotFound(String(id)) }
            let context = contextCells.filter { !$0.value.isNull }.map { (name: $0.name, value: Self.contextValue($0.name, $0.value)) }
            let order = reader.bytewise
            let measurements = try reader.all("""
                SELECT b.name, b.group_name, b.params, mt.name AS metric, mt.unit, mt.direction, ms.value, ms.derived
                FROM measurements ms JOIN benchmarks b ON b.id = ms.benchmark_id JOIN metrics mt ON mt.id = ms.metric_id
                WHERE ms.run_id = ? ORDER BY b.name \(order), b.group_name \(order), b.params \(order), ms.derived, mt.name \(order)
                """, bound(id), StoredMeasurement.init(row:))
            let series = try reader.all("""
                SELECT b.name, mt.name AS series, s.count FROM sample_series s
                JOIN benchmarks b ON b.id = s.benchmark_id JOIN metrics mt ON mt.id = s.metric_id
                WHERE s.run_id = ? ORDER BY b.name \(order), mt.name \(order)
                """, bound(id)) { (benchmark: $0["name"] as String, series: $0["series"] as String, count: $0["count"] as Int) }
            return RunDetail(summary: summary, context: context, measurements: measurements, series: series)
        }
    }

    /// The JSON columns hold objects or arrays, `dirty` a flag, the counts integers; the rest text.
    private static func contextValue(_ column: String, _ value: DatabaseValue) -> ContextValue {
        switch (column, value.storage) {
        case ("tags", .string(let text)), ("context", .string(let text)), ("parents", .string(let text)):
            return (try? JSONParser.parse(text)).map(ContextValue.json) ?? .text(text)
        case ("dirty", .int64(let flag)): return .flag(flag != 0)
        case (_, .int64(let number)): return .number(Double(number))
        case (_, .double(let number)): return .number(number)
        default: return .text(text(value))
        }
    }

    static func text(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: return ""
        case .int64(let number): return String(number)
        case .double(let number): return DecimalNumber(number).jsonText
        case .string(let string): return string
        case .blob(let data): return "<\(data.count) bytes>"
        }
    }

    /// The raw samples of one run's series, in recorded order.
    package func samples(runID: Int64, benchmark: String, series: String) throws -> [Double] {
        try read { reader in
            try reader.first("""
                SELECT \(SampleCoding.columns) FROM sample_series s
                JOIN benchmarks b ON b.id = s.benchmark_id JOIN metrics mt ON mt.id = s.metric_id
                WHERE s.run_id = ? AND b.name = ? AND mt.name = ?
                """, bound(runID, benchmark, series)) { try SampleCoding.decode($0, path: path) } ?? []
        }
    }
}
