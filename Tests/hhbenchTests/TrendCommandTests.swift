import Foundation
import Records
import Testing

/// `hhbench trend` through the built binary on a real repository with a known history.
@Suite struct TrendCommandTests {
    /// main: 40 commits; p95_time_ms ≈ 10 ms until commit 20, ≈ 13 ms from it (a regression);
    /// every fifth commit has no results; a "flat" benchmark beside it, and a "growing" one that
    /// drifts 0.15 ms a commit under noise of SD 0.4 ms: no step, a clear slope.
    final class History: @unchecked Sendable {
        let repo: GitRepository
        /// The warehouse: a file in the repository, or a PostgreSQL database.
        let db: String
        var recorded: [String] = []
        var subjects: [String: String] = [:]

        init(engine: Engine = .sqlite, machine: String = "m1") throws {
            repo = try GitRepository()
            db = try engine.newWarehouse(in: repo.folder)
            var generator = SyntheticResults(seed: 3)
            for index in 0..<40 {
                let sha = try repo.commit("commit \(index)")
                subjects[sha] = "commit \(index)"
                if index % 5 == 4 { continue }
                let step = index >= 20 ? 13.0 : 10.0
                let input = try repo.folder.write("r.jsonl", """
                    {"benchmark":"api","metric":"p95_time_ms","value":\(String(format: "%.4f", generator.normal(step, 0.2)))}
                    {"benchmark":"flat","metric":"p95_time_ms","value":\(String(format: "%.4f", generator.normal(5, 0.05)))}
                    {"benchmark":"growing","metric":"p95_time_ms","value":\(String(format: "%.4f", generator.normal(20 + 0.15 * Double(index), 0.4)))}
                    """)
                let result = try hhbench(["record", input, "--db", db, "--machine", machine], cwd: repo.path)
                guard result.status == 0 else { throw TestFailure(result.stderr) }
                recorded.append(sha)
            }
        }

        func trend(_ arguments: [String]) throws -> ProcessResult {
            try hhbench(["trend", "p95_time_ms", "--db", db] + arguments, cwd: repo.path)
        }
    }

    @Test(arguments: ["levels", "otava"], Engine.allCases)
    func findsTheRegressionAndTheDrift(method: String, engine: Engine) throws {
        let history = try History(engine: engine)
        let result = try history.trend(["--format", "json", "--method", method])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONParser.parse(result.stdout)
        #expect(report["metric"]?.stringValue == "p95_time_ms")
        #expect(report["branch"]?.stringValue == "main")
        #expect(report["method"]?.stringValue == method)
        let series = try #require(report["series"]?.arrayValue)
        #expect(series.map { $0["benchmark"]?.stringValue } == ["api", "flat", "growing"])
        let api = series[0]
        let points = try #require(api["points"]?.arrayValue)
        #expect(points.count == 32, "commits without results are skipped")
        #expect(points.map { $0["index"]?.doubleValue } == (0..<32).map(Double.init))
        #expect(points.map { $0["commit"]?.stringValue } == history.recorded)
        let changes = try #require(api["change_points"]?.arrayValue)
        #expect(changes.count == 1)
        let change = changes[0]
        // Commit 20 is the 17th recorded commit (every fifth has no results): index 16.
        #expect(change["index"]?.doubleValue == 16)
        #expect(change["commit"]?.stringValue == history.recorded[16])
        #expect(change["subject"]?.stringValue == "commit 20")
        #expect(change["kind"]?.stringValue == "regression")
        #expect(abs(change["change_pct"]!.doubleValue! - 30) < 3)
        #expect(abs(change["before"]!.doubleValue! - 10) < 0.2 && abs(change["after"]!.doubleValue! - 13) < 0.2)
        #expect(change["p_value"]!.doubleValue! < 0.001)
        #expect(series[1]["change_points"]?.arrayValue?.isEmpty == true)
        #expect(series[1]["drift"]?["flagged"]?.boolValue == false)
        let growing = try #require(series[2]["drift"])
        guard method == "levels" else {
            // Otava cuts a drift into steps: why it is not the default.
            #expect(series[2]["change_points"]?.arrayValue?.isEmpty == false)
            return
        }
        #expect(growing["flagged"]?.boolValue == true)
        #expect(series[2]["change_points"]?.arrayValue?.isEmpty == true, "a gentle drift in noise has no step")
        // 0.15 per commit, with every fifth commit missing: 0.1875 per recorded point, 18.75 per 100 points.
        #expect(abs(growing["slope_per_100_commits"]!.doubleValue! - 18.75) < 3)
        #expect(growing["ci_low"]!.doubleValue! > 0)
    }

