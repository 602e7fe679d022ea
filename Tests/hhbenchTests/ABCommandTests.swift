import Foundation
import Testing

/// `hhbench ab` on real git repositories: worktrees, a real C build, real bench commands
/// (a C program timing itself, pytest-benchmark, hyperfine), rounds recorded with their tags, the
/// paired verdict, and `compare --against BASE` agreeing with it afterwards.
@Suite(.serialized) struct ABCommandTests {
    /// A C benchmark that times a loop 15 times and prints one hhbench JSON line; `work` is the
    /// loop's length, which the head changes.
    static func cBenchmark(work: Int) -> String {
        """
        #include <stdio.h>
        #include <time.h>
        static volatile unsigned long sink;
        int main(void) {
            printf("{\\"benchmark\\":\\"c_loop\\",\\"metric\\":\\"time_ms\\",\\"samples\\":[");
            for (int i = 0; i < 15; i++) {
                struct timespec a, b;
                clock_gettime(CLOCK_MONOTONIC, &a);
                unsigned long s = 0;
                for (unsigned long j = 0; j < \(work)UL; j++) s += j * j;
                sink = s;
                clock_gettime(CLOCK_MONOTONIC, &b);
                printf("%s%.6f", i ? "," : "", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
            }
            printf("]}\\n");
            return 0;
        }
        """
    }

    /// A bench whose values are drawn, not timed: ten series, lognormal 2 % noise within a run,
    /// a run factor shared by both runs of a round (the round's number from a counter), and
    /// `factor` times slower in a worktree holding slow.flag (the head's). Deterministic: every
    /// draw is seeded by the call's number.
    static func drawnBenchmark(counter: String, factor: Double) -> String {
        """
        import json, os, random
        path = \(String(reflecting: counter))
        calls = int(open(path).read()) if os.path.exists(path) else 0
        open(path, "w").write(str(calls + 1))
        factor = \(factor) if os.path.exists("slow.flag") else 1.0
        shared = random.Random(calls // 2).gauss(0, 0.03)
        own = random.Random(1000 + calls)
        for b in range(10):
            level = 10 * (1 + b) * factor
            samples = [level * 2.718281828 ** (shared + own.gauss(0, 0.02)) for _ in range(20)]
            print(json.dumps({"benchmark": "drawn_%d" % b, "metric": "time_ms", "samples": samples}))
        """
    }

