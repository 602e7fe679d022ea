import Foundation
import Records

/// hyperfine's `--export-json`: `{"results":[{command, mean, stddev, median, user, system, min,
/// max, times, exit_codes, parameters?, memory_usage_byte?}]}`, times in seconds.
///
/// - `times` become the `time_ms` samples (converted exactly in decimal).
/// - `user` and `system` (means over the runs) become `cpu_user_ms` and `cpu_sys_ms`.
/// - `memory_usage_byte` (hyperfine 1.16+) becomes `max_rss_mb` samples (MiB).
/// - `exit_codes` become `exit_code` samples, and `error_rate` the share of non-zero ones.
/// - `parameters` (from `--parameter-scan`/`-L`, values are strings) are the benchmark's parameters.
/// - The file carries no context: commit, machine and time come from where it is recorded.
package struct HyperfineFormat: InputFormat {
    package static let name = "hyperfine"
    package static let summary = "hyperfine --export-json (raw times, user/system, exit codes, parameters)"

    package init() {}

    package func detect(_ input: InputFile) -> Bool {
        JSONInput.startsWith(input, "{") && JSONInput.contains(input, "\"results\"")
            && JSONInput.contains(input, "\"command\"") && JSONInput.contains(input, "\"times\"", within: nil)
    }

    package func read(_ input: InputFile) throws(InputError) -> RunRecord {
        let document = try JSONInput.parse(input, format: "hyperfine")
        let root = JSONPlace(file: input.name, path: "")
        _ = try root.object(document)
        let results = try root.child("results").array(document["results"])
        var record = RunRecord(sourceFormat: Self.name, context: RunContext(tool: "hyperfine"))
        var seen = Set<BenchmarkKey>()
        for (index, result) in results.enumerated() {
            let place = root.child("results").index(index)
            _ = try place.object(result)
            let command = try place.child("command").string(result["command"])
            let parameters = result["parameters"].flatMap { $0.objectValue != nil && $0.objectValue!.isEmpty == false ? $0 : nil }
            let benchmark = BenchmarkKey(name: command, params: parameters)
            guard seen.insert(benchmark).inserted else {
                throw place.child("command").error("command \"\(command)\" appears twice",
                                                   fix: "name the commands apart with hyperfine's -n")
            }
            let times = try place.child("times").array(result["times"])
            guard !times.isEmpty else {
                record.warnings.append("\(input.name): skipped \"\(command)\": it has no runs")
                continue
            }
            var samples: [DecimalNumber] = []
            for (sampleIndex, time) in times.enumerated() {
                samples.append(try place.child("times").index(sampleIndex).duration(time).scaled(byPowerOfTen: 3))
            }
            record.series.append(SampleSeries(benchmark: benchmark, metric: MetricDescriptor(name: "time_ms"), samples: samples))
            for (field, metric) in [("user", "cpu_user_ms"), ("system", "cpu_sys_ms")] {
                guard let value = result[field], !value.isNull else { continue }
                let seconds = try place.child(field).duration(value)
                record.measurements.append(MeasuredValue(benchmark: benchmark, metric: MetricDescriptor(name: metric),
                                                       value: seconds.scaled(byPowerOfTen: 3).value))
            }
            if let memory = result["memory_usage_byte"]?.arrayValue, !memory.isEmpty {
                var values: [Double] = []
                for (sampleIndex, item) in memory.enumerated() {
                    values.append(try place.child("memory_usage_byte").index(sampleIndex).number(item).value / 1_048_576)
                }
                record.series.append(SampleSeries(benchmark: benchmark, metric: MetricDescriptor(name: "max_rss_mb"), values: values))
            }
            if let codes = result["exit_codes"]?.arrayValue, !codes.isEmpty {
                var values: [Double] = []
                for (codeIndex, code) in codes.enumerated() {
                    values.append(try place.child("exit_codes").index(codeIndex).number(code).value)
                }
                record.series.append(SampleSeries(benchmark: benchmark, metric: MetricDescriptor(name: "exit_code", unit: ""), values: values))
                let failures = values.filter { $0 != 0 }.count
                record.measurements.append(MeasuredValue(benchmark: benchmark, metric: MetricDescriptor(name: "error_rate"),
                                                       value: Double(failures) / Double(values.count)))
            }
        }
        guard !record.series.isEmpty else {
            throw root.child("results").error("no command with results", fix: "check that hyperfine ran")
        }
        return record
    }
}

