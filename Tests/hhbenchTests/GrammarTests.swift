import Foundation
import Records
import Testing

/// One grammar: --format is the output everywhere, each meaning has its own flag, gates are
/// --fail-on (and --budget), writers give JSON receipts, and the old spellings still work with a
/// deprecation warning.
@Suite struct GrammarTests {
    private static let native = """
        {"benchmark":"api","metric":"time_ms","samples":[10.1,10.3,9.9,10.0,10.2]}

        """

    @Test func writersGiveJSONReceipts() throws {
        let repo = try GitRepository()
        try repo.commit("one")
        let input = try repo.folder.write("r.jsonl", Self.native)
        let recorded = try hhbench(["record", input, "--db", "h.db", "--format", "json"], cwd: repo.path)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let receipt = try JSONParser.parse(recorded.stdout)
        let run = try #require(receipt["runs"]?.arrayValue?.first)
        #expect(run["id"]?.doubleValue == 1)
        #expect(run["samples"]?.doubleValue == 5)
        #expect(run["uuid"]?.stringValue?.count == 36)
        #expect(run["source"]?.stringValue == input)

        let again = try JSONParser.parse(try hhbench(["record", input, "--db", "h.db", "--format", "json"], cwd: repo.path).stdout)
        #expect(again["runs"]?.arrayValue?.isEmpty == true)
        #expect(again["skipped"]?.arrayValue?.first?["duplicate_of"]?.doubleValue == 1)

        let ran = try hhbench(["run", "true", "--db", "h.db", "-r", "3", "-w", "0", "--format", "json"], cwd: repo.path)
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(try JSONParser.parse(ran.stdout)["runs"]?.arrayValue?.first?["id"]?.doubleValue == 2, "stdout is the receipt alone")
        #expect(ran.stderr.contains("Benchmark 1: true"), "the summary goes to stderr")

        let imported = try hhbench(["import-baselines", fixture("perf-baseline/run1/performance_baselines.json"), "--db", "h.db",
                                    "--format", "json"], cwd: repo.path)
        #expect(try JSONParser.parse(imported.stdout)["runs"]?.arrayValue?.first?["id"]?.doubleValue == 3, "\(imported.stderr)")

        let merged = try hhbench(["merge", "h.db", "--db", "all.db", "--format", "json"], cwd: repo.path)
        let merge = try #require(try JSONParser.parse(merged.stdout)["merged"]?.arrayValue?.first)
        #expect(merge["runs_added"]?.doubleValue == 3)
    }

    @Test func oldSpellingsStillWorkAndSayWhatReplacesThem() throws {
        let repo = try GitRepository()
        for index in 0..<3 {
            try repo.commit("c\(index)")
            let input = try repo.folder.write("r.jsonl", Self.native)
            #expect(try hhbench(["record", input, "--db", "h.db", "--machine", "m1", "--allow-duplicate"], cwd: repo.path).status == 0)
        }
        let input = try repo.folder.write("r.jsonl", Self.native)
        let cases: [([String], String)] = [
            (["record", input, "--format", "native", "--allow-duplicate"], "--input-format native"),
            (["trend", "time_ms", "--window", "10"], "--otava-window"),
            (["trend", "time_ms", "--machine", "m1"], "--runs-on"),
            (["trend", "time_ms", "--fail-on-change", "regression"], "--fail-on"),
            (["compare", "--against", "1", "--machine", "m1"], "--runs-on"),
            (["export", "--since", "2020-01-01"], "--recorded-since"),
            (["query", "latest", "--fail-if-rows"], "--fail-on rows"),
        ]
        for (arguments, replacement) in cases {
            let result = try hhbench(arguments + ["--db", "h.db"], cwd: repo.path)
            #expect(result.status != 2 && result.status != 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("is deprecated") && result.stderr.contains(replacement), "\(arguments): \(result.stderr)")
        }
        let gate = try hhbench(["query", "latest", "--fail-if-rows", "--db", "h.db"], cwd: repo.path)
        #expect(gate.status == 1, "the old gate still gates")
        #expect(try hhbench(["query", "latest", "--fail-on", "rows", "--db", "h.db"], cwd: repo.path).status == 1)
        // New spellings say nothing of deprecation.
        let quiet = try hhbench(["trend", "time_ms", "--otava-window", "10", "--method", "otava", "--runs-on", "m1", "--db", "h.db"], cwd: repo.path)
        #expect(quiet.status == 0 && !quiet.stderr.contains("deprecated"), "\(quiet.stderr)")
        // An output format that is not one is refused with the fix.
        let wrong = try hhbench(["record", input, "--format", "yaml", "--db", "h.db"], cwd: repo.path)
        #expect(wrong.status == 2 && wrong.stderr.contains("--input-format"), "\(wrong.stderr)")
    }

