import Records
import Statistics

/// Turns what the runner measured into the run record every recorder writes.
package enum RunRecording {
    /// `time_ms`, `cpu_user_ms`, `cpu_sys_ms`, `max_rss_mb` samples (and `exit_code` with
    /// `error_rate` when failures were allowed) for one command. Times are kept exact: nanoseconds
    /// as milliseconds with six decimals, microseconds as milliseconds with three.
    package static func series(_ result: CommandResult, benchmark: BenchmarkKey, recordFailures: Bool) -> ([SampleSeries], [MeasuredValue]) {
        let executions = result.executions
        var series = [
            SampleSeries(benchmark: benchmark, metric: MetricDescriptor(name: "time_ms"),
                         samples: executions.map { nanosecondsAsMilliseconds($0.wallNanoseconds) }),
            SampleSeries(benchmark: benchmark, metric: MetricDescriptor(name: "cpu_user_ms"),
                         samples: executions.map { microsecondsAsMilliseconds($0.userMicroseconds) }),
            SampleSeries(benchmark: benchmark, metric: MetricDescriptor(name: "cpu_sys_ms"),
                         samples: executions.map { microsecondsAsMilliseconds($0.systemMicroseconds) }),
            SampleSeries(benchmark: benchmark, metric: MetricDescriptor(name: "max_rss_mb"),
                         values: executions.map { Double($0.maxResidentKilobytes) / 1024 }),
        ]
        var measurements: [MeasuredValue] = []
        if recordFailures {
            series.append(SampleSeries(benchmark: benchmark, metric: MetricDescriptor(name: "exit_code", unit: ""),
                                       values: executions.map { Double($0.exitCode) }))
            measurements.append(MeasuredValue(benchmark: benchmark, metric: MetricDescriptor(name: "error_rate"),
                                            value: Double(result.failures) / Double(max(executions.count, 1))))
        }
        return (series, measurements)
    }

    static func nanosecondsAsMilliseconds(_ ns: Int64) -> DecimalNumber {
        DecimalNumber(value: Double(ns) / 1e6, mantissa: ns, scale: 6)
    }

    static func microsecondsAsMilliseconds(_ us: Int64) -> DecimalNumber {
        DecimalNumber(value: Double(us) / 1e3, mantissa: us, scale: 3)
    }

    /// The overhead of B over A (`OverheadRatios`), memory as the median peak resident memory a run.
    package static func overhead(_ a: CommandResult, _ b: CommandResult, benchmark: BenchmarkKey) -> [MeasuredValue] {
        let memoryA = Descriptive.median(a.executions.map { Double($0.maxResidentKilobytes) })
        let memoryB = Descriptive.median(b.executions.map { Double($0.maxResidentKilobytes) })
        return OverheadRatios.measurements(baselineTimes: a.wallMilliseconds, candidateTimes: b.wallMilliseconds,
                                           memoryKB: (memoryA, memoryB), benchmark: benchmark)
    }
}
