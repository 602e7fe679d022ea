import Foundation
import GRDB
import Records

/// What writing a run did.
package enum WriteOutcome: Sendable, Equatable {
    case recorded(RunReceipt)
    /// The same input was recorded before for this commit and machine; nothing was written.
    case duplicate(runID: Int64, uuid: String)
}

/// The new run and what went into it.
public struct RunReceipt: Sendable, Equatable {
    public let runID: Int64
    public let uuid: String
    public let benchmarks: Int
    public let metrics: Int
    public let measurements: Int
    public let series: Int
    public let samples: Int
}

extension Warehouse {
    /// Writes one run in one transaction: all of it, or nothing.
    ///
    /// The record's context must name its machine; `recordedAt` defaults to now. Unless
    /// `allowDuplicate`, a run with the same content hash, commit and machine already in the
    /// database makes this a no-op that reports the earlier run.
    package func write(_ record: RunRecord, allowDuplicate: Bool = false) throws -> WriteOutcome {
        let outcomes = try write([(record, "")], allowDuplicate: allowDuplicate)
        guard let outcome = outcomes.first else { throw WarehouseError.engine(path: path, message: "no run written") }
        return outcome
    }

    /// Writes several runs in one transaction: all of them, or none. `source` names each run's
    /// input (a file), so an error the database finds at write time names it.
    package func write(_ records: [(record: RunRecord, source: String)], allowDuplicate: Bool = false) throws -> [WriteOutcome] {
        #if POSTGRES
        if case .postgres(let session) = engine {
            return try PostgresRunWriter(session: session).write(records, allowDuplicate: allowDuplicate)
        }
        #endif
        return try Self.translating(path) {
            try queue.writeWithoutTransaction { db in
                var outcomes: [WriteOutcome] = []
                // A batch's runs mostly share their machine: found (or inserted) once.
                var machineIDs: [String: Int64] = [:]
                try db.inTransaction(.immediate) {
                    for (record, source) in records {
                        do {
                            outcomes.append(try writeOne(record, allowDuplicate: allowDuplicate, machineIDs: &machineIDs, db))
                        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                            throw WarehouseError.runRefused(path: path, source: source,
                                                            reason: error.message ?? "a constraint of the schema")
                        } catch WarehouseError.uuidConflict(let path, "", let uuid, let runID) {
                            throw WarehouseError.uuidConflict(path: path, source: source, uuid: uuid, runID: runID)
                        }
                    }
                    return .commit
                }
                return outcomes
            }
        }
    }

