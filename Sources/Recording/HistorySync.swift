import Foundation
import Ingest
import Records
import Warehouse

/// What `sync` did.
package struct SyncReceipt: Sendable, Equatable {
    package var pulled = 0
    package var samplesPulled = 0
    package var pushed = 0
    /// Pushes that lost a race to another job and were made again on the new tip.
    package var retries = 0
    /// Runs whose samples were pruned here before they reached the branch: they stay local.
    package var prunedKeptLocal = 0
    /// The runs on the branch just after the sync, and their files' compressed bytes.
    package var branchRuns = 0
    package var branchBytes = 0
}

/// The history as text in a git branch, one compressed file a run: `sync` brings into the
/// warehouse what the branch has and it lacks, and pushes what the branch lacks.
///
/// Each run is `runs/<uu>/<uuid>.<hash>.jsonl.gz` (uu: the uuid's last two hex digits, which spread
/// time-ordered uuids over 256 folders, so a commit rewrites small trees only): the run as `export --format jsonl` writes it,
/// gzipped without a time stamp, named by its uuid and the first 16 hex digits of its content
/// hash (`RunRecord.storedContentHash`). Jobs pushing at once add different paths, so a push that
/// loses the race is made again on the new tip without any merge, and no run is lost. A file whose
/// content no longer matches its name is refused, as is one whose run is not whole.
package enum HistorySync {
    package static let runsFolder = "runs/"

    package static func path(uuid: String, contentHash: String) -> String {
        "\(runsFolder)\(uuid.suffix(2))/\(uuid).\(contentHash.prefix(16)).jsonl.gz"
    }

    /// The uuid and hash a run file's path names; nil for any other file.
    package static func parse(_ path: String) -> (uuid: String, hash: String)? {
        guard path.hasPrefix(runsFolder), path.hasSuffix(".jsonl.gz") else { return nil }
        let name = path.split(separator: "/").last.map(String.init) ?? ""
        let parts = name.dropLast(".jsonl.gz".count).split(separator: ".")
        guard parts.count == 2, parts[1].count == 16, !parts[0].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// Syncs `warehouse` with `branch`, retrying a rejected push up to `attempts` times in all.
    package static func sync(_ warehouse: Warehouse, with branch: HistoryBranch, pull: Bool = true, push: Bool = true,
                             attempts: Int = 30, host: String = ProcessInfo.processInfo.hostName) throws -> SyncReceipt {
        var receipt = SyncReceipt()
        var exported: [String: (path: String, bytes: [UInt8])] = [:]  // kept across attempts
        for attempt in 1... {
            let tip = try branch.fetchTip()
            let files = try tip.map { try branch.files(at: $0, under: runsFolder) } ?? [:]
            var remote: [String: (path: String, blob: String)] = [:]
            for (path, blob) in files { if let named = parse(path) { remote[named.uuid] = (path, blob) } }
            var local = try warehouse.runUUIDs()
            if pull {
                let known = Set(local.map(\.uuid))
                let missing = remote.filter { !known.contains($0.key) }.map(\.value).sorted { $0.path < $1.path }
                if !missing.isEmpty {
                    let written = try pullRuns(missing, from: branch, into: warehouse)
                    receipt.pulled += written.runsAdded
                    receipt.samplesPulled += written.samplesAdded
                    local = try warehouse.runUUIDs()
                }
            }
            guard push else { break }
            let lacking = local.filter { remote[$0.uuid] == nil }
            let sendable = lacking.filter { !$0.pruned }
            receipt.prunedKeptLocal = lacking.count - sendable.count
            guard !sendable.isEmpty else { break }
            var adding: [(path: String, bytes: [UInt8])] = []
            for run in sendable {
                if exported[run.uuid] == nil {
                    let record = try warehouse.exportRecord(runID: run.id)
                    exported[run.uuid] = (path(uuid: run.uuid, contentHash: record.storedContentHash),
                                          try Gzip.compress(Array(NativeWriter.write(record).utf8)))
                }
                adding.append(exported[run.uuid]!)
            }
            if tip == nil { adding.append(("README.md", Array(branchReadme.utf8))) }
            let commit = try branch.commit(parent: tip, adding: adding,
                                           message: "hhbench sync: \(sendable.count) run\(sendable.count == 1 ? "" : "s") from \(host)")
            switch try branch.push(commit) {
            case .pushed:
                receipt.pushed = sendable.count
            case .rejected(let said):
                guard attempt < attempts else {
                    throw HistoryBranch.Failure(description: "branch \(branch.branch) of \(branch.remoteName) moved under \(attempts) pushes in a row (\(said)); run sync again")
                }
                receipt.retries += 1
                HistoryBranch.backOff(after: attempt)
                continue
            }
            break
        }
        (receipt.branchRuns, receipt.branchBytes) = try runFiles(branch)
        return receipt
    }

    /// The run files on the branch now, and their compressed bytes.
    private static func runFiles(_ branch: HistoryBranch) throws -> (count: Int, bytes: Int) {
        guard let tip = try branch.fetchTip() else { return (0, 0) }
        let runs = try branch.sizes(at: tip, under: runsFolder).filter { parse($0.key) != nil }
        return (runs.count, runs.values.reduce(0, +))
    }

    /// Reads, checks and writes the runs of these files, 200 a transaction.
    private static func pullRuns(_ files: [(path: String, blob: String)], from branch: HistoryBranch,
                                 into warehouse: Warehouse) throws -> MergeReceipt {
        var total = MergeReceipt(runsAdded: 0, runsAlreadyPresent: 0, samplesAdded: 0)
        for start in stride(from: 0, to: files.count, by: 200) {
            let chunk = Array(files[start..<min(start + 200, files.count)])
            var batch: [(record: RunRecord, source: String)] = []
            for (file, bytes) in zip(chunk, try branch.read(blobs: chunk.map(\.blob))) {
                let name = "\(branch.branch):\(file.path)"
                batch.append((try readRun(bytes, name: name, path: file.path), name))
            }
            let written = try RecordMerge.write(batch, into: warehouse)
            total = MergeReceipt(runsAdded: total.runsAdded + written.runsAdded,
                                 runsAlreadyPresent: total.runsAlreadyPresent + written.runsAlreadyPresent,
                                 samplesAdded: total.samplesAdded + written.samplesAdded)
        }
        return total
    }

    /// One run file, checked against its name: one whole run with the uuid and content it names.
    static func readRun(_ compressed: [UInt8], name: String, path: String) throws -> RunRecord {
        let fix = "restore the file from the branch's history (git log -- \(path)) or remove it with git rm"
        let bytes: [UInt8]
        do {
            bytes = try Gzip.decompress(compressed, name: name)
        } catch {
            throw InputError(file: name, problem: "\(error)", fix: fix)
        }
        let runs = try NativeFormat().readRuns(InputFile(name: name, bytes: bytes))
        guard runs.count == 1, let named = parse(path) else {
            throw InputError(file: name, problem: "it holds \(runs.count) runs; a history file holds one", fix: fix)
        }
        let record = runs[0]
        guard record.uuid == named.uuid else {
            throw InputError(file: name, problem: "its run's uuid is \(record.uuid ?? "missing"), not the \(named.uuid) its name says", fix: fix)
        }
        let hash = record.storedContentHash
        guard hash.hasPrefix(named.hash) else {
            throw InputError(file: name, problem: "its content hash is \(hash.prefix(16)), not the \(named.hash) its name says: it was changed after it was pushed",
                             fix: fix)
        }
        let derived = record.addingDerivedMetrics()
        try derived.checkStorable(file: name)
        return derived
    }

    static let branchReadme = """
        # hhbench history

        Written by `hhbench sync`: one file a benchmark run, `runs/<uu>/<uuid>.<content hash>.jsonl.gz`,
        each the run as `hhbench export --format jsonl` writes it (`gunzip -c FILE` shows it;
        `hhbench record FILE` records it). Files are only ever added, so concurrent jobs never
        conflict. Read it into a database with `hhbench sync --remote URL --branch BRANCH --pull-only`.

        """
}
