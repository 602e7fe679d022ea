import GRDB
import Records

/// A run as analysis sees it: where and when it ran.
package struct RunReference: Sendable, Equatable, Hashable {
    package let id: Int64
    package let uuid: String
    package let commit: String?
    package let branch: String?
    package let machineName: String
    package let machineFingerprint: String
    package let recordedAt: String
    /// The toolchain the run was built with, when recorded.
    package var toolchain: String? = nil
    /// True when `hhbench prune` removed the run's raw samples: it has its summaries only.
    package var samplesPruned = false
}

/// One series of one benchmark: a metric (a measurement) or a sample series, by name.
package struct SeriesKey: Hashable, Sendable, Comparable {
    package let benchmark: BenchmarkKey
    package let metric: String

    package init(benchmark: BenchmarkKey, metric: String) {
        self.benchmark = benchmark
        self.metric = metric
    }

    package static func < (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
        (lhs.benchmark, lhs.metric) < (rhs.benchmark, rhs.metric)
    }
}

/// Everything one run recorded, keyed by series.
package struct RunValues: Sendable {
    package let run: RunReference
    package var metrics: [SeriesKey: MetricDescriptor] = [:]
    /// Measurements (one value per series).
    package var values: [SeriesKey: Double] = [:]
    /// Raw samples, in recorded order.
    package var samples: [SeriesKey: [Double]] = [:]
    /// The measurements hhbench derived from samples (summaries), as opposed to given values.
    package var derived: Set<SeriesKey> = []

    /// For a run whose raw samples were pruned: the median hhbench derived from the samples of
    /// `key` when they were recorded (`median_time_ms` for `time_ms`); nil otherwise.
    package func prunedSeriesMedian(_ key: SeriesKey) -> Double? {
        guard run.samplesPruned else { return nil }
        let median = SeriesKey(benchmark: key.benchmark, metric: "median_" + key.metric)
        return derived.contains(median) ? values[median] : nil
    }
}

extension Warehouse {
    private static let runReferenceSQL = """
        SELECT r.id, r.uuid, r.commit_sha, r.branch, m.name AS machine, m.fingerprint, r.recorded_at, r.toolchain,
               r.samples_pruned_at IS NOT NULL AS pruned
        FROM runs r JOIN machines m ON m.id = r.machine_id
        """

    /// A row of `runReferenceSQL`, read by position: `trend --last 0` reads 100,000 of them, and
    /// finding columns by name (lowercasing each name) showed in its profile.
    private static func reference(_ row: any ResultRow) -> RunReference {
        RunReference(id: row[0], uuid: row[1], commit: row[2], branch: row[3], machineName: row[4], machineFingerprint: row[5],
                     recordedAt: row[6], toolchain: row[7], samplesPruned: row[8])
    }

    /// The newest run recorded from a source format ("perf-baseline": an imported legacy file),
    /// other than the runs in `excluding`.
    package func newestRun(sourceFormat: String, excluding: Set<Int64> = []) throws -> RunReference? {
        try read { reader in
            try reader.firstMatch(Self.runReferenceSQL + " WHERE r.source_format = ? ORDER BY r.recorded_at DESC, r.id DESC",
                                  bound(sourceFormat)) { row in
                let reference = Self.reference(row)
                return excluding.contains(reference.id) ? nil : reference
            }
        }
    }

    /// The runs at `commits`, optionally only on one machine, newest first.
    package func runs(atCommits commits: [String], machineFingerprint: String? = nil) throws -> [RunReference] {
        guard !commits.isEmpty else { return [] }
        return try read { reader in
            var result: [RunReference] = []
            for chunk in stride(from: 0, to: commits.count, by: 500).map({ Array(commits[$0..<min($0 + 500, commits.count)]) }) {
                var sql = Self.runReferenceSQL + " WHERE r.commit_sha IN (\(databaseQuestionMarks(count: chunk.count)))"
                var arguments = chunk.map(\.databaseValue)
                if let machineFingerprint {
                    sql += " AND m.fingerprint = ?"
                    arguments.append(machineFingerprint.databaseValue)
                }
                result += try reader.all(sql, arguments, Self.reference)
            }
            return result.sorted { ($0.recordedAt, $0.id) > ($1.recordedAt, $1.id) }
        }
    }

    package func runReference(_ id: Int64) throws -> RunReference {
        try read { reader in
            guard let reference = try reader.first(Self.runReferenceSQL + " WHERE r.id = ?", bound(id), Self.reference) else {
                throw WarehouseError.runNotFound(String(id))
            }
            return reference
        }
    }

