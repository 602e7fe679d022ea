import Foundation
import Records
import Runner
import Statistics

/// hyperfine-style summaries of what `hhbench run` measured.
enum Summary {
    static func time(_ ms: Double) -> String {
        ms >= 1000 ? String(format: "%.3f s", ms / 1000) : String(format: "%.1f ms", ms)
    }

    static func command(_ result: CommandResult, index: Int) -> String {
        let times = result.wallMilliseconds
        guard !times.isEmpty else { return "Benchmark \(index): \(result.spec.name)\n  no runs\n" }
        let stats = Descriptive(times)
        let user = Descriptive.mean(result.executions.map { Double($0.userMicroseconds) / 1000 })
        let system = Descriptive.mean(result.executions.map { Double($0.systemMicroseconds) / 1000 })
        let memory = (result.executions.map(\.maxResidentKilobytes).max() ?? 0)
        var out = "Benchmark \(index): \(result.spec.name)\n"
        out += "  Time (mean ± σ):   \(time(stats.mean)) ± \(time(stats.standardDeviation))    [User: \(time(user)), System: \(time(system))]\n"
        out += "  Median, p95:       \(time(stats.median)), \(time(stats.p95))\n"
        out += "  Range (min … max): \(time(stats.min)) … \(time(stats.max))    \(times.count) runs\n"
        out += "  Peak memory:       \(String(format: "%.1f", Double(memory) / 1024)) MB\n"
        if result.failures > 0 { out += "  Failed runs:       \(result.failures) of \(times.count)\n" }
        return out + "\n"
    }

    static func overhead(_ a: CommandResult, _ b: CommandResult, ratios: [Records.Measurement]) -> String {
        var out = command(a, index: 1) + command(b, index: 2)
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

    static func load(_ spec: CommandSpec, _ result: LoadRunner.Result, concurrency: Int) -> String {
        let times = result.executions.map { Double($0.wallNanoseconds) / 1e6 }
        var out = "Load: \(spec.name) (\(concurrency) workers, \(String(format: "%.1f", result.measuredSeconds)) s)\n"
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
        if let estimateMilliseconds { text += "  ~\(Summary.time(estimateMilliseconds))" }
        if let secondsLeft { text += String(format: "  ETA %.0fs", secondsLeft) }
        draw(text)
    }

    func finished() { FileHandle.standardError.write("\r\u{1B}[2K".data(using: .utf8)!) }

    private func draw(_ text: String) {
        FileHandle.standardError.write("\r\u{1B}[2K\(name.prefix(40))  \(text)".data(using: .utf8)!)
    }
}
