import Foundation
import Records

/// Metric names of ordo-one package-benchmark, mapped onto hhbench's vocabulary.
enum PackageBenchmarkMetrics {
    /// The hhbench metric for a package-benchmark display name ("Time (wall clock)" or, in the
    /// Influx export, "Time(wallclock)"), and whether it is a time (converted to ms).
    static func metric(displayName: String, unit: String) -> (MetricDescriptor, isTime: Bool) {
        let compact = displayName.replacingOccurrences(of: " ", with: "").lowercased()
        switch compact {
        case "time(wallclock)": return (MetricDescriptor(name: "time_ms"), true)
        case "time(totalcpu)": return (MetricDescriptor(name: "cpu_time_ms"), true)
        case "time(usercpu)": return (MetricDescriptor(name: "cpu_user_ms"), true)
        case "time(systemcpu)": return (MetricDescriptor(name: "cpu_sys_ms"), true)
        case "throughput(#/s)", "throughput": return (MetricDescriptor(name: "throughput_ops_per_sec"), false)
        case "malloc(total)": return (MetricDescriptor(name: "malloc_count", unit: "count", direction: .lowerIsBetter), false)
        default:
            let stem = compact.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
                .split(separator: "_").joined(separator: "_")
            if TimeUnit.powerOfTenToMilliseconds(unit) != nil { return (MetricDescriptor(name: stem + "_ms"), true) }
            let plainUnit = unit == "#" || unit.isEmpty ? "count" : unit
            return (MetricDescriptor(name: stem, unit: plainUnit, direction: MetricDescriptor.inferDirection(stem)), false)
        }
    }

    static func benchmark(target: String, name: String) -> BenchmarkKey {
        BenchmarkKey(name: name, group: target)
    }
}

/// package-benchmark's JMH export (`swift package benchmark --format jmh`): a JSON array, one
/// element per benchmark, with every recorded value in `rawData`.
///
/// - `Time (wall clock)` becomes the `time_ms` samples (from μs, exact decimal shift),
///   `Time (total CPU)` `cpu_time_ms`, `Malloc (total)` `malloc_count`, the primary
///   throughput metric `throughput_ops_per_sec`; other metrics keep their name, in their unit.
/// - The benchmark is named by the part after `package.benchmark.<target>.`, grouped by target.
/// - The file carries no context.
package struct PackageBenchmarkJMHFormat: InputFormat {
    package static let name = "package-benchmark-jmh"
    package static let summary = "ordo-one package-benchmark JMH JSON (--format jmh; every raw value)"

    package init() {}

    package func detect(_ input: InputFile) -> Bool {
        JSONInput.startsWith(input, "[") && JSONInput.contains(input, "\"primaryMetric\"", within: nil)
            && JSONInput.contains(input, "package.benchmark.", within: nil)
    }

    package func read(_ input: InputFile) throws(InputError) -> RunRecord {
        let document = try JSONInput.parse(input, format: "JMH")
        let root = JSONPlace(file: input.name, path: "")
        let entries = try root.array(document)
        var record = RunRecord(sourceFormat: Self.name, context: RunContext(tool: "package-benchmark"))
        var seen = Set<BenchmarkKey>()
        for (index, entry) in entries.enumerated() {
            let place = root.index(index)
            let fullName = try place.child("benchmark").string(entry["benchmark"])
            var parts = fullName.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if parts.count >= 4, parts[0] == "package", parts[1] == "benchmark" { parts.removeFirst(2) }
            let target = parts.count > 1 ? parts[0] : ""
            let benchmark = PackageBenchmarkMetrics.benchmark(target: target, name: parts.dropFirst(parts.count > 1 ? 1 : 0).joined(separator: "."))
            guard seen.insert(benchmark).inserted else {
                throw place.child("benchmark").error("benchmark \"\(fullName)\" appears twice")
            }
            var metrics: [(String, JSONValue, JSONPlace)] = []
            if let primary = entry["primaryMetric"] { metrics.append(("Throughput (# / s)", primary, place.child("primaryMetric"))) }
            for (name, metric) in entry["secondaryMetrics"]?.objectValue ?? [] {
                metrics.append((name, metric, place.child("secondaryMetrics").child(name)))
            }
            for (name, metric, metricPlace) in metrics {
                let unit = metric["scoreUnit"]?.stringValue ?? ""
                let displayName = name.hasPrefix("Throughput") ? "Throughput" : name
                let (descriptor, isTime) = PackageBenchmarkMetrics.metric(displayName: displayName, unit: unit)
                let shift = isTime ? TimeUnit.powerOfTenToMilliseconds(unit) ?? 0 : 0
                var samples: [DecimalNumber] = []
                for (forkIndex, fork) in (metric["rawData"]?.arrayValue ?? []).enumerated() {
                    for (sampleIndex, value) in (fork.arrayValue ?? []).enumerated() {
                        let valuePlace = metricPlace.child("rawData").index(forkIndex).index(sampleIndex)
                        let number = isTime ? try valuePlace.duration(value) : try valuePlace.number(value)
                        samples.append(number.scaled(byPowerOfTen: shift))
                    }
                }
                if samples.isEmpty {
                    record.warnings.append("\(input.name): \(benchmark.displayName) \(name) has no raw data; skipped")
                    continue
                }
                record.series.append(SampleSeries(benchmark: benchmark, metric: descriptor, samples: samples))
            }
        }
        guard !record.series.isEmpty else {
            throw InputError(file: input.name, problem: "no benchmark with raw data", fix: "export with --format jmh after a run")
        }
        return record
    }
}

