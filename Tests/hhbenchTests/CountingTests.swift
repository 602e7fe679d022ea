import Analysis
import Foundation
import HHBenchKit
import Records
@testable import Runner
import Statistics
import Warehouse
import Testing

/// `hhbench run --measure`: real C programs counted under valgrind's callgrind (and under
/// perf_event_open where the kernel gives the counter), end to end through the built binary.
@Suite(.serialized) struct CountingTests {
    /// A C loop whose iteration count comes from its argument and whose sleep from DELAY_US.
    static let loopSource = """
        #include <stdlib.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            long n = argc > 1 ? atol(argv[1]) : 100000;
            const char *delay = getenv("DELAY_US");
            volatile long sum = 0;
            for (long i = 0; i < n; i++) sum += i * 3;
            if (delay) usleep(atoi(delay));
            return 0;
        }
        """

    static func compileLoop(in folder: String) throws {
        try loopSource.write(toFile: folder + "/loop.c", atomically: true, encoding: .utf8)
        let built = try runProcess("/usr/bin/env", ["cc", "-O1", "-o", "loop", "loop.c"], cwd: folder)
        guard built.status == 0 else { throw TestFailure("cc failed: \(built.stderr)") }
    }

    static func samples(_ db: String, _ metric: String, benchmark: String? = nil) throws -> [Double] {
        let filter = benchmark.map { " AND benchmark = '\($0)'" } ?? ""
        return try queryDatabase(db, "SELECT value FROM hh_samples WHERE series = '\(metric)'\(filter) ORDER BY run_id, idx").map { $0["value"] as Double }
    }

