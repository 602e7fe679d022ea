import Foundation
import Records
import Testing

/// Synthetic native results with known shifts: a fixed-seed generator, so every run is reproducible.
struct SyntheticResults {
    var state: UInt64

    init(seed: UInt64) { state = seed &* 6364136223846793005 &+ 1442695040888963407 }

    mutating func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }

    /// A normal variate (Box-Muller).
    mutating func normal(_ mean: Double, _ sd: Double) -> Double {
        let u1 = max(uniform(), 1e-12), u2 = uniform()
        return mean + sd * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    mutating func samples(_ count: Int, mean: Double, sd: Double) -> String {
        (0..<count).map { _ in String(format: "%.6f", normal(mean, sd)) }.joined(separator: ",")
    }

    /// One native file: `time_ms` samples per benchmark, scaled by `factors[benchmark]`.
    mutating func file(benchmarks: [String: Double], samples: Int = 30, extra: String = "") -> String {
        benchmarks.keys.sorted().map { name in
            #"{"benchmark":"\#(name)","metric":"time_ms","samples":[\#(self.samples(samples, mean: 10 * benchmarks[name]!, sd: 0.2))]}"#
        }.joined(separator: "\n") + (extra.isEmpty ? "" : "\n" + extra) + "\n"
    }
}

/// `hhbench compare` through the built binary on real git repositories and databases.
@Suite struct CompareCommandTests {
    /// main: c1..c6; feature branches off c4 with one commit.
    struct History {
        let repo: GitRepository
        /// The warehouse: a file in the repository, or a PostgreSQL database.
        var db = ""
        var main: [String] = []
        var feature = ""
    }

