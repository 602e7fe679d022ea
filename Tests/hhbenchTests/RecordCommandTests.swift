import Crypto
import Foundation
import Records
import Testing
import Warehouse

/// `hhbench record`, `runs` and `show` through the built binary, on real git repositories and databases.
@Suite struct RecordCommandTests {
    static let native = """
        {"benchmark":"computation_test/traced","metric":"time_ms","samples":[0.051,0.049,0.050,0.0512,0.0498]}
        {"benchmark":"computation_test","metric":"overhead_ratio","value":1.07}
        {"benchmark":"load_test","metric":"error_rate","value":0.004,"direction":"lower_is_better","unit":"ratio"}
        {"context":{"tags":{"suite":"load"}}}

        """

    @Test func recordsIntoTheDefaultDatabaseAtTheGitTopLevel() throws {
        let repo = try GitRepository()
        let sha = try repo.commit("first commit")
        try FileManager.default.createDirectory(atPath: repo.folder.file("sub/dir"), withIntermediateDirectories: true)
        let input = try repo.folder.write("sub/dir/results.jsonl", Self.native)

        let result = try hhbench(["record", input], cwd: repo.folder.file("sub/dir"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("recorded run 1 ("))
        #expect(result.stdout.contains("3 benchmarks"))
        #expect(result.stdout.contains("5 samples in 1 series"))

        let db = repo.folder.file(".hhbench/history.db")
        #expect(FileManager.default.fileExists(atPath: db))
        let run = try #require(try queryDatabase(db, "SELECT * FROM hh_runs").first)
        #expect(run["commit_sha"] as String == sha)
        #expect(run["branch"] as String == "main")
        #expect(run["dirty"] as Int == 0)
        #expect(run["commit_subject"] as String == "first commit")
        #expect(run["source_format"] as String == "native")
        #expect(run["tags"] as String == #"{"suite":"load"}"#)
        // The hash of what is stored (RunContentHash), not of the file.
        #expect(run["content_hash"] as String != Hex.string(SHA256.hash(data: Array(Self.native.utf8))))
        let stored = try Warehouse(path: db, access: .readOnly)
        #expect(run["content_hash"] as String == (try stored.exportRecord(runID: run["run_id"])).storedContentHash)
        let uuid = run["run_uuid"] as String
        #expect(uuid.count == 36 && uuid[uuid.index(uuid.startIndex, offsetBy: 14)] == "7")

        let samples = try queryDatabase(db, "SELECT idx, value FROM hh_samples WHERE series = 'time_ms' ORDER BY idx")
        #expect(samples.map { $0["value"] as Double } == [0.051, 0.049, 0.050, 0.0512, 0.0498])
        let values = Dictionary(uniqueKeysWithValues: try queryDatabase(db, """
            SELECT benchmark || ' ' || metric AS k, value FROM hh_measurements
            """).map { ($0["k"] as String, $0["value"] as Double) })
        #expect(values["computation_test overhead_ratio"] == 1.07)
        #expect(values["load_test error_rate"] == 0.004)
        #expect(values["computation_test/traced median_time_ms"] == 0.050)
        #expect(values["computation_test/traced min_time_ms"] == 0.049)
        #expect(values["computation_test/traced max_time_ms"] == 0.0512)
        #expect(abs(values["computation_test/traced avg_time_ms"]! - 0.0502) < 1e-15)
        #expect(abs(values["computation_test/traced throughput_ops_per_sec"]! - 1000 / 0.0502) < 1e-9)
        #expect(values["computation_test/traced p95_time_ms"] != nil)
        let directions = try queryDatabase(db, "SELECT DISTINCT metric, unit, direction FROM hh_measurements ORDER BY metric")
        let throughput = try #require(directions.first { $0["metric"] as String == "throughput_ops_per_sec" })
        #expect(throughput["direction"] as String == "higher_is_better")
        #expect(throughput["unit"] as String == "ops/s")
    }

    /// The run's commit and its first-parent ancestry are stored, so history walks work without git.
    @Test func storesTheFirstParentAncestry() throws {
        let repo = try GitRepository()
        let first = try repo.commit("one")
        let second = try repo.commit("two")
        try repo.git("checkout", "-q", "-b", "side", first)
        let side = try repo.commit("side", file: "side.txt")
        try repo.git("checkout", "-q", "main")
        try repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
        let merge = try repo.git("rev-parse", "HEAD")
        let third = try repo.commit("three")
        let input = try repo.folder.write("r.jsonl", #"{"benchmark":"b","metric":"time_ms","value":1}"#)
        #expect(try hhbench(["record", input, "--db", "h.db"], cwd: repo.path).status == 0)
        let rows = try queryDatabase(repo.folder.file("h.db"), """
            WITH RECURSIVE history(sha, depth) AS (
              SELECT commit_sha, 0 FROM runs
              UNION ALL SELECT c.first_parent, h.depth + 1 FROM history h JOIN commits c ON c.sha = h.sha
              WHERE c.first_parent IS NOT NULL)
            SELECT h.sha, c.subject, c.parents FROM history h JOIN commits c ON c.sha = h.sha ORDER BY depth
            """)
        #expect(rows.map { $0["sha"] as String } == [third, merge, second, first])
        #expect(rows.map { $0["subject"] as String } == ["three", "merge side", "two", "one"])
        #expect(rows[1]["parents"] as String == #"["\#(second)","\#(side)"]"#)
    }

    @Test func dirtyTreeAndFlagsAndContextLines() throws {
        let repo = try GitRepository()
        try repo.commit("one")
        try repo.folder.write("code.txt", "changed\n")
        try repo.folder.write("untracked.txt", "x")
        let input = try repo.folder.write("r.jsonl", """
            {"benchmark":"b","metric":"time_ms","samples":[1,2,3]}
            {"context":{"toolchain":"swift-6.3.1","tags":{"suite":"unit","n":3},"started_at":"2026-11-27T10:00:00+01:00","build":"release"}}
            """)
        let result = try hhbench(["record", input, "--db", repo.folder.file("h.db"), "--branch", "feature/x",
                                  "--machine", "ci-large", "--tag", "suite=load", "--tag", "region=eu"], cwd: repo.path)
        #expect(result.status == 0, "\(result.stderr)")
        let run = try #require(try queryDatabase(repo.folder.file("h.db"), "SELECT * FROM hh_runs").first)
        #expect(run["dirty"] as Int == 1)
        #expect(run["branch"] as String == "feature/x")
        #expect(run["machine"] as String == "ci-large")
        #expect(run["toolchain"] as String == "swift-6.3.1")
        #expect(run["started_at"] as String == "2026-11-27T09:00:00.000Z")
        #expect(run["tags"] as String == #"{"n":"3","region":"eu","suite":"load"}"#)
        let context = try scalar(repo.folder.file("h.db"), "SELECT context FROM runs", as: String.self)
        #expect(context == #"{"build":"release"}"#)
        let machine = try #require(try queryDatabase(repo.folder.file("h.db"), "SELECT * FROM machines").first)
        #expect((machine["hostname"] as String?)?.isEmpty == false)
        #expect((machine["cpu_cores"] as Int?) ?? 0 >= 1)
        #expect((machine["memory_bytes"] as Int64?) ?? 0 > 0)
        #expect((machine["kernel"] as String?)?.hasPrefix("Linux") == true)
    }

    @Test func detachedHeadInGitHubActionsTakesTheBranchAndJobFromTheEnvironment() throws {
        let repo = try GitRepository()
        let sha = try repo.commit("one")
        try repo.git("checkout", "-q", "--detach", sha)
        let input = try repo.folder.write("r.jsonl", #"{"benchmark":"b","metric":"time_ms","value":1}"#)
        let environment = [
            "GITHUB_ACTIONS": "true", "GITHUB_HEAD_REF": "feature/login", "GITHUB_REF_NAME": "12/merge",
            "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/sdk", "GITHUB_RUN_ID": "42",
            "GITHUB_RUN_ATTEMPT": "2",
        ]
        let result = try hhbench(["record", input, "--db", "h.db"], cwd: repo.path, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let run = try #require(try queryDatabase(repo.folder.file("h.db"), "SELECT * FROM hh_runs").first)
        #expect(run["branch"] as String == "feature/login")
        #expect(run["commit_sha"] as String == sha)
        #expect(run["ci_provider"] as String == "github-actions")
        #expect(run["ci_job_url"] as String == "https://github.com/acme/sdk/actions/runs/42/attempts/2")
    }

    @Test func databasePathPrecedence() throws {
        let repo = try GitRepository()
        try repo.commit("one")
        let input = try repo.folder.write("r.jsonl", #"{"benchmark":"b","metric":"time_ms","value":1}"#)
        let fromEnvironment = repo.folder.file("env/h.db")
        #expect(try hhbench(["record", input], cwd: repo.path, environment: ["HHBENCH_DB": fromEnvironment]).status == 0)
        #expect(FileManager.default.fileExists(atPath: fromEnvironment))
        let fromFlag = repo.folder.file("flag.db")
        #expect(try hhbench(["record", input, "--db", fromFlag], cwd: repo.path, environment: ["HHBENCH_DB": fromEnvironment]).status == 0)
        #expect(FileManager.default.fileExists(atPath: fromFlag))
        #expect(!FileManager.default.fileExists(atPath: repo.folder.file(".hhbench/history.db")))

        let outside = try TemporaryFolder()
        let copy = try outside.write("r.jsonl", #"{"benchmark":"b","metric":"time_ms","value":1}"#)
        let result = try hhbench(["record", copy], cwd: outside.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: outside.file(".hhbench/history.db")))
        let run = try #require(try queryDatabase(outside.file(".hhbench/history.db"), "SELECT * FROM hh_runs").first)
        #expect(run["commit_sha"] as String? == nil)
    }

    @Test func standardInputAndDuplicates() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("h.db")
        let first = try hhbench(["record", "--db", db, "--commit", "abc123"], cwd: folder.path, input: Self.native)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("from <stdin>"))
        let again = try hhbench(["record", "-", "--db", db, "--commit", "abc123"], cwd: folder.path, input: Self.native)
        #expect(again.status == 0)
        #expect(again.stdout.isEmpty)
        #expect(again.stderr.contains("skipped <stdin>: the same input was recorded as run 1"))
        #expect(again.stderr.contains("--allow-duplicate"))
        let forced = try hhbench(["record", "--db", db, "--commit", "abc123", "--allow-duplicate"], cwd: folder.path, input: Self.native)
        #expect(forced.status == 0)
        #expect(try scalar(db, "SELECT count(*) FROM runs") == 2)
    }

    /// Bad input: exit 2, a message naming the file, line and field, and not one row written.
    @Test(arguments: [
        ("{\"benchmark\":\"b\",\"metric\":\"time_ms\",\"samples\":[1,2]}\n{\"benchmark\":\"b\"", "bad.jsonl:2:17: not valid JSON", "truncated"),
        ("{\"metric\":\"time_ms\",\"value\":1}", "bad.jsonl:1: field 'benchmark': missing", "needs \"benchmark\""),
        ("{\"benchmark\":7,\"metric\":\"time_ms\",\"value\":1}", "bad.jsonl:1: field 'benchmark': expected a string, found a number", ""),
        ("{\"benchmark\":\"b\",\"metric\":\"time_ms\",\"samples\":[]}", "bad.jsonl:1: field 'samples': empty array", "at least one sample"),
        ("{\"benchmark\":\"b\",\"metric\":\"time_ms\",\"samples\":[1,NaN]}", "bad.jsonl:1:", "NaN is not a JSON number"),
        ("{\"benchmark\":\"b\",\"metric\":\"time_ms\",\"samples\":[1,\"2\"]}", "field 'samples[1]': expected a number, found a string", ""),
        ("{\"benchmark\":\"b\",\"metric\":\"time_ms\",\"value\":1e999}", "field 'value': the number is not finite", ""),
        ("{\"benchmark\":\"b\",\"metric\":\"t\",\"value\":1,\"direction\":\"up\"}", "field 'direction': unknown direction \"up\"", "lower_is_better"),
        ("{\"benchmark\":\"b\",\"metric\":\"t\",\"value\":1,\"samples\":[1]}", "field 'value': both", ""),
        ("{\"benchmark\":\"b\",\"metric\":\"t\"}", "field 'samples': missing", ""),
        ("{\"benchmark\":\"b\",\"metric\":\"t\",\"valeu\":1}", "field 'valeu': unknown field", ""),
        ("{\"benchmark\":\"b\",\"metric\":\"t\",\"value\":1}\n{\"benchmark\":\"b\",\"metric\":\"t\",\"value\":2}", "bad.jsonl:2: field 'value'", "on line 1"),
        ("[1,2,3]", "bad.jsonl:1: expected a JSON object, found an array", ""),
        ("", "bad.jsonl: the file is empty", ""),
        ("\n\n", "bad.jsonl: the file is empty", ""),
    ])
    func badInputIsRefusedWholeAndNamed(contents: String, location: String, hint: String) throws {
        let folder = try TemporaryFolder()
        let db = folder.file("h.db")
        let good = try folder.write("good.jsonl", #"{"benchmark":"b","metric":"time_ms","samples":[1,2,3]}"#)
        #expect(try hhbench(["record", good, "--db", db], cwd: folder.path).status == 0)
        let counts = try countRows(db)

        let bad = try folder.write("bad.jsonl", contents)
        let other = try folder.write("other.jsonl", #"{"benchmark":"c","metric":"time_ms","samples":[4,5]}"#)
        // The good file given first is not written either: all files are checked before any is written.
        let result = try hhbench(["record", other, bad, "--db", db], cwd: folder.path)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        let message = result.stderr.replacingOccurrences(of: folder.path + "/", with: "")
        #expect(message.contains(location), "\(message)")
        if !hint.isEmpty { #expect(message.contains(hint), "\(message)") }
        #expect(try countRows(db) == counts)
    }

    func countRows(_ db: String) throws -> [Int] {
        try ["runs", "measurements", "sample_series", "benchmarks", "metrics", "commits", "machines"].map {
            try scalar(db, "SELECT count(*) FROM \($0)") ?? -1
        }
    }

    @Test func usageErrorsExitTwo() throws {
        let folder = try TemporaryFolder()
        let unknownFlag = try hhbench(["record", "--no-such-flag", "x"], cwd: folder.path)
        #expect(unknownFlag.status == 2)
        #expect(unknownFlag.stderr.contains("--no-such-flag"))
        let badTag = try hhbench(["record", "--tag", "novalue", "x.jsonl"], cwd: folder.path)
        #expect(badTag.status == 2)
        #expect(badTag.stderr.contains("key=value"))
        let missing = try hhbench(["record", "missing.jsonl", "--db", "h.db"], cwd: folder.path)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("missing.jsonl: no such file"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("h.db")))
        let help = try hhbench(["--help"], cwd: folder.path)
        #expect(help.status == 0)
        #expect(help.stdout.contains("Exit codes"))
    }

    @Test func aDatabaseFromANewerHHBenchIsRefusedUntouched() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("h.db")
        let input = try folder.write("r.jsonl", #"{"benchmark":"b","metric":"time_ms","value":1}"#)
        #expect(try hhbench(["record", input, "--db", db], cwd: folder.path).status == 0)
        _ = try runProcess("/usr/bin/sqlite3", [db, "PRAGMA journal_mode=DELETE; PRAGMA user_version = 99;"])
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let result = try hhbench(["record", input, "--db", db, "--allow-duplicate"], cwd: folder.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("schema is version 99, newer than this hhbench supports"))
        #expect(result.stderr.contains("left untouched"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        #expect(!FileManager.default.fileExists(atPath: db + "-wal"))

        let notADatabase = try folder.write("junk.db", "this is not sqlite, just text that is long enough to be a header......")
        let junk = try hhbench(["runs", "--db", notADatabase], cwd: folder.path)
        #expect(junk.status == 2)
        #expect(junk.stderr.contains("not an hhbench database"))
    }

    /// The SQL is inside the binary: a copy of it alone, in an empty folder, records a run.
    @Test func theBinaryAloneRecords() throws {
        let folder = try TemporaryFolder()
        let binary = folder.file("hhbench")
        try FileManager.default.copyItem(atPath: HHBenchBinary.path, toPath: binary)
        let result = try runProcess(binary, ["record", "-"], cwd: folder.path, input: Self.native)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try scalar(folder.file(".hhbench/history.db"), "SELECT count(*) FROM hh_samples") == 5)
    }

    /// Parallel CI jobs recording into one database all succeed (WAL and a busy timeout).
    @Test func parallelRecordersAllSucceed() async throws {
        let folder = try TemporaryFolder()
        let db = folder.file("shared.db")
        let jobs = 8
        let inputs = try (0..<jobs).map { job in
            try folder.write("job\(job).jsonl", (0..<50).map { b in
                #"{"benchmark":"job\#(job)/b\#(b)","metric":"time_ms","samples":[\#((0..<200).map { _ in String(Double.random(in: 1...2)) }.joined(separator: ","))]}"#
            }.joined(separator: "\n"))
        }
        let cwd = folder.path
        let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
            for input in inputs {
                group.addTask { try hhbench(["record", input, "--db", db], cwd: cwd).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 0, count: jobs))
        #expect(try scalar(db, "SELECT count(*) FROM runs") == jobs)
        #expect(try scalar(db, "SELECT count(*) FROM hh_samples") == jobs * 50 * 200)
    }

    @Test(arguments: Engine.allCases) func runsAndShow(engine: Engine) throws {
        let repo = try GitRepository()
        let db = try engine.newWarehouse(in: repo.folder)
        try repo.commit("one")
        let input = try repo.folder.write("r.jsonl", Self.native)
        #expect(try hhbench(["record", input, "--db", db], cwd: repo.path).status == 0)

        let table = try hhbench(["runs", "--db", db], cwd: repo.path)
        #expect(table.status == 0)
        #expect(table.stdout.contains("main"))
        #expect(table.stdout.split(separator: "\n").count == 3)

        let json = try hhbench(["runs", "--db", db, "--format", "json"], cwd: repo.path)
        let runs = try JSONParser.parse(json.stdout)
        #expect(runs.arrayValue?.count == 1)
        #expect(runs.arrayValue?.first?["samples"]?.doubleValue == 5)
        #expect(runs.arrayValue?.first?["branch"]?.stringValue == "main")
        #expect(try hhbench(["runs", "--db", db, "--branch", "other", "--format", "json"], cwd: repo.path).stdout == "[]\n")

        let uuid = try #require(runs.arrayValue?.first?["uuid"]?.stringValue)
        let show = try hhbench(["show", String(uuid.prefix(13)), "--db", db, "--format", "json"], cwd: repo.path)
        #expect(show.status == 0, "\(show.stderr)")
        let detail = try JSONParser.parse(show.stdout)
        #expect(detail["context"]?["commit_subject"]?.stringValue == "one")
        #expect(detail["context"]?["tags"]?["suite"]?.stringValue == "load")
        let measurements = try #require(detail["measurements"]?.arrayValue)
        #expect(measurements.contains { $0["metric"]?.stringValue == "p99_time_ms" && $0["derived"]?.boolValue == true })
        #expect(measurements.contains { $0["metric"]?.stringValue == "overhead_ratio" && $0["value"]?.doubleValue == 1.07 })

        let text = try hhbench(["show", "latest", "--db", db], cwd: repo.path)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("overhead_ratio"))
        #expect(text.stdout.contains("commit_subject"))

        let missing = try hhbench(["show", "999", "--db", db], cwd: repo.path)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no run '999'"))
    }
}

/// A large input is read whole and written in one transaction: a million samples land, and the
/// database stays under 12 bytes a sample (issue 2's storage target, a size, not a timing).
@Suite struct LargeInputTests {
    @Test func aMillionSamplesLandCompactly() throws {
        let folder = try TemporaryFolder()
        var generator = SyntheticResults(seed: 5)
        var text = ""
        text.reserveCapacity(10_000_000)
        for series in 0..<1_000 {
            let base = 0.05 * Double(1 + series % 97)
            text += #"{"benchmark":"bench_\#(series)","metric":"time_ms","samples":["#
            text += (0..<1_000).map { _ in String(format: "%.6f", max(0.000001, generator.normal(base, base * 0.03))) }.joined(separator: ",")
            text += "]}\n"
        }
        let input = try folder.write("big.jsonl", text)
        let result = try hhbench(["record", input, "--db", "big.db"], cwd: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("1000000 samples in 1000 series"))
        let db = folder.file("big.db")
        #expect(try scalar(db, "SELECT count(*) FROM hh_samples") == 1_000_000)
        #expect(try scalar(db, "SELECT count(*) FROM sample_series") == 1_000)
        _ = try runProcess("/usr/bin/sqlite3", [db, "PRAGMA wal_checkpoint(TRUNCATE);"])
        let size = try FileManager.default.attributesOfItem(atPath: db)[.size] as? Int ?? 0
        #expect(size > 0 && Double(size) / 1_000_000 < 12, "\(Double(size) / 1_000_000) bytes per sample")
    }
}
