import Foundation
import Records

/// `go test -bench` text output, the format benchstat reads.
///
///     goos: linux
///     pkg: example.com/fixturebench
///     BenchmarkSortInts/n=1000-2   31503   40030 ns/op   8240 B/op   3 allocs/op
///
/// - Each result line is one sample (`-count N` gives N): `ns/op` becomes `time_ms` (exact
///   decimal conversion), `B/op` `bytes_per_op`, `allocs/op` `allocs_per_op`, `MB/s`
///   `mb_per_sec` (higher is better), and any custom unit `x/y` a metric `x_per_y`.
/// - The `-N` GOMAXPROCS suffix is taken off the name and kept in the context; `pkg` is the group.
/// - `key: value` lines (`goos`, `goarch`, `pkg`, `cpu`, …) go into the run context.
/// - `PASS`, `ok`, `FAIL` and log lines are ignored; a `--- FAIL` line is reported as a warning.
package struct GoBenchFormat: InputFormat {
    package static let name = "go-bench"
    package static let summary = "go test -bench text output (-count N lines as samples, -benchmem metrics)"

    package init() {}

    package func detect(_ input: InputFile) -> Bool {
        let head = input.head(65_536)
        return head.hasPrefix("goos: ") || head.hasPrefix("goarch: ") || head.hasPrefix("pkg: ")
            || head.split(separator: "\n").contains { Self.parseLine(String($0)) != nil }
    }

    struct ResultLine {
        let name: String
        let procs: Int?
        let iterations: Int
        let values: [(DecimalNumber, String)]
    }

    static func parseLine(_ line: String) -> ResultLine? {
        guard line.hasPrefix("Benchmark") else { return nil }
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count >= 4, fields.count % 2 == 0, let iterations = Int(fields[1]) else { return nil }
        var name = fields[0]
        var procs: Int?
        if let dash = name.lastIndex(of: "-"), let number = Int(name[name.index(after: dash)...]) {
            procs = number
            name = String(name[..<dash])
        }
        var values: [(DecimalNumber, String)] = []
        var index = 2
        while index + 1 < fields.count {
            guard let value = DecimalNumber.parse(Array(fields[index].utf8)[...]) else { return nil }
            values.append((value, fields[index + 1]))
            index += 2
        }
        return ResultLine(name: name, procs: procs, iterations: iterations, values: values)
    }

    /// The metric a Go unit maps to, and the decimal shift into its unit.
    static func metric(for unit: String) -> (MetricDescriptor, Int) {
        switch unit {
        case "ns/op": return (MetricDescriptor(name: "time_ms"), -6)
        case "B/op": return (MetricDescriptor(name: "bytes_per_op", unit: "B", direction: .lowerIsBetter), 0)
        case "allocs/op": return (MetricDescriptor(name: "allocs_per_op", unit: "count", direction: .lowerIsBetter), 0)
        case "MB/s": return (MetricDescriptor(name: "mb_per_sec", unit: "MB/s", direction: .higherIsBetter), 0)
        default:
            let name = unit.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : ($0 == "/" ? "_per_" : "_") }.joined()
            let direction: Direction = unit.hasSuffix("/s") ? .higherIsBetter : .lowerIsBetter
            return (MetricDescriptor(name: name, unit: unit, direction: direction), 0)
        }
    }

    package func read(_ input: InputFile) throws(InputError) -> RunRecord {
        var record = RunRecord(sourceFormat: Self.name, context: RunContext(tool: "go test"))
        var package = ""
        var order: [MetricOfBenchmark] = []
        var samples: [MetricOfBenchmark: [DecimalNumber]] = [:]
        var lineNumber = 0
        var failure: InputError?
        var headers: [(String, JSONValue)] = []
        input.forEachLine { bytes in
            lineNumber += 1
            let line = String(decoding: bytes, as: UTF8.self)
            if line.hasPrefix("Benchmark") {
                guard let result = Self.parseLine(line) else {
                    // A benchmark's own log output can start with its name; only result-shaped lines count.
                    return true
                }
                if let procs = result.procs, !headers.contains(where: { $0.0 == "gomaxprocs" }) {
                    headers.append(("gomaxprocs", .number(Double(procs))))
                }
                let benchmark = BenchmarkKey(name: result.name, group: package)
                for (value, unit) in result.values {
                    let (metric, shift) = Self.metric(for: unit)
                    if unit == "ns/op" || unit == "B/op" || unit == "allocs/op", value.value < 0 {
                        failure = InputError(file: input.name, line: lineNumber, field: unit, problem: "negative value \(value.jsonText)",
                                             fix: "check the benchmark's output")
                        return false
                    }
                    let key = MetricOfBenchmark(benchmark: benchmark, metric: metric)
                    if samples[key] == nil { order.append(key) }
                    samples[key, default: []].append(value.scaled(byPowerOfTen: shift))
                }
            } else if line.hasPrefix("--- FAIL") {
                record.warnings.append("\(input.name):\(lineNumber): \(line.trimmingCharacters(in: .whitespaces))")
            } else if let colon = line.firstIndex(of: ":"), !line.hasPrefix(" "), !line.hasPrefix("\t") {
                let key = String(line[..<colon])
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                guard !key.isEmpty, !key.contains(" "), key.first?.isLowercase == true else { return true }
                if key == "pkg" { package = value }
                headers.removeAll { $0.0 == key }
                headers.append((key, .string(value)))
            }
            return true
        }
        if let failure { throw failure }
        guard !order.isEmpty else {
            throw InputError(file: input.name, problem: "no benchmark result lines", fix: "run go test -bench . and record its output")
        }
        for key in order {
            record.series.append(SampleSeries(benchmark: key.benchmark, metric: key.metric, samples: samples[key] ?? []))
        }
        record.context.extra.append(contentsOf: headers)
        if let goos = headers.first(where: { $0.0 == "goos" })?.1.stringValue,
           let goarch = headers.first(where: { $0.0 == "goarch" })?.1.stringValue {
            record.context.toolchain = "go \(goos)/\(goarch)"
        }
        return record
    }

    struct MetricOfBenchmark: Hashable {
        let benchmark: BenchmarkKey
        let metric: MetricDescriptor
    }
}
