import Records
import Warehouse

/// `merge` when either warehouse is PostgreSQL (SQLite into PostgreSQL: a CI job pushes the runs it
/// recorded locally; PostgreSQL into SQLite: a developer takes the team's history offline).
///
/// Each run of the source is read as `export --format jsonl` writes it (its whole context, raw
/// samples and given values, its uuid) and written into the target as `record` writes an exported
/// run: the summary metrics are derived again, so both sides export the same lines. Runs are matched
/// by uuid, so merging twice changes nothing. Runs go in batches of `batchSize`, each one
/// transaction: an interrupted merge leaves whole runs only, and merging again completes it.
/// (SQLite into SQLite copies rows in one transaction instead: `Warehouse.merge(from:)`.)
package enum RecordMerge {
    package static func merge(from source: Warehouse, into target: Warehouse, batchSize: Int = 500) throws -> MergeReceipt {
        let ids = try source.runIDs()
        var added = 0, present = 0, samples = 0
        for start in stride(from: 0, to: ids.count, by: batchSize) {
            var batch: [(record: RunRecord, source: String)] = []
            for id in ids[start..<min(start + batchSize, ids.count)] {
                let record = try source.exportRecord(runID: id).addingDerivedMetrics()
                try record.checkStorable(file: source.path)
                batch.append((record, source.path))
            }
            let written = try write(batch, into: target)
            added += written.runsAdded
            present += written.runsAlreadyPresent
            samples += written.samplesAdded
        }
        return MergeReceipt(runsAdded: added, runsAlreadyPresent: present, samplesAdded: samples)
    }

    /// Writes exported runs (derived again and checked) in one transaction. Repeats are allowed: a
    /// run is the same run by its uuid, not by its input's hash. `sync` pulls through here too.
    package static func write(_ batch: [(record: RunRecord, source: String)], into target: Warehouse) throws -> MergeReceipt {
        var added = 0, present = 0, samples = 0
        for (outcome, entry) in zip(try target.write(batch, allowDuplicate: true), batch) {
            switch outcome {
            case .recorded:
                added += 1
                samples += entry.record.series.reduce(0) { $0 + $1.samples.count }
            case .duplicate:
                present += 1
            }
        }
        return MergeReceipt(runsAdded: added, runsAlreadyPresent: present, samplesAdded: samples)
    }
}
