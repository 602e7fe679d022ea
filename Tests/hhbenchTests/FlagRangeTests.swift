import Foundation
import Testing

/// Every numeric flag of every command, given the values that trap or weaken a gate when they
/// slip through (`nan`, `inf`, `-0`, `-1`, `1e308`, 2^63): each call ends in exit 2 naming the flag
/// and its range, or, for a value in range, in the command's ordinary outcome. No trap, and a
/// compare gate that still fails on a +99 % regression.
@Suite(.serialized) struct FlagRangeTests {
    static let hostileValues = ["nan", "inf", "-0", "-1", "1e308", "9223372036854775808"]

    /// A numeric flag: the call around it (`VALUE` stands for the value) and whether it is a gate
    /// on the regression in the history (then an accepted value must still exit 1).
    struct NumericFlag: CustomStringConvertible {
        let command: String
        let flag: String
        let arguments: [String]
        var gate = false
        var description: String { "\(command) \(flag)" }
    }

    static let numericFlags: [NumericFlag] = [
        NumericFlag(command: "compare", flag: "--alpha", arguments: ["--alpha=VALUE"], gate: true),
        NumericFlag(command: "compare", flag: "--threshold", arguments: ["--threshold=VALUE"], gate: true),
        NumericFlag(command: "compare", flag: "--run-noise", arguments: ["--run-noise=VALUE"], gate: true),
        NumericFlag(command: "compare", flag: "--window", arguments: ["--window=VALUE"], gate: true),
        NumericFlag(command: "compare", flag: "--budget", arguments: ["--budget=error_rate=VALUE"], gate: true),
        NumericFlag(command: "comment", flag: "--alpha", arguments: ["--dry-run", "--alpha=VALUE"], gate: true),
        NumericFlag(command: "comment", flag: "--threshold", arguments: ["--dry-run", "--threshold=VALUE"], gate: true),
        NumericFlag(command: "comment", flag: "--run-noise", arguments: ["--dry-run", "--run-noise=VALUE"], gate: true),
        NumericFlag(command: "comment", flag: "--window", arguments: ["--dry-run", "--window=VALUE"], gate: true),
        NumericFlag(command: "comment", flag: "--budget", arguments: ["--dry-run", "--budget=error_rate=VALUE"], gate: true),
        NumericFlag(command: "comment", flag: "--pr", arguments: ["--dry-run", "--pr=VALUE"], gate: true),
        NumericFlag(command: "trend", flag: "--last", arguments: ["time_ms", "--last=VALUE"]),
        NumericFlag(command: "trend", flag: "--false-alarms", arguments: ["time_ms", "--false-alarms=VALUE"]),
        NumericFlag(command: "trend", flag: "--otava-window", arguments: ["time_ms", "--method=otava", "--otava-window=VALUE"]),
        NumericFlag(command: "trend", flag: "--window", arguments: ["time_ms", "--method=otava", "--window=VALUE"]),
        NumericFlag(command: "trend", flag: "--max-p-value", arguments: ["time_ms", "--method=otava", "--max-p-value=VALUE"]),
        NumericFlag(command: "trend", flag: "--min-magnitude", arguments: ["time_ms", "--method=otava", "--min-magnitude=VALUE"]),
        NumericFlag(command: "trend", flag: "--recent", arguments: ["time_ms", "--fail-on=regression", "--recent=VALUE"]),
        NumericFlag(command: "report", flag: "--last", arguments: ["--out=OUT", "--last=VALUE"]),
        NumericFlag(command: "runs", flag: "--limit", arguments: ["--limit=VALUE"]),
        NumericFlag(command: "query", flag: "--timeout", arguments: ["latest", "--timeout=VALUE"]),
        NumericFlag(command: "prune", flag: "--keep-commits", arguments: ["--dry-run", "--keep-commits=VALUE"]),
        NumericFlag(command: "prune", flag: "--keep-samples-for", arguments: ["--dry-run", "--keep-samples-for=VALUE"]),
        NumericFlag(command: "run", flag: "--warmup", arguments: ["--runs=1", "--min-time=0", "--warmup=VALUE", "true"]),
        NumericFlag(command: "run", flag: "--runs", arguments: ["--warmup=0", "--min-time=0", "--runs=VALUE", "true"]),
        NumericFlag(command: "run", flag: "--min-runs", arguments: ["--warmup=0", "--min-time=0", "--min-runs=VALUE", "true"]),
        NumericFlag(command: "run", flag: "--max-runs", arguments: ["--warmup=0", "--min-time=0", "--min-runs=1", "--max-runs=VALUE", "true"]),
        NumericFlag(command: "run", flag: "--count-runs", arguments: ["--warmup=0", "--runs=1", "--measure=page_faults", "--counter-backend=perf",
                                                                      "--count-runs=VALUE", "true"]),
        NumericFlag(command: "run", flag: "--min-time", arguments: ["--warmup=0", "--runs=1", "--min-time=VALUE", "true"]),
        NumericFlag(command: "run", flag: "--concurrency", arguments: ["--duration=0.2", "--concurrency=VALUE", "true"]),
        NumericFlag(command: "run", flag: "--duration", arguments: ["--concurrency=1", "--duration=VALUE", "true"]),
        NumericFlag(command: "run", flag: "--ramp-up", arguments: ["--concurrency=1", "--duration=0.2", "--ramp-up=VALUE", "true"]),
        NumericFlag(command: "run", flag: "--parameter-step", arguments: ["--warmup=0", "--runs=1", "--min-time=0", "--parameter-scan", "n", "1", "2", "--parameter-step=VALUE", "true {n}"]),
        NumericFlag(command: "run", flag: "--parameter-scan", arguments: ["--warmup=0", "--runs=1", "--min-time=0", "--parameter-scan", "n", "VALUE", "2", "true {n}"]),
        NumericFlag(command: "run", flag: "--max-overhead", arguments: ["--warmup=0", "--runs=1", "--min-time=0", "--baseline=true", "--max-overhead=VALUE", "true"]),
        NumericFlag(command: "run", flag: "--budget", arguments: ["--warmup=0", "--runs=1", "--min-time=0", "--budget=time_ms=VALUE", "true"]),
        NumericFlag(command: "run", flag: "--debug-ballast-mb", arguments: ["--warmup=0", "--runs=1", "--min-time=0", "--debug-ballast-mb=VALUE", "true"]),
        // ab last: its runs join the history after the compare gates have been checked.
        NumericFlag(command: "ab", flag: "--rounds", arguments: abCall + ["--rounds=VALUE"]),
        NumericFlag(command: "ab", flag: "--max-rounds", arguments: abCall + ["--until-decided", "--max-rounds=VALUE"]),
        NumericFlag(command: "ab", flag: "--max-time", arguments: abCall + ["--rounds=2", "--max-time=VALUE"]),
        NumericFlag(command: "ab", flag: "--warmup-rounds", arguments: abCall + ["--rounds=2", "--warmup-rounds=VALUE"]),
        NumericFlag(command: "ab", flag: "--seed", arguments: abCall + ["--rounds=2", "--seed=VALUE"]),
        NumericFlag(command: "ab", flag: "--alpha", arguments: abCall + ["--rounds=2", "--alpha=VALUE"]),
        NumericFlag(command: "ab", flag: "--threshold", arguments: abCall + ["--rounds=2", "--threshold=VALUE"]),
    ]