    /// Callgrind's own Ir for a command (summed over every process it followed), run by the
    /// test: the oracle for what hhbench records.
    static func callgrindInstructions(_ arguments: [String], options: [String] = [], cwd: String) throws -> Double {
        let out = try TemporaryFolder()
        let ran = try runProcess("/usr/bin/env", ["valgrind", "--tool=callgrind", "--callgrind-out-file=\(out.path)/out.%p"] + options + ["--"] + arguments,
                                 cwd: cwd)
        guard ran.status == 0 else { throw TestFailure("valgrind failed: \(ran.stderr)") }
        var total = 0.0
        for name in try FileManager.default.contentsOfDirectory(atPath: out.path) {
            let text = try String(contentsOfFile: out.file(name), encoding: .utf8)
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("summary:") }),
                  let value = Double(line.split(separator: " ")[1]) else { throw TestFailure("no summary in \(name)") }
            total += value
        }
        return total
    }

    @Test func countsACProgramUnderCallgrindAndSaysWhy() throws {
        let folder = try TemporaryFolder()
        try Self.compileLoop(in: folder.path)
        let result = try hhbench(["run", "--db", "h.db", "--runs", "3", "--warmup", "0", "--style", "none",
                                  "--measure", "instructions,estimated_cycles,cache", "--count-runs", "3", "--counter-backend", "callgrind",
                                  "-n", "short", "./loop 200000", "-n", "long", "./loop 400000"], cwd: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("instructions:"), "\(result.stdout)")
        #expect(result.stdout.contains("Counter slowdown:"))
        let db = folder.file("h.db")
        let short = try Self.samples(db, "instructions", benchmark: "short")
        let long = try Self.samples(db, "instructions", benchmark: "long")
        #expect(short.count == 3 && long.count == 3)
        // Counts repeat: the three counted runs agree to 0.1 %.
        #expect((short.max()! / short.min()! - 1) <= 0.001, "\(short)")
        // 200,000 more iterations of a loop of a few instructions: a difference of about 1–2 million.
        let extra = Descriptive.median(long) - Descriptive.median(short)
        #expect(extra > 600_000 && extra < 3_000_000, "\(extra)")
        // The same count valgrind gives when the test runs it itself.
        let oracle = try Self.callgrindInstructions(["./loop", "200000"], cwd: folder.path)
        #expect(abs(Descriptive.median(short) / oracle - 1) < 0.005, "hhbench \(short) against valgrind's own \(oracle)")
        // Estimated cycles weigh every access: at least one cycle an instruction; hits add up to the accesses.
        let cycles = try Self.samples(db, "estimated_cycles", benchmark: "short")
        let l1 = try Self.samples(db, "l1_hits", benchmark: "short"), ll = try Self.samples(db, "ll_hits", benchmark: "short"),
            ram = try Self.samples(db, "ram_hits", benchmark: "short")
        #expect(cycles[0] >= short[0])
        #expect(cycles[0] == l1[0] + 5 * ll[0] + 35 * ram[0])
        #expect(l1[0] + ll[0] + ram[0] > short[0], "instruction fetches and data accesses")
        // The back end is in the run's context, and `show` prints it; the slowdown is recorded.
        let shown = try hhbench(["show", "--db", "h.db", "1"], cwd: folder.path)
        #expect(shown.stdout.contains("counter_backend") && shown.stdout.contains("callgrind (valgrind-"), "\(shown.stdout)")
        let slowdown = try #require(try queryDatabase(db, "SELECT value FROM hh_measurements WHERE metric = 'counter_slowdown' AND benchmark = 'short'").first)
        #expect(slowdown["value"] as Double > 2, "callgrind costs many plain runs")
    }

    @Test func aRefusedCounterIsReportedAndCallgrindCountsInstead() throws {
        let folder = try TemporaryFolder()
        try Self.compileLoop(in: folder.path)
        let refusal = PerfEvent.instructions.refusal()
        let auto = try hhbench(["run", "--db", "h.db", "--runs", "2", "--warmup", "0", "--style", "none", "--measure", "instructions", "./loop"], cwd: folder.path)
        #expect(auto.status == 0, "\(auto.stderr)")
        let context = try #require(try queryDatabase(folder.file("h.db"), "SELECT context FROM hh_runs").first)["context"] as String
        if let refusal {
            // This machine refuses hardware counters (a VM without a PMU): said on stderr and in the run's context.
            #expect(auto.stderr.contains("counting under callgrind") && auto.stderr.contains("perf_event_open refused"), "\(auto.stderr)")
            #expect(context.contains("callgrind (valgrind-") && context.contains("counter_refusal"), "\(context)")
            #expect(context.contains(refusal.prefix(30)), "\(context)")
            let forced = try hhbench(["run", "--no-record", "--runs", "1", "--warmup", "0", "--measure", "instructions", "--counter-backend", "perf", "./loop"],
                                     cwd: folder.path)
            #expect(forced.status == 2)
            #expect(forced.stderr.contains("--counter-backend perf") && forced.stderr.contains("perf_event_open refused")
                    && forced.stderr.contains("--counter-backend callgrind"), "\(forced.stderr)")
        } else {
            #expect(context.contains("perf_event_open"), "\(context)")
        }
        #expect(try Self.samples(folder.file("h.db"), "instructions").allSatisfy { $0 > 100_000 })
    }

    @Test func perfCountsASoftwareEventOfTheCommandAndItsChildren() throws {
        // page_faults is a software event: perf_event_open gives it even where hardware counters are absent,
        // so the perf back end (fork, gate, enable on exec, inherit, read) is tested here for real.
        let folder = try TemporaryFolder()
        try Self.compileLoop(in: folder.path)
        let result = try hhbench(["run", "--db", "h.db", "--runs", "2", "--warmup", "0", "--style", "none", "--measure", "page_faults",
                                  "--counter-backend", "perf", "--count-runs", "3", "-n", "one", "./loop", "-n", "three", "sh -c './loop; ./loop; ./loop'"],
                                 cwd: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        let one = try Self.samples(folder.file("h.db"), "page_faults", benchmark: "one")
        let three = try Self.samples(folder.file("h.db"), "page_faults", benchmark: "three")
        #expect(one.count == 3 && one.allSatisfy { $0 > 10 }, "\(one)")
        #expect(Descriptive.median(three) > 2.5 * Descriptive.median(one), "children's faults are inherited: \(three) against \(one)")
        let context = try #require(try queryDatabase(folder.file("h.db"), "SELECT context FROM hh_runs").first)["context"] as String
        #expect(context.contains("\"counter_backend\":\"perf_event_open\""), "\(context)")
    }

    @Test func theShellsOwnCountsAreTakenOff() throws {
        let folder = try TemporaryFolder()
        try Self.compileLoop(in: folder.path)
        let direct = try hhbench(["run", "--db", "h.db", "--runs", "1", "--warmup", "0", "--style", "none", "--measure", "instructions",
                                  "--counter-backend", "callgrind", "-n", "direct", "./loop 100000"], cwd: folder.path)
        #expect(direct.status == 0, "\(direct.stderr)")
        let shelled = try hhbench(["run", "--db", "h.db", "--runs", "1", "--warmup", "0", "--style", "none", "--measure", "instructions",
                                   "--counter-backend", "callgrind", "--shell", "sh", "-n", "shelled", "./loop 100000"], cwd: folder.path)
        #expect(shelled.status == 0, "\(shelled.stderr)")
        let withShell = try Self.callgrindInstructions(["sh", "-c", "./loop 100000"], options: ["--trace-children=yes"], cwd: folder.path)
        let a = try Self.samples(folder.file("h.db"), "instructions", benchmark: "direct")[0]
        let b = try Self.samples(folder.file("h.db"), "instructions", benchmark: "shelled")[0]
        #expect(withShell / a - 1 > 0.02, "the shell costs something to count: \(withShell) against \(a)")
        #expect(abs(b / a - 1) < 0.01, "less the shell's start-up, the same count: \(b) against \(a)")
    }

    @Test func badCountingCallsFailClearly() throws {
        let folder = try TemporaryFolder()
        let unknown = try hhbench(["run", "--no-record", "--measure", "instrs", "true"], cwd: folder.path)
        #expect(unknown.status == 2 && unknown.stderr.contains("unknown measure 'instrs'") && unknown.stderr.contains("instructions, cycles"))
        let lonely = try hhbench(["run", "--no-record", "--count-runs", "3", "true"], cwd: folder.path)
        #expect(lonely.status == 2 && lonely.stderr.contains("--count-runs goes with --measure"))
        let load = try hhbench(["run", "--no-record", "--measure", "instructions", "--baseline", "true", "true"], cwd: folder.path)
        #expect(load.status == 2 && load.stderr.contains("--measure counts plain benchmarks"))
        // No valgrind on PATH, and (here) no hardware counters: what to install is named.
        let empty = try TemporaryFolder()
        let missing = try hhbench(["run", "--no-record", "--measure", "estimated_cycles", "/bin/true"], cwd: folder.path,
                                  environment: ["PATH": empty.path])
        #expect(missing.status == 2 && missing.stderr.contains("apt-get install valgrind"), "\(missing.stderr)")
        // A command that fails under the counter stops the benchmark, naming the counted run.
        let failing = try hhbench(["run", "--no-record", "--runs", "1", "--warmup", "0", "--measure", "page_faults", "--counter-backend", "perf",
                                   "--ignore-failure", "sh -c 'exit 3'"], cwd: folder.path)
        #expect(failing.status == 0, "with --ignore-failure a failing command is measured: \(failing.stderr)")
        let stopped = try hhbench(["run", "--no-record", "--runs", "1", "--warmup", "0", "--measure", "page_faults", "--counter-backend", "perf",
                                   "--prepare", "test -f go", "sh -c 'test -f go'"], cwd: folder.path)
        #expect(stopped.status == 2, "\(stopped.stderr)")
    }

    @Test func compareJudgesCountsAtOneRunAgainstOneAndNamesTheEnvironment() throws {
        let repo = try GitRepository()
        try Self.compileLoop(in: repo.path)
        try "loop\nh.db\n".write(toFile: repo.folder.file(".gitignore"), atomically: true, encoding: .utf8)
        try repo.git("add", ".gitignore", "loop.c")
        try repo.git("commit", "-q", "-m", "base")
        func record(_ iterations: Int, delay: Int? = nil) throws {
            let ran = try hhbench(["run", "--db", "h.db", "--runs", "5", "--warmup", "1", "--style", "none", "--measure", "instructions",
                                   "--counter-backend", "callgrind", "-n", "loop", "./loop \(iterations)"], cwd: repo.path,
                                  environment: delay.map { ["DELAY_US": String($0)] } ?? [:])
            guard ran.status == 0 else { throw TestFailure(ran.stderr) }
        }
        try record(1_000_000)
        try repo.commit("a 2 % longer loop")
        try record(1_020_000)
        // One run against one: instructions are a regression; the 2 % in wall time is not decidable.
        let slower = try hhbench(["compare", "--db", "h.db", "--against", "HEAD~1", "--format", "json"], cwd: repo.path)
        #expect(slower.status == 1, "\(slower.stdout)\(slower.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(slower.stdout.utf8)) as? [String: Any])
        let rows = try #require(report["comparisons"] as? [[String: Any]])
        let instructions = try #require(rows.first { $0["metric"] as? String == "instructions" })
        #expect(instructions["verdict"] as? String == "regression", "\(instructions)")
        #expect(instructions["method"] as? String == "counted")
        let change = try #require(instructions["change_pct"] as? Double)
        #expect(change > 1.5 && change < 2.1, "\(change)")
        // Same code, a slower machine (the program sleeps 20 ms more): time regresses, counts do not move.
        try repo.commit("docs only")
        try record(1_020_000, delay: 20_000)
        let environment = try hhbench(["compare", "--db", "h.db", "--against", "HEAD~1", "--metric", "time_ms", "--metric", "instructions"], cwd: repo.path)
        #expect(environment.stdout.contains("likely the environment, not the code"), "\(environment.stdout)")
        let lines = environment.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("unchanged") && $0.contains("instructions") }, "\(environment.stdout)")
        #expect(lines.contains { $0.hasPrefix("regression") && $0.contains("time_ms") && $0.contains("instructions unchanged") })
    }
}

