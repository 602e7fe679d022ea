import Analysis
import Capture
import Foundation
import Ingest
import Records
import Recording
import Runner
import Statistics
import Warehouse

/// What one `hhbench ab` call measures, and how.
struct ABPlan: Sendable {
    let base: String
    let head: String
    let repository: String
    let bench: String
    var build: String?
    var output: String?
    var inputFormat: String?
    var warmupRounds = 1
    var design: PairedDesign = .fixed
    /// The rounds to run (fixed), or the most to run (sequential).
    var rounds = 10
    var maxTimeSeconds: Double?
    var seed: UInt64 = 0
    var keepWorktrees = false
    var parallel = false
    var machineName: String?
}

/// Ctrl-C during a session: the round under way is dropped (its children got the signal too),
/// what was recorded stays, and the report is made from it.
enum ABInterrupt {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0
    static var requested: Bool { flag != 0 }
    /// Ctrl-C and SIGTERM (a cancelled CI job) alike; unblocked, as a parent may have blocked them.
    static func install() {
        for signalNumber in [SIGINT, SIGTERM] { signal(signalNumber) { _ in ABInterrupt.flag = 1 } }
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
    static func uninstall() { for signalNumber in [SIGINT, SIGTERM] { signal(signalNumber, SIG_DFL) } }
}

/// One `ab` session: both commits checked out and built, then rounds of base and head in a
/// random order per round, each round's two runs recorded in one transaction, and the paired
/// analysis (`PairedComparison`) after every round.
struct ABSession: Sendable {
    let plan: ABPlan
    let request: CompareRequest
    let config: ProjectConfig
    let warehouse: Warehouse
    let progress: ABProgressLine?

    enum Side: String, Sendable { case base, head }

    func run() throws -> CompareReport {
        let worktrees = ABWorktrees(repository: plan.repository)
        var succeeded = false
        defer {
            // A failed build or bench keeps its worktree to look into; a finished session cleans up.
            if !plan.keepWorktrees && succeeded { worktrees.remove(plan.base); worktrees.remove(plan.head) }
        }
        var folders: [Side: String] = [:]
        for side in [Side.base, .head] {
            let sha = commit(side)
            progress?.status("checking out \(side.rawValue) \(sha.prefix(10))")
            folders[side] = try worktrees.prepare(sha)
            if let build = plan.build {
                progress?.status("building \(side.rawValue) \(sha.prefix(10))")
                _ = try ABWorktrees.shell(build, in: folders[side]!, commit: sha, step: "build")
            }
        }
        var random = SplitMix64(seed: plan.seed)
        for warmup in 0..<plan.warmupRounds {
            progress?.status("warm-up round \(warmup + 1) of \(plan.warmupRounds)")
            _ = try measureRound(order(&random), folders: folders, round: 0)
        }
        let session = UUID().uuidString.lowercased()
        let recorder = Recorder(machineName: plan.machineName, directory: plan.repository, allowDuplicate: true)
        let captured = recorder.capture()
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        var rounds: [PairedRound] = []
        var references: (base: [RunReference], head: [RunReference]) = ([], [])
        var report: CompareReport?
        ABInterrupt.install()
        defer { ABInterrupt.uninstall() }
        for round in 1...plan.rounds {
            if ABInterrupt.requested { break }
            if let limit = plan.maxTimeSeconds, elapsed() >= limit { break }
            let sides = order(&random)
            let measured: [(side: Side, record: RunRecord)]
            do {
                measured = try measureRound(sides, folders: folders, round: round)
            } catch where ABInterrupt.requested {
                break
            }
            let ended = elapsed()
            var batch: [(record: RunRecord, source: String)] = []
            for (position, run) in measured.enumerated() {
                var runRecorder = recorder
                runRecorder.overrides = context(run.side, session: session, round: round,
                                                position: plan.parallel ? "parallel" : String(position + 1), elapsed: ended)
                batch += try runRecorder.prepareChecked([(run.record, "\(run.side.rawValue) \(commit(run.side).prefix(10)), round \(round)")],
                                                        captured: captured)
            }
            let outcomes = try warehouse.write(batch, allowDuplicate: true)
            let ids = outcomes.compactMap { outcome -> Int64? in if case .recorded(let receipt) = outcome { receipt.runID } else { nil } }
            guard ids.count == 2 else { throw ABFailure("round \(round) was not recorded whole (a bug; please report it)") }
            let baseIndex = measured.firstIndex { $0.side == .base }!
            rounds.append(PairedRound(round: round, base: ids[baseIndex], head: ids[1 - baseIndex], endedAfter: ended))
            references.base.append(try warehouse.runReference(ids[baseIndex]))
            references.head.append(try warehouse.runReference(ids[1 - baseIndex]))
            // A fixed design is analysed once at the end, unless a person watches the progress.
            let sequential = plan.design != .fixed
            guard sequential || progress != nil else { continue }
            let interim = try analyse(rounds, references)
            report = interim
            progress?.update(round: round, of: plan.rounds, report: interim, seconds: ended)
            if sequential, round >= PairedDesign.firstLook, Self.decided(interim) { break }
        }
        progress?.clear()
        succeeded = true
        guard !rounds.isEmpty else {
            throw CommandFailure.notEnoughData("no round was completed: nothing was recorded")
        }
        // The last interim report is of every round; else the one analysis now.
        if let report, report.paired?.rounds == rounds.count { return report }
        return try analyse(rounds, references)
    }

