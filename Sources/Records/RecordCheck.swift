/// The last check every run passes before it is written, whatever format it came from: what no
/// adapter may let through, so that nothing is stored other than the input says.
///
/// - No NUL in any stored text. SQLite's C API takes text up to its first NUL, so
///   `"x\u0000evil"` would be stored as `x` and two such names would collide.
/// - Every value and sample finite (JSON has no NaN or infinity, but a conversion may overflow).
/// - Times (metrics in ns, us, ms or s) not negative.
extension RunRecord {
    /// Throws an input error naming `file`, the benchmark and the field at the first problem.
    public func checkStorable(file: String) throws(InputError) {
        func refuseNUL(_ text: String?, _ field: String, _ what: String = "") throws(InputError) {
            guard let text, text.utf8.contains(0) else { return }
            throw InputError(file: file, field: field,
                             problem: "\(what.isEmpty ? "" : what + ": ")NUL character in \"\(Printable.escaped(text))\"",
                             fix: "names, units, tags and context text cannot hold U+0000; remove it from the input")
        }
        for key in benchmarks {
            guard !key.name.isEmpty else {
                throw InputError(file: file, field: "benchmark", problem: "a benchmark without a name", fix: "give every benchmark a name")
            }
            try refuseNUL(key.name, "benchmark")
            try refuseNUL(key.group, "group", key.name)
            try refuseNUL(key.params, "params", key.name)
        }
        // One benchmark, one metric name, one series or value: the warehouse and every query key
        // metrics by name, so a name given twice (two units of a Go metric, a key repeated in a
        // JSON object) would make two rows that no reader can tell apart.
        var named: [NameKey: MetricDescriptor] = [:]
        for (benchmark, metric) in series.map({ ($0.benchmark, $0.metric) }) + measurements.filter({ !$0.derived }).map({ ($0.benchmark, $0.metric) }) {
            if let earlier = named.updateValue(metric, forKey: NameKey(benchmark: benchmark, metric: metric.name)) {
                throw InputError(file: file, field: "metric",
                                 problem: "\(Printable.escaped(benchmark.displayName)) has the metric \(Printable.escaped(metric.name)) twice"
                                    + (earlier.unit != metric.unit ? " (in \(Printable.escaped(earlier.unit)) and \(Printable.escaped(metric.unit)))" : ""),
                                 fix: "give each metric of a benchmark one name, one unit and one set of values")
            }
        }
        for series in series {
            try checkMetric(series.metric, benchmark: series.benchmark, file: file, refuseNUL: refuseNUL)
            let isTime = series.metric.isTime
            for (index, sample) in series.samples.enumerated() where !sample.value.isFinite || (isTime && sample.value < 0) {
                throw problem(sample.value, "samples[\(index)]", series.metric, series.benchmark, file: file)
            }
        }
        for measurement in measurements {
            try checkMetric(measurement.metric, benchmark: measurement.benchmark, file: file, refuseNUL: refuseNUL)
            if measurement.derived, !measurement.value.isFinite {
                throw InputError(file: file, field: "samples",
                                 problem: "\(Printable.escaped(measurement.benchmark.displayName)) \(Printable.escaped(measurement.metric.name)): "
                                    + "the samples spread wider than a double can summarise",
                                 fix: "record the samples in a larger unit (s instead of ns, say)")
            }
            try checkValue(measurement.value, field: "value", measurement.metric, measurement.benchmark, file: file)
        }
        let c = context
        for text in [c.branch, c.commandLine, c.toolchain, c.tool, c.toolVersion, c.ciProvider, c.ciJobURL,
                     c.recordedAt, c.startedAt, c.finishedAt] {
            try refuseNUL(text, "context")
        }
        for commit in [c.commit].compactMap({ $0 }) + c.ancestry {
            for text in [commit.sha, commit.authorName, commit.authorEmail, commit.subject, commit.committedAt] + (commit.parents ?? []) {
                try refuseNUL(text, "context.commit")
            }
        }
        if let machine = c.machine {
            for text in [machine.name, machine.hostname, machine.os, machine.kernel, machine.arch, machine.cpuModel] {
                try refuseNUL(text, "context.machine")
            }
        }
        for (key, value) in c.tags {
            try refuseNUL(key, "context.tags")
            try refuseNUL(value, "context.tags.\(Printable.escaped(key))")
        }
        for text in [sourceFormat, contentHash, uuid] { try refuseNUL(text, "run") }
    }

    private struct NameKey: Hashable {
        let benchmark: BenchmarkKey
        let metric: String
    }

    private func checkMetric(_ metric: MetricDescriptor, benchmark: BenchmarkKey, file: String,
                             refuseNUL: (String?, String, String) throws(InputError) -> Void) throws(InputError) {
        guard !metric.name.isEmpty else {
            throw InputError(file: file, field: "metric", problem: "\(Printable.escaped(benchmark.displayName)): a metric without a name",
                             fix: "give every metric a name")
        }
        try refuseNUL(metric.name, "metric", benchmark.name)
        try refuseNUL(metric.unit, "unit", benchmark.name)
    }

    private func checkValue(_ value: Double, field: String, _ metric: MetricDescriptor, _ benchmark: BenchmarkKey,
                            file: String) throws(InputError) {
        guard value.isFinite, !(value < 0 && metric.isTime) else { throw problem(value, field, metric, benchmark, file: file) }
    }

    /// The error for a value `checkValue` refuses (built only then: the check runs on every sample).
    private func problem(_ value: Double, _ field: String, _ metric: MetricDescriptor, _ benchmark: BenchmarkKey,
                         file: String) -> InputError {
        let which = "\(Printable.escaped(benchmark.displayName)) \(Printable.escaped(metric.name))"
        guard value.isFinite else {
            return InputError(file: file, field: field, problem: "\(which): the value is not finite",
                              fix: "values must be finite numbers")
        }
        return InputError(file: file, field: field,
                          problem: "\(which): negative time \(DecimalNumber(value).jsonText) \(metric.unit)",
                          fix: "times cannot be negative; check the tool's output, or give the metric another unit")
    }
}