    /// A repository with a base commit and a head that differs by `change`, both holding `files`.
    private func repository(base: [String: String], head: [String: String]) throws -> (repo: GitRepository, base: String, head: String) {
        let repo = try GitRepository()
        for (name, text) in base { _ = try repo.folder.write(name, text) }
        try repo.git("add", "-A")
        try repo.git("commit", "-q", "-m", "base")
        let baseSha = try repo.git("rev-parse", "HEAD")
        for (name, text) in head { _ = try repo.folder.write(name, text) }
        try repo.git("add", "-A")
        try repo.git("commit", "-q", "-m", "head")
        return (repo, baseSha, try repo.git("rev-parse", "HEAD"))
    }

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text.prefix(300))")
    }

    @Test func aCBenchmarkThreeTimesSlowerIsARegressionAndCompareAgrees() throws {
        let (repo, base, head) = try repository(base: ["bench.c": Self.cBenchmark(work: 1_000_000)], head: ["bench.c": Self.cBenchmark(work: 3_000_000)])
        let db = repo.folder.file("h.db")
        let result = try hhbench(["ab", "--db", db, "--base", "HEAD~1", "--build", "cc -O1 -o bench bench.c", "--bench", "./bench", "--until-decided",
                                  "--max-rounds", "12", "--seed", "7", "--format", "json"], cwd: repo.path)
        #expect(result.status == 1, "\(result.stderr)\n\(result.stdout)")
        let report = try json(result.stdout)
        let rows = try #require(report["comparisons"] as? [[String: Any]])
        let row = try #require(rows.first { $0["benchmark"] as? String == "c_loop" && $0["metric"] as? String == "time_ms" })
        #expect(row["verdict"] as? String == "regression", "\(row)")
        #expect(row["method"] as? String == "paired_rounds")
        #expect((row["change_pct"] as? Double ?? 0) > 100, "\(row)")
        let paired = try #require(report["paired"] as? [String: Any])
        #expect(paired["design"] as? String == "sequential" && paired["planned_rounds"] as? Double == 12)
        let rounds = try #require(paired["rounds"] as? Double)
        #expect(rounds >= 3 && rounds < 12, "a threefold slowdown is decided early: \(rounds) rounds")
        #expect((report["baseline"] as? [String: Any])?["commits"] as? [String] == [base])
        // The worktrees are gone; every run is an ordinary run of its commit with the session's tags.
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: repo.folder.file(".hhbench/worktrees"))) ?? []).isEmpty)
        #expect(try repo.git("worktree", "list").split(separator: "\n").count == 1)
        #expect(try repo.git("status", "--porcelain").split(separator: "\n").filter { !$0.hasSuffix("h.db") }.isEmpty, "ab leaves the work tree clean")
        let tags = try runProcess("/usr/bin/env", ["sqlite3", db, "SELECT commit_sha, tags FROM runs ORDER BY id"]).stdout
        let lines = tags.split(separator: "\n")
        #expect(Double(lines.count) == 2 * rounds)
        #expect(lines.allSatisfy { $0.contains("\"ab_session\"") && $0.contains("\"ab_round\"") && $0.contains("\"ab_position\"") })
        #expect(lines.filter { $0.hasPrefix(base) }.count == lines.filter { $0.hasPrefix(head) }.count)
        // compare after ab: the same paired answer.
        let compared = try hhbench(["compare", "--db", db, "--against", base, "--format", "json"], cwd: repo.path)
        #expect(compared.status == 1, "\(compared.stderr)")
        let again = try #require((try json(compared.stdout))["comparisons"] as? [[String: Any]])
        let same = try #require(again.first { $0["benchmark"] as? String == "c_loop" && $0["metric"] as? String == "time_ms" })
        for field in ["verdict", "method", "change_pct", "p_value", "p_adjusted", "ci_low_pct", "ci_high_pct"] {
            #expect(String(describing: same[field]) == String(describing: row[field]), "compare's \(field) \(String(describing: same[field])) is not ab's \(String(describing: row[field]))")
        }
    }

    @Test func drawnSeriesTenPercentSlowerAreCaughtAndADocsOnlyHeadIsUnchanged() throws {
        let folder = try TemporaryFolder()
        for (name, headFiles) in [("slower", ["slow.flag": "\n"]), ("docs-only", ["README.md": "docs only\n"])] {
            let bench = Self.drawnBenchmark(counter: folder.file("calls-\(name)"), factor: 1.10)
            let (repo, _, _) = try repository(base: ["bench.py": bench], head: headFiles)
            let result = try hhbench(["ab", "--db", repo.folder.file("h.db"), "--bench", "python3 bench.py", "--base", "HEAD~1",
                                      "--until-decided", "--max-rounds", "30", "--seed", "3", "--threshold", "3", "--format", "json"], cwd: repo.path)
            let report = try json(result.stdout)
            let rows = try #require(report["comparisons"] as? [[String: Any]], "\(name): \(result.stderr)")
            let verdicts = Set(rows.compactMap { $0["verdict"] as? String })
            let rounds = try #require((report["paired"] as? [String: Any])?["rounds"] as? Double)
            #expect(rows.count == 10)
            if name == "slower" {
                #expect(result.status == 1 && verdicts == ["regression"], "\(name): exit \(result.status), \(verdicts)")
                #expect(rows.allSatisfy { abs(($0["change_pct"] as? Double ?? 0) - 10) < 2 }, "\(rows.map { $0["change_pct"] ?? "-" })")
            } else {
                #expect(result.status == 0 && verdicts == ["unchanged"], "\(name): exit \(result.status), \(verdicts)")
            }
            // Decided before the limit, each decision saying from which round.
            #expect(rounds < 30, "\(name): \(rounds) rounds")
            #expect(rows.allSatisfy { ($0["decided_at_round"] as? Double ?? 99) <= rounds }, "\(name)")
        }
    }

    /// Duet: both sides at once, each pinned to its half of the CPUs, recorded as parallel.
    @Test func parallelRunsBothSidesAtOncePinnedApart() throws {
        let (repo, _, _) = try repository(base: ["bench.c": Self.cBenchmark(work: 1_000_000)], head: ["bench.c": Self.cBenchmark(work: 3_000_000)])
        let db = repo.folder.file("h.db")
        // Each side reports the CPUs it may use: taskset gave each its own.
        let bench = "grep Cpus_allowed_list /proc/self/status >> ../cpus-$HHBENCH_AB_COMMIT.txt; ./bench"
        let result = try hhbench(["ab", "--db", db, "--base", "HEAD~1", "--build", "cc -O1 -o bench bench.c", "--bench", bench, "--parallel",
                                  "--rounds", "12", "--format", "json", "--keep-worktrees"], cwd: repo.path)
        #expect(result.status == 1, "\(result.stderr)")
        let rows = try #require((try json(result.stdout))["comparisons"] as? [[String: Any]])
        #expect(rows.contains { $0["benchmark"] as? String == "c_loop" && $0["verdict"] as? String == "regression" }, "\(rows)")
        let positions = try runProcess("/usr/bin/env", ["sqlite3", db, "SELECT DISTINCT json_extract(tags, '$.ab_position') FROM runs"]).stdout
        #expect(positions.trimmingCharacters(in: .whitespacesAndNewlines) == "parallel")
        let folder = repo.folder.file(".hhbench/worktrees")
        let lines = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("cpus-") }.flatMap {
            try String(contentsOfFile: (folder as NSString).appendingPathComponent($0), encoding: .utf8).split(separator: "\n").map(String.init)
        }
        // Thirteen rounds (one warm-up) a side, each run on one CPU: never both CPUs. Twelve rounds, not
        // five: on a VM whose two vCPUs share a host core, a side running beside the other is slowed up
        // to twice, by turns, and the trimmed test needs rounds to see through that.
        #expect(lines.count == 26 && lines.allSatisfy { !$0.contains("-") && !$0.contains(",") }, "\(lines)")
    }

    @Test func aBuildThatFailsNamesTheCommitAndItsOutput() throws {
        let (repo, _, head) = try repository(base: ["bench.c": Self.cBenchmark(work: 1000)], head: ["bench.c": "int main(void) { return oops; }\n"])
        let result = try hhbench(["ab", "--db", repo.folder.file("h.db"), "--base", "HEAD~1", "--build", "cc -o bench bench.c", "--bench", "./bench"],
                                 cwd: repo.path)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("the build command failed at \(head.prefix(10))") && result.stderr.contains("oops"), "\(result.stderr)")
        let runs = (try? runProcess("/usr/bin/env", ["sqlite3", repo.folder.file("h.db"), "SELECT count(*) FROM runs"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? ""
        #expect(runs == "0" || runs == "", "nothing is recorded before both commits build: \(runs) runs")
    }

    @Test func outputThatIsNoResultFileIsExitTwoNamingTheRoundAndNothingHalfIsKept() throws {
        // The base writes results, the head writes nothing usable in round 1.
        let script = "import os, json\nif os.path.exists('broken.flag'):\n    print('not json')\nelse:\n    print(json.dumps({'benchmark': 'b', 'metric': 'time_ms', 'value': 1.0}))\n"
        let (repo, _, head) = try repository(base: ["bench.py": script], head: ["broken.flag": "\n"])
        let db = repo.folder.file("h.db")
        let result = try hhbench(["ab", "--db", db, "--base", "HEAD~1", "--bench", "python3 bench.py", "--warmup-rounds", "0"], cwd: repo.path)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("the bench output of head \(head.prefix(10)), round 1"), "\(result.stderr)")
        let runs = (try? runProcess("/usr/bin/env", ["sqlite3", db, "SELECT count(*) FROM runs"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? "0"
        #expect(runs == "0" || runs == "", "a round is recorded whole or not at all: \(runs) runs")
    }

    @Test func pytestBenchmarkAndHyperfineAsTheBenchCommand() throws {
        let test = "def work(n):\n    return sum(i * i for i in range(n))\n\ndef test_work(benchmark):\n    benchmark(work, N)\n"
        let (repo, _, _) = try repository(base: ["test_bench.py": "N = 2000\n" + test], head: ["test_bench.py": "N = 20000\n" + test])
        let pytest = try hhbench(["ab", "--db", repo.folder.file("h.db"), "--base", "HEAD~1", "--rounds", "4", "--warmup-rounds", "0",
                                  "--bench", "python3 -m pytest -q -p no:cacheprovider --benchmark-json=out.json test_bench.py",
                                  "--output", "out.json", "--format", "json"], cwd: repo.path)
        #expect(pytest.status == 1, "\(pytest.stderr)")
        let rows = try #require((try json(pytest.stdout))["comparisons"] as? [[String: Any]])
        #expect(rows.contains { ($0["benchmark"] as? String ?? "").contains("test_work") && $0["verdict"] as? String == "regression" }, "\(rows)")
        // Eight rounds: hyperfine's one series has no others to moderate its spread with, and four
        // rounds' 3 degrees of freedom left a +48 % change inconclusive on a loaded machine.
        let hyperfine = try hhbench(["ab", "--db", repo.folder.file("h2.db"), "--base", "HEAD~1", "--rounds", "8", "--warmup-rounds", "0",
                                     "--bench", "hyperfine -N --runs 5 --export-json out.json 'python3 -c \"import test_bench as t; t.work(t.N * 50)\"' >/dev/null",
                                     "--output", "out.json", "--input-format", "hyperfine", "--format", "json"], cwd: repo.path)
        #expect(hyperfine.status == 1, "\(hyperfine.stderr)")
        let timed = try #require((try json(hyperfine.stdout))["comparisons"] as? [[String: Any]])
        #expect(timed.contains { $0["metric"] as? String == "time_ms" && $0["verdict"] as? String == "regression" }, "\(timed)")
    }

    @Test func interruptedKeepsWhatWasRecordedAndReportsIt() throws {
        let script = "import json, time\ntime.sleep(0.3)\nprint(json.dumps({'benchmark': 'b', 'metric': 'time_ms', 'samples': [1.0, 1.1, 0.9, 1.0, 1.05]}))\n"
        let (repo, _, _) = try repository(base: ["bench.py": script], head: ["README.md": "x\n"])
        let db = repo.folder.file("h.db")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: HHBenchBinary.path)
        process.arguments = ["ab", "--db", db, "--base", "HEAD~1", "--bench", "python3 bench.py", "--rounds", "1000", "--warmup-rounds", "0", "--format", "json"]
        process.currentDirectoryURL = URL(fileURLWithPath: repo.path)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var recorded = 0
        for _ in 0..<200 where recorded < 4 {
            Thread.sleep(forTimeInterval: 0.1)
            recorded = Int((try? runProcess("/usr/bin/env", ["sqlite3", db, "SELECT count(*) FROM runs"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? "") ?? 0
        }
        try #require(recorded >= 4, "ab never recorded two rounds")
        kill(process.processIdentifier, SIGINT)
        let interrupted = Date()
        while process.isRunning && Date().timeIntervalSince(interrupted) < 20 { Thread.sleep(forTimeInterval: 0.05) }
        try #require(!process.isRunning, "ab went on 20 s after SIGINT")
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect([0, 3].contains(process.terminationStatus), "exit \(process.terminationStatus)")
        let report = try json(text)
        let rounds = try #require((report["paired"] as? [String: Any])?["rounds"] as? Double)
        let runs = Int(try runProcess("/usr/bin/env", ["sqlite3", db, "SELECT count(*) FROM runs"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(rounds >= 2 && Double(runs) == 2 * rounds, "\(rounds) rounds reported, \(runs) runs kept")
    }
}
