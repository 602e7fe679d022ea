import Records

/// The legacy `performance_baselines.json` that teams' regression checks keep:
///
///     {"test_name": {"metrics": {"avg_time_ms": 1.45, "p95_time_ms": 1.49, "throughput_ops_per_sec": 687.8},
///                    "timestamp": 1795785495.59, "version": "current"}, ...}
///
/// Each test's metrics become scalar metrics of that name (units and directions inferred from
/// the names). The newest `timestamp` is the run's recorded time, so old baselines land in
/// history where they belong; each test's own timestamp is kept in the run context.
package struct LegacyBaselinesFormat: InputFormat {
    package static let name = "perf-baseline"
    package static let summary = "the legacy performance_baselines.json ({test: {metrics, timestamp, version}})"

    package init() {}

    package func detect(_ input: InputFile) -> Bool {
        JSONInput.startsWith(input, "{") && JSONInput.contains(input, "\"metrics\"") && JSONInput.contains(input, "\"timestamp\"")
            && !JSONInput.contains(input, "\"benchmarks\"")
    }

    package func read(_ input: InputFile) throws(InputError) -> RunRecord {
        let document = try JSONInput.parse(input, format: "baselines")
        let root = JSONPlace(file: input.name, path: "")
        guard let tests = document.objectValue else { throw root.error("expected an object of tests, found \(document.typeName)") }
        var record = RunRecord(sourceFormat: Self.name, context: RunContext(tool: "performance_baselines.json"))
        var newest: Double?
        var timestamps: [(String, JSONValue)] = []
        var seen = Set<String>()
        for (name, test) in tests {
            let place = root.child(name)
            guard seen.insert(name).inserted else { throw place.error("test \"\(name)\" appears twice") }
            _ = try place.object(test)
            let metrics = try place.child("metrics").object(test["metrics"])
            for (metric, value) in metrics.objectValue ?? [] {
                let number = try place.child("metrics").child(metric).number(value)
                record.measurements.append(MeasuredValue(benchmark: BenchmarkKey(name: name), metric: MetricDescriptor(name: metric),
                                                       value: number.value))
            }
            if let timestamp = test["timestamp"] {
                let seconds = try place.child("timestamp").number(timestamp).value
                guard let text = Timestamp.string(fromUnixSeconds: seconds) else {
                    throw place.child("timestamp").error("\(DecimalNumber(seconds).jsonText) is not a time from 1970 to 9999",
                                                         fix: "write seconds since 1970, such as 1795785495.59")
                }
                newest = max(newest ?? seconds, seconds)
                timestamps.append((name, .string(text)))
            }
            if let version = test["version"]?.stringValue, version != "current" {
                record.context.extra.append(("version:\(name)", .string(version)))
            }
        }
        guard !record.measurements.isEmpty else {
            throw root.error("no test has metrics", fix: "check that this is a performance_baselines.json")
        }
        if let newest { record.context.recordedAt = Timestamp.string(fromUnixSeconds: newest) }  // checked above
        if !timestamps.isEmpty { record.context.extra.append(("timestamps", .object(timestamps))) }
        return record
    }
}
