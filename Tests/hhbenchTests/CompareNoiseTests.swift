import Foundation
import Records
import Testing

/// Issue 29: `compare` under the noise real CI runners have, each case on a history recorded
/// through the binary into a real SQLite file (commits and parents in the native context).
@Suite struct CompareNoiseTests {
    typealias Noise = CompareVerdictTests.Noise

    /// A history under construction: one run file a call, recorded by the binary.
    final class History {
        let folder: TemporaryFolder
        let db: String
        var files = 0
        var main: [String] = []
        init() throws {
            folder = try TemporaryFolder()
            db = folder.file("h.db")
        }

        /// Records one run: `values[b]` are benchmark b's samples.
        func record(sha: String, parents: [String], branch: String, values: [[Double]]) throws {
            files += 1
            var lines = values.enumerated().map { b, samples in
                "{\"benchmark\":\"b\(b)\",\"metric\":\"time_ms\",\"samples\":[\(samples.map { String($0) }.joined(separator: ","))]}"
            }
            let parentsText = parents.map { "\"\($0)\"" }.joined(separator: ",")
            lines.append("{\"context\":{\"commit\":{\"sha\":\"\(sha)\",\"parents\":[\(parentsText)]},\"branch\":\"\(branch)\",\"machine\":\"ci\"}}")
            let path = try folder.write("r\(files).jsonl", lines.joined(separator: "\n") + "\n")
            let result = try hhbench(["record", path, "--db", db, "--allow-duplicate"], cwd: folder.path)
            guard result.status == 0 else { throw TestFailure(result.stderr) }
        }

        /// Main's commits, one run each from `run(index)`.
        func main(commits: Int, run: (Int) -> [[Double]]) throws {
            for index in 0..<commits {
                let sha = CompareVerdictTests.sha("a", index + 1)
                try record(sha: sha, parents: main.last.map { [$0] } ?? [], branch: "main", values: run(index))
                main.append(sha)
            }
        }

        /// A candidate commit off main's tip with `runs` runs.
        @discardableResult
        func candidate(_ number: Int, runs: Int = 1, run: () -> [[Double]]) throws -> String {
            let sha = CompareVerdictTests.sha("f", number)
            for _ in 0..<runs { try record(sha: sha, parents: [main.last!], branch: "feature", values: run()) }
            return sha
        }

        func compare(_ commit: String, _ extra: [String] = []) throws -> (status: Int32, report: JSONValue) {
            let result = try hhbench(["compare", "--db", db, "--since", "main", "--commit", commit, "--format", "json"] + extra, cwd: folder.path)
            return (result.status, (try? JSONParser.parse(result.stdout)) ?? .null)
        }
    }

    static func rows(_ report: JSONValue) -> [String: JSONValue] {
        var rows: [String: JSONValue] = [:]
        for row in report["comparisons"]?.arrayValue ?? [] where row["metric"]?.stringValue == "time_ms" {
            rows[row["benchmark"]?.stringValue ?? ""] = row
        }
        return rows
    }

    /// `count` benchmarks with CVs spread from 0.5 to 4 %: samples of one run at `levels[b]`.
    static func run(_ noise: inout Noise, levels: [Double], cvs: [Double], samples: Int = 10) -> [[Double]] {
        zip(levels, cvs).map { level, cv in (0..<samples).map { _ in level * (1 + cv * noise.normal()) } }
    }

    static func cvs(_ count: Int) -> [Double] { (0..<count).map { 0.005 + 0.035 * Double($0) / Double(max(1, count - 1)) } }

    @Test func bimodalRunStatesDoNotPassForAChange() throws {
        // Each run of a benchmark lands in a slow state 8 % above the fast one with probability
        // 0.3 (core placement, frequency states). Quiet benchmarks whose ten baseline runs all
        // landed fast used to call a slow candidate run a regression.
        for seed: UInt64 in [1, 2] {
            var noise = Noise(state: seed)
            let count = 200, cvs = Self.cvs(count)
            func run() -> [[Double]] {
                Self.run(&noise, levels: (0..<count).map { _ in noise.uniform() < 0.3 ? 1.08 : 1.0 }, cvs: cvs)
            }
            let history = try History()
            try history.main(commits: 10) { _ in run() }
            let (status, report) = try history.compare(try history.candidate(1, run: run))
            let flagged = Self.rows(report).filter { ["regression", "improvement"].contains($0.value["verdict"]?.stringValue) }
            #expect(status == 0 && flagged.isEmpty, "seed \(seed): \(flagged.keys.sorted())")
            #expect(Self.rows(report).count == count)
        }
    }

