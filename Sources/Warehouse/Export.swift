import GRDB
import Records

/// The views `export --format csv` writes, one row a measurement or one row a raw sample.
package enum ExportView: String, Sendable {
    case measurements = "hh_measurements"
    case samples = "hh_samples"
}

extension Warehouse {
    /// Streams the rows of `view` for each run in `runIDs`, in that order: `header` gets the
    /// column names once, then `row` each row as it is read. Nothing is collected, so memory does
    /// not grow with the database (a cursor per run; the views are indexed by run).
    package func forEachExportRow(_ view: ExportView, runIDs: [Int64], header: ([String]) throws -> Void,
                                 row: ([QueryValue]) throws -> Void) throws {
        try queue.read { db in
            let statement = try db.makeStatement(sql: "SELECT * FROM \(view.rawValue) WHERE run_id = ?")
            try header(statement.columnNames)
            for id in runIDs {
                let cursor = try Row.fetchCursor(statement, arguments: [id])
                while let next = try cursor.next() {
                    try row(next.databaseValues.map(QueryValue.init))
                }
            }
        }
    }

    /// The ids of runs to export, oldest first: recorded at or after `since` (ISO 8601 text),
    /// on `branch`, or the ones named.
    package func runIDs(since: String? = nil, branch: String? = nil) throws -> [Int64] {
        #if POSTGRES
        if case .postgres(let session) = engine { return try PostgresExport(session: session).runIDs(since: since, branch: branch) }
        #endif
        return try queue.read { db in
            var sql = "SELECT id FROM runs WHERE 1"
            var arguments: StatementArguments = []
            if let since { sql += " AND recorded_at >= ?"; arguments += [since] }
            if let branch { sql += " AND branch = ?"; arguments += [branch] }
            return try Int64.fetchAll(db, sql: sql + " ORDER BY recorded_at, id", arguments: arguments)
        }
    }

    /// Runs as records with their whole context, raw samples and given (not derived) measurements:
    /// what recording them again needs to rebuild them exactly.
    package func exportRecord(runID: Int64) throws -> RunRecord {
        #if POSTGRES
        if case .postgres(let session) = engine {
            do {
                return try PostgresExport(session: session).record(runID: runID)
            } catch let error as WarehouseError {
                throw error
            } catch {
                throw WarehouseError.engine(path: path, message: "run \(runID) could not be read: \(error)")
            }
        }
        #endif
        return try queue.read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT r.*, m.name AS machine_name, m.fingerprint, m.hostname, m.os, m.kernel, m.arch, m.cpu_model, m.cpu_cores, m.memory_bytes,
                       c.parents, c.author_name, c.author_email, c.committed_at, c.subject
                FROM runs r JOIN machines m ON m.id = r.machine_id LEFT JOIN commits c ON c.sha = r.commit_sha
                WHERE r.id = ?
                """), arguments: [runID]) else { throw WarehouseError.runNotFound(String(runID)) }
            var record = try Self.exportedRun(text: { row[$0] }, integer: { row[$0] })
            for series in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT b.name, b.group_name, b.params, mt.name AS metric, mt.unit, mt.direction, \(SampleCoding.columns)
                FROM sample_series s JOIN benchmarks b ON b.id = s.benchmark_id JOIN metrics mt ON mt.id = s.metric_id
                WHERE s.run_id = ? ORDER BY s.id
                """), arguments: [runID]) {
                record.series.append(SampleSeries(
                    benchmark: BenchmarkKey(name: series["name"], group: series["group_name"], paramsText: series["params"]),
                    metric: MetricDescriptor(name: series["metric"], unit: series["unit"],
                                             direction: Direction(rawValue: series["direction"]) ?? .lowerIsBetter),
                    values: try SampleCoding.decode(series, path: path)))
            }
            for measurement in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT b.name, b.group_name, b.params, mt.name AS metric, mt.unit, mt.direction, ms.value
                FROM measurements ms JOIN benchmarks b ON b.id = ms.benchmark_id JOIN metrics mt ON mt.id = ms.metric_id
                WHERE ms.run_id = ? AND ms.derived = 0 ORDER BY b.name, b.group_name, b.params, mt.name
                """), arguments: [runID]) {
                record.measurements.append(MeasuredValue(
                    benchmark: BenchmarkKey(name: measurement["name"], group: measurement["group_name"], paramsText: measurement["params"]),
                    metric: MetricDescriptor(name: measurement["metric"], unit: measurement["unit"],
                                             direction: Direction(rawValue: measurement["direction"]) ?? .lowerIsBetter),
                    value: measurement["value"]))
            }
            return record
        }
    }
}