    func makeHistory(engine: Engine = .sqlite, candidate: [String: Double], mainMachine: String = "m1",
                     candidateExtra: String = "") throws -> History {
        var history = History(repo: try GitRepository())
        history.db = try engine.newWarehouse(in: history.repo.folder)
        var generator = SyntheticResults(seed: 7)
        let repo = history.repo
        for index in 1...6 {
            history.main.append(try repo.commit("main \(index)"))
            let input = try repo.folder.write("r.jsonl", generator.file(benchmarks: ["slow": 1, "steady": 1, "fast": 1],
                                                                         extra: #"{"benchmark":"api","metric":"error_rate","value":0.00\#(index)}"#))
            let result = try hhbench(["record", input, "--db", history.db, "--machine", mainMachine], cwd: repo.path)
            guard result.status == 0 else { throw TestFailure(result.stderr) }
            if index == 4 {
                try repo.git("checkout", "-q", "-b", "feature")
                history.feature = try repo.commit("feature work", file: "feature.txt")
                let candidateInput = try repo.folder.write("c.jsonl", generator.file(benchmarks: candidate, extra: candidateExtra))
                let recorded = try hhbench(["record", candidateInput, "--db", history.db, "--machine", "m1"], cwd: repo.path)
                guard recorded.status == 0 else { throw TestFailure(recorded.stderr) }
                try repo.git("checkout", "-q", "main")
            }
        }
        try repo.git("checkout", "-q", "feature")
        return history
    }

    func verdicts(_ json: JSONValue, metric: String = "time_ms") -> [String: String] {
        var result: [String: String] = [:]
        for comparison in json["comparisons"]?.arrayValue ?? [] where comparison["metric"]?.stringValue == metric {
            result[comparison["benchmark"]!.stringValue!] = comparison["verdict"]?.stringValue
        }
        return result
    }

    @Test(arguments: Engine.allCases) func flagsTheShiftedSeriesAgainstTheMergeBaseWindow(engine: Engine) throws {
        let history = try makeHistory(engine: engine, candidate: ["slow": 1.2, "steady": 1.0, "fast": 0.8],
                                      candidateExtra: #"{"benchmark":"api","metric":"error_rate","value":0.0035}"#)
        let result = try hhbench(["compare", "--since", "main", "--db", history.db, "--format", "json"], cwd: history.repo.path)
        #expect(result.status == 1, "\(result.stderr)")
        let report = try JSONParser.parse(result.stdout)
        #expect(verdicts(report) == ["slow": "regression", "steady": "unchanged", "fast": "improvement"])
        // The merge-base is c4: the baseline is c4 and its first-parent ancestors, never c5 or c6.
        #expect(report["baseline"]?["commits"]?.arrayValue?.compactMap(\.stringValue) == Array(history.main[0..<4].reversed()))
        #expect(report["candidate"]?["commits"]?.arrayValue?.first?.stringValue == history.feature)
        let slow = try #require(report["comparisons"]?.arrayValue?.first { $0["benchmark"]?.stringValue == "slow" && $0["metric"]?.stringValue == "time_ms" })
        #expect(slow["method"]?.stringValue == "run_trimmed_mean")
        #expect(slow["baseline"]?["samples"]?.doubleValue == 120)
        #expect(slow["candidate"]?["samples"]?.doubleValue == 30)
        #expect(abs(slow["change_pct"]!.doubleValue! - 20) < 3)
        #expect(slow["ci_low_pct"]!.doubleValue! < 20 && slow["ci_high_pct"]!.doubleValue! > 15)
        #expect(slow["p_adjusted"]!.doubleValue! >= slow["p_value"]!.doubleValue!)
        // error_rate has one value per commit: the run-level test over 4 commits' values.
        let errors = try #require(report["comparisons"]?.arrayValue?.first { $0["metric"]?.stringValue == "error_rate" })
        #expect(errors["method"]?.stringValue == "run_values")
        #expect(["unchanged", "inconclusive"].contains(errors["verdict"]?.stringValue ?? ""))
        // The change lies in its interval, and the row's values give the change.
        let change = try #require(slow["change_pct"]?.doubleValue)
        #expect(slow["ci_low_pct"]!.doubleValue! <= change && change <= slow["ci_high_pct"]!.doubleValue!)
        let base = try #require(slow["baseline"]?["value"]?.doubleValue), cand = try #require(slow["candidate"]?["value"]?.doubleValue)
        #expect(abs((cand / base - 1) * 100 - change) < 1e-9)
        #expect(report["summary"]?["regression"]?.doubleValue ?? 0 >= 1)

        let window = try JSONParser.parse(try hhbench(["compare", "--db", history.db, "--format", "json", "--window", "2"],
                                                      cwd: history.repo.path).stdout)
        #expect(window["baseline"]?["commits"]?.arrayValue?.count == 2)
    }

    /// Several runs at the candidate commit on one machine are pooled; another machine's run there is not.
    @Test(arguments: Engine.allCases) func candidateRunsArePooled(engine: Engine) throws {
        let history = try makeHistory(engine: engine, candidate: ["slow": 1.2, "steady": 1, "fast": 1])
        var generator = SyntheticResults(seed: 99)
        let second = try history.repo.folder.write("c2.jsonl", generator.file(benchmarks: ["slow": 1.2, "steady": 1, "fast": 1]))
        #expect(try hhbench(["record", second, "--db", history.db, "--machine", "m1"], cwd: history.repo.path).status == 0)
        let elsewhere = try history.repo.folder.write("c3.jsonl", generator.file(benchmarks: ["slow": 5, "steady": 5, "fast": 5]))
        #expect(try hhbench(["record", elsewhere, "--db", history.db, "--machine", "m9"], cwd: history.repo.path).status == 0)
        let report = try JSONParser.parse(try hhbench(["compare", "--db", history.db, "--runs-on", "m1", "--format", "json"], cwd: history.repo.path).stdout)
        #expect(report["candidate"]?["runs"]?.arrayValue?.count == 2)
        let slow = try #require(report["comparisons"]?.arrayValue?.first { $0["benchmark"]?.stringValue == "slow" && $0["metric"]?.stringValue == "time_ms" })
        #expect(slow["candidate"]?["runs"]?.doubleValue == 2)
        #expect(slow["candidate"]?["samples"]?.doubleValue == 60)
        #expect(slow["verdict"]?.stringValue == "regression")
    }

    @Test(arguments: Engine.allCases) func noShiftMeansExitZero(engine: Engine) throws {
        let history = try makeHistory(engine: engine, candidate: ["slow": 1, "steady": 1, "fast": 1])
        let result = try hhbench(["compare", "--db", history.db, "--metric", "time_ms"], cwd: history.repo.path)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("3 unchanged"))
        #expect(!result.stdout.contains("\u{1B}["), "no colour when not a terminal")
    }

    @Test(arguments: Engine.allCases) func machinesAreKeptApart(engine: Engine) throws {
        // The history was recorded on m2; the candidate on m1 has no baseline of its own.
        let history = try makeHistory(engine: engine, candidate: ["slow": 1.2, "steady": 1, "fast": 1], mainMachine: "m2")
        let separate = try hhbench(["compare", "--db", history.db], cwd: history.repo.path)
        #expect(separate.status == 3)
        #expect(separate.stderr.contains("no baseline"))
        #expect(separate.stderr.contains("--any-machine"))
        let pooled = try hhbench(["compare", "--db", history.db, "--any-machine", "--format", "json"], cwd: history.repo.path)
        #expect(pooled.status == 1, "\(pooled.stderr)")
        #expect(verdicts(try JSONParser.parse(pooled.stdout))["slow"] == "regression")
    }

    @Test(arguments: Engine.allCases) func budgetsHoldWhateverTheHistorySays(engine: Engine) throws {
        let history = try makeHistory(engine: engine, candidate: ["slow": 1, "steady": 1, "fast": 1],
                                      candidateExtra: #"{"benchmark":"api","metric":"error_rate","value":0.02}"#)
        try history.repo.folder.write("hhbench.toml", """
            # budgets our users assert today
            [compare]
            threshold_pct = 5

            [[rules]]
            benchmark = "api"
            metric = "error_rate"
            budget = 0.01
            """)
        let result = try hhbench(["compare", "--db", history.db, "--format", "json"], cwd: history.repo.path)
        #expect(result.status == 1)
        let report = try JSONParser.parse(result.stdout)
        #expect(verdicts(report, metric: "error_rate")["api"] == "over_budget")
        #expect(report["summary"]?["over_budget"]?.doubleValue == 1)
        // Budgets can be left out of the gate, and given from flags.
        let onlyRegressions = try hhbench(["compare", "--db", history.db, "--fail-on", "regression", "--metric", "error_rate"], cwd: history.repo.path)
        #expect(onlyRegressions.status == 0, "\(onlyRegressions.stdout)")
        let flagBudget = try hhbench(["compare", "--db", history.db, "--budget", "p95_time_ms=1", "--metric", "p95_time_ms", "--format", "json"],
                                     cwd: history.repo.path)
        #expect(flagBudget.status == 1)
        #expect(Set(verdicts(try JSONParser.parse(flagBudget.stdout), metric: "p95_time_ms").values) == ["over_budget"])
        let badConfig = try history.repo.folder.write("bad.toml", "[[rules]]\nbenchmark = \"x\"\nbudjet = 3\n")
        let refused = try hhbench(["compare", "--db", history.db, "--config", badConfig], cwd: history.repo.path)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("rules[0].budjet"))
    }

    /// 5 against 5 fully separated samples: exact p = 2/252 = 0.0079 each. Alone that is significant;
    /// among ten such series Holm's correction multiplies it by up to 10 and nothing is.
    /// The correction runs over the decisions of one call: Holm multiplies a p-value by the number
    /// of decisions, Benjamini-Hochberg leaves ten equal p-values as they are.
    @Test func theCorrectionIsOverTheDecisionsOfTheCall() throws {
        let folder = try TemporaryFolder()
        func file(_ names: [String], base: Double) -> String {
            names.map { #"{"benchmark":"\#($0)","metric":"time_ms","samples":[\#(base),\#(base + 0.1),\#(base + 0.2),\#(base + 0.3),\#(base + 0.4)]}"# }
                .joined(separator: "\n")
        }
        var single: Double?
        for (count, correction, expected) in [(1, "bh", "regression"), (10, "bh", "regression"), (10, "holm", "inconclusive")] {
            let names = (0..<count).map { "b\($0)" }
            let db = "c\(count)\(correction).db"
            try folder.write("a\(count).jsonl", file(names, base: 10))
            try folder.write("b\(count).jsonl", file(names, base: 11.2))
            #expect(try hhbench(["record", "a\(count).jsonl", "--db", db, "--commit", "aaaa1111"], cwd: folder.path).status == 0)
            #expect(try hhbench(["record", "b\(count).jsonl", "--db", db, "--commit", "bbbb2222"], cwd: folder.path).status == 0)
            let result = try hhbench(["compare", "--db", db, "--commit", "bbbb2222", "--against", "aaaa1111", "--metric", "time_ms",
                                      "--correction", correction, "--format", "json"], cwd: folder.path)
            let report = try JSONParser.parse(result.stdout)
            let comparisons = report["comparisons"]?.arrayValue ?? []
            #expect(comparisons.count == count)
            #expect(comparisons.allSatisfy { $0["verdict"]?.stringValue == expected }, "\(count) series, \(correction)")
            let p = try #require(comparisons.first?["p_value"]?.doubleValue)
            if let single { #expect(abs(p - single) < 1e-12, "the same data gives the same p whatever the call holds") } else { single = p }
            let adjusted = try #require(comparisons.first?["p_adjusted"]?.doubleValue)
            #expect(abs(adjusted - (correction == "holm" ? min(1, Double(count) * p) : p)) < 1e-12)
            // One run a side: run-to-run noise cannot be measured, so it is assumed and said.
            #expect(comparisons.first?["run_noise"]?.stringValue == "assumed")
        }
    }

    @Test(arguments: Engine.allCases) func everyOutputFormat(engine: Engine) throws {
        let history = try makeHistory(engine: engine, candidate: ["slow": 1.2, "steady": 1, "fast": 1])
        let markdown = try hhbench(["compare", "--db", history.db, "--format", "markdown"], cwd: history.repo.path).stdout
        #expect(markdown.hasPrefix("### hhbench compare: ⚠️"))
        #expect(markdown.contains("| regression | slow | time_ms |"))
        #expect(markdown.contains("<details><summary>"))
        #expect(markdown.range(of: "| regression")!.lowerBound < markdown.range(of: "<details>")!.lowerBound)

        let csv = try hhbench(["compare", "--db", history.db, "--format", "csv"], cwd: history.repo.path).stdout
        let lines = csv.split(separator: "\n")
        #expect(lines[0] == "benchmark,group,params,metric,unit,direction,baseline_median,baseline_runs,baseline_samples,candidate_median,candidate_runs,candidate_samples,change_pct,ci_low_pct,ci_high_pct,p_value,p_adjusted,method,verdict,baseline_value,candidate_value,run_noise,minimum_detectable_pct,segment_start,rounds,decided_at_round,decided_after_s")
        #expect(lines.contains { $0.hasPrefix("slow,,{},time_ms,ms,lower_is_better,") && $0.contains(",run_trimmed_mean,regression,") })

        let table = try hhbench(["compare", "--db", history.db], cwd: history.repo.path)
        #expect(table.status == 1)
        let rows = table.stdout.split(separator: "\n")
        #expect(rows[0].hasPrefix("candidate "))
        #expect(rows[3].hasPrefix("regression"), "worst first")
        let changes = try hhbench(["compare", "--db", history.db, "--changes-only"], cwd: history.repo.path)
        #expect(changes.status == 1)
        #expect(!changes.stdout.contains("\nunchanged "))
        #expect(changes.stdout.contains("unchanged"), "still counted in the summary line")
        #expect(table.stdout.contains("regression"))

        let json = try JSONParser.parse(try hhbench(["compare", "--db", history.db, "--format", "json"], cwd: history.repo.path).stdout)
        for key in ["baseline", "candidate", "comparisons", "summary"] { #expect(json[key] != nil) }
        let first = try #require(json["comparisons"]?.arrayValue?.first)
        for key in ["benchmark", "metric", "unit", "direction", "baseline", "candidate", "change_pct", "ci_low_pct", "ci_high_pct",
                    "p_value", "p_adjusted", "method", "verdict"] {
            #expect(first[key] != nil, "\(key)")
        }
        for key in ["regression", "improvement", "unchanged", "over_budget", "insufficient", "new", "missing"] {
            #expect(json["summary"]?[key]?.doubleValue != nil, "\(key)")
        }
    }

    @Test func notEnoughDataAndUsageErrors() throws {
        let repo = try GitRepository()
        try repo.commit("one")
        // A database that does not exist is a usage error (a typo in --db), never "no data".
        let noDatabase = try hhbench(["compare", "--db", "h.db"], cwd: repo.path)
        #expect(noDatabase.status == 2)
        #expect(noDatabase.stderr.contains("no such database"))
        #expect(!FileManager.default.fileExists(atPath: repo.folder.file("h.db")))
        let other = try repo.folder.write("other.jsonl", #"{"benchmark":"b","metric":"time_ms","samples":[1,2,3,4,5]}"#)
        #expect(try hhbench(["record", other, "--db", "h.db", "--commit", "0000000000000000000000000000000000000001"], cwd: repo.path).status == 0)
        let noRuns = try hhbench(["compare", "--db", "h.db"], cwd: repo.path)
        #expect(noRuns.status == 3)
        #expect(noRuns.stderr.contains("no runs recorded at the candidate commit"))
        let input = try repo.folder.write("r.jsonl", #"{"benchmark":"b","metric":"time_ms","samples":[1,2,3,4,5]}"#)
        #expect(try hhbench(["record", input, "--db", "h.db"], cwd: repo.path).status == 0)
        let onlyCandidate = try hhbench(["compare", "--db", "h.db", "--since", "main"], cwd: repo.path)
        #expect(onlyCandidate.status == 3)
        let unknown = try hhbench(["compare", "--db", "h.db", "--since", "no-such-branch"], cwd: repo.path)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("'no-such-branch'") && unknown.stderr.contains("--since REF"), "\(unknown.stderr)")
        let both = try hhbench(["compare", "--db", "h.db", "--since", "main", "--against", "1"], cwd: repo.path)
        #expect(both.status == 2)
    }

    /// Without --since or a config: the remote's default branch, else main, else master; and a
    /// branch known only as `origin/NAME` (a CI checkout of a pull request) still resolves.
    @Test func theBaselineBranchDefaultsSensibly() throws {
        let history = try makeHistory(candidate: ["slow": 1.2, "steady": 1, "fast": 1])
        let repo = history.repo
        let expected = Array(history.main[0..<4].reversed())
        func baselineCommits(_ result: ProcessResult) throws -> [String]? {
            try JSONParser.parse(result.stdout)["baseline"]?["commits"]?.arrayValue?.compactMap(\.stringValue)
        }
        // The runs say branch main, which resolves from the database too: the description tells
        // which name was chosen.
        func baselineName(_ result: ProcessResult) throws -> String? {
            try JSONParser.parse(result.stdout)["baseline"]?["description"]?.stringValue
        }

        try repo.git("branch", "-m", "main", "master")
        let onMaster = try hhbench(["compare", "--db", "h.db", "--format", "json"], cwd: repo.path)
        #expect(onMaster.status == 1, "\(onMaster.stderr)")
        #expect(try baselineCommits(onMaster) == expected)
        #expect(try baselineName(onMaster)?.hasSuffix("and master") == true)

        // A clone on feature whose origin/HEAD names master, with no local master branch.
        let elsewhere = try TemporaryFolder()
        let clone = elsewhere.file("clone")
        try repo.git("clone", "-q", repo.path, clone)
        func gitInClone(_ arguments: String...) throws {
            let result = try runProcess("/usr/bin/env", ["git", "-C", clone] + arguments)
            guard result.status == 0 else { throw TestFailure(result.stderr) }
        }
        try gitInClone("remote", "set-head", "origin", "master")
        let database = repo.folder.file("h.db")
        for arguments in [[], ["--since", "master"]] {
            let result = try hhbench(["compare", "--db", database, "--format", "json"] + arguments, cwd: clone)
            #expect(result.status == 1, "\(arguments): \(result.stderr)")
            #expect(try baselineCommits(result) == expected, "\(arguments)")
            #expect(try baselineName(result)?.hasSuffix("and master") == true, "\(arguments)")
        }
    }

    /// A copy of the database, away from the repository, answers from the stored commits.
    @Test func aCopiedDatabaseStillFindsItsBaseline() throws {
        let history = try makeHistory(candidate: ["slow": 1.2, "steady": 1, "fast": 1])
        let elsewhere = try TemporaryFolder()
        try FileManager.default.copyItem(atPath: history.repo.folder.file("h.db"), toPath: elsewhere.file("copy.db"))
        let result = try hhbench(["compare", "--db", "copy.db", "--commit", String(history.feature.prefix(12)), "--since", "main",
                                  "--format", "json"], cwd: elsewhere.path)
        #expect(result.status == 1, "\(result.stderr)")
        let report = try JSONParser.parse(result.stdout)
        #expect(report["baseline"]?["commits"]?.arrayValue?.compactMap(\.stringValue) == Array(history.main[0..<4].reversed()))
        #expect(verdicts(report)["slow"] == "regression")
    }
}

/// For each tool's real files: run1 on main, run3-slow on a branch; compare flags exactly the
/// benchmark that was slowed. The fixtures' untouched benchmarks moved by up to ±14 % between
/// runs on that machine, so the threshold is set above that noise (the slowdowns are 1.5-2×).
@Suite struct CompareFixturesTests {
    struct Case: Sendable, CustomStringConvertible {
        let normal: String
        let slow: String
        let metric: String
        let slowed: Set<String>
        var description: String { normal }
    }

    static let cases: [Case] = [
        Case(normal: "pytest-benchmark/run1.json", slow: "pytest-benchmark/run3-slow.json", metric: "time_ms", slowed: ["test_sort_list"]),
        Case(normal: "hyperfine/run1.json", slow: "hyperfine/run3-slow.json", metric: "time_ms", slowed: ["sort_list"]),
        Case(normal: "google-benchmark/reps5-run1.json", slow: "google-benchmark/reps5-run3-slow.json", metric: "time_ms",
             slowed: ["BM_StringConcat"]),
        Case(normal: "google-benchmark/run1.json", slow: "google-benchmark/run3-slow.json", metric: "time_ms", slowed: ["BM_StringConcat"]),
        Case(normal: "go/run1.txt", slow: "go/run3-slow.txt", metric: "time_ms",
             slowed: ["BenchmarkSortInts/n=1000", "BenchmarkSortInts/n=10000"]),
        Case(normal: "swift-package-benchmark/jmh/run1/Current_run.jmh.json",
             slow: "swift-package-benchmark/jmh/run3-slow/Current_run.jmh.json", metric: "time_ms", slowed: ["SortArray"]),
        Case(normal: "swift-package-benchmark/influx/run1/Current_run.influx.csv",
             slow: "swift-package-benchmark/influx/run3-slow/Current_run.influx.csv", metric: "median_time_ms", slowed: ["SortArray"]),
        Case(normal: "perf-baseline/run1/performance_baselines.json", slow: "perf-baseline/run3-slow/performance_baselines.json",
             metric: "avg_time_ms", slowed: ["sort_list"]),
    ]

    @Test(arguments: cases, Engine.allCases)
    func flagsExactlyTheSlowedBenchmark(_ c: Case, engine: Engine) throws {
        let repo = try GitRepository()
        let db = try engine.newWarehouse(in: repo.folder)
        let base = try repo.commit("base")
        #expect(try hhbench(["record", fixture(c.normal), "--db", db, "--commit", base], cwd: repo.path).status == 0)
        try repo.git("checkout", "-q", "-b", "slow")
        let slow = try repo.commit("slow")
        #expect(try hhbench(["record", fixture(c.slow), "--db", db, "--commit", slow], cwd: repo.path).status == 0)
        let result = try hhbench(["compare", "--db", db, "--against", base, "--metric", c.metric, "--threshold", "30",
                                  "--format", "json"], cwd: repo.path)
        #expect(result.status == 1, "\(c.normal): \(result.stderr)")
        let report = try JSONParser.parse(result.stdout)
        let flagged = Set((report["comparisons"]?.arrayValue ?? []).filter { $0["verdict"]?.stringValue == "regression" }
            .compactMap { $0["benchmark"]?.stringValue })
        #expect(flagged == c.slowed, "\(c.normal)")
        #expect((report["comparisons"]?.arrayValue ?? []).count > c.slowed.count, "the others were compared too")
    }
}