extension CountingTests {
    /// `ab` with a bench command that counts: the counted metric decided as compare decides it,
    /// from the rounds' runs, without pairing.
    @Test func abJudgesCountsAsCompareDoes() throws {
        let repo = try GitRepository()
        let source = { (n: Int) in "int main(void) { volatile unsigned long s = 0; for (long i = 0; i < \(n); i++) s = s * 31 + i; return 0; }\n" }
        try repo.folder.write("loop.c", source(500_000))
        try repo.folder.write(".gitignore", "loop\nout.jsonl\n.hhbench/\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-q", "-m", "base")
        try repo.folder.write("loop.c", source(510_000))
        try repo.git("commit", "-q", "-am", "a 2 % longer loop")
        let bench = "\(HHBenchBinary.path) run --no-record --style none --runs 3 --warmup 0 --measure instructions --counter-backend callgrind "
            + "--export-jsonl out.jsonl -n loop ./loop"
        let result = try hhbench(["ab", "--db", "h.db", "--base", "HEAD~1", "--build", "cc -O1 -o loop loop.c", "--bench", bench, "--output", "out.jsonl",
                                  "--rounds", "2", "--warmup-rounds", "0", "--format", "json"], cwd: repo.path)
        #expect(result.status == 1, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let rows = try #require(report["comparisons"] as? [[String: Any]])
        let instructions = try #require(rows.first { $0["metric"] as? String == "instructions" })
        #expect(instructions["verdict"] as? String == "regression" && instructions["method"] as? String == "counted", "\(instructions)")
        let change = try #require(instructions["change_pct"] as? Double)
        #expect(change > 1.5 && change < 2.1, "\(change)")
    }
}

