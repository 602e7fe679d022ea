import Foundation
import Records
import Testing

/// The shipped queries on a database with known content, through the real `sqlite3` shell and
/// through `hhbench query`, checked row by row against answers worked out by hand.
@Suite struct QueryCommandTests {
    /// main: c1..c5 with these values (c5 regressed); runs recorded on branch main.
    static let apiP95 = [10.0, 12, 11, 13, 30]
    static let apiErrors = [0.001, 0.002, 0.001, 0.002, 0.02]
    static let dbThroughput = [100.0, 100, 100, 100, 50]

    final class Fixture: @unchecked Sendable {
        let repo: GitRepository
        let engine: Engine
        /// The warehouse: a file in the repository, or a PostgreSQL database.
        let db: String
        var commits: [String] = []

        init(engine: Engine = .sqlite, branch: String = "main") throws {
            repo = try GitRepository()
            self.engine = engine
            db = try engine.newWarehouse(in: repo.folder)
            if branch != "main" { try repo.git("symbolic-ref", "HEAD", "refs/heads/\(branch)") }
            for index in 0..<5 {
                commits.append(try repo.commit("main \(index + 1)"))
                let input = try repo.folder.write("r.jsonl", """
                    {"benchmark":"api","metric":"p95_time_ms","value":\(QueryCommandTests.apiP95[index])}
                    {"benchmark":"api","metric":"error_rate","value":\(QueryCommandTests.apiErrors[index])}
                    {"benchmark":"db","metric":"p95_time_ms","value":5}
                    {"benchmark":"db","metric":"throughput_ops_per_sec","value":\(QueryCommandTests.dbThroughput[index])}
                    """)
                let result = try hhbench(["record", input, "--db", db, "--machine", "ci"], cwd: repo.path)
                guard result.status == 0 else { throw TestFailure(result.stderr) }
            }
        }