    private func writeOne(_ given: RunRecord, allowDuplicate: Bool, machineIDs: inout [String: Int64],
                          _ db: Database) throws -> WriteOutcome {
        var record = given
        record.contentHash = given.storedContentHash
        let context = record.context
        let machine = context.machine ?? MachineInfo(name: "unknown")
        let uuid = record.uuid ?? RunIdentifier.make()
        if let given = record.uuid,
           let existing = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, content_hash FROM runs WHERE uuid = ?"), arguments: [given]) {
            let id: Int64 = existing["id"]
            if existing["content_hash"] as String? != record.contentHash {
                try Self.checkSameContent(record, storedRunID: id, uuid: given, SQLReader(connection: .sqlite(db), path: path))
                try db.execute(sql: "UPDATE runs SET content_hash = ? WHERE id = ?", arguments: [record.contentHash, id])
            }
            return .duplicate(runID: id, uuid: given)
        }
        // Last guard for callers that skipped RunRecord.checkStorable: nothing non-finite is stored.
        if let bad = record.measurements.first(where: { !$0.value.isFinite }) {
            throw WarehouseError.runRefused(path: path, source: "", reason: "\(bad.benchmark.displayName) \(bad.metric.name) is not finite")
        }
        let fingerprint = machine.fingerprint
        let machineID = try machineIDs[fingerprint] ?? upsertMachine(machine, fingerprint: fingerprint, db)
        machineIDs[fingerprint] = machineID
        if !allowDuplicate, !record.contentHash.isEmpty,
           let earlier = try Row.fetchOne(db.cachedStatement(sql: """
               SELECT id, uuid FROM runs WHERE content_hash = ? AND commit_sha IS ? AND machine_id = ?
               ORDER BY id LIMIT 1
               """), arguments: [record.contentHash, context.commit?.sha, machineID]) {
            return .duplicate(runID: earlier["id"], uuid: earlier["uuid"])
        }
        if let commit = context.commit { try upsertCommit(commit, db) }
        for ancestor in context.ancestry { try upsertCommit(ancestor, db) }
        let runID = try insertRun(record, uuid: uuid, machineID: machineID, db)
        return .recorded(try insertResults(record, runID: runID, uuid: uuid, db))
    }

    /// A run whose uuid is stored already is the same run only if its content is: an older
    /// hhbench stored the input file's hash, so the stored run is read back and hashed again.
    static func checkSameContent(_ record: RunRecord, storedRunID: Int64, uuid: String, _ reader: SQLReader) throws {
        let stored = try exportRecord(runID: storedRunID, reader)
        guard stored.storedContentHash == record.contentHash else {
            throw WarehouseError.uuidConflict(path: reader.path, source: "", uuid: uuid, runID: storedRunID)
        }
    }

    private func upsertMachine(_ machine: MachineInfo, fingerprint: String, _ db: Database) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM machines WHERE fingerprint = ?", arguments: [fingerprint]) {
            return id
        }
        try db.execute(sql: """
            INSERT INTO machines (fingerprint, name, hostname, os, kernel, arch, cpu_model, cpu_cores, memory_bytes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [fingerprint, machine.name, machine.hostname, machine.os, machine.kernel, machine.arch,
                             machine.cpuModel, machine.cpuCores, machine.memoryBytes])
        return db.lastInsertedRowID
    }

    /// Inserts the commit, or fills in what an earlier, sparser record of it lacked.
    func upsertCommit(_ commit: CommitInfo, _ db: Database) throws {
        let parentsText = commit.parents.map { JSONValue.array($0.map(JSONValue.string)).compactText }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO commits (sha, parents, first_parent, author_name, author_email, committed_at, subject)
            VALUES (?1, coalesce(?2, '[]'), ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT (sha) DO UPDATE SET
                parents      = CASE WHEN ?2 IS NOT NULL THEN ?2 ELSE parents END,
                first_parent = CASE WHEN ?2 IS NOT NULL THEN ?3 ELSE first_parent END,
                author_name  = coalesce(?4, author_name),
                author_email = coalesce(?5, author_email),
                committed_at = coalesce(?6, committed_at),
                subject      = coalesce(?7, subject)
            """)
        try statement.execute(arguments: [commit.sha, parentsText, commit.parents?.first, commit.authorName, commit.authorEmail,
                             commit.committedAt, commit.subject])
    }

    private func insertRun(_ record: RunRecord, uuid: String, machineID: Int64, _ db: Database) throws -> Int64 {
        let context = record.context
        let tags = JSONValue.object(context.tags).canonicalText
        let extra = JSONValue.object(context.extra).compactText
        try db.cachedStatement(sql: """
            INSERT INTO runs (uuid, recorded_at, started_at, finished_at, commit_sha, branch, dirty, machine_id,
                              source_format, tool, tool_version, command_line, toolchain, ci_provider, ci_job_url,
                              tags, context, content_hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                uuid, context.recordedAt ?? Timestamp.now(), context.startedAt, context.finishedAt, context.commit?.sha,
                context.branch, context.dirty, machineID, record.sourceFormat, context.tool, context.toolVersion,
                context.commandLine, context.toolchain, context.ciProvider, context.ciJobURL, tags, extra,
                record.contentHash,
            ])
        return db.lastInsertedRowID
    }

    private func insertResults(_ record: RunRecord, runID: Int64, uuid: String, _ db: Database) throws -> RunReceipt {
        var benchmarks = try RowIDCache<BenchmarkKey>(
            db, find: "SELECT id FROM benchmarks WHERE name = ? AND group_name = ? AND params = ?",
            insert: "INSERT INTO benchmarks (name, group_name, params) VALUES (?, ?, ?)") { [$0.name, $0.group, $0.params] }
        var metrics = try RowIDCache<MetricDescriptor>(
            db, find: "SELECT id FROM metrics WHERE name = ? AND unit = ? AND direction = ?",
            insert: "INSERT INTO metrics (name, unit, direction) VALUES (?, ?, ?)") { [$0.name, $0.unit, $0.direction.rawValue] }
        func benchmarkID(_ key: BenchmarkKey) throws -> Int64 { try benchmarks.id(for: key, db) }
        func metricID(_ metric: MetricDescriptor) throws -> Int64 { try metrics.id(for: metric, db) }

        let addSeries = try db.cachedStatement(sql: """
            INSERT INTO sample_series (run_id, benchmark_id, metric_id, count, ieee754, divisor, base, width, samples)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var sampleCount = 0
        for series in record.series {
            let stored = SampleCoding.encode(series.samples)
            try addSeries.execute(arguments: [runID, try benchmarkID(series.benchmark), try metricID(series.metric),
                                              stored.count, stored.ieee754, stored.divisor, stored.base, stored.width,
                                              Data(stored.bytes)])
            sampleCount += series.samples.count
        }
        let addMeasurement = try db.cachedStatement(sql: """
            INSERT INTO measurements (run_id, benchmark_id, metric_id, value, derived) VALUES (?, ?, ?, ?, ?)
            """)
        for measurement in record.measurements {
            try addMeasurement.execute(arguments: [runID, try benchmarkID(measurement.benchmark),
                                                   try metricID(measurement.metric), measurement.value, measurement.derived])
        }
        return RunReceipt(runID: runID, uuid: uuid, benchmarks: benchmarks.keys.count,
                          metrics: Set(metrics.keys.map(\.name)).count, measurements: record.measurements.count,
                          series: record.series.count, samples: sampleCount)
    }
}

