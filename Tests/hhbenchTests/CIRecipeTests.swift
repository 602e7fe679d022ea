import Foundation
import Records
import Testing

/// Runs the `hhbench` lines of the README's GitHub Actions recipe, exactly as written, in a real
/// clone: history recorded on main (the restored cache), a slowed pull request, compare, gate.
@Suite struct CIRecipeTests {
    static func recipeCommands(_ name: String = "github") throws -> [String] {
        try readmeBlock("ci-recipe:" + name).compactMap { line in
            let text = line.trimmingCharacters(in: .whitespaces)
            let command = text.hasPrefix("run: ") ? String(text.dropFirst(5)) : text
            return command.hasPrefix("hhbench ") ? command : nil
        }
    }

    /// A pytest-benchmark result as pytest writes it at `sha` (the fixture with its commit_info set).
    static func pytestResult(_ fixturePath: String, sha: String, branch: String) throws -> String {
        let text = try String(contentsOfFile: fixture(fixturePath), encoding: .utf8)
        return text.replacingOccurrences(of: "a91af84a104f0d2ebe89b8f7baecd50d5fae2e9f", with: sha)
            .replacingOccurrences(of: "\"branch\": \"main\"", with: "\"branch\": \"\(branch)\"")
    }

    func shell(_ command: String, cwd: String, summary: String, environment: [String: String] = [:]) throws -> ProcessResult {
        let binaries = URL(fileURLWithPath: HHBenchBinary.path).deletingLastPathComponent().path
        return try runProcess("/bin/bash", ["-c", command], cwd: cwd, environment: [
            "PATH": binaries + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
            "HHBENCH_MACHINE": "gha-ubuntu-latest", "GITHUB_STEP_SUMMARY": summary,
        ].merging(environment) { _, given in given })
    }

    /// What the recipe's jobs did: main's three pushes, then a pull request slowing one test.
    struct Jobs {
        let recorded: [ProcessResult]
        let compared: ProcessResult
        let gated: ProcessResult
        let markdown: String
        let clone: String
        /// Holds the clone's folder, removed when the last reference goes.
        let work: TemporaryFolder
    }