    @Test func aNoisyNeighbourRunIsNamedAndLeftOut() throws {
        // Run-to-run noise of CV/2, one baseline run 30 % slower for every benchmark at once, and
        // 20 of 100 benchmarks slowed by 15 % on the branch.
        var noise = Noise(state: 29)
        let count = 100, cvs = Self.cvs(count)
        func run(_ factor: (Int) -> Double) -> [[Double]] {
            Self.run(&noise, levels: (0..<count).map { b in factor(b) * (1 + cvs[b] / 2 * noise.normal()) }, cvs: cvs)
        }
        let history = try History()
        try history.main(commits: 10) { index in run { _ in index == 6 ? 1.3 : 1.0 } }
        let candidate = try history.candidate(1) { run { $0 % 5 == 0 ? 1.15 : 1.0 } }
        let (status, report) = try history.compare(candidate)
        #expect(status == 1)
        let excluded = report["excluded_runs"]?.arrayValue ?? []
        #expect(excluded.count == 1, "\(excluded)")
        #expect(excluded.first?["commit"]?.stringValue == history.main[6], "the noisy run is the seventh commit's")
        #expect(excluded.first?["side"]?.stringValue == "baseline")
        #expect((excluded.first?["median_shift_pct"]?.doubleValue ?? 0) > 25)
        #expect(excluded.first?["reason"]?.stringValue?.contains("left out") == true)
        let rows = Self.rows(report)
        let caught = (0..<count).filter { $0 % 5 == 0 && rows["b\($0)"]?["verdict"]?.stringValue == "regression" }
        let wrong = (0..<count).filter { $0 % 5 != 0 && rows["b\($0)"]?["verdict"]?.stringValue == "regression" }
        #expect(caught.count >= 18, "caught \(caught.count) of 20")
        #expect(wrong.isEmpty, "\(wrong)")
        let baselineRuns = rows.values.compactMap { $0["baseline"]?["runs"]?.doubleValue }
        #expect(baselineRuns.allSatisfy { $0 <= 9 }, "the noisy run is in no decision: \(baselineRuns)")
        // The table says it too.
        let table = try hhbench(["compare", "--db", history.db, "--since", "main", "--commit", candidate], cwd: history.folder.path)
        #expect(table.stdout.contains("baseline run") && table.stdout.contains("left out"), "\(table.stdout)")
    }

    @Test func aNewProjectBorrowsRunNoiseFromItsOtherSeries() throws {
        // Two baseline commits, one candidate run, run-to-run noise as large as the samples' CV:
        // three runs give each series one degree of freedom; the call's 200 series give the rest.
        for seed: UInt64 in [3, 4, 5] {
            var noise = Noise(state: seed)
            let count = 200, cvs = Self.cvs(count)
            func run() -> [[Double]] {
                Self.run(&noise, levels: (0..<count).map { b in 1 + cvs[b] * noise.normal() }, cvs: cvs)
            }
            let history = try History()
            try history.main(commits: 2) { _ in run() }
            let (status, report) = try history.compare(try history.candidate(1, run: run))
            let rows = Self.rows(report)
            let flagged = rows.filter { ["regression", "improvement"].contains($0.value["verdict"]?.stringValue) }
            #expect(status == 0 && flagged.isEmpty, "seed \(seed): \(flagged.keys.sorted())")
            #expect(!rows.values.contains { $0["run_noise"]?.stringValue == "assumed" }, "measured, not assumed")
            #expect(rows.values.filter { $0["run_noise"]?.stringValue == "moderated" }.count >= count * 9 / 10, "and moderated")
        }
    }