/// hyperfine's `--export-csv`: `command,mean,stddev,median,user,system,min,max[,parameter_<name>…]`
/// in seconds, one row per command; summaries only (no raw samples). Becomes `avg_time_ms`,
/// `std_dev_time_ms`, `median_time_ms`, `cpu_user_ms`, `cpu_sys_ms`, `min_time_ms`, `max_time_ms`.
package struct HyperfineCSVFormat: InputFormat {
    package static let name = "hyperfine-csv"
    package static let summary = "hyperfine --export-csv (summaries only, no raw samples)"

    package init() {}

    package func detect(_ input: InputFile) -> Bool {
        input.head(64).hasPrefix("command,mean,stddev,median,user,system,min,max")
    }

    package func read(_ input: InputFile) throws(InputError) -> RunRecord {
        var rows: [(Int, [String])] = []
        var lineNumber = 0
        input.forEachLine { line in
            lineNumber += 1
            if !line.isEmpty { rows.append((lineNumber, CSV.split(String(decoding: line, as: UTF8.self)))) }
            return true
        }
        guard let header = rows.first?.1, header.starts(with: ["command", "mean", "stddev", "median", "user", "system", "min", "max"]) else {
            throw InputError(file: input.name, line: 1, problem: "not a hyperfine CSV header",
                             fix: "expected command,mean,stddev,median,user,system,min,max")
        }
        let metrics = ["mean": "avg_time_ms", "stddev": "std_dev_time_ms", "median": "median_time_ms", "user": "cpu_user_ms",
                       "system": "cpu_sys_ms", "min": "min_time_ms", "max": "max_time_ms"]
        var record = RunRecord(sourceFormat: Self.name, context: RunContext(tool: "hyperfine"))
        var seen = Set<BenchmarkKey>()
        for (line, cells) in rows.dropFirst() {
            guard cells.count == header.count else {
                throw InputError(file: input.name, line: line, problem: "\(cells.count) fields where the header has \(header.count)",
                                 fix: "check that the file is complete")
            }
            var parameters: [(String, JSONValue)] = []
            for (column, cell) in zip(header, cells) where column.hasPrefix("parameter_") {
                parameters.append((String(column.dropFirst("parameter_".count)), .string(cell)))
            }
            let benchmark = BenchmarkKey(name: cells[0], params: parameters.isEmpty ? nil : .object(parameters))
            guard seen.insert(benchmark).inserted else {
                throw InputError(file: input.name, line: line, field: "command", problem: "\"\(cells[0])\" appears twice",
                                 fix: "name the commands apart with hyperfine's -n")
            }
            for (column, cell) in zip(header, cells) {
                guard let metric = metrics[column], !cell.isEmpty else { continue }
                guard let seconds = DecimalNumber.parse(Array(cell.utf8)[...]), seconds.value.isFinite, seconds.value >= 0 else {
                    throw InputError(file: input.name, line: line, field: column, problem: "\"\(cell)\" is not a time in seconds")
                }
                record.measurements.append(MeasuredValue(benchmark: benchmark, metric: MetricDescriptor(name: metric),
                                                       value: seconds.scaled(byPowerOfTen: 3).value))
            }
        }
        guard !record.measurements.isEmpty else {
            throw InputError(file: input.name, problem: "no rows", fix: "check that hyperfine ran")
        }
        return record
    }
}

/// RFC 4180 field splitting for one line.
enum CSV {
    static func split(_ line: String) -> [String] {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var iterator = Array(line.replacingOccurrences(of: "\r", with: "")).makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
        }
        fields.append(field)
        return fields
    }
}
