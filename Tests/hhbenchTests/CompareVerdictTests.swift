import Foundation
import Records
import Testing

/// Issue 12's behaviours, each on a history recorded through the binary. Commits and parents
/// come in the native context, so no git repository is needed; the candidate is named by --commit.
@Suite struct CompareVerdictTests {
    /// A seeded generator, so every run of the suite sees the same data.
    struct Noise {
        var state: UInt64
        mutating func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        mutating func normal() -> Double {
            (-2 * log(max(uniform(), 1e-300))).squareRoot() * cos(2 * .pi * uniform())
        }
    }

    static func sha(_ prefix: Character, _ index: Int) -> String {
        String(prefix) + String(repeating: "0", count: 39 - String(index).count) + String(index)
    }

    /// Records one run a commit along a first-parent line on main, then the candidate on a branch.
    /// `levels[i]` is commit i's true mean (oldest first); `candidate` the candidate's.
    func history(levels: [Double], candidate: Double, benchmarks: Int = 1, samples: Int = 10, cv: Double = 0.02,
                 runNoise: Double = 0, seed: UInt64 = 7, extraLines: (Int) -> String = { _ in "" }) throws
        -> (folder: TemporaryFolder, db: String, candidate: String, main: [String]) {
        let folder = try TemporaryFolder()
        let db = folder.file("h.db")
        var noise = Noise(state: seed)
        var parent: String?
        var main: [String] = []
        func file(level: Double, sha: String, branch: String, parents: [String], index: Int) -> String {
            var lines: [String] = []
            for b in 0..<benchmarks {
                let factor = 1 + runNoise * noise.normal()
                let values = (0..<samples).map { _ in String(level * factor * (1 + cv * noise.normal())) }
                lines.append("{\"benchmark\":\"b\(b)\",\"metric\":\"time_ms\",\"samples\":[\(values.joined(separator: ","))]}")
            }
            let parentsText = parents.map { "\"\($0)\"" }.joined(separator: ",")
            lines.append("{\"context\":{\"commit\":{\"sha\":\"\(sha)\",\"parents\":[\(parentsText)]},\"branch\":\"\(branch)\",\"machine\":\"ci\"}}")
            let extra = extraLines(index)
            if !extra.isEmpty { lines.append(extra) }
            return lines.joined(separator: "\n") + "\n"
        }
        for (index, level) in levels.enumerated() {
            let sha = Self.sha("a", index + 1)
            let path = try folder.write("m\(index).jsonl", file(level: level, sha: sha, branch: "main", parents: parent.map { [$0] } ?? [], index: index))
            let result = try hhbench(["record", path, "--db", db], cwd: folder.path)
            guard result.status == 0 else { throw TestFailure(result.stderr) }
            parent = sha
            main.append(sha)
        }
        let sha = Self.sha("f", 1)
        let path = try folder.write("c.jsonl", file(level: candidate, sha: sha, branch: "feature", parents: parent.map { [$0] } ?? [], index: -1))
        let result = try hhbench(["record", path, "--db", db], cwd: folder.path)
        guard result.status == 0 else { throw TestFailure(result.stderr) }
        return (folder, db, sha, main)
    }

    func compare(_ h: (folder: TemporaryFolder, db: String, candidate: String, main: [String]), _ extra: [String] = []) throws
        -> (ProcessResult, JSONValue) {
        let result = try hhbench(["compare", "--db", h.db, "--since", "main", "--commit", h.candidate, "--format", "json"] + extra,
                                 cwd: h.folder.path)
        return (result, (try? JSONParser.parse(result.stdout)) ?? .null)
    }

    func rows(_ report: JSONValue) -> [JSONValue] { report["comparisons"]?.arrayValue ?? [] }

    @Test func anAAHistoryWithRunToRunDriftStaysQuiet() throws {
        // Twenty benchmarks whose runs drift by 4 % from run to run (a machine's state), each
        // with 10 tight samples: pooling samples as if independent would call many of them changed.
        for seed: UInt64 in [1, 2, 3] {
            let h = try history(levels: Array(repeating: 1.0, count: 10), candidate: 1.0, benchmarks: 20, cv: 0.01, runNoise: 0.04, seed: seed)
            let (result, report) = try compare(h)
            #expect(result.status == 0, "seed \(seed): \(result.stdout)")
            #expect(!rows(report).contains { $0["verdict"]?.stringValue == "regression" })
            // Estimated from the runs, and moderated across the twenty series (RunNoisePrior).
            #expect(rows(report).allSatisfy { ["estimated", "moderated"].contains($0["run_noise"]?.stringValue) })
            #expect(rows(report).contains { $0["run_noise"]?.stringValue == "moderated" })
        }
    }