    /// Of `shas`, those the database holds (as a run's commit or as an ancestor of one), asked in
    /// chunks of 500 (a batch names 100,000; SQLite takes at most 32,766 parameters).
    package func knownCommits(_ shas: [String]) throws -> Set<String> {
        guard !shas.isEmpty else { return [] }
        return try read { reader in
            var known = Set<String>()
            for start in stride(from: 0, to: shas.count, by: 500) {
                let chunk = Array(shas[start..<min(start + 500, shas.count)])
                known.formUnion(try reader.column("SELECT sha FROM commits WHERE sha IN (\(databaseQuestionMarks(count: chunk.count)))",
                                                  chunk.map(\.databaseValue), as: String.self))
            }
            return known
        }
    }

    /// Of `commits`, those with at least one run (on the machine, when given).
    package func commitsWithRuns(_ commits: [String], machineFingerprint: String? = nil) throws -> Set<String> {
        Set(try runs(atCommits: commits, machineFingerprint: machineFingerprint).compactMap(\.commit))
    }

    /// The tags of `runIDs`, by run (runs without tags map to an empty table).
    package func tags(ofRuns runIDs: [Int64]) throws -> [Int64: [String: String]] {
        guard !runIDs.isEmpty else { return [:] }
        return try read { reader in
            let rows = try reader.all("SELECT r.id, r.tags FROM runs r WHERE \(reader.isIn("r.id"))", [reader.integers(runIDs)]) { row in
                (row[0] as Int64, row[1] as String?)
            }
            var tags: [Int64: [String: String]] = [:]
            for (id, text) in rows {
                var table: [String: String] = [:]
                for (key, value) in (text.flatMap { try? JSONParser.parse($0) })?.objectValue ?? [] {
                    table[key] = value.stringValue ?? value.compactText
                }
                tags[id] = table
            }
            return tags
        }
    }

    /// The measurements and (when asked) raw samples of `runIDs` (`metricValues` reads one metric flat).
    package func values(ofRuns runIDs: [Int64], includeSamples: Bool = true) throws -> [RunValues] {
        guard !runIDs.isEmpty else { return [] }
        return try read { reader in
            // One bound parameter however many runs.
            let arguments = [reader.integers(runIDs)]
            let references = try reader.all(Self.runReferenceSQL + " WHERE \(reader.isIn("r.id"))", arguments, Self.reference)
            // Rows are matched to runs, series and metrics by their integer ids: a trend reads
            // 100,000 rows, and building names into keys row by row was most of its time.
            var runs = references.map { RunValues(run: $0) }
            let position = Dictionary(uniqueKeysWithValues: references.enumerated().map { ($1.id, $0) })
            var keys: [Int64: SeriesKey] = [:]
            var descriptors: [Int64: MetricDescriptor] = [:]
            func key(_ row: any ResultRow) -> SeriesKey {
                let benchmarkID: Int64 = row[1], metricID: Int64 = row[2]
                let id = benchmarkID << 32 | metricID
                if let known = keys[id] { return known }
                let made = SeriesKey(benchmark: BenchmarkKey(name: row[3], group: row[4], paramsText: row[5]), metric: row[6])
                keys[id] = made
                return made
            }
            func descriptor(_ row: any ResultRow) -> MetricDescriptor {
                let metricID: Int64 = row[2]
                if let known = descriptors[metricID] { return known }
                let direction: String = row[8]
                let made = MetricDescriptor(name: row[6], unit: row[7], direction: Direction(rawValue: direction) ?? .lowerIsBetter)
                descriptors[metricID] = made
                return made
            }
            try reader.each("""
                SELECT ms.run_id, ms.benchmark_id, ms.metric_id, b.name, b.group_name, b.params, mt.name AS metric, mt.unit,
                       mt.direction, ms.value, ms.derived
                FROM measurements ms JOIN benchmarks b ON b.id = ms.benchmark_id JOIN metrics mt ON mt.id = ms.metric_id
                WHERE \(reader.isIn("ms.run_id"))
                """, arguments) { row in
                guard let index = position[row[0] as Int64] else { return }
                let series = key(row)
                runs[index].values[series] = row[9]
                runs[index].metrics[series] = descriptor(row)
                if row[10] as Bool { runs[index].derived.insert(series) }
            }
            // A pruned run still has its series, through the median derived from it.
            for index in runs.indices where runs[index].run.samplesPruned {
                for median in runs[index].derived where median.metric.hasPrefix("median_") {
                    guard let recorded = runs[index].metrics[median] else { continue }
                    let series = SeriesKey(benchmark: median.benchmark, metric: String(median.metric.dropFirst("median_".count)))
                    runs[index].metrics[series] = MetricDescriptor(name: series.metric, unit: recorded.unit, direction: recorded.direction)
                }
            }
            if includeSamples {
                try reader.each("""
                    SELECT s.run_id, s.benchmark_id, s.metric_id, b.name, b.group_name, b.params, mt.name AS metric, mt.unit,
                           mt.direction, \(SampleCoding.columns)
                    FROM sample_series s JOIN benchmarks b ON b.id = s.benchmark_id JOIN metrics mt ON mt.id = s.metric_id
                    WHERE \(reader.isIn("s.run_id"))
                    """, arguments) { row in
                    guard let index = position[row[0] as Int64] else { return }
                    let series = key(row)
                    runs[index].samples[series] = try SampleCoding.decode(row, path: path)
                    runs[index].metrics[series] = descriptor(row)
                }
            }
            // In the order asked, as before (a run id asked twice comes back twice).
            return runIDs.compactMap { position[$0].map { runs[$0] } }
        }
    }