        /// Rows of a shipped query through hhbench (CSV), and through the engine's own shell reading
        /// the query's file: sqlite3 with queries/NAME.sql, or psql with queries/postgres/NAME.sql
        /// and the parameters as psql variables (`psql -v name=value -f …`, as the README shows).
        func rows(_ name: String, _ parameters: [String: String] = [:]) throws -> [[String]] {
            let viaHHBench = try hhbench(["query", name, "--db", db, "--format", "csv"] + parameters.flatMap { ["--param", "\($0.key)=\($0.value)"] },
                                         cwd: repo.path)
            guard viaHHBench.status == 0 else { throw TestFailure("hhbench query \(name): \(viaHHBench.stderr)") }
            let viaShell: ProcessResult
            switch engine {
            case .sqlite:
                let sql = try String(contentsOfFile: QueryCommandTests.queryFile(name), encoding: .utf8)
                var arguments = [db, "-csv", "-header"]
                for (key, value) in parameters.sorted(by: { $0.key < $1.key }) {
                    let literal = Double(value) != nil ? value : "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
                    arguments += ["-cmd", ".parameter set :\(key) \(literal)"]
                }
                viaShell = try runProcess("/usr/bin/sqlite3", arguments, input: sql)
            case .postgres:
                viaShell = try PostgresServer.running().psqlFile(url: db, QueryCommandTests.queryFile("postgres/" + name), variables: parameters)
            }
            guard viaShell.status == 0, viaShell.stderr.isEmpty else { throw TestFailure("\(engine) shell, \(name): \(viaShell.stderr)") }
            let ours = QueryCommandTests.parseCSV(viaHHBench.stdout)
            // sqlite3 prints no header for an empty result; hhbench and psql always do.
            let theirs = viaShell.stdout.isEmpty ? Array(ours.prefix(1)) : QueryCommandTests.parseCSV(viaShell.stdout)
            #expect(ours.count == theirs.count, "\(name): row counts differ between hhbench and sqlite3")
            for (a, b) in zip(ours, theirs) {
                #expect(a.count == b.count)
                for (x, y) in zip(a, b) where x != y {
                    // sqlite3 prints 15 significant digits, psql a numeric's scale ("12.00"), hhbench the
                    // shortest exact form.
                    #expect(Double(x) != nil && Double(y) != nil && abs(Double(x)! - Double(y)!) <= 1e-12 * max(1, abs(Double(x)!)),
                            "\(name): '\(x)' vs '\(y)'")
                }
            }
            return Array(ours.dropFirst())
        }
    }

    static func queryFile(_ name: String) -> String {
        repositoryFile("queries/\(name).sql")
    }

    static func parseCSV(_ text: String) -> [[String]] {
        text.split(separator: "\n", omittingEmptySubsequences: true).map { line in
            var fields: [String] = [], field = "", quoted = false
            var iterator = Array(line).makeIterator()
            while let c = iterator.next() {
                if quoted {
                    if c == "\"" { quoted = false } else { field.append(c) }
                } else if c == "\"" { quoted = true; if field.hasSuffix("\"") == false && !field.isEmpty { field.append("\"") } }
                else if c == "," { fields.append(field); field = "" }
                else if c != "\r" { field.append(c) }
            }
            fields.append(field)
            return fields
        }
    }

    static func number(_ text: String) -> Double { Double(text)! }

    @Test(arguments: Engine.allCases) func everyShippedQueryAnswersRowByRow(engine: Engine) throws {
        let f = try Fixture(engine: engine)
        let shortC5 = String(f.commits[4].prefix(12))

        let latest = try f.rows("latest")
        #expect(latest.map { [$0[0], $0[2], $0[3]] } == [["api", "error_rate", "0.02"], ["api", "p95_time_ms", "30"],
                                                         ["db", "p95_time_ms", "5"], ["db", "throughput_ops_per_sec", "50"]])
        #expect(latest.allSatisfy { $0[6] == shortC5 })
        #expect(try f.rows("latest", ["metric": "p95*"]).count == 2)

        let baseline = try f.rows("baseline", ["window": "3", "metric": "p95_time_ms"])
        #expect(baseline.count == 2)
        #expect(baseline[0][0] == "api" && Self.number(baseline[0][5]) == 13 && Self.number(baseline[0][6]) == 18)
        #expect(abs(Self.number(baseline[0][7]) - 109.0.squareRoot()) < 1e-12)
        #expect(baseline[0][8] == "3")
        #expect(baseline[1][0] == "db" && Self.number(baseline[1][5]) == 5 && Self.number(baseline[1][7]) == 0)

        let regressions = try f.rows("regressions", ["commit": f.commits[4], "window": "4", "threshold_pct": "10"])
        #expect(regressions.map { $0[0] + " " + $0[2] } == ["api error_rate", "api p95_time_ms", "db throughput_ops_per_sec"])
        #expect(regressions.map { Self.number($0[7]) } == [1233.33, 160.87, 50])
        #expect(regressions.map { Self.number($0[5]) } == [0.0015, 11.5, 100])
        #expect(try f.rows("regressions", ["commit": String(f.commits[4].prefix(8)), "window": "4", "threshold_pct": "200"]).count == 1)

        let trend = try f.rows("trend", ["metric": "p95_time_ms", "benchmark": "api"])
        #expect(trend.map { $0[0] } == ["0", "1", "2", "3", "4"])
        #expect(trend.map { Self.number($0[6]) } == Self.apiP95)
        #expect(trend.map { $0[2] } == ["main 1", "main 2", "main 3", "main 4", "main 5"])
        #expect(try f.rows("trend", ["metric": "p95_time_ms"]).count == 10)
        #expect(try f.rows("trend", ["metric": "p95_time_ms", "benchmark": "api", "last": "2"]).map { Self.number($0[6]) } == [13, 30])

        let noisy = try f.rows("noisy", ["window": "5", "max_cv_pct": "10"])
        #expect(noisy.map { $0[0] + " " + $0[2] } == ["api error_rate", "api p95_time_ms", "db throughput_ops_per_sec"])
        #expect(Self.number(noisy[1][7]) == 54.93)
        #expect(Self.number(noisy[2][7]) == 24.85)

        let budgets = try f.rows("budgets", ["budgets": #"{"p95_time_ms": 20, "throughput_ops_per_sec": 80, "error_rate": 0.01}"#])
        #expect(budgets.map { $0[0] + " " + $0[2] } == ["api error_rate", "api p95_time_ms", "db throughput_ops_per_sec"])
        #expect(try f.rows("budgets", ["budgets": #"{"p95_time_ms": 50}"#]).isEmpty)

        let runs = try f.rows("runs", ["limit": "3"])
        #expect(runs.count == 3)
        #expect(runs[0][3] == shortC5)
        #expect(runs[0][4] == "main 5")
        #expect(try f.rows("runs", ["branch": "other"]).isEmpty)
    }

    /// A repository whose line is master, with no run on main: the queries default to master.
    @Test(arguments: Engine.allCases) func masterIsTheDefaultWhenNoRunIsOnMain(engine: Engine) throws {
        let f = try Fixture(engine: engine, branch: "master")
        let latest = try f.rows("latest")
        #expect(latest.count == 4 && latest.allSatisfy { $0[6] == String(f.commits[4].prefix(12)) })
        #expect(try f.rows("trend", ["metric": "p95_time_ms", "benchmark": "api"]).map { Self.number($0[6]) } == Self.apiP95)
        #expect(try f.rows("baseline", ["window": "3", "metric": "p95_time_ms"]).count == 2)
        #expect(try f.rows("regressions", ["commit": f.commits[4], "window": "4", "threshold_pct": "10"]).count == 3)
        #expect(try f.rows("noisy", ["window": "5", "max_cv_pct": "10"]).count == 3)
        #expect(try f.rows("latest", ["branch": "main"]).isEmpty, "a branch given is a branch kept")
    }

    /// The gate queries do not pass because the runs were recorded without a commit: the newest
    /// run is then the candidate (budgets checks it; regressions compares it with main's window).
    @Test(arguments: Engine.allCases) func gatesCoverRunsWithoutACommit(engine: Engine) throws {
        let folder = try TemporaryFolder()  // not a git repository: no commit is captured
        let db = try engine.newWarehouse(in: folder)
        let slow = try folder.write("slow.jsonl", #"{"benchmark":"api","metric":"p95_time_ms","value":30}"# + "\n")
        let recorded = try hhbench(["record", "--db", db, slow, "--machine", "m1"], cwd: folder.path)
        try #require(recorded.status == 0, "\(recorded.stderr)")
        #expect(try scalar(db, "SELECT count(*) FROM runs WHERE commit_sha IS NULL") == 1)
        let gate = try hhbench(["query", "budgets", "--db", db, "--param", #"budgets={"p95_time_ms": 20}"#, "--fail-on", "rows"], cwd: folder.path)
        #expect(gate.status == 1, "a run over budget without a commit passed the gate: \(gate.stdout) \(gate.stderr)")

        // regressions: main's history at commits, then a slower run without one.
        let repo = try GitRepository()
        let history = try engine.newWarehouse(in: repo.folder)
        for index in 1...3 {
            _ = try repo.commit("main \(index)")
            let input = try repo.folder.write("r.jsonl", #"{"benchmark":"api","metric":"p95_time_ms","value":10}"# + "\n")
            #expect(try hhbench(["record", "--db", history, input, "--machine", "m1"], cwd: repo.path).status == 0)
        }
        let candidate = try folder.write("candidate.jsonl", #"{"benchmark":"api","metric":"p95_time_ms","value":15}"# + "\n")
        #expect(try hhbench(["record", "--db", history, candidate, "--machine", "m1"], cwd: folder.path).status == 0)
        let regressions = try hhbench(["query", "regressions", "--db", history, "--fail-on", "rows"], cwd: repo.path)
        #expect(regressions.status == 1, "a slower run without a commit passed the gate: \(regressions.stdout) \(regressions.stderr)")
    }

    /// `export --format csv --samples` decodes samples itself, not through the hh_samples view:
    /// the same rows, cell for cell, as the view gives `query`, on both engines.
    @Test(arguments: Engine.allCases) func sampleExportIsTheViewCellForCell(engine: Engine) throws {
        let folder = try TemporaryFolder()
        let db = try engine.newWarehouse(in: folder)
        let lines = [#"{"benchmark":"b","metric":"time_ms","samples":[1.5,2.25,0.125,1e-7,123456.789]}"#,
                     #"{"benchmark":"b","group":"g","params":{"n":2},"metric":"time_ms","samples":[0.1,0.2,0.30000000000000004]}"#,
                     #"{"benchmark":"a","metric":"delta","unit":"","samples":[12,-13,14.5]}"#]
        for (index, line) in lines.enumerated() {
            let input = try folder.write("r\(index).jsonl", line + "\n")
            #expect(try hhbench(["record", "--db", db, input, "--commit", "c\(index)c\(index)", "--branch", "main"], cwd: folder.path).status == 0)
        }
        let exported = try hhbench(["export", "--db", db, "--format", "csv", "--samples"], cwd: folder.path)
        try #require(exported.status == 0, "\(exported.stderr)")
        let order = engine == .postgres ? " COLLATE \"C\"" : ""
        let sql = try folder.write("view.sql", "SELECT * FROM hh_samples ORDER BY run_id, benchmark\(order), benchmark_group\(order), params\(order), series\(order), idx")
        let viewed = try hhbench(["query", sql, "--db", db, "--format", "csv"], cwd: folder.path)
        try #require(viewed.status == 0, "\(viewed.stderr)")
        #expect(exported.stdout == viewed.stdout)
        #expect(exported.stdout.split(separator: "\n").count == 1 + 11)
    }

    @Test func gatesListsAndTheReadOnlyGuard() throws {
        let f = try Fixture()
        let gate = try hhbench(["query", "budgets", "--db", f.db, "--param", #"budgets={"p95_time_ms": 20}"#, "--fail-on", "rows"], cwd: f.repo.path)
        #expect(gate.status == 1)
        #expect(gate.stdout.contains("api"))
        #expect(gate.stderr.contains("1 row returned"))
        let pass = try hhbench(["query", "budgets", "--db", f.db, "--param", #"budgets={"p95_time_ms": 50}"#, "--fail-on", "rows"], cwd: f.repo.path)
        #expect(pass.status == 0)

        let list = try hhbench(["query", "--list"], cwd: f.repo.path)
        for name in ["latest", "baseline", "regressions", "trend", "noisy", "budgets", "runs"] {
            #expect(list.stdout.contains("\(name): "), "\(name)")
        }
        #expect(list.stdout.contains(":threshold_pct"))

        let file = try f.repo.folder.write("mine.sql", "SELECT benchmark, count(*) AS n FROM hh_measurements WHERE metric = :metric GROUP BY benchmark")
        let custom = try hhbench(["query", file, "--db", f.db, "--param", "metric=p95_time_ms", "--format", "json"], cwd: f.repo.path)
        #expect(custom.status == 0, "\(custom.stderr)")
        let rows = try JSONParser.parse(custom.stdout).arrayValue ?? []
        #expect(rows.map { $0["n"]?.doubleValue } == [5, 5])

        let before = try Data(contentsOf: URL(fileURLWithPath: f.db))
        let attached = f.repo.folder.file("attached.db")
        for statement in ["DELETE FROM runs", "SELECT 1; UPDATE runs SET branch = 'x'", "DROP VIEW hh_runs",
                          "INSERT INTO metrics (name, unit, direction) VALUES ('a','b','lower_is_better')",
                          "-- a comment first\nATTACH DATABASE '\(attached)' AS other", "PRAGMA user_version = 7",
                          "VACUUM INTO '\(attached)'"] {
            let writer = try f.repo.folder.write("w.sql", statement)
            let refused = try hhbench(["query", writer, "--db", f.db], cwd: f.repo.path)
            #expect(refused.status == 2, "\(statement)")
            #expect(refused.stderr.contains("refused"), "\(statement)")
        }
        #expect(try scalar(f.db, "SELECT count(*) FROM runs") == 5)
        #expect(!FileManager.default.fileExists(atPath: attached), "ATTACH creates files: refused too")
        #expect(try scalar(f.db, "SELECT count(*) FROM metrics WHERE name = 'a'") == 0)
        _ = before
        let typo = try hhbench(["query", "runs", "--db", f.db, "--param", "limt=3"], cwd: f.repo.path)
        #expect(typo.status == 2)
        #expect(typo.stderr.contains(":limit"))
        let unknown = try hhbench(["query", "nope", "--db", f.db], cwd: f.repo.path)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("latest"))
    }
}

/// `merge` and `export` through the binary.
@Suite struct MergeExportTests {
    func record(_ fixturePath: String, into db: String, commit: String, cwd: String) throws {
        let result = try hhbench(["record", fixture(fixturePath), "--db", db, "--commit", commit], cwd: cwd)
        guard result.status == 0 else { throw TestFailure(result.stderr) }
    }

    func totals(_ db: String) throws -> [String] {
        try ["SELECT count(*) || ' ' || total(value) FROM hh_samples", "SELECT count(*) || ' ' || total(value) FROM hh_measurements",
             "SELECT group_concat(run_uuid, ',') FROM (SELECT run_uuid FROM hh_runs ORDER BY run_uuid)",
             "SELECT group_concat(sha, ',') FROM (SELECT sha FROM commits ORDER BY sha)"].map {
            try scalar(db, $0, as: String.self) ?? ""
        }
    }

    @Test func mergeBringsRunsInOnceAndRefusesNewerSchemas() throws {
        let folder = try TemporaryFolder()
        try record("hyperfine/run1.json", into: "a.db", commit: "aaaa0001", cwd: folder.path)
        try record("go/run1.txt", into: "b.db", commit: "bbbb0002", cwd: folder.path)
        try record("pytest-benchmark/run1.json", into: "b.db", commit: "cccc0003", cwd: folder.path)
        let first = try hhbench(["merge", "b.db", "--db", "a.db"], cwd: folder.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("2 runs added"))
        let merged = try totals(folder.file("a.db"))
        let again = try hhbench(["merge", "b.db", "--db", "a.db"], cwd: folder.path)
        #expect(again.stdout.contains("0 runs added"))
        #expect(again.stdout.contains("2 already present"))
        #expect(try totals(folder.file("a.db")) == merged)
        #expect(try scalar(folder.file("a.db"), "SELECT count(*) FROM runs") == 3)
        #expect(try scalar(folder.file("a.db"), "SELECT count(*) FROM hh_samples") == 120 + 80 + 5916)

        _ = try runProcess("/usr/bin/sqlite3", [folder.file("b.db"), "PRAGMA journal_mode=DELETE; PRAGMA user_version = 42;"])
        let newer = try hhbench(["merge", "b.db", "--db", "a.db"], cwd: folder.path)
        #expect(newer.status == 2)
        #expect(newer.stderr.contains("b.db: the database schema is version 42"))
        let itself = try hhbench(["merge", "a.db", "--db", "a.db"], cwd: folder.path)
        #expect(itself.status == 2)
    }

    @Test func exportThenRecordGivesTheSameRuns() throws {
        let folder = try TemporaryFolder()
        try record("hyperfine/run1.json", into: "a.db", commit: "aaaa0001", cwd: folder.path)
        try record("google-benchmark/reps5-run1.json", into: "a.db", commit: "bbbb0002", cwd: folder.path)
        try record("pytest-benchmark/run1.json", into: "a.db", commit: "cccc0003", cwd: folder.path)
        #expect(try hhbench(["record", "--db", "a.db", "--commit", "dddd0004"], cwd: folder.path, input: RecordCommandTests.native).status == 0)
        let exported = try hhbench(["export", "--db", "a.db", "--format", "jsonl"], cwd: folder.path)
        #expect(exported.status == 0)
        try folder.write("export.jsonl", exported.stdout)
        let imported = try hhbench(["record", "export.jsonl", "--db", "b.db"], cwd: folder.path)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try totals(folder.file("b.db")) == totals(folder.file("a.db")))
        let columns = "run_uuid, commit_sha, branch, machine, recorded_at, benchmark, benchmark_group, params, metric, unit, direction, value, derived"
        let left = try queryDatabase(folder.file("a.db"), "SELECT \(columns) FROM hh_measurements ORDER BY 1, 6, 8, 9")
        let right = try queryDatabase(folder.file("b.db"), "SELECT \(columns) FROM hh_measurements ORDER BY 1, 6, 8, 9")
        #expect(left == right)
        let samplesLeft = try queryDatabase(folder.file("a.db"), "SELECT run_uuid, benchmark, series, idx, value FROM hh_samples ORDER BY 1, 2, 3, 4")
        let samplesRight = try queryDatabase(folder.file("b.db"), "SELECT run_uuid, benchmark, series, idx, value FROM hh_samples ORDER BY 1, 2, 3, 4")
        #expect(samplesLeft == samplesRight)
        let contextColumns = "run_uuid, source_format, tool, tool_version, toolchain, tags, context, content_hash, machine_fingerprint"
        #expect(try queryDatabase(folder.file("a.db"), "SELECT \(contextColumns) FROM hh_runs ORDER BY 1")
                == queryDatabase(folder.file("b.db"), "SELECT \(contextColumns) FROM hh_runs ORDER BY 1"))
        // Recording the export again changes nothing: the runs are known by their uuid.
        #expect(try hhbench(["record", "export.jsonl", "--db", "b.db"], cwd: folder.path).status == 0)
        #expect(try scalar(folder.file("b.db"), "SELECT count(*) FROM runs") == 4)

        let csv = try hhbench(["export", "--db", "a.db", "--format", "csv"], cwd: folder.path)
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines[0] == "benchmark,metric,value,unit,commit,recorded_at,branch,machine,benchmark_group,params,direction,derived,commit_sha,run_id,run_uuid,machine_fingerprint")
        #expect(lines.count - 1 == (try scalar(folder.file("a.db"), "SELECT count(*) FROM measurements") ?? 0))
        let sampleRows = try hhbench(["export", "--db", "a.db", "--format", "csv", "--samples", "--run", "1"], cwd: folder.path)
        #expect(sampleRows.stdout.split(separator: "\n").count == 1 + 120)
        let none = try hhbench(["export", "--db", "a.db", "--recorded-since", "2999-01-01"], cwd: folder.path)
        #expect(none.stdout.isEmpty)
        #expect(try hhbench(["export", "--db", "a.db", "--recorded-since", "yesterday"], cwd: folder.path).status == 2)
    }
}