/// package-benchmark's InfluxDB export (`--format influx`): annotated CSV, one row per benchmark,
/// metric and percentile (0, 25, 50, 75, 90, 99, 100). Summaries only.
///
/// - Time values are in nanoseconds whatever the `unit` column says; they become `min_time_ms`,
///   `p25_time_ms`, `median_time_ms`, `p75_time_ms`, `p90_time_ms`, `p99_time_ms`, `max_time_ms`
///   (likewise `cpu_time_ms`, …). Throughput's percentiles are flipped by the tool (percentile 0
///   holds the largest value), so they are mapped back: its row 0 is `max_throughput_ops_per_sec`.
/// - `iterations` becomes `sample_count`; `test_average` (a mean of the percentiles, not of the
///   samples) is left out.
/// - hostName, processoryType, processors, memory (GiB), kernelVersion and time go into the context.
package struct PackageBenchmarkInfluxFormat: InputFormat {
    package static let name = "package-benchmark-influx"
    package static let summary = "ordo-one package-benchmark InfluxDB CSV (--format influx; percentiles only)"

    package init() {}

    package func detect(_ input: InputFile) -> Bool {
        input.head(512).hasPrefix("#datatype tag,tag") && input.head(1024).contains("percentile")
    }

    package func read(_ input: InputFile) throws(InputError) -> RunRecord {
        var record = RunRecord(sourceFormat: Self.name, context: RunContext(tool: "package-benchmark"))
        var header: [String] = []
        var lineNumber = 0
        var failure: InputError?
        var seen = Set<String>()
        input.forEachLine { bytes in
            lineNumber += 1
            let line = String(decoding: bytes, as: UTF8.self)
            if line.isEmpty || line.hasPrefix("#") { return true }
            let cells = CSV.split(line)
            if header.isEmpty { header = cells; return true }
            guard cells.count == header.count else {
                failure = InputError(file: input.name, line: lineNumber, problem: "\(cells.count) fields where the header has \(header.count)",
                                     fix: "check that the file is complete")
                return false
            }
            let row = Dictionary(zip(header, cells), uniquingKeysWith: { first, _ in first })
            guard let test = row["test"], let metricName = row["metric"], let percentileText = row["percentile"],
                  let percentile = Double(percentileText), let valueText = row["value"],
                  let value = DecimalNumber.parse(Array(valueText.utf8)[...]), value.value.isFinite else {
                failure = InputError(file: input.name, line: lineNumber, problem: "a row needs test, metric, percentile and a numeric value")
                return false
            }
            let benchmark = PackageBenchmarkMetrics.benchmark(target: row["measurement"] ?? "", name: test)
            let (metric, isTime) = PackageBenchmarkMetrics.metric(displayName: metricName, unit: isTimeMetric(metricName) ? "ns" : "")
            let flipped = metric.direction == .higherIsBetter
            let actual = flipped ? 100 - percentile : percentile
            let prefix: String
            switch actual {
            case 0: prefix = "min"
            case 50: prefix = "median"
            case 100: prefix = "max"
            default: prefix = "p" + DecimalNumber(actual).jsonText.replacingOccurrences(of: ".", with: "_")
            }
            let name = prefix + "_" + metric.name
            guard seen.insert("\(benchmark.displayName)\u{1F}\(name)").inserted else {
                failure = InputError(file: input.name, line: lineNumber, problem: "\(test) \(metricName) percentile \(percentileText) appears twice")
                return false
            }
            let converted = isTime ? value.scaled(byPowerOfTen: -6) : value
            record.measurements.append(MeasuredValue(benchmark: benchmark,
                                                   metric: MetricDescriptor(name: name, unit: metric.unit, direction: metric.direction),
                                                   value: converted.value))
            if let iterations = row["iterations"].flatMap(Double.init), seen.insert("\(benchmark.displayName)\u{1F}sample_count").inserted {
                record.measurements.append(MeasuredValue(benchmark: benchmark, metric: MetricDescriptor(name: "sample_count", unit: "count"),
                                                       value: iterations))
            }
            if record.context.machine == nil, let host = row["hostName"] {
                // Out-of-range counts are input errors, never traps: `memory` is in GiB and must
                // still fit in bytes.
                func count(_ column: String, scale: Int64 = 1) -> Int64?? {
                    guard let text = row[column], !text.isEmpty else { return .some(nil) }
                    guard let number = Int64(text), number >= 0 else { return nil }
                    let (bytes, overflow) = number.multipliedReportingOverflow(by: scale)
                    return overflow ? nil : .some(bytes)
                }
                for (column, scale) in [("processors", Int64(1)), ("memory", 1_073_741_824)] where count(column, scale: scale) == nil {
                    failure = InputError(file: input.name, line: lineNumber, field: column,
                                         problem: "\"\(Printable.escaped(row[column] ?? ""))\" is not a count that fits in 64 bits",
                                         fix: "write a whole number (memory in GiB), or leave the field empty")
                    return false
                }
                var finishedAt: String?
                if let time = row["time"], !time.isEmpty {
                    guard let normalized = Timestamp.normalize(time) else {
                        failure = InputError(file: input.name, line: lineNumber, field: "time",
                                             problem: "\"\(Printable.escaped(time))\" is not an ISO 8601 time from 1970 to 9999",
                                             fix: "write it as 2026-11-27T13:40:00Z")
                        return false
                    }
                    finishedAt = normalized
                }
                record.context.machine = MachineInfo(
                    name: host, hostname: host, kernel: row["kernelVersion"]?.replacingOccurrences(of: "-", with: " "),
                    arch: row["processoryType"], cpuCores: (count("processors") ?? nil).map { Int($0) },
                    memoryBytes: count("memory", scale: 1_073_741_824) ?? nil)
                record.context.finishedAt = finishedAt
            }
            return true
        }
        if let failure { throw failure }
        guard !record.measurements.isEmpty else {
            throw InputError(file: input.name, problem: "no result rows", fix: "export with --format influx after a run")
        }
        return record
    }

    private func isTimeMetric(_ name: String) -> Bool { name.lowercased().hasPrefix("time") }
}