    @Test func aSmallSample2xSlowdownIsFlaggedAmongFifty() throws {
        // go test -count 5 or Google Benchmark with 5 repetitions: one run of 5 samples a side.
        let h = try history(levels: [1.0], candidate: 2.0, benchmarks: 50, samples: 5, cv: 0.03)
        let (result, report) = try compare(h)
        #expect(result.status == 1)
        let timeRows = rows(report).filter { $0["metric"]?.stringValue == "time_ms" }
        #expect(timeRows.count == 50)
        #expect(timeRows.allSatisfy { $0["verdict"]?.stringValue == "regression" }, "\(timeRows.map { $0["verdict"]?.stringValue ?? "" })")
        #expect(timeRows.allSatisfy { $0["run_noise"]?.stringValue == "assumed" }, "one run a side: the run noise is assumed and said")
    }

    @Test func aRegressionAlreadyOnMainIsNotBlamedOnALaterBranch() throws {
        // +33 % landed on main at commit 9; commits 10-12 are docs-only; the branch changes nothing.
        let levels = Array(repeating: 1.0, count: 8) + Array(repeating: 1.33, count: 4)
        let h = try history(levels: levels, candidate: 1.33, cv: 0.02, runNoise: 0.01)
        let (result, report) = try compare(h)
        #expect(result.status == 0, "\(result.stdout)")
        let row = try #require(rows(report).first { $0["metric"]?.stringValue == "time_ms" })
        #expect(row["verdict"]?.stringValue != "regression")
        #expect(row["segment_start"]?.stringValue == h.main[8], "the baseline starts at the commit that landed the change")
        #expect(abs(row["change_pct"]?.doubleValue ?? 99) < 5)
        // Without the segment, the old window would have mixed both levels and blamed the branch.
        let table = try hhbench(["compare", "--db", h.db, "--since", "main", "--commit", h.candidate], cwd: h.folder.path)
        #expect(table.stdout.contains("baseline since \(h.main[8].prefix(10))"))
    }

    @Test func inconclusiveSaysWhatTheDataCouldDetect() throws {
        // A noisy benchmark (20 % per sample, 8 % from run to run), a +6 % change: neither shown
        // nor ruled out.
        let h = try history(levels: Array(repeating: 1.0, count: 10), candidate: 1.06, cv: 0.2, runNoise: 0.08, seed: 11)
        let (result, report) = try compare(h)
        #expect(result.status == 0)
        let row = try #require(rows(report).first { $0["metric"]?.stringValue == "time_ms" })
        #expect(row["verdict"]?.stringValue == "inconclusive")
        let detectable = try #require(row["minimum_detectable_pct"]?.doubleValue)
        #expect(detectable > 5, "it could not have seen a 5 % change")
        #expect(row["advice"]?.stringValue?.contains("runs") == true, "\(row["advice"]?.stringValue ?? "no advice")")
        let table = try hhbench(["compare", "--db", h.db, "--since", "main", "--commit", h.candidate], cwd: h.folder.path)
        #expect(table.stdout.contains("inconclusive") && table.stdout.contains("could detect ±"))
    }

    @Test func runFactsAreNotCompared() throws {
        // pytest-benchmark's rounds: a -80 % improvement in time doubles the rounds; they are not a regression.
        let h = try history(levels: Array(repeating: 1.0, count: 5), candidate: 0.2, cv: 0.02,
                            extraLines: { index in "{\"benchmark\":\"b0\",\"metric\":\"rounds\",\"unit\":\"count\",\"value\":\(index < 0 ? 5000 : 1000)}" })
        let (result, report) = try compare(h)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(!rows(report).contains { $0["metric"]?.stringValue == "rounds" })
        #expect(rows(report).first { $0["metric"]?.stringValue == "time_ms" }?["verdict"]?.stringValue == "improvement")
        let query = try hhbench(["query", "regressions", "--db", h.db, "--param", "commit=\(h.candidate)", "--param", "branch=main", "--format", "csv"],
                                cwd: h.folder.path)
        #expect(query.status == 0, "\(query.stderr)")
        #expect(!query.stdout.contains(",rounds,"))
    }

