import Crypto
import Records
import Warehouse
import Testing

@Suite struct DecimalNumberTests {
    @Test(arguments: [
        ("0.051234", Int64(51234), 6), ("12.5", 125, 1), ("1.500", 15, 1), ("-3", -3, 0), ("0", 0, 0),
        ("1e-3", 1, 3), ("1.5e3", 1500, 0), ("123456789.123456", 123456789123456, 6),
    ])
    func exactDecimals(text: String, mantissa: Int64, scale: Int) throws {
        let number = try #require(DecimalNumber.parse(Array(text.utf8)[...]))
        #expect(number.mantissa == mantissa)
        #expect(number.scale == scale)
        #expect(number.value == Double(text)!)
    }

    @Test func valuesWithoutShortDecimalsKeepTheirDouble() throws {
        let number = try #require(DecimalNumber.parse(Array("0.30000000000000004".utf8)[...]))
        #expect(number.mantissa == nil)
        #expect(number.value == 0.1 + 0.2)
        #expect(DecimalNumber(0.1 + 0.2).jsonText == "0.30000000000000004")
    }

    @Test(arguments: ["", "-", "01", "1.", ".5", "1e", "+1", "1.2.3", "0x10"])
    func rejectsMalformedNumbers(text: String) {
        #expect(DecimalNumber.parse(Array(text.utf8)[...]) == nil)
    }

    @Test func textRoundTrips() {
        for value in [0.051234, 1e-7, 123.0, -0.5, 1234567.125, 5e-324] {
            let text = DecimalNumber(value).jsonText
            #expect(Double(text) == value, "\(value) -> \(text)")
        }
    }
}

