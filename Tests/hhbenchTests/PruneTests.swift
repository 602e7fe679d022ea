import Foundation
import Testing

/// `hhbench prune` on a real database: what it removes and keeps, the space it gives back, and
/// compare and trend on the pruned history.
@Suite struct PruneTests {
    /// 30 commits of main (one run each, recorded a day apart, the newest today), one run on
    /// release/1.2 and one on a feature branch, both old. Each run has 200 full-precision samples.
    func history(_ folder: TemporaryFolder, engine: Engine = .sqlite) throws -> String {
        var lines: [String] = []
        var parent: String?
        var generator = SeededGenerator(seed: 11)
        func run(_ index: Int, branch: String, daysAgo: Int) {
            let sha = String(repeating: String(format: "%02x", index), count: 20)
            let parents = parent.map { "[\"\($0)\"]" } ?? "[]"
            let recorded = Timestamp(daysAgo: daysAgo)
            lines.append("""
                {"run":{"uuid":"00000000-0000-4000-8000-\(String(format: "%012d", index))","recorded_at":"\(recorded)","branch":"\(branch)",\
                "commit":{"sha":"\(sha)","parents":\(parents),"subject":"commit \(index)","committed_at":"\(recorded)"},\
                "machine":{"name":"ci","os":"Linux","cpu_cores":2}}}
                """)
            let level = index >= 25 && branch == "main" ? 1.3 : 1.0
            for benchmark in ["parse", "render"] {
                let samples = (0..<200).map { _ in "\(level * Double.random(in: 0.95...1.05, using: &generator))" }
                lines.append("{\"benchmark\":\"\(benchmark)\",\"metric\":\"time_ms\",\"samples\":[\(samples.joined(separator: ","))]}")
            }
            if branch == "main" { parent = sha }
        }
        for index in 0..<30 { run(index, branch: "main", daysAgo: 29 - index) }
        run(40, branch: "release/1.2", daysAgo: 200)
        run(41, branch: "feature/x", daysAgo: 200)
        let input = try folder.write("history.jsonl", lines.joined(separator: "\n") + "\n")
        let db = try engine.newWarehouse(in: folder)
        let recorded = try hhbench(["record", "--db", db, input], cwd: folder.path)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        return db
    }

    func fileSize(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
    }