    /// ab with a bench command that prints one value: rounds are quick.
    static let abCall = ["--base=HEAD~1", "--warmup-rounds=0", #"--bench=echo '{"benchmark":"ab_b","metric":"time_ms","value":1}'"#]

    /// Every other option, by command: none of them takes a number.
    static let otherOptions: Set<String> = [
        "comment --against", "comment --api-url", "comment --benchmark", "comment --commit", "comment --config", "comment --correction",
        "comment --db", "comment --fail-on", "comment --format", "comment --key", "comment --machine", "comment --metric", "comment --notify",
        "comment --notify-format", "comment --repo", "comment --run", "comment --runs-on", "comment --since",
        "ab --base", "ab --bench", "ab --benchmark", "ab --build", "ab --config", "ab --correction", "ab --db", "ab --fail-on", "ab --format",
        "ab --head", "ab --input-format", "ab --machine", "ab --metric", "ab --output", "ab --since",
        "compare --against", "compare --benchmark", "compare --commit", "compare --config", "compare --correction", "compare --db", "compare --fail-on",
        "compare --format", "compare --machine", "compare --metric", "compare --notify", "compare --notify-format", "compare --run", "compare --runs-on",
        "compare --since", "export --branch", "export --db", "export --format", "export --recorded-since", "export --run", "export --since",
        "formats --db", "formats --format", "import-baselines --branch", "import-baselines --commit", "import-baselines --db", "import-baselines --format",
        "import-baselines --machine", "import-baselines --tag", "import-baselines --toolchain", "merge --db", "merge --format", "prune --db",
        "prune --format", "sync --branch", "sync --db", "sync --format", "sync --remote", "prune --keep-branches", "push --branch", "push --db", "push --job", "push --pushgateway", "query --db", "query --fail-on",
        "query --format", "query --param", "record --branch", "record --commit", "record --db", "record --files-from", "record --format",
        "record --input-format", "record --machine", "record --tag", "record --toolchain", "report --branch", "report --commit", "report --config",
        "report --db", "report --format", "report --metric", "report --out", "report --publish", "report --publish-branch", "report --publish-folder", "report --runs-on", "report --since", "run --baseline", "run --branch",
        "run --cleanup", "run --commit", "run --config", "run --conclude", "run --counter-backend", "run --measure", "run --db", "run --export-jsonl", "run --fail-on", "run --format", "run --machine",
        "run --name", "run --parameter-list", "run --prepare", "run --setup", "run --shell", "run --style", "run --tag", "run --toolchain",
        "runs --branch", "runs --db", "runs --format", "show --db", "show --format", "trend --benchmark", "trend --branch", "trend --config",
        "trend --db", "trend --fail-on", "trend --fail-on-change", "trend --format", "trend --machine", "trend --method", "trend --notify",
        "trend --notify-format", "trend --out", "trend --runs-on",
    ]

    /// The options the binary has, from ArgumentParser's own description of it.
    private func allOptions() throws -> Set<String> {
        let dump = try hhbench(["--experimental-dump-help"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var found: Set<String> = []
        func walk(_ command: [String: Any], _ name: String) {
            for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["kind"] as? String == "option" {
                let names = argument["names"] as? [[String: Any]] ?? []
                if let long = names.first(where: { $0["kind"] as? String == "long" })?["name"] as? String, long != "help", long != "version" {
                    found.insert("\(name) --\(long)")
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { walk(sub, sub["commandName"] as? String ?? "?") }
        }
        walk(try #require(root["command"] as? [String: Any]), "hhbench")
        return found
    }

    @Test func everyOptionIsClassified() throws {
        let numeric = Set(Self.numericFlags.map(\.description))
        let options = try allOptions()
        #expect(options.subtracting(numeric).subtracting(Self.otherOptions).sorted() == [], "a new option: add it to numericFlags or otherOptions")
        #expect(numeric.union(Self.otherOptions).subtracting(options).sorted() == [], "an option that no longer exists")
    }

    @Test func hostileNumbersEndInExitTwoOrTheOrdinaryOutcome() throws {
        let history = try CompareCommandTests().makeHistory(candidate: ["slow": 1.99, "steady": 1, "fast": 1])
        let before = try hhbench(["compare", "--db", history.db, "--format", "json"], cwd: history.repo.path)
        try #require(before.status == 1, "the history's regression must fail the plain compare: \(before.stderr)")
        var cases = 0
        for flag in Self.numericFlags {
            for value in Self.hostileValues {
                let out = history.repo.folder.file("site-\(cases)")
                let arguments = [flag.command, "--db", history.db] + flag.arguments.map {
                    $0.replacingOccurrences(of: "VALUE", with: value).replacingOccurrences(of: "OUT", with: out)
                } + (flag.command == "run" ? ["--no-record"] : [])
                let result = try hhbench(arguments, cwd: history.repo.path)
                cases += 1
                let call = "hhbench \(arguments.joined(separator: " "))"
                #expect(!result.signaled, "\(call) died on signal \(result.status): \(result.stderr)")
                if result.status == 2 {
                    #expect(result.stderr.contains(flag.flag) || result.stderr.contains(value), "\(call): the error names neither: \(result.stderr)")
                    let saysTheRange = ["expected", " from ", "above", "at least", "Missing value", "more than"].contains { result.stderr.contains($0) }
                    #expect(saysTheRange, "\(call): the error gives no range: \(result.stderr)")
                } else if flag.gate {
                    #expect(result.status == 1, "\(call) accepted \(value) and passed the gate over a +99 % regression (exit \(result.status))")
                } else {
                    #expect([0, 1, 3].contains(result.status), "\(call): exit \(result.status): \(result.stderr)")
                }
            }
        }
        #expect(cases == Self.numericFlags.count * Self.hostileValues.count)
        // hhbench.toml goes through the same rules.
        for setting in ["threshold_pct = nan", "threshold_pct = inf", "alpha = 1e308", "window = 9223372036854775807", "run_noise_pct = -1"] {
            try history.repo.folder.write("hhbench.toml", "[compare]\n\(setting)\n")
            let result = try hhbench(["compare", "--db", history.db], cwd: history.repo.path)
            #expect(result.status == 2 && result.stderr.contains("hhbench.toml:2:"), "\(setting): exit \(result.status) \(result.stderr)")
        }
    }
}