    @Test func theMinimumDetectableChangeIsCaughtFourTimesInFive() throws {
        // A small seeded simulation: an A/A call reports each inconclusive row's minimum
        // detectable change; a fresh history of the same benchmarks (new baseline, new candidate)
        // slows two of them by exactly that much. Before issue 29, 30 % were caught.
        var caught = 0, total = 0
        let count = 150
        let cvs = (0..<count).map { 0.02 + 0.06 * Double($0) / Double(count - 1) }
        for seed: UInt64 in 11...24 {
            var noise = Noise(state: seed)
            func run(_ factors: [Double]) -> [[Double]] {
                Self.run(&noise, levels: (0..<count).map { b in factors[b] * (1 + cvs[b] / 2 * noise.normal()) }, cvs: cvs)
            }
            let ones = Array(repeating: 1.0, count: count)
            let first = try History()
            try first.main(commits: 10) { _ in run(ones) }
            let (_, report) = try first.compare(try first.candidate(1) { run(ones) })
            var detectable: [(Int, Double)] = []
            for (name, row) in Self.rows(report) where row["verdict"]?.stringValue == "inconclusive" {
                if let pct = row["minimum_detectable_pct"]?.doubleValue { detectable.append((Int(name.dropFirst())!, pct)) }
                #expect(row["advice"]?.stringValue != nil, "every inconclusive row has advice")
            }
            detectable.sort { $0.0 < $1.0 }
            guard detectable.count >= 2 else { continue }
            let chosen = [detectable[Int(seed) % detectable.count], detectable[(Int(seed) * 7 + 3) % detectable.count]]
            guard chosen[0].0 != chosen[1].0 else { continue }
            var factors = ones
            for (b, pct) in chosen { factors[b] = 1 + pct / 100 }
            let second = try History()
            try second.main(commits: 10) { _ in run(ones) }
            let rows = Self.rows(try second.compare(try second.candidate(1) { run(factors) }).report)
            caught += chosen.filter { rows["b\($0.0)"]?["verdict"]?.stringValue == "regression" }.count
            total += chosen.count
        }
        #expect(total >= 20)
        let share = Double(caught) / Double(max(total, 1))
        #expect(share >= 0.55 && share <= 0.97, "caught \(caught) of \(total)")
    }

    @Test(arguments: [2, 3])
    func aRegressionTwoOrThreeCommitsOldIsCutExactly(age: Int) throws {
        // +20 % landed on main `age` commits ago; the branch changes nothing. The baseline must
        // start at the commit that landed it: one commit early keeps an old-level run in it.
        var noise = Noise(state: UInt64(40 + age))
        let count = 20, cvs = Self.cvs(count)
        func run(_ level: Double) -> [[Double]] {
            Self.run(&noise, levels: (0..<count).map { b in level * (1 + cvs[b] / 2 * noise.normal()) }, cvs: cvs)
        }
        let history = try History()
        try history.main(commits: 10 + age) { index in run(index >= 10 ? 1.2 : 1.0) }
        let (status, report) = try history.compare(try history.candidate(1) { run(1.2) })
        #expect(status == 0)
        let rows = Self.rows(report)
        #expect(rows.count == count)
        for (name, row) in rows {
            #expect(row["segment_start"]?.stringValue == history.main[10], "\(name): \(row["segment_start"]?.stringValue ?? "no cut")")
            #expect(!["regression", "improvement"].contains(row["verdict"]?.stringValue), "\(name): \(row["verdict"]?.stringValue ?? "")")
            #expect(abs(row["change_pct"]?.doubleValue ?? 99) < 8, "\(name): the old level would show about −17 %")
        }
    }

    @Test func oneRunASideOfUnequalSizesIsYuensWelchTest() throws {
        // 10 samples against 30, no run noise assumed: the p-value is Welch's trimmed t test on
        // logs, scipy 1.17: ttest_ind(log(candidate), log(baseline), trim=0.1, equal_var=False).
        let baseline = (0..<10).map { 1.0 + 0.02 * sin(Double($0) * 1.7) }
        let candidate = (0..<30).map { 1.03 + 0.06 * sin(Double($0) * 2.3 + 0.4) }
        let history = try History()
        try history.record(sha: CompareVerdictTests.sha("a", 1), parents: [], branch: "main", values: [baseline])
        history.main.append(CompareVerdictTests.sha("a", 1))
        try history.record(sha: CompareVerdictTests.sha("f", 1), parents: [history.main[0]], branch: "feature", values: [candidate])
        let (_, report) = try history.compare(CompareVerdictTests.sha("f", 1), ["--run-noise", "0"])
        let row = try #require(Self.rows(report)["b0"])
        let p = try #require(row["p_value"]?.doubleValue)
        #expect(abs(p / Self.scipyWelchP - 1) < 1e-6, "p = \(p), scipy \(Self.scipyWelchP)")
    }

    static let scipyWelchP = 0.018625778266100478
}
