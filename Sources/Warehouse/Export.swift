import GRDB
import Records

extension Warehouse {
    /// Streams the rows of `hh_measurements` for each run in `runIDs`, in that order: `header`
    /// gets the column names once, then `row` each row as it is read. Nothing is collected across
    /// runs, so memory does not grow with the database (a query a run; the view is indexed by run).
    package func forEachMeasurementRow(runIDs: [Int64], header: ([String]) throws -> Void,
                                       row: ([QueryValue]) throws -> Void) throws {
        try read { reader in
            // In the same order from either engine: by name (byte-wise), then metric.
            let order = reader.bytewise
            let sql = "SELECT * FROM hh_measurements WHERE run_id = ? ORDER BY benchmark \(order), benchmark_group \(order), "
                + "params \(order), derived, metric \(order)"
            try header(try reader.columnNames(ofView: "hh_measurements"))
            for id in runIDs {
                try reader.each(sql, bound(id)) { next in try row(next.cells.map { QueryValue($0.value) }) }
            }
        }
    }

    /// hh_samples' rows a series at a time: `series` gets the 13 cells every row of the series
    /// shares (the view's columns but `idx` and `value`, in its order) and the samples. The same
    /// rows as the view, in its order, but decoded here: the view decodes each sample with string
    /// functions in SQL (about 10 µs a sample, 50 times the jsonl export's cost), while a series'
    /// stored samples decode at once (SampleCoding).
    package func forEachSampleSeries(runIDs: [Int64], header: ([String]) throws -> Void,
                                     series body: ([QueryValue], [Double]) throws -> Void) throws {
        try read { reader in
            let order = reader.bytewise
            try header(try reader.columnNames(ofView: "hh_samples"))
            let sql = """
                SELECT b.name, mt.name, mt.unit, substr(r.commit_sha, 1, 10), r.recorded_at, r.branch, mc.name, b.group_name, b.params,
                       mt.direction, r.commit_sha, r.id, r.uuid, \(SampleCoding.columns)
                FROM sample_series s JOIN runs r ON r.id = s.run_id JOIN machines mc ON mc.id = r.machine_id
                JOIN benchmarks b ON b.id = s.benchmark_id JOIN metrics mt ON mt.id = s.metric_id
                WHERE s.run_id = ? ORDER BY b.name \(order), b.group_name \(order), b.params \(order), mt.name \(order)
                """
            for id in runIDs {
                try reader.each(sql, bound(id)) { series in
                    try body(series.cells.prefix(13).map { QueryValue($0.value) }, try SampleCoding.decode(series, path: path))
                }
            }
        }
    }

    /// The ids of runs to export, oldest first: recorded at or after `since` (ISO 8601 text),
    /// on `branch`, or the ones named.
    package func runIDs(since: String? = nil, branch: String? = nil) throws -> [Int64] {
        try read { reader in
            var sql = "SELECT id FROM runs WHERE 1 = 1"
            var arguments: [DatabaseValue] = []
            if let since { sql += " AND recorded_at >= ?"; arguments.append(since.databaseValue) }
            if let branch { sql += " AND branch = ?"; arguments.append(branch.databaseValue) }
            return try reader.column(sql + " ORDER BY recorded_at, id", arguments, as: Int64.self)
        }
    }

    /// Every run's id and uuid, oldest first, and whether its raw samples were pruned: what `sync`
    /// compares with a history branch.
    package func runUUIDs() throws -> [(id: Int64, uuid: String, pruned: Bool)] {
        try read { reader in
            try reader.all("SELECT id, uuid, CASE WHEN samples_pruned_at IS NULL THEN 0 ELSE 1 END AS pruned FROM runs ORDER BY recorded_at, id", []) {
                (id: $0["id"] as Int64, uuid: $0["uuid"] as String, pruned: ($0["pruned"] as Int64) != 0)
            }
        }
    }

    /// Runs as records with their whole context, raw samples and given (not derived) measurements:
    /// what recording them again needs to rebuild them exactly.
    package func exportRecord(runID: Int64) throws -> RunRecord {
        try read { reader in try Self.exportRecord(runID: runID, reader) }
    }

    /// The same, through a reader of a transaction under way (a writer checking a stored run).
    static func exportRecord(runID: Int64, _ reader: SQLReader) throws -> RunRecord {
        let path = reader.path
        guard var record = try reader.first("""
            SELECT r.*, m.name AS machine_name, m.fingerprint, m.hostname, m.os, m.kernel, m.arch, m.cpu_model, m.cpu_cores, m.memory_bytes,
                   c.parents, c.author_name, c.author_email, c.committed_at, c.subject
            FROM runs r JOIN machines m ON m.id = r.machine_id LEFT JOIN commits c ON c.sha = r.commit_sha
            WHERE r.id = ?
            """, bound(runID), { row in try Self.exportedRun(text: { row[$0] as String? }, integer: { row[$0] as Int64? }) }) else {
            throw WarehouseError.runNotFound(String(runID))
        }
        try reader.each("""
            SELECT b.name, b.group_name, b.params, mt.name AS metric, mt.unit, mt.direction, \(SampleCoding.columns)
            FROM sample_series s JOIN benchmarks b ON b.id = s.benchmark_id JOIN metrics mt ON mt.id = s.metric_id
            WHERE s.run_id = ? ORDER BY s.id
            """, bound(runID)) { series in
            record.series.append(SampleSeries(benchmark: Self.benchmark(series), metric: Self.metric(series),
                                              values: try SampleCoding.decode(series, path: path)))
        }
        let order = reader.bytewise
        try reader.each("""
            SELECT b.name, b.group_name, b.params, mt.name AS metric, mt.unit, mt.direction, ms.value
            FROM measurements ms JOIN benchmarks b ON b.id = ms.benchmark_id JOIN metrics mt ON mt.id = ms.metric_id
            WHERE ms.run_id = ? AND ms.derived = 0 ORDER BY b.name \(order), b.group_name \(order), b.params \(order), mt.name \(order)
            """, bound(runID)) { measurement in
            record.measurements.append(MeasuredValue(benchmark: Self.benchmark(measurement), metric: Self.metric(measurement),
                                                     value: measurement["value"]))
        }
        return record
    }

    /// The benchmark of a row with the columns `name`, `group_name` and `params`.
    static func benchmark(_ row: any ResultRow) -> BenchmarkKey {
        BenchmarkKey(name: row["name"], group: row["group_name"], paramsText: row["params"])
    }

    /// The metric of a row with the columns `metric`, `unit` and `direction`.
    static func metric(_ row: any ResultRow) -> MetricDescriptor {
        MetricDescriptor(name: row["metric"], unit: row["unit"], direction: Direction(rawValue: row["direction"]) ?? .lowerIsBetter)
    }
}