@Suite struct JSONParserTests {
    @Test func parsesNestedValues() throws {
        let value = try JSONParser.parse(#"{"a":[1,2.5,{"b":null}],"c":"x\n\u00e9\ud83d\ude00","d":true}"#)
        #expect(value["a"]?.arrayValue?.count == 3)
        #expect(value["c"]?.stringValue == "x\né😀")
        #expect(value["d"]?.boolValue == true)
    }

    @Test(arguments: [
        (#"{"a":1"#, 6), (#"{"a":NaN}"#, 5), (#"[1,2"#, 4), (#"{"a" 1}"#, 5), (#"[1] x"#, 4), (#""abc"#, 4),
    ])
    func errorsSayWhere(text: String, offset: Int) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
        do {
            _ = try JSONParser.parse(text)
        } catch {
            #expect(error.offset == offset, "\(text): \(error.message)")
        }
    }

    @Test func canonicalTextSortsKeys() throws {
        let value = try JSONParser.parse(#"{"b":1,"a":{"d":2,"c":3}}"#)
        #expect(value.canonicalText == #"{"a":{"c":3,"d":2},"b":1}"#)
    }
}

@Suite struct MetricVocabularyTests {
    @Test(arguments: [
        ("time_ms", "ms", Direction.lowerIsBetter), ("p95_time_ms", "ms", .lowerIsBetter),
        ("throughput_ops_per_sec", "ops/s", .higherIsBetter), ("requests_per_sec", "requests/s", .higherIsBetter),
        ("memory_per_span_kb", "KB", .lowerIsBetter), ("memory_usage_mb", "MB", .lowerIsBetter),
        ("error_rate", "ratio", .lowerIsBetter), ("overhead_ratio", "ratio", .lowerIsBetter),
        ("throughput_ratio", "ratio", .higherIsBetter), ("cpu_pct", "%", .lowerIsBetter),
        ("ops", "", .higherIsBetter), ("allocations", "", .lowerIsBetter), ("cold_start_s", "s", .lowerIsBetter),
        ("heap_bytes", "B", .lowerIsBetter), ("latency_us", "us", .lowerIsBetter), ("wall_ns", "ns", .lowerIsBetter),
    ])
    func infersUnitAndDirection(name: String, unit: String, direction: Direction) {
        let metric = MetricDescriptor(name: name)
        #expect(metric.unit == unit)
        #expect(metric.direction == direction)
    }
}

@Suite struct ContentHashTests {
    private func sha256(_ bytes: [UInt8]) -> String { Hex.string(SHA256.hash(data: bytes)) }

    // FIPS 180-4 example vectors, through the hex text the warehouse stores.
    @Test func knownVectors() {
        #expect(sha256([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(sha256([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func fingerprintIsTheNameAloneWhenNamed() {
        var machine = MachineInfo(name: "ci-large", os: "Linux", cpuCores: 4)
        let byHardware = machine.fingerprint
        machine.namedExplicitly = true
        #expect(machine.fingerprint == sha256(Array("named\u{1F}ci-large".utf8)))
        #expect(machine.fingerprint != byHardware)
        machine.storedFingerprint = "abc"
        #expect(machine.fingerprint == "abc")
    }
}

@Suite struct DerivedMetricTests {
    @Test func samplesOfATimeGiveSummariesAndThroughput() {
        let key = BenchmarkKey(name: "b")
        let record = RunRecord(sourceFormat: "native", series: [
            SampleSeries(benchmark: key, metric: MetricDescriptor(name: "time_ms"), values: [2, 4, 6]),
        ]).addingDerivedMetrics()
        let values = Dictionary(uniqueKeysWithValues: record.measurements.map { ($0.metric.name, $0.value) })
        #expect(values["avg_time_ms"] == 4)
        #expect(values["median_time_ms"] == 4)
        #expect(values["min_time_ms"] == 2)
        #expect(values["max_time_ms"] == 6)
        #expect(values["std_dev_time_ms"] == 2)
        #expect(values["p95_time_ms"] == 5.8)
        #expect(values["throughput_ops_per_sec"] == 250)
        #expect(record.measurements.allSatisfy { $0.derived })
    }

    @Test func givenValuesWinOverDerivedOnes() {
        let key = BenchmarkKey(name: "b")
        let record = RunRecord(
            sourceFormat: "native",
            measurements: [MeasuredValue(benchmark: key, metric: MetricDescriptor(name: "p95_time_ms"), value: 99)],
            series: [SampleSeries(benchmark: key, metric: MetricDescriptor(name: "time_ms"), values: [1, 2])]
        ).addingDerivedMetrics()
        let p95 = record.measurements.filter { $0.metric.name == "p95_time_ms" }
        #expect(p95.count == 1)
        #expect(p95.first?.value == 99)
        #expect(p95.first?.derived == false)
    }

    @Test func cpuTimeBesideWallTimeGivesNoSecondThroughput() {
        let key = BenchmarkKey(name: "b")
        let record = RunRecord(sourceFormat: "native", series: [
            SampleSeries(benchmark: key, metric: MetricDescriptor(name: "time_ms"), values: [10, 10]),
            SampleSeries(benchmark: key, metric: MetricDescriptor(name: "cpu_user_ms"), values: [1, 1]),
        ]).addingDerivedMetrics()
        let throughput = record.measurements.filter { $0.metric.name == "throughput_ops_per_sec" }
        #expect(throughput.map(\.value) == [100])
        #expect(record.measurements.contains { $0.metric.name == "avg_cpu_user_ms" })
    }
}

/// Times through Foundation's ISO 8601 parser, held to the text.
@Suite struct TimestampTests {
    @Test func whatFoundationWouldRollOverIsRefused() {
        for impossible in ["2026-02-30T00:00:00Z", "2026-11-27T24:00:00Z", "2026-11-27T12:45:60Z", "2025-02-29T00:00:00Z",
                           "12026-01-01T00:00:00Z", "2026-11-27T12:45:44+02:60", "2026-11-27T12:45:44.Z", "２０２６-11-27T12:45:44Z"] {
            #expect(Timestamp.normalize(impossible) == nil, "\(impossible)")
        }
    }

    @Test func everyDocumentedShapeIsKeptToTheMillisecond() {
        #expect(Timestamp.normalize("2026-11-27T12:45:44.333") == "2026-11-27T12:45:44.333Z")
        #expect(Timestamp.normalize("2026-11-27T12:45:44.3339999Z") == "2026-11-27T12:45:44.333Z", "truncated, not rounded")
        #expect(Timestamp.normalize("2026-11-27t12:45:44,5z") == "2026-11-27T12:45:44.500Z")
        #expect(Timestamp.normalize(" 2026-11-27 12:45:44-0530 ") == "2026-11-27T18:15:44.000Z")
        #expect(Timestamp.normalize("2024-02-29T00:30:00+01:00") == "2024-02-28T23:30:00.000Z")
        #expect(Timestamp.normalize("1970-01-01T00:00:00Z") == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.normalize("1970-01-01T00:30:00+01:00") == nil, "before 1970 in UTC")
    }
}

/// `hhbench run --baseline` and the harness's `suite.compare` share one computation.
@Suite struct OverheadRatiosTests {
    @Test func theArithmeticIsTheDocumentedOne() {
        let a = [10.0, 11, 12, 13, 100], b = [20.0, 22, 24, 26, 28]
        let ratios = OverheadRatios.measurements(baselineTimes: a, candidateTimes: b, memoryKB: (baseline: 200, candidate: 250),
                                                 benchmark: BenchmarkKey(name: "x"))
        let byName = Dictionary(uniqueKeysWithValues: ratios.map { ($0.metric.name, $0) })
        #expect(byName["overhead_ratio"]?.value == 24.0 / 12.0, "medians, not means: one slow baseline run does not move it")
        #expect(byName["throughput_ratio"]?.value == (146.0 / 5) / 24.0)
        #expect(byName["throughput_ratio"]?.metric.direction == .higherIsBetter)
        #expect(byName["memory_overhead_kb"]?.value == 50)
        #expect(byName["memory_overhead_kb"]?.metric.unit == "KB")
        #expect(byName["memory_overhead_ratio"]?.value == 1.25)
        let low = byName["overhead_ratio_ci_low"]?.value ?? .nan, high = byName["overhead_ratio_ci_high"]?.value ?? .nan
        #expect(low <= 2 && 2 <= high)
        let noBaselineMemory = OverheadRatios.measurements(baselineTimes: a, candidateTimes: b, memoryKB: (baseline: 0, candidate: 3),
                                                           benchmark: BenchmarkKey(name: "x"))
        #expect(!noBaselineMemory.contains { $0.metric.name == "memory_overhead_ratio" })
    }
}