    @Test(arguments: Engine.allCases) func dryRunShowsWhatWouldGoAndChangesNothing(engine: Engine) throws {
        let folder = try TemporaryFolder()
        let db = try history(folder, engine: engine)
        let before = try queryDatabase(db, "SELECT count(*), sum(count), sum(length(samples)) FROM sample_series")
        let result = try hhbench(["prune", "--db", db, "--keep-samples-for", "10d", "--dry-run", "--format", "json"], cwd: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        // Runs 0..19 are 10 to 29 days old (and a minute); the release and feature runs are 200 days old.
        #expect(result.stdout.contains("\"runs\": 22"), "\(result.stdout)")
        #expect(result.stdout.contains("\"samples\": 8800"), "\(result.stdout)")
        #expect(result.stdout.contains("\"dry_run\": true"))
        let after = try queryDatabase(db, "SELECT count(*), sum(count), sum(length(samples)) FROM sample_series")
        #expect(before == after)
        #expect(try scalar(db, "SELECT count(*) FROM runs WHERE samples_pruned_at IS NOT NULL") == 0)
    }

    @Test func pruneKeepsMeasurementsAndKeptBranchesAndShrinksTheFile() throws {
        let folder = try TemporaryFolder()
        let db = try history(folder)
        let measurements = try queryDatabase(db, "SELECT run_id, benchmark_id, metric_id, value FROM measurements ORDER BY 1, 2, 3")
        let keptSamples = try queryDatabase(db, """
            SELECT s.run_id, s.samples FROM sample_series s JOIN runs r ON r.id = s.run_id
            WHERE r.branch = 'release/1.2' OR r.recorded_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-10 days') ORDER BY 1, s.id
            """)
        let sizeBefore = try fileSize(db)
        let result = try hhbench(["prune", "--db", db, "--keep-samples-for", "10d", "--keep-branches", "main-never, release/*"], cwd: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("removed the raw samples of 21 runs (8400 samples in 42 series"), "\(result.stdout)")
        // Measurements (the summaries derived at record time) are all still there, unchanged.
        #expect(try queryDatabase(db, "SELECT run_id, benchmark_id, metric_id, value FROM measurements ORDER BY 1, 2, 3")
             == measurements)
        // The release branch and the recent runs keep their samples byte for byte.
        #expect(try queryDatabase(db, "SELECT run_id, samples FROM sample_series ORDER BY 1, id")
            == keptSamples)
        #expect(try scalar(db, "SELECT count(*) FROM runs WHERE samples_pruned_at IS NOT NULL") == 21)
        #expect(try scalar(db, "SELECT count(*) FROM runs r WHERE branch = 'feature/x' AND samples_pruned_at IS NOT NULL") == 1)
        // Freed pages went back to the file system (8,400 samples of 6 to 8 bytes).
        #expect(try scalar(db, "PRAGMA freelist_count") == 0)
        let sizeAfter = try fileSize(db)
        #expect(sizeAfter + 40_000 < sizeBefore, "before \(sizeBefore), after \(sizeAfter)")
        // A second prune finds nothing more to do.
        let again = try hhbench(["prune", "--db", db, "--keep-samples-for", "10d", "--keep-branches", "release/*"], cwd: folder.path)
        #expect(again.stdout.hasPrefix("removed the raw samples of 0 runs"), "\(again.stdout)")
    }

    @Test(arguments: Engine.allCases) func compareAndTrendWorkOnPrunedHistoryAndSaySo(engine: Engine) throws {
        let folder = try TemporaryFolder()
        let db = try history(folder, engine: engine)
        let prune = try hhbench(["prune", "--db", db, "--keep-commits", "3"], cwd: folder.path)
        #expect(prune.status == 0, "\(prune.stderr)")
        // Commits 27..29 keep their samples. The candidate is 29; its baseline is the segment after
        // the step at 25, where 25 and 26 have summaries only; 29 is no different from them.
        let head = String(repeating: String(format: "%02x", 29), count: 20)
        let base = String(repeating: String(format: "%02x", 28), count: 20)
        let compare = try hhbench(["compare", "--db", db, "--commit", head, "--since", base, "--format", "json"], cwd: folder.path)
        #expect([0, 1].contains(compare.status), "\(compare.stderr)")
        #expect(compare.stdout.contains("\"summaries_only\": true"), "\(compare.stdout.prefix(800))")
        #expect(!compare.stdout.contains("\"verdict\": \"insufficient\""), "\(compare.stdout)")
        #expect(!compare.stdout.contains("\"verdict\": \"regression\""), "\(compare.stdout)")
        let text = try hhbench(["compare", "--db", db, "--commit", head, "--since", base], cwd: folder.path)
        #expect(text.stdout.contains("with summaries only: their raw samples were pruned"), "\(text.stdout)")
        // trend still sees all 30 commits and the step at commit 25.
        let trend = try hhbench(["trend", "time_ms", "--db", db, "--branch", head, "--format", "json"], cwd: folder.path)
        #expect(trend.status == 0, "\(trend.stderr)")
        #expect(trend.stderr.contains("have summaries only (raw samples pruned)"), "\(trend.stderr)")
        #expect(trend.stdout.components(separatedBy: "\"commit\"").count - 1 >= 60, "two series of 30 points")
        #expect(trend.stdout.contains(String(repeating: String(format: "%02x", 25), count: 20)))
    }

    @Test func badFlagsAreRefused() throws {
        let folder = try TemporaryFolder()
        for arguments in [["prune"], ["prune", "--keep-samples-for", "90"], ["prune", "--keep-samples-for", "ninety d"],
                          ["prune", "--keep-commits", "-1"]] {
            let result = try hhbench(arguments + ["--db", folder.file("none.db")], cwd: folder.path)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.file("none.db")))
    }
}

/// ISO 8601 UTC time `daysAgo` days before now, as hhbench records it.
private func Timestamp(daysAgo: Int) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: Date(timeIntervalSinceNow: Double(-daysAgo) * 86_400 - 60))
}

/// SplitMix64: the same samples on every run of the tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
