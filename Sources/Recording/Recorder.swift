import Capture
import Foundation
import Records
import Warehouse

/// The one path by which runs reach the warehouse, shared by `hhbench record`, `hhbench run`
/// and the Swift harness: capture the context, overlay what the input and the flags say,
/// derive the summary metrics, write in one transaction.
package struct Recorder: Sendable {
    /// Context the user forced (`--commit`, `--branch`, `--tag`, ...): wins over everything.
    package var overrides: RunContext
    /// `--machine` / `HHBENCH_MACHINE`: the machine's name in place of the hostname.
    package var machineName: String?
    /// Where git is asked about the commit.
    package var directory: String { didSet { git = Git(directory: directory) } }
    /// One git for every record of a batch: a commit named by many records is asked about once.
    private var git: Git
    package var allowDuplicate: Bool
    /// False for historic inputs (old baselines): the working tree's HEAD did not produce them.
    package var captureCommit = true

    /// How many first-parent ancestors each run stores with its commit.
    package static let ancestryDepth = 1000

    /// Which of these commits the warehouse already holds (nil: assume none). A run whose commit
    /// or parent is known needs no more ancestry: git is asked for the commit and its parent only,
    /// not a thousand ancestors, and the warehouse is not sent them again.
    package var knownCommits: (@Sendable ([String]) -> Set<String>)?
    /// For a batch, of the full shas its runs name: those git has, and those the warehouse holds
    /// (each asked once for the whole batch; nil: ask about each run's as it comes).
    private var shasGitHas: Set<String>?
    private var shasStored: Set<String>?

    package init(overrides: RunContext = RunContext(), machineName: String? = nil,
                directory: String = FileManager.default.currentDirectoryPath, allowDuplicate: Bool = false) {
        self.overrides = overrides
        self.machineName = machineName
        self.directory = directory
        self.git = Git(directory: directory)
        self.allowDuplicate = allowDuplicate
    }

    /// The context of "here and now": git (with the commit's ancestry), machine, CI. Capture it
    /// once for many records.
    package func capture(environment: [String: String] = ProcessInfo.processInfo.environment) -> RunContext {
        // A commit given by a flag makes HEAD's commit, ancestry and dirty state moot: not asked.
        let headCommit = captureCommit && overrides.commit == nil
        var captured = ContextCapture.capture(directory: directory, machineName: machineName(environment),
                                              ancestryDepth: headCommit ? Recorder.ancestryDepth : 0, headCommit: headCommit,
                                              askBranch: overrides.branch == nil, environment: environment)
        if !captureCommit {
            captured.commit = nil
            captured.branch = nil
            captured.dirty = nil
        }
        return captured
    }

    private func machineName(_ environment: [String: String]) -> String? {
        machineName ?? environment["HHBENCH_MACHINE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The record as it will be stored: context captured now, then the input's own context
    /// (it knows what it measured), then the flags; plus the derived metrics.
    package func prepare(_ record: RunRecord, captured: RunContext? = nil,
                        environment: [String: String] = ProcessInfo.processInfo.environment) -> RunRecord {
        if record.contextIsComplete {
            // A run exported from another warehouse keeps its context; only explicit flags apply.
            var prepared = record
            prepared.context = record.context.overlaid(by: overrides)
            if let name = machineName, var machine = prepared.context.machine {
                machine.name = name
                machine.namedExplicitly = true
                machine.storedFingerprint = nil
                prepared.context.machine = machine
            }
            return prepared.addingDerivedMetrics()
        }
        let name = machineName(environment)
        let captured = captured ?? capture(environment: environment)
        var context = captured.overlaid(by: record.context).overlaid(by: overrides)
        if let described = record.context.machine, let here = captured.machine, overrides.machine == nil,
           described.hostname ?? described.name == here.hostname {
            // The input describes this very machine (by hostname) with fewer details: keep the
            // captured description, so the fingerprint matches runs recorded here in other formats.
            context.machine = here
        }
        if var machine = context.machine, let name {
            machine.name = name
            machine.namedExplicitly = true
            machine.storedFingerprint = nil
            context.machine = machine
        }
        if let sha = context.commit?.sha, sha != captured.commit?.sha {
            // The input or a flag named another commit: the working tree's state says nothing of it,
            // and git may know it by a shorter name or have its parents and subject.
            if record.context.dirty == nil && overrides.dirty == nil { context.dirty = nil }
            // One git call for the commit (by any name git knows it) and, unless the input gives
            // it, its ancestry: the captured ancestry is HEAD's.
            let needAncestry = record.context.ancestry.isEmpty
            // A full sha the warehouse already holds was stored with its details and ancestry by
            // an earlier run: git is not asked again (CI recording many values at one commit).
            let stored = Git.isFullSha(sha) && (shasStored ?? knownCommits?([sha]) ?? []).contains(sha)
            let gitMayKnow = !stored && (shasGitHas.map { !Git.isFullSha(sha) || $0.contains(sha) } ?? true)
            var found = gitMayKnow ? git.commitWithAncestry(sha, limit: needAncestry ? 1 : 0) : nil
            if needAncestry, let (commit, parents) = found, !parents.isEmpty,
               (knownCommits?([commit.sha] + parents.map(\.sha)) ?? []).isEmpty {
                found = git.commitWithAncestry(sha, limit: Recorder.ancestryDepth)
            }
            if let (known, ancestry) = found {
                context.commit = known.sha == sha ? context.commit.map { known.overlaidCommit(by: $0) } : known
                context.ancestry = needAncestry ? ancestry : record.context.ancestry
            } else {
                context.ancestry = record.context.ancestry
            }
        }
        if context.recordedAt == nil { context.recordedAt = Timestamp.now() }
        var prepared = record
        prepared.context = context
        return prepared.addingDerivedMetrics()
    }

    /// Prepares, checks and writes `record` into `warehouse`; `source` names it in errors.
    package func record(_ record: RunRecord, source: String, into warehouse: Warehouse, captured: RunContext? = nil) throws -> WriteOutcome {
        let outcomes = try self.record([(record, source)], into: warehouse, captured: captured)
        return outcomes[outcomes.startIndex]
    }

    /// Prepares and checks every run, then writes them all in one transaction: all or none.
    /// Each run's `source` (its file) is named by any error, from the checks or the database.
    package func record(_ batch: [(record: RunRecord, source: String)], into warehouse: Warehouse,
                       captured: RunContext? = nil) throws -> [WriteOutcome] {
        try warehouse.write(try prepareChecked(batch, captured: captured), allowDuplicate: allowDuplicate)
    }

    /// Every run prepared and checked (`RunRecord.checkStorable`), ready for `Warehouse.write`;
    /// the first problem is thrown as an input error naming its source.
    package func prepareChecked(_ batch: [(record: RunRecord, source: String)],
                               captured: RunContext? = nil) throws(InputError) -> [(record: RunRecord, source: String)] {
        let environment = ProcessInfo.processInfo.environment
        let captured = captured ?? capture(environment: environment)
        var recorder = self
        // Many runs naming many commits (an import of legacy points): git says in one call which
        // full shas it has, and is not asked about the others one by one.
        let named = Array(Set(batch.compactMap { ($0.record.context.commit ?? overrides.commit)?.sha }.filter(Git.isFullSha)))
        recorder.shasStored = knownCommits?(named)
        if named.count > 1 { recorder.shasGitHas = git.commitsKnown(named) }
        var prepared: [(record: RunRecord, source: String)] = []
        for (record, source) in batch {
            let ready = recorder.prepare(record, captured: captured, environment: environment)
            try ready.checkStorable(file: source)
            prepared.append((ready, source))
        }
        return prepared
    }
}

extension CommitInfo {
    /// This commit with the fields `other` sets taken from `other`.
    func overlaidCommit(by other: CommitInfo) -> CommitInfo {
        var result = self
        result.parents = other.parents ?? parents
        result.authorName = other.authorName ?? authorName
        result.authorEmail = other.authorEmail ?? authorEmail
        result.committedAt = other.committedAt ?? committedAt
        result.subject = other.subject ?? subject
        return result
    }
}