    @Test(arguments: Engine.allCases) func textChartMarkdownSVGAndCSV(engine: Engine) throws {
        let history = try History(engine: engine)
        let text = try history.trend(["--chart"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("▲ regression from #16"))
        #expect(text.stdout.contains("(the first commit of the new level)"))
        #expect(text.stdout.contains("\"commit 20\""))
        #expect(text.stdout.unicodeScalars.contains { "▁▂▃▄▅▆▇█".unicodeScalars.contains($0) })
        #expect(text.stdout.contains("┤") && text.stdout.contains("●"))
        #expect(text.stdout.contains("flagged"))

        let out = history.repo.folder.file("charts")
        let markdown = try history.trend(["--format", "markdown", "--out", out])
        #expect(markdown.stdout.hasPrefix("### p95_time_ms on main"))
        #expect(markdown.stdout.contains("| api | 32 |"))
        #expect(markdown.stdout.contains("![api](\(out)/p95_time_ms-api.svg)"))
        let svg = try String(contentsOfFile: out + "/p95_time_ms-api.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("<polyline") && svg.contains("class=\"change regression\"") && svg.contains(String(history.recorded[16].prefix(7))))
        // One point per commit, each with its commit for the hover; a title and a description for screen readers.
        let commits = try #require(svg.firstMatch(of: /data-commits="([^"]*)"/)?.1)
        #expect(commits.split(separator: " ").count == 32)
        #expect(svg.contains("<title id=\"chart0-t\">api — p95_time_ms (lower is better)</title>"))
        #expect(svg.contains("Regression +"))
        // Ticks are round numbers in human units, evenly spaced: "10 ms", "11 ms", … (never 10.4999).
        let ticks = svg.matches(of: /<text class="tick" x="[0-9.]+" y="[0-9.]+" text-anchor="end">([^<]*)<\/text>/).map { String($0.1) }
        #expect(ticks.count >= 3, "\(ticks)")
        let values = ticks.compactMap { label -> Double? in
            guard label.hasSuffix(" ms") else { return nil }
            return Double(label.dropLast(3))
        }
        #expect(values.count == ticks.count, "\(ticks)")
        let steps = Set(zip(values, values.dropFirst()).map { (($1 - $0) * 1000).rounded() })
        #expect(steps.count == 1 && [1000.0, 2000, 500, 5000].contains(steps.first ?? 0), "\(ticks)")

        let combined = try history.trend(["--format", "svg"])
        #expect(combined.stdout.components(separatedBy: "<polyline").count - 1 == 3)

        let csv = try history.trend(["--format", "csv", "--benchmark", "api"])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines[0] == "benchmark,group,params,metric,unit,direction,record,index,commit,time,value,runs,before,after,change_pct,p_value,kind")
        #expect(lines.filter { $0.contains(",point,") }.count == 32)
        #expect(lines.filter { $0.contains(",change_point,") }.count == 1)
    }

    @Test(arguments: Engine.allCases) func aMachineChangeIsMarkedAndNotBlamedOnCode(engine: Engine) throws {
        // 30 commits on ci-old, then 30 on ci-new, which is 20 % slower at the same code.
        let repo = try GitRepository()
        let db = try engine.newWarehouse(in: repo.folder)
        var generator = SyntheticResults(seed: 8)
        for index in 0..<60 {
            _ = try repo.commit("commit \(index)")
            let machine = index < 30 ? "ci-old" : "ci-new"
            let samples = (0..<10).map { _ in String(format: "%.5f", generator.normal(index < 30 ? 10 : 12, 0.2)) }
            let input = try repo.folder.write("r.jsonl", """
                {"benchmark":"api","metric":"time_ms","samples":[\(samples.joined(separator: ","))]}
                """)
            #expect(try hhbench(["record", input, "--db", db, "--machine", machine], cwd: repo.path).status == 0)
        }
        let text = try hhbench(["trend", "time_ms", "--db", db, "--any-machine"], cwd: repo.path)
        #expect(text.stdout.contains("machine ci-old → ci-new here: the environment's change, not the code's"), "\(text.stdout)")
        let json = try JSONParser.parse(try hhbench(["trend", "time_ms", "--db", db, "--any-machine", "--format", "json"], cwd: repo.path).stdout)
        let series = try #require(json["series"]?.arrayValue?.first)
        #expect(series["environment_changes"]?.arrayValue?.map { $0["index"]?.doubleValue } == [30])
        let change = try #require(series["change_points"]?.arrayValue?.first)
        #expect(change["index"]?.doubleValue == 30)
        #expect(change["environment"]?.stringValue == "machine ci-old → ci-new")
        let gate = try hhbench(["trend", "time_ms", "--db", db, "--any-machine", "--fail-on", "regression", "--recent", "40"],
                               cwd: repo.path)
        #expect(gate.status == 0, "a machine change is not a code regression: \(gate.stderr)")
    }

    @Test func theDetectorIsChosenInHhbenchToml() throws {
        let history = try History()
        try history.repo.folder.write("hhbench.toml", "[trend]\nmethod = \"otava\"\nfalse_alarms_per_1000 = 1\n")
        let report = try JSONParser.parse(try history.trend(["--format", "json"]).stdout)
        #expect(report["method"]?.stringValue == "otava")
        #expect(try JSONParser.parse(try history.trend(["--format", "json", "--method", "levels"]).stdout)["method"]?.stringValue == "levels",
                "the flag wins over the file")
        try history.repo.folder.write("hhbench.toml", "[trend]\nmethod = \"hunter\"\n")
        let bad = try history.trend([])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("trend.method") && bad.stderr.contains("\"levels\" or \"otava\""), "\(bad.stderr)")
        #expect(try history.trend(["--false-alarms", "0"]).status == 2)
    }

    @Test func gatesMachinesAndTheStoredHistory() throws {
        let history = try History()
        // The regression is 16 points back: not recent with --recent 5, recent with --recent 20.
        #expect(try history.trend(["--benchmark", "api", "--fail-on", "regression"]).status == 0)
        let recent = try history.trend(["--benchmark", "api", "--fail-on", "regression", "--recent", "20"])
        #expect(recent.status == 1)
        #expect(recent.stderr.contains("api +"))
        #expect(recent.stderr.contains("from commit \(history.recorded[16].prefix(10)) \"commit 20\""))

        // Three runs at HEAD on one machine: the point is their median; another machine's runs stay out.
        for value in ["1", "2", "9"] {
            let input = try history.repo.folder.write("x.jsonl", #"{"benchmark":"api","metric":"p95_time_ms","value":\#(value)}"#)
            #expect(try hhbench(["record", input, "--db", "h.db", "--machine", "m1", "--allow-duplicate"], cwd: history.repo.path).status == 0)
        }
        let other = try history.repo.folder.write("o.jsonl", #"{"benchmark":"api","metric":"p95_time_ms","value":500}"#)
        #expect(try hhbench(["record", other, "--db", "h.db", "--machine", "m2"], cwd: history.repo.path).status == 0)
        let report = try JSONParser.parse(try history.trend(["--format", "json", "--benchmark", "api", "--runs-on", "m1"]).stdout)
        let last = try #require(report["series"]?.arrayValue?.first?["points"]?.arrayValue?.last)
        #expect(last["runs"]?.doubleValue == 3)
        #expect(last["value"]?.doubleValue == 2)

        // A copy of the database, away from git, walks the stored parents.
        let elsewhere = try TemporaryFolder()
        try FileManager.default.copyItem(atPath: history.repo.folder.file("h.db"), toPath: elsewhere.file("copy.db"))
        let copied = try hhbench(["trend", "p95_time_ms", "--db", "copy.db", "--branch", "main", "--runs-on", "m1", "--format", "json",
                                  "--benchmark", "api"], cwd: elsewhere.path)
        #expect(copied.status == 0, "\(copied.stderr)")
        let copiedReport = try JSONParser.parse(copied.stdout)
        #expect(copiedReport["series"]?.arrayValue?.first?["points"]?.arrayValue?.count == 33, "HEAD got its first runs above")
        #expect(copiedReport["series"]?.arrayValue?.first?["change_points"]?.arrayValue?.first?["index"]?.doubleValue == 16)

        let missing = try history.trend(["--benchmark", "nothing-like-this"])
        #expect(missing.status == 3)
        let badBranch = try history.trend(["--branch", "no-such-branch"])
        #expect(badBranch.status == 2)
    }

    /// Runs recorded in any order, with raw samples, several a commit, and benchmarks that skip
    /// commits: each series' points come out oldest first, each the median of its commit's run
    /// medians, and a run's raw samples outrank nothing but stand for the series when it has no
    /// given value.
    @Test(arguments: Engine.allCases) func sampledRunsRecordedInAnyOrderGroupBySeriesAndCommit(engine: Engine) throws {
        let repo = try GitRepository()
        let db = try engine.newWarehouse(in: repo.folder)
        var shas: [String] = []
        for index in 0..<8 { shas.append(try repo.commit("commit \(index)")) }
        // Newest commit first, two runs a commit; "sometimes" only at even commits.
        for (index, sha) in shas.enumerated().reversed() {
            for run in 0..<2 {
                let base = 10.0 + Double(index) + Double(run) * 4
                var lines = [#"{"benchmark":"always","metric":"time_ms","samples":[\#(base),\#(base + 1),\#(base + 2)]}"#]
                if index % 2 == 0 { lines.append(#"{"benchmark":"sometimes","metric":"time_ms","value":\#(100 + index)}"#) }
                let input = try repo.folder.write("r\(index)-\(run).jsonl", lines.joined(separator: "\n"))
                let result = try hhbench(["record", input, "--db", db, "--machine", "m1", "--commit", sha, "--branch", "main"],
                                         cwd: repo.path)
                #expect(result.status == 0, "\(result.stderr)")
            }
        }
        let result = try hhbench(["trend", "time_ms", "--db", db, "--branch", "main", "--format", "json"], cwd: repo.path)
        #expect(result.status == 0, "\(result.stderr)")
        let series = try #require(JSONParser.parse(result.stdout)["series"]?.arrayValue)
        #expect(series.map { $0["benchmark"]?.stringValue } == ["always", "sometimes"])
        let always = try #require(series[0]["points"]?.arrayValue)
        #expect(always.map { $0["commit"]?.stringValue } == shas)
        // Run medians base + 1 and base + 5: their median is base + 3.
        #expect(always.map { $0["value"]?.doubleValue } == (0..<8).map { 13.0 + Double($0) })
        #expect(always.allSatisfy { $0["runs"]?.doubleValue == 2 })
        let sometimes = try #require(series[1]["points"]?.arrayValue)
        #expect(sometimes.map { $0["commit"]?.stringValue } == stride(from: 0, to: 8, by: 2).map { shas[$0] })
        #expect(sometimes.map { $0["index"]?.doubleValue } == [0, 1, 2, 3])
        #expect(sometimes.map { $0["value"]?.doubleValue } == [100, 102, 104, 106])

        // CSV carries the same points, row for row.
        let csv = try hhbench(["trend", "time_ms", "--db", db, "--branch", "main", "--format", "csv"], cwd: repo.path)
        let rows = csv.stdout.split(separator: "\n").dropFirst().filter { $0.contains(",point,") }
        #expect(rows.count == 12)
        #expect(rows.first?.hasPrefix("always,,{},time_ms,ms,lower_is_better,point,0,\(shas[0]),") == true)
        #expect(rows.first?.contains(",13,2,,,,,") == true)
    }
}
