import Foundation
import Records
import Testing

/// Input an attacker or a careless tool writes: each class of issue 11 through the built binary.
/// Every bad input is exit 2 with a message that names the file, never a crash (exit 132) and
/// never a half-written database; every good but extreme input is stored exactly.
@Suite struct HostileInputTests {
    /// A record into a fresh database; the folder (and the database in it) lives as long as this does.
    struct Recorded {
        let result: ProcessResult
        let db: String
        let folder: TemporaryFolder
    }

    /// Records `contents` as `name` into a fresh database.
    func record(_ name: String, _ contents: [UInt8], extra: [String] = []) throws -> Recorded {
        let folder = try TemporaryFolder()
        let file = folder.file(name)
        try Data(contents).write(to: URL(fileURLWithPath: file))
        let db = folder.file("h.db")
        let result = try hhbench(["record", file, "--db", db, "--commit", "abc123", "--branch", "main", "--machine", "m"] + extra,
                                 cwd: folder.path)
        return Recorded(result: result, db: db, folder: folder)
    }

    func record(_ name: String, _ text: String, extra: [String] = []) throws -> Recorded {
        try record(name, Array(text.utf8), extra: extra)
    }

    /// Exit 2, a message naming the file, and nothing written (no database at all: input is
    /// checked before the database is opened).
    func expectRefused(_ name: String, _ contents: [UInt8], mentioning words: [String] = [],
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let recorded = try record(name, contents)
        let (result, db) = (recorded.result, recorded.db)
        #expect(result.status == 2, "\(name): exit \(result.status), \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(name), "\(result.stderr)", sourceLocation: sourceLocation)
        for word in words { #expect(result.stderr.contains(word), "\(result.stderr)", sourceLocation: sourceLocation) }
        #expect(!FileManager.default.fileExists(atPath: db), "nothing is written", sourceLocation: sourceLocation)
        withExtendedLifetime(recorded) {}  // the folder must still exist when its emptiness is checked
    }

    func expectRefused(_ name: String, _ text: String, mentioning words: [String] = [],
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectRefused(name, Array(text.utf8), mentioning: words, sourceLocation: sourceLocation)
    }

    @Test func unpairedSurrogatesAreErrorsWithTheirPlace() throws {
        // A high surrogate then a letter crashed (SIGILL); a high surrogate then a private-use
        // character was stored as U+10400. Both are refused, with line and column.
        try expectRefused("a.jsonl", #"{"benchmark":"a\ud800\u0041","metric":"time_ms","samples":[1]}"#, mentioning: ["a.jsonl:1:16", "surrogate"])
        try expectRefused("b.jsonl", #"{"benchmark":"a\ud800\ue000","metric":"time_ms","samples":[1]}"#, mentioning: ["surrogate"])
        try expectRefused("c.jsonl", #"{"benchmark":"a\udc00","metric":"time_ms","samples":[1]}"#, mentioning: ["low surrogate"])
        try expectRefused("d.jsonl", #"{"benchmark":"a\ud800","metric":"time_ms","samples":[1]}"#)
        // In another JSON format too (the parser is shared).
        let pytest = try String(contentsOfFile: fixture("pytest-benchmark/run1.json"), encoding: .utf8)
            .replacingOccurrences(of: "\"machine_info\": {", with: "\"machine_info\": {\"x\": \"\\ud800\\u0041\", ")
        try expectRefused("p.json", pytest, mentioning: ["surrogate"])
        // A proper pair is one character, stored as that character.
        let ok = try record("ok.jsonl", #"{"benchmark":"a\ud801\udc00","metric":"time_ms","samples":[1]}"#)
        #expect(ok.result.status == 0, "\(ok.result.stderr)")
        #expect(try scalar(ok.db, "SELECT name FROM benchmarks", as: String.self) == "a\u{10400}")
    }

    @Test func invalidUTF8IsAnErrorNotAReplacement() throws {
        try expectRefused("a.jsonl", Array(#"{"benchmark":"a"#.utf8) + [0xFF] + Array(#"","metric":"time_ms","samples":[1]}"#.utf8),
                          mentioning: ["UTF-8", "a.jsonl:1:"])
        // Overlong and surrogate encodings are not UTF-8 either (RFC 3629).
        try expectRefused("b.jsonl", Array(#"{"benchmark":"a"#.utf8) + [0xC0, 0xAF] + Array(#"","metric":"time_ms","samples":[1]}"#.utf8))
        try expectRefused("c.jsonl", Array(#"{"benchmark":"a"#.utf8) + [0xED, 0xA0, 0x80] + Array(#"","metric":"time_ms","samples":[1]}"#.utf8))
        // Text formats too: a hyperfine CSV with a Latin-1 byte in a command name, on line 3.
        var csv = Array(try String(contentsOfFile: fixture("hyperfine/run1.csv"), encoding: .utf8).utf8)
        let secondLine = try #require(csv.indices.filter { csv[$0] == 0x0A }.dropFirst().first)
        csv.insert(0xE9, at: secondLine + 2)
        try expectRefused("h.csv", csv, mentioning: ["h.csv:3:"])
    }

    @Test func nulIsRefusedInNamesUnitsAndTags() throws {
        try expectRefused("a.jsonl", #"{"benchmark":"x\u0000evil","metric":"time_ms","samples":[1]}"#, mentioning: ["NUL"])
        try expectRefused("b.jsonl", #"{"benchmark":"x","metric":"time\u0000_ms","samples":[1]}"#, mentioning: ["NUL"])
        try expectRefused("c.jsonl", #"{"benchmark":"x","metric":"t","unit":"m\u0000s","samples":[1]}"#, mentioning: ["NUL"])
        try expectRefused("d.jsonl", "{\"context\":{\"tags\":{\"k\":\"v\\u0000\"}}}\n{\"benchmark\":\"x\",\"metric\":\"t\",\"value\":1}", mentioning: ["NUL"])
    }

    @Test func negativeTimesAreRefusedAsTheREADMESays() throws {
        try expectRefused("a.jsonl", #"{"benchmark":"x","metric":"time_ms","samples":[1,-0.5]}"#, mentioning: ["negative time"])
        try expectRefused("b.jsonl", #"{"benchmark":"x","metric":"p95_time_ms","value":-3}"#, mentioning: ["negative time"])
        // A negative value in a unit that is not time is a value like any other.
        let ok = try record("c.jsonl", #"{"benchmark":"x","metric":"delta_ratio","samples":[-1,2]}"#)
        #expect(ok.result.status == 0, "\(ok.result.stderr)")
    }

    @Test func extremeFiniteValuesGiveFiniteSummariesAndValidJSON() throws {
        let recorded = try record("a.jsonl", #"{"benchmark":"big","metric":"time_ms","samples":[1e308,1e308,1.7e308]}"#)
        let (result, db, folder) = (recorded.result, recorded.db, recorded.folder)
        #expect(result.status == 0, "\(result.stderr)")
        let values = try queryDatabase(db, "SELECT metric, value FROM hh_measurements").map { ($0["metric"] as String, $0["value"] as Double) }
        #expect(values.count >= 7)
        for (metric, value) in values { #expect(value.isFinite, "\(metric) = \(value)") }
        let mean = try #require(values.first { $0.0 == "avg_time_ms" }?.1)
        #expect(abs(mean - 1.2333333333333333e308) / 1.2333333333333333e308 < 1e-12)
        // Samples so far apart that even the standard deviation exceeds a double are refused.
        try expectRefused("b.jsonl", #"{"benchmark":"wide","metric":"x_ratio","samples":[-1.7e308,1.7e308]}"#, mentioning: ["spread"])
        // JSON output is JSON, whatever SQL computes (an overflow to infinity prints null).
        let sql = try folder.write("overflow.sql", "SELECT max(value) * 10 AS overflow, 1 AS one FROM hh_measurements")
        let json = try hhbench(["query", sql, "--db", db, "--format", "json"], cwd: folder.path)
        #expect(json.status == 0, "\(json.stderr)")
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.first?["overflow"] is NSNull)
    }

    @Test func countsOutOfRangeAreInputErrorsNotTraps() throws {
        for bad in ["1e300", "-1e300", "1e19", "-1", "2.5"] {
            try expectRefused("m\(bad).jsonl", "{\"context\":{\"machine\":{\"name\":\"m\",\"cpu_cores\":\(bad)}}}\n{\"benchmark\":\"b\",\"metric\":\"time_ms\",\"value\":1}",
                              mentioning: ["cpu_cores"])
            try expectRefused("b\(bad).jsonl", "{\"context\":{\"machine\":{\"name\":\"m\",\"memory_bytes\":\(bad)}}}\n{\"benchmark\":\"b\",\"metric\":\"time_ms\",\"value\":1}",
                              mentioning: ["memory_bytes"])
        }
        let pytest = try String(contentsOfFile: fixture("pytest-benchmark/run1.json"), encoding: .utf8)
        let count = try #require(pytest.range(of: #""count": \d+"#, options: .regularExpression))
        try expectRefused("p.json", pytest.replacingCharacters(in: count, with: "\"count\": 1e300"), mentioning: ["cpu.count"])
        let google = try String(contentsOfFile: fixture("google-benchmark/run1.json"), encoding: .utf8)
        let cpus = try #require(google.range(of: #""num_cpus": \d+"#, options: .regularExpression))
        try expectRefused("g.json", google.replacingCharacters(in: cpus, with: "\"num_cpus\": 1e19"), mentioning: ["num_cpus"])
        let influx = try String(contentsOfFile: fixture("swift-package-benchmark/influx/run1/Current_run.influx.csv"), encoding: .utf8)
        try expectRefused("i.csv", influx.replacingOccurrences(of: ",x86_64,2,23,", with: ",x86_64,2,99999999999999999,"), mentioning: ["memory"])
    }

    @Test func timestampsAreParsedStrictly() throws {
        for bad in ["2026-13-45T99:99:99Z", "2026-02-30T00:00:00Z", "10000-01-01T00:00:00Z", "١٢٣٤-11-27T12:45:44Z",
                    "2026-11-27T12:45:44+25:00", "1969-12-31T23:59:59Z", "2026-11-27"] {
            try expectRefused("t.jsonl", "{\"context\":{\"recorded_at\":\"\(bad)\"}}\n{\"benchmark\":\"b\",\"metric\":\"time_ms\",\"value\":1}",
                              mentioning: ["recorded_at"])
        }
        try expectRefused("perf.json", #"{"t":{"metrics":{"avg_time_ms":1},"timestamp":1e17}}"#, mentioning: ["timestamp"])
        try expectRefused("perf2.json", #"{"t":{"metrics":{"avg_time_ms":1},"timestamp":-5}}"#, mentioning: ["timestamp"])
        // Good times of every documented shape are normalised to UTC milliseconds.
        for (given, stored) in [("2024-02-29T23:59:59.5+01:30", "2024-02-29T22:29:59.500Z"), ("2026-11-27 12:45:44", "2026-11-27T12:45:44.000Z"),
                                ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59.000Z")] {
            let ok = try record("t.jsonl", "{\"context\":{\"recorded_at\":\"\(given)\"}}\n{\"benchmark\":\"b\",\"metric\":\"time_ms\",\"value\":1}")
            #expect(ok.result.status == 0, "\(ok.result.stderr)")
            #expect(try scalar(ok.db, "SELECT recorded_at FROM runs", as: String.self) == stored)
        }
    }

    @Test func severalFilesAreRecordedAllOrNothing() throws {
        let folder = try TemporaryFolder()
        let good = try folder.write("good.jsonl", #"{"benchmark":"b","metric":"time_ms","samples":[1,2]}"#)
        let alsoGood = try folder.write("also.jsonl", #"{"benchmark":"c","metric":"time_ms","samples":[1,2]}"#)
        let bad = try folder.write("bad.jsonl", #"{"benchmark":"b","metric":"time_ms","samples":[1,-2]}"#)
        let db = folder.file("h.db")
        let refused = try hhbench(["record", good, bad, "--db", db, "--commit", "abc", "--machine", "m"], cwd: folder.path)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("bad.jsonl"))
        #expect(!FileManager.default.fileExists(atPath: db), "the good file is not kept alone")
        // Into an existing database too: the count of runs does not move.
        #expect(try hhbench(["record", alsoGood, "--db", db, "--commit", "abc", "--machine", "m"], cwd: folder.path).status == 0)
        #expect(try hhbench(["record", good, bad, "--db", db, "--commit", "abc", "--machine", "m"], cwd: folder.path).status == 2)
        #expect(try scalar(db, "SELECT count(*) FROM runs") == 1)
        let both = try hhbench(["record", good, alsoGood, "--db", db, "--commit", "def", "--machine", "m"], cwd: folder.path)
        #expect(both.status == 0, "\(both.stderr)")
        #expect(try scalar(db, "SELECT count(*) FROM runs") == 3)
    }

    @Test func compactGoogleBenchmarkJSONIsRecognised() throws {
        let pretty = try Data(contentsOf: URL(fileURLWithPath: fixture("google-benchmark/run1.json")))
        let compact = try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: pretty))
        let recorded = try record("bench.json", Array(compact))
        #expect(recorded.result.status == 0, "\(recorded.result.stderr)")
        #expect(try scalar(recorded.db, "SELECT source_format FROM runs", as: String.self) == "google-benchmark")
    }

    @Test func theDefaultDatabaseIsIgnoredByGit() throws {
        let repo = try GitRepository()
        try repo.commit("one")
        let input = try repo.folder.write("r.jsonl", #"{"benchmark":"b","metric":"time_ms","samples":[1,2]}"#)
        #expect(try hhbench(["record", input], cwd: repo.path).status == 0)
        #expect(try String(contentsOfFile: repo.folder.file(".hhbench/.gitignore"), encoding: .utf8).contains("*"))
        try repo.git("add", "-A")
        let staged = try repo.git("diff", "--cached", "--name-only")
        #expect(!staged.contains(".hhbench"), "git add -A leaves the warehouse alone: \(staged)")
        // A branch switch does not touch it either.
        try repo.git("checkout", "-q", "-b", "feature")
        try repo.commit("two")
        try repo.git("checkout", "-q", "main")
        #expect(FileManager.default.fileExists(atPath: repo.folder.file(".hhbench/history.db")))
    }

    @Test func readCommandsNeverCreateADatabase() throws {
        let folder = try TemporaryFolder()
        for command in [["query", "budgets", "--fail-on", "rows"], ["runs"], ["show", "latest"], ["export"], ["compare"], ["trend", "time_ms"]] {
            let result = try hhbench(command + ["--db", folder.file("typo.db")], cwd: folder.path)
            #expect(result.status == 2, "\(command): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("no such database"), "\(command): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder.file("typo.db")), "\(command) created the file")
        }
    }

    @Test func namesFromDataNeverLeaveTheOutputFolder() throws {
        let folder = try TemporaryFolder()
        let input = try folder.write("r.jsonl", """
            {"benchmark":"../../escape","metric":"x_ms","samples":[1,2,3]}
            {"benchmark":"a/b\\u0001c","metric":"x_ms","samples":[1,2,3]}
            """)
        let db = folder.file("h.db")
        #expect(try hhbench(["record", input, "--db", db, "--commit", "abc", "--branch", "main", "--machine", "m"], cwd: folder.path).status == 0)
        try FileManager.default.createDirectory(atPath: folder.file("deep/er/out"), withIntermediateDirectories: true)
        let result = try hhbench(["trend", "x_ms", "--db", db, "--branch", "main", "--any-machine", "--format", "svg", "--out", "deep/er/out"],
                                 cwd: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.file("deep/er/out"))
        #expect(written.count == 2, "\(written)")
        #expect(written.allSatisfy { $0.hasSuffix(".svg") && !$0.hasPrefix(".") })
        let everything = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".svg") }
        #expect(everything.allSatisfy { $0.hasPrefix("deep/er/out/") }, "\(everything)")
    }

    @Test func foundationErrorsAreToldPlainly() throws {
        let folder = try TemporaryFolder()
        let input = try folder.write("r.jsonl", #"{"benchmark":"b","metric":"x_ms","samples":[1,2,3]}"#)
        let db = folder.file("h.db")
        #expect(try hhbench(["record", input, "--db", db, "--commit", "abc", "--branch", "main", "--machine", "m"], cwd: folder.path).status == 0)
        try folder.write("blocker", "a file where a folder should be")
        let result = try hhbench(["trend", "x_ms", "--db", db, "--branch", "main", "--any-machine", "--format", "svg", "--out", "blocker/sub"],
                                 cwd: folder.path)
        #expect(result.status == 2)
        #expect(!result.stderr.contains("Domain="), "\(result.stderr)")
        #expect(result.stderr.contains("blocker"), "\(result.stderr)")
    }

    /// Names and units from the data keep their place in every command's markdown: no raw tag, no
    /// `|` that adds a column.
    @Test func markdownEscapesEveryCellInEveryCommand() throws {
        let repo = try GitRepository()
        let db = repo.folder.file("perf.db")
        for index in 1...4 {
            _ = try repo.commit("c\(index)")
            let samples = (0..<8).map { String(10.0 + Double(($0 + index) % 3) / 10) }.joined(separator: ",")
            let input = try repo.folder.write("r.jsonl", #"{"benchmark":"a|b<script>","metric":"time_ms","unit":"<script>|ms","samples":[\#(samples)]}"# + "\n")
            let result = try hhbench(["record", "--db", db, input, "--machine", "m|<b>x</b>"], cwd: repo.path)
            try #require(result.status == 0, "\(result.stderr)")
        }
        func unescapedPipes(_ line: Substring) -> Int {
            var count = 0, previous: Character = " "
            for character in line {
                if character == "|" && previous != "\\" { count += 1 }
                previous = character
            }
            return count
        }
        for arguments in [["trend", "time_ms", "--format", "markdown"], ["compare", "--against", "HEAD~1", "--format", "markdown"],
                          ["runs", "--format", "markdown"], ["query", "latest", "--format", "markdown"], ["show", "1", "--format", "markdown"]] {
            let result = try hhbench(arguments + ["--db", db], cwd: repo.path)
            #expect([0, 1, 3].contains(result.status), "\(arguments): \(result.stderr)")
            #expect(!result.stdout.contains("<script>") && !result.stdout.contains("<b>"), "\(arguments): a raw tag: \(result.stdout)")
            var columns: Int?  // the current table's, from its header line
            for line in result.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
                guard line.hasPrefix("|") else { columns = nil; continue }
                columns = columns ?? unescapedPipes(line)
                #expect(unescapedPipes(line) == columns, "\(arguments): a cell adds a column: \(line)")
            }
        }
    }

    @Test func wideNamesRenderInLinearTime() throws {
        let folder = try TemporaryFolder()
        let name = String(repeating: "n", count: 100_000)
        let input = try folder.write("r.jsonl", "{\"benchmark\":\"\(name)\",\"metric\":\"time_ms\",\"samples\":[1,2,3]}")
        let db = folder.file("h.db")
        #expect(try hhbench(["record", input, "--db", db, "--commit", "abc", "--machine", "m"], cwd: folder.path).status == 0)
        // Before the fix an 8,000-character name took 26 s; quadratic work on 100,000 would take hours.
        let started = Date()
        let shown = try hhbench(["show", "latest", "--db", db], cwd: folder.path)
        #expect(shown.status == 0)
        #expect(shown.stdout.contains(name))
        #expect(Date().timeIntervalSince(started) < 20)
    }
}