    /// True when every tested decision has a verdict the stopping rule accepts.
    static func decided(_ report: CompareReport) -> Bool {
        let tested = report.comparisons.filter { $0.pValue != nil }
        return !tested.isEmpty && tested.allSatisfy { [.regression, .improvement, .unchanged, .overBudget].contains($0.verdict) }
    }

    private func commit(_ side: Side) -> String { side == .base ? plan.base : plan.head }

    /// Base then head, or head then base, by the session's seeded coin.
    private func order(_ random: inout SplitMix64) -> [Side] {
        random.next() & 1 == 0 ? [.base, .head] : [.head, .base]
    }

    /// The run's context: its commit, clean (a worktree is a checkout of it), and the session's tags.
    private func context(_ side: Side, session: String, round: Int, position: String, elapsed: Double) -> RunContext {
        var context = RunContext()
        context.commit = CommitInfo(sha: commit(side))
        context.dirty = false
        context.tags = [ABTags.session: session, ABTags.round: String(round), ABTags.position: position, ABTags.side: side.rawValue,
                        ABTags.seed: String(plan.seed), ABTags.elapsed: String(format: "%.3f", elapsed)]
        if case .sequential(let planned) = plan.design { context.tags[ABTags.plannedRounds] = String(planned) }
        return context
    }

    /// One round's two runs: one after the other in `sides`' order, or both at once on disjoint CPUs
    /// (the first side of the round's order on the first half: a slower half falls on both).
    private func measureRound(_ sides: [Side], folders: [Side: String], round: Int) throws -> [(side: Side, record: RunRecord)] {
        guard plan.parallel else {
            return try sides.map { ($0, try measure($0, folder: folders[$0]!, round: round)) }
        }
        let halves = ABDuet.cpuHalves()
        let results = ABDuet.both { index in
            Result { try measure(sides[index], folder: folders[sides[index]]!, round: round, cpus: halves[index]) }
        }
        return try zip(sides, results).map { ($0, try $1.get()) }
    }

    /// Runs the bench command once in `folder` and reads what it wrote.
    private func measure(_ side: Side, folder: String, round: Int, cpus: String? = nil) throws -> RunRecord {
        let sha = commit(side)
        let outputPath = plan.output.map { ($0 as NSString).isAbsolutePath ? $0 : (folder as NSString).appendingPathComponent($0) }
        if let outputPath { try? FileManager.default.removeItem(atPath: outputPath) }
        let result = try ABWorktrees.shell(plan.bench, in: folder, commit: sha, step: "bench", cpus: cpus)
        let name = "the bench output of \(side.rawValue) \(sha.prefix(10))" + (round > 0 ? ", round \(round)" : ", warm-up")
        let bytes: [UInt8]
        if let outputPath {
            guard let data = FileManager.default.contents(atPath: outputPath) else {
                throw ABFailure("\(name): the bench command wrote no \(plan.output!) in \(folder). Check --output, or leave it out to read its standard output")
            }
            bytes = Array(data)
        } else {
            bytes = result.stdout
        }
        let input = InputFile(name: name, bytes: bytes)
        let runs = try Formats.resolve(input, forced: plan.inputFormat).readRuns(input)
        guard runs.count == 1, let run = runs.first else {
            throw ABFailure("\(name) holds \(runs.count) runs; ab records one a side a round: have the bench command write one result file")
        }
        return run
    }

    /// The paired report of the rounds so far.
    private func analyse(_ rounds: [PairedRound], _ references: (base: [RunReference], head: [RunReference])) throws -> CompareReport {
        try PairedComparison(warehouse: warehouse, config: config)
            .compare(rounds: rounds, design: plan.design, request: request,
                     baseline: SideInfo(commits: [plan.base], runs: references.base),
                     candidate: SideInfo(commits: [plan.head], runs: references.head),
                     description: "base \(plan.base.prefix(10)) in the same rounds")
    }
}