/// The harness's counters, through its public API: page faults (a software event, counted
/// wherever perf_event_open exists) for real, and a refused hardware counter said and left out.
@Suite struct HarnessCounterTests {
    @Test func countsPageFaultsPerOperationAndLeavesOutWhatIsRefused() throws {
        let suite = HHBenchKit.BenchmarkSuite("counters")
        suite.printsResults = false
        // Each call maps 64 fresh pages and touches each: about 64 page faults an operation.
        let result = suite.measure("touch_pages", warmup: 2, iterations: 50, counters: [.pageFaults, .instructions]) {
            let size = 64 * 4096
            guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), mapped != MAP_FAILED else { return }
            let pages = mapped.assumingMemoryBound(to: UInt8.self)
            for page in 0..<64 { pages[page * 4096] = 1 }
            munmap(mapped, size)
        }
        let faults = try #require(result["page_faults"])
        #expect(faults > 32 && faults < 200, "\(faults)")
        if HHBenchKit.Counter.instructions.unavailability == nil {
            #expect((result["instructions"] ?? 0) > 64)
        } else {
            #expect(result["instructions"] == nil, "a refused counter records nothing rather than a zero")
            #expect(HHBenchKit.Counter.instructions.unavailability!.contains("perf_event_open"))
        }
        #expect(HHBenchKit.Counter.pageFaults.unavailability == nil)
    }
}

@Suite struct CountedChangeTests {
    @Test func exactCountsDecideAtOneRunAgainstOne() throws {
        let change = try #require(CountedChange(baseline: [[1_000_000, 1_000_000]], candidate: [[1_020_000, 1_020_000]]))
        #expect(change.spread == 0 && abs(change.change - 0.02) < 1e-12)
        #expect(change.outcome(threshold: 0.005, worseSign: 1) == .worse)
        #expect(change.outcome(threshold: 0.005, worseSign: -1) == .better)
        #expect(change.outcome(threshold: 0.05, worseSign: 1) == .unchanged, "2 % against a 5 % threshold, counts exact")
        let tiny = try #require(CountedChange(baseline: [[1_000_000]], candidate: [[1_000_100]]))
        #expect(tiny.outcome(threshold: 0.005, worseSign: 1) == .unchanged)
    }