    @Test func runSpeaksHyperfine() throws {
        let folder = try TemporaryFolder()
        // Short flags, several commands, the closing summary.
        let result = try hhbench(["run", "--no-record", "-w", "1", "-r", "5", "-s", "true", "-p", "true", "--style", "basic",
                                  "-n", "quick", "-n", "slow", "sleep 0.01", "sleep 0.05"], cwd: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Summary\n  quick ran\n"), "\(result.stdout)")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.contains("times faster than slow") })
        let ratio = try #require(Double(line.trimmingCharacters(in: .whitespaces).split(separator: " ")[0]))
        #expect(ratio > 2 && ratio < 6, "\(line)")
        // basic is for logs: no escape codes anywhere, not even a progress bar.
        #expect(!result.stdout.contains("\u{1B}") && !result.stderr.contains("\u{1B}"))
        // full draws colours and the progress bar even off a terminal.
        let full = try hhbench(["run", "--no-record", "-r", "3", "-w", "0", "--style", "full", "true"], cwd: folder.path)
        #expect(full.stdout.contains("\u{1B}[") && full.stderr.contains("\u{1B}[2K"))
        let none = try hhbench(["run", "--no-record", "-r", "3", "-w", "0", "--style", "none", "true"], cwd: folder.path)
        #expect(!none.stdout.contains("\u{1B}") && !none.stderr.contains("\u{1B}"))
    }

    @Test func runBudgetsAreGates() throws {
        let folder = try TemporaryFolder()
        let over = try hhbench(["run", "--db", "h.db", "-r", "5", "-w", "0", "--style", "none", "--budget", "p95_time_ms=1", "sleep 0.02"],
                               cwd: folder.path)
        #expect(over.status == 1)
        #expect(over.stderr.contains("over budget: sleep 0.02 p95_time_ms"), "\(over.stderr)")
        #expect(try scalar(folder.file("h.db"), "SELECT count(*) FROM hh_runs") == 1, "recorded before failing")
        let ignored = try hhbench(["run", "--no-record", "-r", "5", "-w", "0", "--style", "none", "--budget", "p95_time_ms=1",
                                   "--fail-on", "none", "sleep 0.02"], cwd: folder.path)
        #expect(ignored.status == 0)
        let under = try hhbench(["run", "--no-record", "-r", "5", "-w", "0", "--style", "none", "--budget", "p95_time_ms=1000", "true"],
                                cwd: folder.path)
        #expect(under.status == 0, "\(under.stderr)")
        let old = try hhbench(["run", "--no-record", "-r", "5", "-w", "0", "--style", "none", "--baseline", "true", "--max-overhead", "1000",
                               "true"], cwd: folder.path)
        #expect(old.status == 0 && old.stderr.contains("--budget overhead_ratio=1000"), "\(old.stderr)")
        #expect(try hhbench(["run", "--no-record", "--budget", "p95", "true"], cwd: folder.path).stderr.contains("write --budget p95_time_ms=100"))
    }

    @Test func everyErrorHasOnePrefix() throws {
        for arguments in [["run", "--runs", "0", "true"], ["bogus"], ["runs", "--db", "/nonexistent/h.db"], ["trend"]] {
            let result = try hhbench(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.hasPrefix("hhbench: ") && !result.stderr.contains("Error:"), "\(arguments): \(result.stderr)")
        }
    }
}