    @Test func everyRowIsConsistent() throws {
        let levels = Array(repeating: 1.0, count: 10)
        let h = try history(levels: levels, candidate: 1.15, benchmarks: 30, cv: 0.05, runNoise: 0.02, seed: 5)
        for threshold in ["5", "0"] {
            let (_, report) = try compare(h, ["--threshold", threshold, "--all"])
            for row in rows(report) {
                guard let change = row["change_pct"]?.doubleValue, let low = row["ci_low_pct"]?.doubleValue,
                      let high = row["ci_high_pct"]?.doubleValue else { continue }
                #expect(low <= change && change <= high, "the change lies in its own interval")
                let base = try #require(row["baseline"]?["value"]?.doubleValue), cand = try #require(row["candidate"]?["value"]?.doubleValue)
                #expect(abs((cand / base - 1) * 100 - change) < 1e-6, "baseline, candidate and change use one statistic")
                switch row["verdict"]?.stringValue {
                case "regression": #expect(change > 0 && change >= Double(threshold)!)
                case "improvement": #expect(change < 0)
                case "unchanged": #expect(low >= -Double(threshold)! && high <= Double(threshold)! && Double(threshold)! > 0)
                default: break
                }
            }
            // One decision a series; the summaries ride along.
            #expect(rows(report).allSatisfy { $0["metric"]?.stringValue == "time_ms" })
            #expect(rows(report).allSatisfy { ($0["summaries"]?.arrayValue?.count ?? 0) >= 7 })
        }
        // Times in human units in the table.
        let table = try hhbench(["compare", "--db", h.db, "--since", "main", "--commit", h.candidate], cwd: h.folder.path)
        #expect(table.stdout.contains(" ms") && !table.stdout.contains("e-0"))
    }

    @Test func repeatedMetricFlagsAddUpAndANamedSummaryIsTested() throws {
        let h = try history(levels: Array(repeating: 1.0, count: 10), candidate: 1.5, cv: 0.02, runNoise: 0.01)
        let (_, report) = try compare(h, ["--metric", "p95_time_ms", "--metric", "time_ms"])
        let metrics = Set(rows(report).compactMap { $0["metric"]?.stringValue })
        #expect(metrics == ["time_ms", "p95_time_ms"])
        let p95 = try #require(rows(report).first { $0["metric"]?.stringValue == "p95_time_ms" })
        #expect(p95["method"]?.stringValue == "run_values")
        #expect(p95["verdict"]?.stringValue == "regression")
    }

    @Test func theLegacyBaselinesServeAsAReference() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("h.db")
        #expect(try hhbench(["import-baselines", fixture("perf-baseline/run1/performance_baselines.json"), "--db", db], cwd: folder.path).status == 0)
        let current = try hhbench(["record", fixture("perf-baseline/run3-slow/performance_baselines.json"), "--db", db,
                                   "--commit", "cccc3333", "--machine", "ci"], cwd: folder.path)
        #expect(current.status == 0, "\(current.stderr)")
        let noRuns = try hhbench(["compare", "--db", db, "--commit", "cccc3333", "--since", "cccc3333"], cwd: folder.path)
        #expect(noRuns.status == 3)
        #expect(noRuns.stderr.contains("--against baselines"), "\(noRuns.stderr)")
        let result = try hhbench(["compare", "--db", db, "--commit", "cccc3333", "--against", "baselines", "--format", "json"], cwd: folder.path)
        #expect(result.status == 1, "\(result.stderr)")
        let report = try JSONParser.parse(result.stdout)
        let regressions = rows(report).filter { $0["verdict"]?.stringValue == "regression" }
        #expect(!regressions.isEmpty)
        #expect(regressions.allSatisfy { $0["method"]?.stringValue == "threshold_only" && abs($0["change_pct"]?.doubleValue ?? 0) > 15 })
    }
}