    @Test func countsThatWobbleAreNotBelieved() throws {
        // Runs of the baseline disagree by 1 %: a 2 % change is within three times that.
        let change = try #require(CountedChange(baseline: [[1_000_000], [1_010_000]], candidate: [[1_025_000]]))
        #expect(abs(change.spread - 0.01) < 1e-9)
        #expect(change.outcome(threshold: 0.005, worseSign: 1) == .inconclusive)
        // Within a run too.
        let within = try #require(CountedChange(baseline: [[1_000_000, 1_008_000]], candidate: [[1_020_000]]))
        #expect(within.outcome(threshold: 0.005, worseSign: 1) == .inconclusive)
        #expect(CountedChange(baseline: [[0]], candidate: [[5]]) == nil)
    }

    @Test func countedMetricsAndTheirThreshold() throws {
        #expect(MetricDescriptor(name: "instructions").isCounted && MetricDescriptor(name: "median_estimated_cycles").isCounted)
        #expect(MetricDescriptor(name: "std_dev_instructions").isCounted)
        #expect(!MetricDescriptor(name: "time_ms").isCounted && !MetricDescriptor(name: "instructions_total_ms").isCounted)
        let plain = try ProjectConfig.parse("[compare]\nthreshold_pct = 3\n", file: "hhbench.toml")
        #expect(plain.settings(for: SeriesKey(benchmark: BenchmarkKey(name: "b"), metric: "instructions")).thresholdPct == 0.5)
        #expect(plain.settings(for: SeriesKey(benchmark: BenchmarkKey(name: "b"), metric: "time_ms")).thresholdPct == 3)
        let set = try ProjectConfig.parse("[metrics.instructions]\nthreshold_pct = 1\n", file: "hhbench.toml")
        #expect(set.settings(for: SeriesKey(benchmark: BenchmarkKey(name: "b"), metric: "instructions")).thresholdPct == 1)
    }

    @Test func callgrindSummariesAreRead() throws {
        let text = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\nfn=main\n0 5 1\nsummary: 6124080 1027329 1011667 1092 976 564 1079 750 536\ntotals: 6124078 1 1 1 1 1 1 1 1\n"
        let summary = try CallgrindCounter.summary(text, file: "out.1")
        #expect(summary["Ir"] == 6_124_080 && summary["DLmw"] == 536)
        #expect(throws: CountingFailure.self) { try CallgrindCounter.summary("nothing here\n", file: "out.2") }
    }
}

/// trend on counted metrics: steps of a few thousandths of a percent (what an environment
/// variable's length does to a program's start-up) are not changes; a 1 % step is.
@Suite struct CountedTrendTests {
    @Test(arguments: ["levels", "otava"]) func countStepsBelowTheThresholdAreNotChanges(method: String) throws {
        let repo = try GitRepository()
        let db = repo.folder.file("h.db")
        for index in 0..<30 {
            try repo.commit("commit \(index)")
            // 6,000,000 instructions; +0.002 % from commit 10 (a wobble); +1 % from commit 20 (the code).
            let count = 6_000_000 + (index >= 10 ? 120 : 0) + (index >= 20 ? 60_000 : 0)
            let input = try repo.folder.write("r.jsonl", """
                {"benchmark":"parse","metric":"instructions","unit":"count","samples":[\(count),\(count)]}
                """)
            let result = try hhbench(["record", input, "--db", db, "--machine", "m1"], cwd: repo.path)
            guard result.status == 0 else { throw TestFailure(result.stderr) }
        }
        let result = try hhbench(["trend", "instructions", "--db", db, "--format", "json", "--method", method], cwd: repo.path)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONParser.parse(result.stdout)
        let series = try #require(report["series"]?.arrayValue?.first)
        let changes = try #require(series["change_points"]?.arrayValue)
        #expect(changes.count == 1, "\(changes)")
        let change = try #require(changes.first)
        #expect(abs((change["change_pct"]?.doubleValue ?? 0) - 1) < 0.05, "\(change)")
    }
}