    // Commit history kept in the database, for when git is not there (a copied database, a CI cache).

    /// The full sha of a stored commit given a unique prefix, or nil.
    package func storedCommit(matching prefix: String) throws -> String? {
        let lowered = prefix.lowercased()
        guard lowered.allSatisfy(\.isHexDigit), lowered.count >= 4 else { return nil }
        return try read { reader in
            let matches = try reader.column("SELECT sha FROM commits WHERE sha \(reader.bytewise) >= ? AND sha \(reader.bytewise) < ? LIMIT 2",
                                            bound(lowered, lowered + "g"), as: String.self)
            return matches.count == 1 ? matches[0] : nil
        }
    }

    /// The commit of the newest run recorded on `branch`.
    package func newestCommit(onBranch branch: String) throws -> String? {
        try read { reader in
            try reader.value("""
                SELECT commit_sha FROM runs WHERE branch = ? AND commit_sha IS NOT NULL ORDER BY recorded_at DESC, id DESC LIMIT 1
                """, bound(branch), as: String.self)
        }
    }

    /// `sha` and its stored first-parent ancestors, newest first, at most `limit`.
    package func storedFirstParentHistory(from sha: String, limit: Int) throws -> [String] {
        try read { reader in
            try reader.column("""
                WITH RECURSIVE history(sha, depth) AS (
                    SELECT CAST(? AS TEXT), 0
                    UNION ALL
                    SELECT c.first_parent, h.depth + 1 FROM history h JOIN commits c ON c.sha = h.sha
                    WHERE c.first_parent IS NOT NULL AND h.depth + 1 < ?
                )
                SELECT sha FROM history ORDER BY depth
                """, bound(sha, limit), as: String.self)
        }
    }

    /// `sha` and every stored ancestor through all parents, at most `limit` of them.
    package func storedAncestors(of sha: String, limit: Int) throws -> Set<String> {
        try read { reader in
            Set(try reader.column("""
                WITH RECURSIVE ancestors(sha) AS (
                    SELECT CAST(? AS TEXT)
                    UNION
                    SELECT p.value FROM ancestors a JOIN commits c ON c.sha = a.sha, \(reader.jsonArrayElements("c.parents", as: "p"))
                )
                SELECT sha FROM ancestors LIMIT ?
                """, bound(sha, limit), as: String.self))
        }
    }

    /// The stored subject of each of `shas`.
    package func commitSubjects(_ shas: [String]) throws -> [String: String] {
        guard !shas.isEmpty else { return [:] }
        return try read { reader in
            var result: [String: String] = [:]
            for chunk in stride(from: 0, to: shas.count, by: 500).map({ Array(shas[$0..<min($0 + 500, shas.count)]) }) {
                try reader.each("SELECT sha, subject FROM commits WHERE sha IN (\(databaseQuestionMarks(count: chunk.count)))",
                                chunk.map(\.databaseValue)) { row in
                    if let subject: String = row["subject"] { result[row["sha"]] = subject }
                }
            }
            return result
        }
    }

    /// The fingerprints of machines with this name.
    package func machineFingerprints(named name: String) throws -> [String] {
        try read { reader in try reader.column("SELECT fingerprint FROM machines WHERE name = ?", bound(name), as: String.self) }
    }
}
