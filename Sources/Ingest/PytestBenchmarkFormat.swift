import Records

/// pytest-benchmark 5.x JSON: `pytest --benchmark-json=FILE` and the `--benchmark-autosave` files
/// under `.benchmarks/<machine>/NNNN_*.json` (same document shape).
///
/// - `stats.data` (per-round times in seconds, present with `--benchmark-json` and with
///   `--benchmark-save-data`) becomes the `time_ms` samples, converted exactly in decimal.
/// - Without raw data, the summary statistics become metrics: `avg_time_ms`, `median_time_ms`,
///   `min_time_ms`, `max_time_ms`, `std_dev_time_ms`, `q1_time_ms`, `q3_time_ms`, `iqr_time_ms`
///   and `throughput_ops_per_sec` (from `ops`).
/// - `params` become the benchmark's parameters, `group` its group; numeric `extra_info` values
///   become metrics of their own name (unit and direction inferred), the rest run context.
/// - `commit_info` (id, branch, dirty, time) and `machine_info` (node, CPU, kernel, Python) go
///   into the run context; `datetime` (written when the session ended) is `finished_at`.
/// - Two entries with the same name and parameters (a test name used in two files) are told
///   apart by `fullname`. A benchmark with zero rounds and no summary is skipped with a warning.
package struct PytestBenchmarkFormat: InputFormat {
    package static let name = "pytest-benchmark"
    package static let summary = "pytest-benchmark 5.x JSON (--benchmark-json, --benchmark-autosave files)"

    package init() {}

    package func detect(_ input: InputFile) -> Bool {
        JSONInput.startsWith(input, "{") && JSONInput.contains(input, "\"machine_info\"", within: nil)
            && JSONInput.contains(input, "\"benchmarks\"", within: nil) && JSONInput.contains(input, "\"fullname\"", within: nil)
    }

    package func read(_ input: InputFile) throws(InputError) -> RunRecord {
        let document = try JSONInput.parse(input, format: "pytest-benchmark")
        let root = JSONPlace(file: input.name, path: "")
        _ = try root.object(document)
        let entries = try root.child("benchmarks").array(document["benchmarks"])
        var record = RunRecord(sourceFormat: Self.name)
        record.context = try context(document, file: input.name)

        var nameCounts: [String: Int] = [:]
        for entry in entries {
            let key = (entry["name"]?.stringValue ?? "") + "\u{1F}" + (entry["params"]?.canonicalText ?? "null")
            nameCounts[key, default: 0] += 1
        }
        var seen = Set<BenchmarkKey>()
        for (index, entry) in entries.enumerated() {
            let place = root.child("benchmarks").index(index)
            _ = try place.object(entry)
            let shortName = try place.child("name").string(entry["name"])
            let nameKey = shortName + "\u{1F}" + (entry["params"]?.canonicalText ?? "null")
            let name = nameCounts[nameKey, default: 0] > 1 ? (entry["fullname"]?.stringValue ?? shortName) : shortName
            let params = entry["params"].flatMap { $0.objectValue != nil ? $0 : nil }
            let benchmark = BenchmarkKey(name: name, group: entry["group"]?.stringValue ?? "", params: params)
            guard seen.insert(benchmark).inserted else {
                throw place.child("fullname").error("benchmark \"\(benchmark.displayName)\" appears twice",
                                                    fix: "give the tests distinct names or parameters")
            }
            let stats = try place.child("stats").object(entry["stats"])
            let statsPlace = place.child("stats")
            if let data = stats["data"]?.arrayValue, !data.isEmpty {
                var samples: [DecimalNumber] = []
                samples.reserveCapacity(data.count)
                for (sampleIndex, item) in data.enumerated() {
                    samples.append(try statsPlace.child("data").index(sampleIndex).duration(item).scaled(byPowerOfTen: 3))
                }
                record.series.append(SampleSeries(benchmark: benchmark, metric: MetricDescriptor(name: "time_ms"), samples: samples))
            } else if let rounds = stats["rounds"]?.doubleValue, rounds > 0, stats["mean"]?.doubleValue != nil {
                let summaries: [(String, String)] = [
                    ("mean", "avg_time_ms"), ("median", "median_time_ms"), ("min", "min_time_ms"), ("max", "max_time_ms"),
                    ("stddev", "std_dev_time_ms"), ("q1", "q1_time_ms"), ("q3", "q3_time_ms"), ("iqr", "iqr_time_ms"),
                ]
                for (field, metric) in summaries {
                    guard let value = stats[field], !value.isNull else { continue }
                    let seconds = try statsPlace.child(field).duration(value)
                    record.measurements.append(MeasuredValue(benchmark: benchmark, metric: MetricDescriptor(name: metric),
                                                           value: seconds.scaled(byPowerOfTen: 3).value))
                }
                if let ops = stats["ops"]?.doubleValue, ops.isFinite {
                    record.measurements.append(MeasuredValue(
                        benchmark: benchmark, metric: MetricDescriptor(name: "throughput_ops_per_sec"), value: ops))
                }
            } else {
                record.warnings.append("\(input.name): skipped benchmark \"\(benchmark.displayName)\": it has zero rounds and no summary")
                continue
            }
            if let rounds = stats["rounds"]?.doubleValue {
                record.measurements.append(MeasuredValue(benchmark: benchmark, metric: MetricDescriptor(name: "rounds", unit: "count"), value: rounds))
            }
            if let iterations = stats["iterations"]?.doubleValue {
                record.measurements.append(MeasuredValue(
                    benchmark: benchmark, metric: MetricDescriptor(name: "iterations_per_round", unit: "count"), value: iterations))
            }
            for (key, value) in entry["extra_info"]?.objectValue ?? [] {
                if case .number(let number) = value, number.value.isFinite {
                    record.measurements.append(MeasuredValue(benchmark: benchmark, metric: MetricDescriptor(name: key), value: number.value))
                } else {
                    record.context.extra.append(("extra_info:\(benchmark.name):\(key)", value))
                }
            }
        }
        guard !record.series.isEmpty || !record.measurements.isEmpty else {
            throw InputError(file: input.name, field: "benchmarks", problem: "no benchmark with results",
                             fix: "run pytest with --benchmark-json, and check that benchmarks ran")
        }
        return record
    }

    private func context(_ document: JSONValue, file: String) throws(InputError) -> RunContext {
        let root = JSONPlace(file: file, path: "")
        var context = RunContext(tool: "pytest-benchmark", toolVersion: document["version"]?.stringValue)
        if let commit = document["commit_info"], let id = commit["id"]?.stringValue, id != "unversioned", id != "unknown" {
            context.commit = CommitInfo(sha: id, committedAt: try root.child("commit_info").child("time").time(commit["time"]))
            // On a detached HEAD (a CI checkout) pytest-benchmark writes "HEAD": the branch hhbench
            // captures from the CI environment is the better answer then.
            if let branch = commit["branch"]?.stringValue, branch != "HEAD", !branch.hasPrefix("(") { context.branch = branch }
            context.dirty = commit["dirty"]?.boolValue
            if let project = commit["project"]?.stringValue { context.extra.append(("project", .string(project))) }
        }
        if let machine = document["machine_info"] {
            let node = machine["node"]?.stringValue ?? "unknown"
            let kernel = [machine["system"]?.stringValue, machine["release"]?.stringValue].compactMap { $0 }.joined(separator: " ")
            context.machine = MachineInfo(
                name: node, hostname: node, os: machine["system"]?.stringValue, kernel: kernel.isEmpty ? nil : kernel,
                arch: machine["machine"]?.stringValue, cpuModel: machine["cpu"]?["brand_raw"]?.stringValue,
                cpuCores: try root.child("machine_info").child("cpu").child("count").count(machine["cpu"]?["count"]).map { Int($0) })
            if let implementation = machine["python_implementation"]?.stringValue, let version = machine["python_version"]?.stringValue {
                context.toolchain = "\(implementation) \(version)"
            }
            if let compiler = machine["python_compiler"]?.stringValue { context.extra.append(("python_compiler", .string(compiler))) }
        }
        context.finishedAt = try root.child("datetime").time(document["datetime"])
        return context
    }
}
