import Foundation
import Records
import Runner
import Statistics

/// hyperfine-style summaries of what `hhbench run` measured.
enum BenchmarkSummary {
    static func time(_ ms: Double) -> String {
        ms >= 1000 ? String(format: "%.3f s", ms / 1000) : String(format: "%.1f ms", ms)
    }

    static func command(_ result: CommandResult, index: Int, colour: Bool = false) -> String {
        let times = result.wallMilliseconds
        guard !times.isEmpty else { return "Benchmark \(index): \(result.spec.name)\n  no runs\n" }
        let stats = Descriptive(times)
        let user = Descriptive.mean(result.executions.map { Double($0.userMicroseconds) / 1000 })
        let system = Descriptive.mean(result.executions.map { Double($0.systemMicroseconds) / 1000 })
        let memory = (result.executions.map(\.maxResidentKilobytes).max() ?? 0)
        var out = "\(Terminal.paint("Benchmark \(index)", "1", colour)): \(result.spec.name)\n"
        out += "  Time (mean ± σ):   \(Terminal.paint(time(stats.mean), "1;32", colour)) ± \(Terminal.paint(time(stats.standardDeviation), "32", colour))"
            + "    [User: \(time(user)), System: \(time(system))]\n"
        out += "  Median, p95:       \(time(stats.median)), \(time(stats.p95))\n"
        out += "  Range (min … max): \(time(stats.min)) … \(time(stats.max))    \(times.count) runs\n"
        out += "  Peak memory:       \(String(format: "%.1f", Double(memory) / 1024)) MB\n"
        if result.failures > 0 { out += "  Failed runs:       \(result.failures) of \(times.count)\n" }
        out += counts(result)
        return out + "\n"
    }

    /// The counted runs' lines: each metric's median with its spread, and the counter's slowdown.
    static func counts(_ result: CommandResult) -> String {
        guard let first = result.counted.first else { return "" }
        var out = ""
        for metric in CountedMetric.allCases where first.counts[metric] != nil {
            let values = result.counted.compactMap { $0.counts[metric] }.map { Double($0) }
            let label = (metric.rawValue.replacingOccurrences(of: "_", with: " ") + ":").padding(toLength: 19, withPad: " ", startingAt: 0)
            out += "  \(label)\(grouped(Descriptive.median(values)))"
                + (values.count > 1 ? String(format: " ± %.3f %%", Counting.spread(result.counted, metric) * 100) : "")
                + "    \(values.count) counted run\(values.count == 1 ? "" : "s")\n"
        }
        if let slowdown = result.countingSlowdown {
            out += "  Counter slowdown:  \(String(format: "%.1f", slowdown))× the plain run's median\n"
        }
        return out
    }

    /// 913679 as "913,679".
    static func grouped(_ value: Double) -> String {
        let digits = String(Int64(value.rounded()))
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 && character != "-" { out.append(",") }
            out.append(character)
        }
        return String(out.reversed())
    }

    /// hyperfine's closing summary for several commands: how many times faster the fastest (by
    /// mean) ran than each other one, ± the ratio's standard deviation propagated from both
    /// (σ_r = r·√((σ_a/μ_a)² + (σ_b/μ_b)²), as hyperfine computes it).
    static func relative(_ results: [CommandResult], colour: Bool = false) -> String? {
        let timed = results.compactMap { result -> (String, Double, Double)? in
            let times = result.wallMilliseconds
            guard !times.isEmpty else { return nil }
            let stats = Descriptive(times)
            return stats.mean > 0 ? (result.spec.name, stats.mean, stats.standardDeviation) : nil
        }
        guard timed.count > 1, let fastest = timed.min(by: { $0.1 < $1.1 }) else { return nil }
        var out = "\(Terminal.paint("Summary", "1", colour))\n  \(Terminal.paint(fastest.0, "36", colour)) ran\n"
        for other in timed where other.0 != fastest.0 || other.1 != fastest.1 {
            let ratio = other.1 / fastest.1
            let spread = ratio * ((fastest.2 / fastest.1) * (fastest.2 / fastest.1) + (other.2 / other.1) * (other.2 / other.1)).squareRoot()
            out += "    \(Terminal.paint(String(format: "%.2f", ratio), "1;32", colour)) ± \(Terminal.paint(String(format: "%.2f", spread), "32", colour))"
                + " times faster than \(Terminal.paint(other.0, "35", colour))\n"
        }
        return out + "\n"
    }

    static func overhead(_ a: CommandResult, _ b: CommandResult, ratios: [Records.MeasuredValue], colour: Bool = false) -> String {
        var out = command(a, index: 1, colour: colour) + command(b, index: 2, colour: colour)
        let value = { (name: String) in ratios.first { $0.metric.name == name }?.value }
        if let ratio = value("overhead_ratio") {
            out += "Overhead ratio (median \(b.spec.name) / \(a.spec.name)): \(Display.number(ratio))"
            if let low = value("overhead_ratio_ci_low"), let high = value("overhead_ratio_ci_high") {
                out += "  95% CI [\(Display.number(low)), \(Display.number(high))]"
            }
            out += "\n"
        }
        if let throughput = value("throughput_ratio") { out += "Throughput ratio: \(Display.number(throughput))\n" }
        return out + "\n"
    }

    static func load(_ spec: CommandSpec, _ result: LoadRunner.Result, concurrency: Int, colour: Bool = false) -> String {
        let times = result.executions.map { Double($0.wallNanoseconds) / 1e6 }
        var out = "\(Terminal.paint("Load", "1", colour)): \(spec.name) (\(concurrency) workers, \(String(format: "%.1f", result.measuredSeconds)) s)\n"
        out += "  Completed runs:    \(times.count), \(String(format: "%.1f", result.throughput)) per second\n"
        out += "  Error rate:        \(String(format: "%.4f", result.errorRate))\n"
        if !times.isEmpty {
            let stats = Descriptive(times)
            out += "  Latency p50/p95/p99: \(time(stats.median)) / \(time(stats.p95)) / \(time(stats.p99))\n"
        }
        return out + "\n"
    }
}

/// A progress bar on standard error: name, bar, runs, current estimate, time left.
final class TerminalProgress: ProgressReporter, @unchecked Sendable {
    private var name = ""

    func started(_ name: String, index: Int, of total: Int) {
        self.name = total > 1 ? "[\(index)/\(total)] \(name)" : name
        draw("")
    }

    func update(done: Int, of total: Int, estimateMilliseconds: Double?, secondsLeft: Double?) {
        let width = 30
        let filled = total > 0 ? min(width, done * width / total) : 0
        var text = "[" + String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled) + "] \(done)/\(total)"
        if let estimateMilliseconds { text += "  ~\(BenchmarkSummary.time(estimateMilliseconds))" }
        if let secondsLeft { text += String(format: "  ETA %.0fs", secondsLeft) }
        draw(text)
    }

    func finished() { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }

    private func draw(_ text: String) {
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(name.prefix(40))  \(text)".utf8))
    }
}

/// Load mode's progress line on standard error: elapsed time, runs done, errors, throughput so far.
enum LoadProgressLine {
    @Sendable static func draw(_ progress: LoadRunner.Progress) {
        let text = String(format: "\r\u{1B}[2KLoad  %.1f s  %d runs  %d errors  %.1f per second",
                          progress.elapsedSeconds, progress.runs, progress.errors, progress.throughput)
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func clear() { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
}