    /// Runs the recipe `name`'s `hhbench` lines as its jobs would: three pushes to main record
    /// pytest's results, then a pull request's job, in a clone with one commit that slows
    /// test_sort_list (`restore` first puts back whatever the recipe keeps between jobs), records,
    /// compares and gates.
    func runJobs(_ name: String, environment: [String: String] = [:],
                 restore: (_ upstream: GitRepository, _ clone: String) throws -> Void = { _, _ in }) throws -> Jobs {
        let commands = try Self.recipeCommands(name)
        let record = try #require(commands.first { $0.hasPrefix("hhbench record") })
        let compare = try #require(commands.first { $0.hasPrefix("hhbench compare") })
        let gate = try #require(commands.first { $0.hasPrefix("hhbench query") })
        #expect(commands.count == 3)

        let upstream = try GitRepository()
        let summary = upstream.folder.file("summary.md")
        var recorded: [ProcessResult] = []
        for index in 1...3 {
            let sha = try upstream.commit("main \(index)")
            try upstream.folder.write("performance_results.json", try Self.pytestResult("pytest-benchmark/run1.json", sha: sha, branch: "main"))
            recorded.append(try shell(record, cwd: upstream.path, summary: summary, environment: environment))
        }
        let work = try TemporaryFolder()
        _ = try runProcess("/usr/bin/env", ["git", "clone", "-q", upstream.path, work.file("clone")])
        let clone = work.file("clone")
        try restore(upstream, clone)
        _ = try runProcess("/usr/bin/env", ["git", "-C", clone, "checkout", "-q", "-b", "feature"])
        try "change\n".write(toFile: clone + "/change.txt", atomically: true, encoding: .utf8)
        _ = try runProcess("/usr/bin/env", ["git", "-C", clone, "add", "change.txt"])
        _ = try runProcess("/usr/bin/env", ["git", "-C", clone, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "slower"])
        let head = try runProcess("/usr/bin/env", ["git", "-C", clone, "rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try Self.pytestResult("pytest-benchmark/run3-slow.json", sha: head, branch: "feature")
            .write(toFile: clone + "/performance_results.json", atomically: true, encoding: .utf8)
        recorded.append(try shell(record, cwd: clone, summary: summary, environment: environment))
        let compared = try shell(compare, cwd: clone, summary: summary, environment: environment)
        let gated = try shell(gate, cwd: clone, summary: summary, environment: environment)
        let markdown = (try? String(contentsOfFile: summary, encoding: .utf8)) ?? ""
        return Jobs(recorded: recorded, compared: compared, gated: gated, markdown: markdown, clone: clone, work: work)
    }

    /// The slowed test fails the pull request's job and shows on its summary; the gate passes.
    func expectTheSlowedTestIsCaught(_ jobs: Jobs) {
        for result in jobs.recorded { #expect(result.status == 0, "\(result.stderr)") }
        #expect(jobs.compared.status == 1, "the slowed test fails the job: \(jobs.compared.stderr)")
        #expect(jobs.markdown.hasPrefix("### hhbench compare: ⚠️"))
        #expect(jobs.markdown.contains("| regression | test_sort_list | time_ms |"))
        #expect(!jobs.markdown.contains("| regression | test_sum_range | time_ms |"))
        #expect(jobs.gated.status == 0, "pytest's p95 is far below 100 ms: \(jobs.gated.stdout) \(jobs.gated.stderr)")
    }

    @Test func theRecipeGatesASlowedPullRequest() throws {
        // The pull request's job restores main's cached database.
        let jobs = try runJobs("github") { upstream, clone in
            try FileManager.default.createDirectory(atPath: clone + "/.hhbench", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: upstream.folder.file(".hhbench/history.db"), toPath: clone + "/.hhbench/history.db")
        }
        expectTheSlowedTestIsCaught(jobs)
        #expect(try scalar(jobs.clone + "/.hhbench/history.db", "SELECT count(*) FROM runs") == 4)
    }

    /// The PostgreSQL recipe's lines, with `HHBENCH_DB` (the recipe's secret) set to a database of
    /// the tests' cluster: every job records into it, and nothing is kept between jobs.
    @Test func thePostgresRecipeGatesASlowedPullRequest() throws {
        let server = try PostgresServer.running()
        let database = try server.createDatabase()
        let jobs = try runJobs("github-postgres", environment: ["HHBENCH_DB": server.url(database)])
        expectTheSlowedTestIsCaught(jobs)
        #expect(!jobs.markdown.contains(PostgresServer.password) && !jobs.compared.stderr.contains(PostgresServer.password))
        #expect(try server.psql(database, "SELECT count(*) FROM runs") == "4\n")
        #expect(!FileManager.default.fileExists(atPath: jobs.clone + "/.hhbench"), "nothing written beside the clone")
    }

    /// The pull-request ab job's one line, as written, in a clone of a project whose hhbench.toml
    /// says what to run: pytest-benchmark on both commits, interleaved, and the slowed test caught
    /// in a few rounds.
    @Test func theABRecipeCatchesASlowedPullRequest() throws {
        let commands = try Self.recipeCommands("github-ab")
        #expect(commands.count == 1)
        let line = try #require(commands.first)
        let upstream = try GitRepository()
        // One test: a second, unchanged one would hold the job to its 20 rounds to be called unchanged.
        let test = "def work(n):\n    return sorted(range(n, 0, -1))\n\ndef test_sort_list(benchmark):\n    benchmark(work, N)\n"
        try upstream.folder.write("tests/performance/test_perf.py", "N = 2000\n" + test)
        try upstream.folder.write("hhbench.toml", """
            [ab]
            bench = "python3 -m pytest -q -p no:cacheprovider tests/performance --benchmark-json=out.json --benchmark-max-time=0.05"
            output = "out.json"
            warmup_rounds = 0

            """)
        try upstream.git("add", "-A")
        try upstream.git("commit", "-q", "-m", "performance tests")
        let work = try TemporaryFolder()
        let clone = work.file("clone")
        _ = try runProcess("/usr/bin/env", ["git", "clone", "-q", upstream.path, clone])
        _ = try runProcess("/usr/bin/env", ["git", "-C", clone, "checkout", "-q", "-b", "feature"])
        try ("N = 40000\n" + test).write(toFile: clone + "/tests/performance/test_perf.py", atomically: true, encoding: .utf8)
        _ = try runProcess("/usr/bin/env", ["git", "-C", clone, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-am", "slower"])
        let summary = work.file("summary.md")
        let result = try shell(line, cwd: clone, summary: summary)
        #expect(result.status == 1, "the slowed test fails the job: \(result.stderr)")
        let markdown = (try? String(contentsOfFile: summary, encoding: .utf8)) ?? ""
        #expect(markdown.hasPrefix("### hhbench compare: ⚠️"), "\(markdown)")
        #expect(markdown.contains("| regression | test_sort_list | time_ms |"), "\(markdown)")
        #expect(markdown.contains("paired:"), "\(markdown)")
    }
}

/// The counts recipe: every `run:` step of the README block, as written, in a real clone.
@Suite(.serialized) struct CountsRecipeTests {
    /// The `run:` steps of a README block: one-line ones, and `run: |` with the lines indented under it.
    static func runSteps(_ name: String) throws -> [String] {
        let lines = try readmeBlock("ci-recipe:" + name)
        var steps: [String] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            var text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("- ") { text = String(text.dropFirst(2)) }
            index += 1
            guard text.hasPrefix("run: ") else { continue }
            let body = String(text.dropFirst(5))
            guard body == "|" else {
                steps.append(body)
                continue
            }
            let indent = line.prefix { $0 == " " }.count
            var block: [String] = []
            while index < lines.count, lines[index].prefix(while: { $0 == " " }).count > indent || lines[index].trimmingCharacters(in: .whitespaces).isEmpty {
                block.append(lines[index].trimmingCharacters(in: .whitespaces))
                index += 1
            }
            steps.append(block.joined(separator: "\n"))
        }
        return steps
    }

    @Test func theCountsRecipeHoldsAPullRequestToItsInstructions() throws {
        let steps = try Self.runSteps("github-counts")
        #expect(steps.count == 4, "\(steps)")
        let upstream = try GitRepository()
        let source = { (n: Int) in "#include <stdlib.h>\nint main(void) { volatile unsigned long s = 0; for (long i = 0; i < \(n); i++) s = s * 31 + i; return 0; }\n" }
        try upstream.folder.write("parse.c", source(2_000_000))
        try upstream.folder.write("Makefile", "bench: bench/parse\nbench/parse: parse.c\n\tmkdir -p bench && cc -O1 -o bench/parse parse.c\n")
        try upstream.folder.write("data.json", "{}\n")
        try upstream.folder.write(".gitignore", "bench/\n.hhbench/\n")
        try upstream.git("add", "-A")
        try upstream.git("commit", "-q", "-m", "a parser")
        let base = try upstream.git("rev-parse", "HEAD")
        let work = try TemporaryFolder()
        let clone = work.file("clone")
        _ = try runProcess("/usr/bin/env", ["git", "clone", "-q", upstream.path, clone])
        try source(2_040_000).write(toFile: clone + "/parse.c", atomically: true, encoding: .utf8)
        _ = try runProcess("/usr/bin/env", ["git", "-C", clone, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-am", "a 2 % longer loop"])
        let head = try runProcess("/usr/bin/env", ["git", "-C", clone, "rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let summary = work.file("summary.md")
        let binaries = URL(fileURLWithPath: HHBenchBinary.path).deletingLastPathComponent().path
        let environment = ["PATH": binaries + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "BASE": base,
                           "GITHUB_SHA": head, "GITHUB_STEP_SUMMARY": summary, "HHBENCH_MACHINE": "gha-ubuntu-latest"]
        // The first step installs valgrind with sudo; .ci/run has installed it here.
        #expect(steps[0].contains("apt-get install -y valgrind"))
        let measured = try runProcess("/bin/bash", ["-e", "-c", steps[1]], cwd: clone, environment: environment)
        #expect(measured.status == 0, "\(measured.stderr)")
        let instructions = try runProcess("/bin/bash", ["-c", steps[2]], cwd: clone, environment: environment)
        #expect(instructions.status == 1, "a 2 % longer loop fails the instructions gate: \(instructions.stderr)")
        let time = try runProcess("/bin/bash", ["-c", steps[3]], cwd: clone, environment: environment)
        #expect(time.status == 0 || time.status == 1, "\(time.stderr)")
        let markdown = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(markdown.contains("| regression | parse | instructions |"), "\(markdown)")
        #expect(markdown.contains("| parse | time_ms |"), "the wall-time gate reports: \(markdown)")
    }
}
