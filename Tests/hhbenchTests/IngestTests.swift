import Foundation
import Ingest
import Records
import Testing

/// Each adapter against files written by the real tools (Tests/hhbenchTests/Fixtures, see FORMATS notes
/// in the adapters' doc comments). Expected values were read from the files with Python's json and
/// decimal modules (exact unit conversion).
@Suite struct IngestTests {
    func load(_ path: String) throws -> InputFile {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture(path)))
        return InputFile(name: path, bytes: Array(data))
    }

    func read(_ path: String, expecting format: String) throws -> RunRecord {
        let input = try load(path)
        let detected = try Formats.resolve(input, forced: nil)
        #expect(type(of: detected).name == format, "\(path) detected as \(type(of: detected).name)")
        return try detected.read(input)
    }

    func series(_ record: RunRecord, _ benchmark: String, _ metric: String = "time_ms") -> [Double] {
        record.series.first { $0.benchmark.name == benchmark && $0.metric.name == metric }?.values ?? []
    }

    func value(_ record: RunRecord, _ benchmark: String, _ metric: String) -> Double? {
        record.measurements.first { $0.benchmark.name == benchmark && $0.metric.name == metric }?.value
    }

    @Test func pytestBenchmarkJSON() throws {
        let record = try read("pytest-benchmark/run1.json", expecting: "pytest-benchmark")
        let expected: [(String, Int, Double, Double)] = [
            ("test_sum_range", 618, 1.578881000000365, 1.217546000020775),
            ("test_sort_list", 1085, 1.0125119999884191, 1.1734199999864359),
            ("test_json_dumps", 1146, 0.6239559999130506, 0.2735560000246551),
            ("test_string_op", 3067, 0.24597499998435524, 0.27024100006656226),
        ]
        for (name, count, first, last) in expected {
            let samples = series(record, name)
            #expect(samples.count == count, "\(name)")
            #expect(samples.first == first, "\(name)")
            #expect(samples.last == last, "\(name)")
        }
        #expect(value(record, "test_sum_range", "rounds") == 618)
        #expect(record.context.commit?.sha == "a91af84a104f0d2ebe89b8f7baecd50d5fae2e9f")
        #expect(record.context.commit?.committedAt == "2026-11-27T12:37:06.000Z")
        #expect(record.context.branch == "main")
        #expect(record.context.dirty == false)
        #expect(record.context.machine?.hostname == "vm")
        #expect(record.context.machine?.cpuModel == "AMD EPYC")
        #expect(record.context.machine?.cpuCores == 2)
        #expect(record.context.machine?.kernel == "Linux 6.18.44-fc-v669")
        #expect(record.context.toolchain == "CPython 3.11.7")
        #expect(record.context.tool == "pytest-benchmark")
        #expect(record.context.toolVersion == "5.2.3")
    }

    @Test func pytestOnADetachedHeadLeavesTheBranchToCI() throws {
        let original = try String(contentsOfFile: fixture("pytest-benchmark/run1.json"), encoding: .utf8)
        let detached = InputFile(name: "d.json", bytes: Array(original.replacingOccurrences(of: "\"branch\": \"main\"", with: "\"branch\": \"HEAD\"").utf8))
        let record = try PytestBenchmarkFormat().read(detached)
        #expect(record.context.branch == nil)
        #expect(record.context.commit?.sha == "a91af84a104f0d2ebe89b8f7baecd50d5fae2e9f")
    }

    @Test func pytestBenchmarkAutosaveWithoutRawData() throws {
        let path = "pytest-benchmark/autosave/.benchmarks/Linux-CPython-3.11-64bit/0001_a91af84a104f0d2ebe89b8f7baecd50d5fae2e9f_20261127_124544.json"
        let record = try read(path, expecting: "pytest-benchmark")
        #expect(record.series.isEmpty)
        #expect(value(record, "test_sort_list", "avg_time_ms") == 0.8951356527385641)
        #expect(value(record, "test_sort_list", "throughput_ops_per_sec") == 1117.149112473194)
        #expect(value(record, "test_sort_list", "rounds") == 1077)
        #expect(value(record, "test_sort_list", "p95_time_ms") == nil)
        let withData = try read("pytest-benchmark/autosave/.benchmarks/Linux-CPython-3.11-64bit/0002_a91af84a104f0d2ebe89b8f7baecd50d5fae2e9f_20261127_124551.json",
                                expecting: "pytest-benchmark")
        #expect(withData.series.count == 4)
    }

    @Test func hyperfineJSONAndCSV() throws {
        let record = try read("hyperfine/run1.json", expecting: "hyperfine")
        let expected: [(String, Double, Double, Double)] = [
            ("sum_range", 58.71310942000001, 57.80076642, 60.07065000000002),
            ("sort_list", 55.95765242, 59.17137942, 45.31314999999999),
            ("json_dumps", 99.50570042000001, 91.10615342, 68.95154999999998),
        ]
        for (name, first, last, user) in expected {
            let samples = series(record, name)
            #expect(samples.count == 20)
            #expect(samples.first == first)
            #expect(samples.last == last)
            #expect(value(record, name, "cpu_user_ms") == user)
            #expect(value(record, name, "error_rate") == 0)
            #expect(series(record, name, "exit_code") == Array(repeating: 0, count: 20))
        }
        let csv = try read("hyperfine/run1.csv", expecting: "hyperfine-csv")
        #expect(csv.series.isEmpty)
        #expect(value(csv, "sum_range", "avg_time_ms") == 66.01904902000003)
        #expect(value(csv, "json_dumps", "max_time_ms") == 99.50570042000001)
    }

    /// Files written by hyperfine 1.15.0 here with --parameter-scan and -L (Fixtures/hyperfine-extra/README.txt).
    @Test func hyperfineParametersBecomeBenchmarkParameters() throws {
        let scan = try read("hyperfine-extra/param-scan.json", expecting: "hyperfine")
        #expect(scan.benchmarks.map(\.name) == ["sleep 0.001", "sleep 0.002", "sleep 0.003"])
        #expect(scan.benchmarks.map(\.params) == [#"{"n":"1"}"#, #"{"n":"2"}"#, #"{"n":"3"}"#])
        #expect(scan.series.filter { $0.metric.name == "time_ms" }.allSatisfy { $0.samples.count == 3 })
        let list = try read("hyperfine-extra/param-list.csv", expecting: "hyperfine-csv")
        #expect(list.benchmarks.map(\.params) == [#"{"size":"10"}"#, #"{"size":"100"}"#])
        let json = try read("hyperfine-extra/param-list.json", expecting: "hyperfine")
        #expect(json.benchmarks.map(\.params) == list.benchmarks.map(\.params))
    }

    @Test func googleBenchmarkRepetitionsAreSamplesAndAggregatesAreNot() throws {
        let record = try read("google-benchmark/reps5-run1.json", expecting: "google-benchmark")
        let expected: [(String, Double, Double, Double)] = [
            ("BM_StringConcat", 0.006341476378862929, 0.005816545448317312, 0.00631511212440381),
            ("BM_SumRange", 0.030990748681515953, 0.02969420947565309, 0.03070783829490477),
            ("BM_VectorSort/32768", 1.4991148330079818, 1.4448601591391632, 1.486270031434117),
            ("BM_VectorSort/64", 0.0009323687891715482, 0.0008455963774443753, 0.0009296408613872246),
        ]
        for (name, first, last, cpu) in expected {
            let samples = series(record, name)
            #expect(samples.count == 5, "\(name)")
            #expect(samples.first == first, "\(name)")
            #expect(samples.last == last, "\(name)")
            #expect(series(record, name, "cpu_time_ms").first == cpu, "\(name)")
        }
        #expect(!record.benchmarks.contains { $0.name.hasSuffix("_mean") || $0.name.hasSuffix("_BigO") || $0.name.hasSuffix("_RMS") })
        #expect(series(record, "BM_VectorSort/4096", "items_per_second").count == 5)
        #expect(record.context.machine?.hostname == "vm")
        #expect(record.context.machine?.cpuCores == 2)
        #expect(record.context.commandLine == "./fixture_bench")
        #expect(record.context.extra.contains { $0.0 == "mhz_per_cpu" })
        #expect(record.context.extra.contains { $0.0 == "library_build_type" && $0.1 == .string("debug") })
        #expect(try read("google-benchmark/run1.json", expecting: "google-benchmark").series.allSatisfy { $0.samples.count == 1 })
    }

    @Test func goTestBench() throws {
        let record = try read("go/run1.txt", expecting: "go-bench")
        #expect(series(record, "BenchmarkSumRange").count == 5)
        #expect(series(record, "BenchmarkSumRange") == [0.035748, 0.033357, 0.033169, 0.029965, 0.03337])
        #expect(series(record, "BenchmarkSortInts/n=10000") == [0.917835, 1.000393, 0.911607, 0.986324, 1.013141])
        #expect(series(record, "BenchmarkSortInts/n=1000", "bytes_per_op") == Array(repeating: 8240, count: 5))
        #expect(series(record, "BenchmarkSortInts/n=1000", "allocs_per_op") == Array(repeating: 3, count: 5))
        let throughput = try #require(record.series.first { $0.metric.name == "mb_per_sec" })
        #expect(throughput.metric.direction == .higherIsBetter)
        #expect(throughput.values.first == 201.52)
        #expect(record.series.allSatisfy { $0.benchmark.group == "example.com/fixturebench" })
        let extra = JSONValue.object(record.context.extra)
        #expect(extra["goos"] == .string("linux"))
        #expect(extra["goarch"] == .string("amd64"))
        #expect(extra["cpu"] == .string("AMD EPYC"))
        #expect(extra["gomaxprocs"]?.doubleValue == 2)
    }

    @Test func packageBenchmarkJMHAndInflux() throws {
        let jmh = try read("swift-package-benchmark/jmh/run1/Current_run.jmh.json", expecting: "package-benchmark-jmh")
        let wall = series(jmh, "SortArray")
        #expect(wall.count == 1617)
        #expect(wall.prefix(3) == [0.414463, 0.414975, 0.415487])
        #expect(series(jmh, "SortArray", "malloc_count").prefix(3) == [24, 24, 24])
        #expect(series(jmh, "SortArray", "throughput_ops_per_sec").count == 1617)
        #expect(series(jmh, "SumRange").first == 0.081599)
        #expect(jmh.benchmarks.allSatisfy { $0.group == "FixtureBench" })

        let influx = try read("swift-package-benchmark/influx/run1/Current_run.influx.csv", expecting: "package-benchmark-influx")
        #expect(value(influx, "SortArray", "median_time_ms") == 0.444159)
        #expect(value(influx, "SortArray", "p99_time_ms") == 0.768511)
        #expect(value(influx, "SortArray", "min_time_ms") == 0.416007)
        #expect(value(influx, "SortArray", "max_throughput_ops_per_sec") == 2404)
        #expect(value(influx, "SortArray", "min_throughput_ops_per_sec") == 1081)
        #expect(value(influx, "SortArray", "sample_count") == 1917)
        #expect(influx.context.machine?.memoryBytes == Int64(23) * 1_073_741_824)
        #expect(influx.context.finishedAt == "2026-11-27T13:23:30.000Z")
    }

    @Test func legacyBaselines() throws {
        let record = try read("perf-baseline/run1/performance_baselines.json", expecting: "perf-baseline")
        #expect(value(record, "sum_range", "avg_time_ms") == 1.4538509219987645)
        #expect(value(record, "sum_range", "p95_time_ms") == 1.4874260000397044)
        #expect(value(record, "sum_range", "throughput_ops_per_sec") == 687.8284319723737)
        #expect(record.measurements.count == 12)
        #expect(record.context.recordedAt != nil)
        #expect(record.measurements.first { $0.metric.name == "throughput_ops_per_sec" }?.metric.direction == .higherIsBetter)
    }

    // Bad and odd files.

    @Test func truncatedJSONNamesLineAndColumn() throws {
        let whole = try load("pytest-benchmark/run1.json")
        let cut = InputFile(name: "cut.json", bytes: Array(whole.bytes.prefix(whole.bytes.count / 2)))
        #expect {
            try PytestBenchmarkFormat().read(cut)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("cut.json:") && text.contains("not valid pytest-benchmark JSON")
        }
    }

    @Test func aFileForcedIntoAnotherFormatIsRefused() throws {
        let input = try load("go/run1.txt")
        #expect(throws: InputError.self) { try Formats.resolve(input, forced: "hyperfine").read(input) }
        #expect(throws: InputError.self) { try Formats.resolve(input, forced: "no-such-format") }
    }

    @Test func zeroRoundsNegativeTimesAndDuplicates() throws {
        let zero = InputFile(name: "z.json", bytes: Array("""
            {"machine_info":{"node":"vm"},"commit_info":{},"version":"5.2.3","benchmarks":[
             {"name":"test_a","fullname":"t.py::test_a","group":null,"params":null,"extra_info":{},"stats":{"rounds":0,"data":[]}},
             {"name":"test_b","fullname":"t.py::test_b","group":null,"params":null,"extra_info":{"peak_mb":12.5},"stats":{"rounds":2,"data":[0.001,0.002]}}]}
            """.utf8))
        let record = try PytestBenchmarkFormat().read(zero)
        #expect(record.series.count == 1)
        #expect(record.warnings.count == 1 && record.warnings[0].contains("test_a"))
        #expect(value(record, "test_b", "peak_mb") == 12.5)

        let negative = InputFile(name: "n.json", bytes: Array(#"{"results":[{"command":"x","times":[0.1,-0.2],"exit_codes":[0,0]}]}"#.utf8))
        #expect {
            try HyperfineFormat().read(negative)
        } throws: { "\($0)".contains("field 'results[0].times[1]': negative time -0.2") }

        let duplicated = InputFile(name: "d.json", bytes: Array(#"{"results":[{"command":"x","times":[0.1]},{"command":"x","times":[0.2]}]}"#.utf8))
        #expect {
            try HyperfineFormat().read(duplicated)
        } throws: { "\($0)".contains("appears twice") }

        // The same test name in two files is told apart by its full name.
        let twoFiles = InputFile(name: "t.json", bytes: Array("""
            {"machine_info":{},"commit_info":{},"benchmarks":[
             {"name":"test_x","fullname":"a.py::test_x","stats":{"rounds":1,"data":[0.001]}},
             {"name":"test_x","fullname":"b.py::test_x","stats":{"rounds":1,"data":[0.002]}}]}
            """.utf8))
        #expect(try PytestBenchmarkFormat().read(twoFiles).benchmarks.map(\.name) == ["a.py::test_x", "b.py::test_x"])

        let nan = InputFile(name: "nan.json", bytes: Array(#"{"machine_info":{},"benchmarks":[{"name":"a","fullname":"a","stats":{"data":[NaN]}}]}"#.utf8))
        #expect { try PytestBenchmarkFormat().read(nan) } throws: { "\($0)".contains("nan.json:1:") && "\($0)".contains("NaN") }
    }
}

/// Adapters through the built binary: detection by content, `formats`, `import-baselines`.
@Suite struct RecordFormatsTests {
    @Test func everyFixtureIsDetectedAndRecorded() throws {
        let folder = try TemporaryFolder()
        let files: [(String, String)] = [
            ("pytest-benchmark/run1.json", "pytest-benchmark"), ("hyperfine/run1.json", "hyperfine"),
            ("hyperfine/run1.csv", "hyperfine-csv"), ("google-benchmark/reps5-run1.json", "google-benchmark"),
            ("go/run1.txt", "go-bench"), ("swift-package-benchmark/jmh/run1/Current_run.jmh.json", "package-benchmark-jmh"),
            ("swift-package-benchmark/influx/run1/Current_run.influx.csv", "package-benchmark-influx"),
            ("perf-baseline/run1/performance_baselines.json", "perf-baseline"),
        ]
        for (file, _) in files {
            // Copy under a neutral name: detection is by content, not by name.
            let copy = folder.file("input-\(file.split(separator: "/")[0])")
            try? FileManager.default.removeItem(atPath: copy)
            try FileManager.default.copyItem(atPath: fixture(file), toPath: copy)
            let result = try hhbench(["record", copy, "--db", "h.db"], cwd: folder.path)
            #expect(result.status == 0, "\(file): \(result.stderr)")
        }
        let formats = try queryDatabase(folder.file("h.db"), "SELECT source_format FROM runs ORDER BY id").map { $0[0] as String }
        #expect(formats == files.map(\.1))

        let listed = try hhbench(["formats"], cwd: folder.path)
        #expect(listed.status == 0)
        for (_, format) in files { #expect(listed.stdout.contains(format)) }
        #expect(listed.stdout.contains("native"))
    }

    @Test func unknownFilesListTheFormats() throws {
        let folder = try TemporaryFolder()
        let odd = try folder.write("odd.txt", "hello world\n")
        let result = try hhbench(["record", odd, "--db", "h.db"], cwd: folder.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("odd.txt: not a format hhbench reads"))
        #expect(result.stderr.contains("pytest-benchmark") && result.stderr.contains("go-bench"))
        let forced = try hhbench(["record", fixture("go/run1.txt"), "--input-format", "hyperfine", "--db", "h.db"], cwd: folder.path)
        #expect(forced.status == 2)
        #expect(forced.stderr.contains("not valid hyperfine JSON"))
    }

    @Test func importBaselinesLandsAtTheFileTimeWithoutTheCurrentCommit() throws {
        let repo = try GitRepository()
        try repo.commit("now")
        let result = try hhbench(["import-baselines", fixture("perf-baseline/run1/performance_baselines.json"), "--db", "h.db"], cwd: repo.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("4 tests, 12 values"))
        #expect(result.stdout.contains("sort_list"))
        let run = try #require(try queryDatabase(repo.folder.file("h.db"), "SELECT * FROM hh_runs").first)
        #expect(run["commit_sha"] as String? == nil)
        #expect((run["recorded_at"] as String).hasPrefix("2026-11-27T13:18:"))
        #expect(run["source_format"] as String == "perf-baseline")
    }
}
