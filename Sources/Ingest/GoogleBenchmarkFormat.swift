import Records

/// Google Benchmark JSON (`--benchmark_format=json` or `--benchmark_out`), 1.7 and later.
///
/// - Each `run_type: "iteration"` entry is one sample of its `run_name`: `real_time` becomes
///   `time_ms` and `cpu_time` `cpu_time_ms`, converted exactly from the entry's own `time_unit`.
///   With `--benchmark_repetitions=N` each repetition is a sample; the aggregate rows (`mean`,
///   `median`, `stddev`, `cv`, `BigO`, `RMS`) are not samples and are left out.
/// - User counters (any other numeric key, such as `items_per_second`) become series of their own name.
/// - An entry with `error_occurred` is skipped with a warning.
/// - `context` (host, CPUs, MHz, caches, load, library build type, date, executable) goes into the run context.
package struct GoogleBenchmarkFormat: InputFormat {
    package static let name = "google-benchmark"
    package static let summary = "Google Benchmark JSON (--benchmark_format=json / --benchmark_out; repetitions as samples)"

    static let knownKeys: Set<String> = [
        "name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions", "repetition_index",
        "threads", "iterations", "real_time", "cpu_time", "time_unit", "aggregate_name", "aggregate_unit", "label",
        "error_occurred", "error_message", "big_o", "cpu_coefficient", "real_coefficient", "rms", "complexity_n",
    ]

    package init() {}

    package func detect(_ input: InputFile) -> Bool {
        JSONInput.startsWith(input, "{") && JSONInput.contains(input, "\"benchmarks\"", within: nil)
            && JSONInput.contains(input, "\"run_type\"", within: nil)
            && (JSONInput.contains(input, "\"library_build_type\"") || JSONInput.contains(input, "\"num_cpus\""))
    }

    package func read(_ input: InputFile) throws(InputError) -> RunRecord {
        let document = try JSONInput.parse(input, format: "Google Benchmark")
        let root = JSONPlace(file: input.name, path: "")
        _ = try root.object(document)
        let entries = try root.child("benchmarks").array(document["benchmarks"])
        var record = RunRecord(sourceFormat: Self.name)
        record.context = try context(document["context"], file: input.name)

        var order: [String] = []
        var series: [String: [(String, DecimalNumber)]] = [:]  // run_name -> (metric, sample) in order
        for (index, entry) in entries.enumerated() {
            let place = root.child("benchmarks").index(index)
            _ = try place.object(entry)
            let name = try place.child("name").string(entry["name"])
            let runType = entry["run_type"]?.stringValue ?? "iteration"
            guard runType == "iteration" else { continue }
            if entry["error_occurred"]?.boolValue == true {
                record.warnings.append("\(input.name): skipped \"\(name)\": \(entry["error_message"]?.stringValue ?? "error_occurred")")
                continue
            }
            let runName = entry["run_name"]?.stringValue ?? name
            let unit = entry["time_unit"]?.stringValue ?? "ns"
            guard let shift = TimeUnit.powerOfTenToMilliseconds(unit) else {
                throw place.child("time_unit").error("unknown time unit \"\(unit)\"", fix: "expected ns, us, ms or s")
            }
            if series[runName] == nil { order.append(runName) }
            series[runName, default: []].append(("time_ms", try place.child("real_time").duration(entry["real_time"]).scaled(byPowerOfTen: shift)))
            series[runName, default: []].append(("cpu_time_ms", try place.child("cpu_time").duration(entry["cpu_time"]).scaled(byPowerOfTen: shift)))
            for (key, value) in entry.objectValue ?? [] where !Self.knownKeys.contains(key) {
                if case .number(let number) = value, number.value.isFinite {
                    series[runName, default: []].append((key, number))
                }
            }
        }
        for runName in order {
            let benchmark = BenchmarkKey(name: runName)
            var byMetric: [String: [DecimalNumber]] = [:]
            var metricOrder: [String] = []
            for (metric, sample) in series[runName] ?? [] {
                if byMetric[metric] == nil { metricOrder.append(metric) }
                byMetric[metric, default: []].append(sample)
            }
            for metric in metricOrder {
                record.series.append(SampleSeries(benchmark: benchmark, metric: MetricDescriptor(name: metric), samples: byMetric[metric] ?? []))
            }
        }
        guard !record.series.isEmpty else {
            throw root.child("benchmarks").error("no iteration results", fix: "check that the benchmarks ran")
        }
        return record
    }

    private func context(_ value: JSONValue?, file: String) throws(InputError) -> RunContext {
        var context = RunContext(tool: "google-benchmark")
        guard let value else { return context }
        let place = JSONPlace(file: file, path: "context")
        if let host = value["host_name"]?.stringValue {
            context.machine = MachineInfo(name: host, hostname: host, cpuCores: try place.child("num_cpus").count(value["num_cpus"]).map { Int($0) })
        }
        context.startedAt = try place.child("date").time(value["date"])
        context.commandLine = value["executable"]?.stringValue
        for key in ["mhz_per_cpu", "cpu_scaling_enabled", "caches", "load_avg", "library_build_type", "library_version"] {
            if let member = value[key] { context.extra.append((key, member)) }
        }
        return context
    }
}