/// Run identifiers: UUID version 7 (RFC 9562), time-ordered and globally unique, so runs from
/// databases recorded on different machines merge without collisions and sort by creation.
package enum RunIdentifier {
    package static func make(now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        let random = (generator.next() as UInt64, generator.next() as UInt64)
        var bytes = (0..<16).map { UInt8(truncatingIfNeeded: ($0 < 8 ? random.0 : random.1) >> UInt64(8 * ($0 % 8))) }
        let milliseconds = UInt64(now.timeIntervalSince1970 * 1000)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> UInt64(8 * (5 - index))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = Hex.string(bytes)
        let characters = Array(hex.utf8)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(decoding: characters[$0], as: UTF8.self) }.joined(separator: "-")
    }
}

/// Row ids of a dimension table (benchmarks, metrics), found or inserted once per key and cached
/// for the rest of the run.
private struct RowIDCache<Key: Hashable> {
    private var ids: [Key: Int64] = [:]
    var keys: Dictionary<Key, Int64>.Keys { ids.keys }
    private let find: Statement
    private let insert: Statement
    private let arguments: (Key) -> StatementArguments

    init(_ db: Database, find: String, insert: String, arguments: @escaping (Key) -> StatementArguments) throws {
        self.find = try db.cachedStatement(sql: find)
        self.insert = try db.cachedStatement(sql: insert)
        self.arguments = arguments
    }

    mutating func id(for key: Key, _ db: Database) throws -> Int64 {
        if let id = ids[key] { return id }
        let values = arguments(key)
        let id: Int64
        if let found = try Int64.fetchOne(find, arguments: values) {
            id = found
        } else {
            try insert.execute(arguments: values)
            id = db.lastInsertedRowID
        }
        ids[key] = id
        return id
    }
}
