import CMeasure
import Capture
import Foundation

/// Counts under valgrind's callgrind, where hardware counters are refused: instructions
/// executed (Ir) and, with its cache simulation at a fixed geometry, the accesses served by L1,
/// by the last level and by memory, weighed into estimated cycles as iai-callgrind does
/// (L1 hits + 5 × LL hits + 35 × RAM hits). The geometry is fixed so counts do not depend on
/// the machine's caches. Children are followed (`--trace-children=yes`) and their counts added.
///
/// Sources: valgrind's Callgrind manual (the output format's `events:` and `summary:` lines), and
/// iai-callgrind's estimated cycles, after Itamar Turner-Trauring, "Why you should use Cachegrind
/// for benchmarking" (pythonspeed.com). docs/STATISTICS.md "Counted metrics" has the arithmetic.
package struct CallgrindCounter: EventCounter {
    package let metrics: [CountedMetric]
    package let version: String

    /// I1, D1 and LL as valgrind's --I1/--D1/--LL take them: size in bytes, associativity, line size.
    package static let geometry = (i1: "32768,8,64", d1: "32768,8,64", ll: "8388608,16,64")

    package var description: String {
        "callgrind (\(version); I1 \(Self.geometry.i1), D1 \(Self.geometry.d1), LL \(Self.geometry.ll))"
    }

    /// A counter of `metrics`, or a clear failure when callgrind cannot give one or valgrind is missing.
    package init(metrics: [CountedMetric]) throws(CountingFailure) {
        for metric in metrics where ![.instructions, .estimatedCycles, .l1Hits, .llHits, .ramHits].contains(metric) {
            let needs = metric == .pageFaults ? "perf_event_open (a software event)" : "hardware counters (perf_event_open)"
            throw .usage("--measure \(metric.rawValue) needs \(needs); callgrind counts instructions, estimated_cycles and cache")
        }
        let probe: ChildProcess.Result
        do {
            probe = try ChildProcess.run(["valgrind", "--version"])
        } catch {
            throw .usage("counting needs valgrind, and it is not on PATH; install it (sudo apt-get install valgrind) or drop --measure")
        }
        guard probe.status == 0 else {
            throw .usage("valgrind --version exited with \(probe.status): \(probe.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        self.metrics = metrics
        version = probe.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    var needsCacheSimulation: Bool { metrics.contains { $0 != .instructions } }

    package func count(_ arguments: [String], showOutput: Bool) throws(CountingFailure) -> CountedExecution {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hhbench-callgrind-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .failed("cannot make a folder for callgrind's output in \(FileManager.default.temporaryDirectory.path): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var valgrind = ["valgrind", "--tool=callgrind", "--trace-children=yes", "--callgrind-out-file=\(folder)/out.%p",
                        "--log-file=\(folder)/log.%p", "--dump-line=no", "--compress-strings=no"]
        if needsCacheSimulation {
            valgrind += ["--cache-sim=yes", "--I1=\(Self.geometry.i1)", "--D1=\(Self.geometry.d1)", "--LL=\(Self.geometry.ll)"]
        }
        // No counters of perf's: hh_count with none runs the command with randomisation off and times it.
        let ran = try PerfCounter(metrics: [], events: []).count(valgrind + ["--"] + arguments, showOutput: showOutput)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let outputs = names.filter { $0.hasPrefix("out.") }
        guard !outputs.isEmpty else {
            let log = names.filter { $0.hasPrefix("log.") }.compactMap { try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }
                .joined().split(separator: "\n").suffix(5).joined(separator: "\n")
            throw .failed("callgrind wrote no counts for \(arguments.joined(separator: " ").debugDescription) (exit \(ran.exitCode))"
                          + (log.isEmpty ? "" : ":\n\(log)"))
        }
        var totals: [String: UInt64] = [:]
        for name in outputs {
            let path = folder + "/" + name
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw .failed("cannot read callgrind's output \(path)")
            }
            for (event, value) in try Self.summary(text, file: path) { totals[event, default: 0] += value }
        }
        var counts: [CountedMetric: UInt64] = [:]
        let ir = totals["Ir"] ?? 0
        let l1Misses = (totals["I1mr"] ?? 0) + (totals["D1mr"] ?? 0) + (totals["D1mw"] ?? 0)
        let llMisses = (totals["ILmr"] ?? 0) + (totals["DLmr"] ?? 0) + (totals["DLmw"] ?? 0)
        let accesses = ir + (totals["Dr"] ?? 0) + (totals["Dw"] ?? 0)
        let l1Hits = accesses - min(accesses, l1Misses)
        let llHits = l1Misses - min(l1Misses, llMisses)
        for metric in metrics {
            switch metric {
            case .instructions: counts[metric] = ir
            case .l1Hits: counts[metric] = l1Hits
            case .llHits: counts[metric] = llHits
            case .ramHits: counts[metric] = llMisses
            case .estimatedCycles: counts[metric] = l1Hits + 5 * llHits + 35 * llMisses
            case .cycles, .cacheReferences, .cacheMisses, .pageFaults: break
            }
        }
        return CountedExecution(counts: counts, wallNanoseconds: ran.wallNanoseconds, exitCode: ran.exitCode)
    }

    /// The totals of one callgrind output file by event name, from its `events:` line and its
    /// `summary:` (or, in older files, `totals:`) line.
    static func summary(_ text: String, file: String) throws(CountingFailure) -> [String: UInt64] {
        var events: [String] = []
        var values: [UInt64]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("events:") {
                events = line.dropFirst("events:".count).split(separator: " ").map(String.init)
            } else if line.hasPrefix("summary:") || (values == nil && line.hasPrefix("totals:")) {
                values = line.drop { $0 != ":" }.dropFirst().split(separator: " ").compactMap { UInt64($0) }
            }
        }
        guard !events.isEmpty, let values else { throw .failed("\(file): no events: and summary: lines; is it callgrind's output?") }
        var result: [String: UInt64] = [:]
        for (index, event) in events.enumerated() { result[event] = index < values.count ? values[index] : 0 }
        return result
    }
}
