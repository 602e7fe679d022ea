import Crypto
import Records

/// A run's identity from its content: SHA-256 of what the warehouse stores of it, never a hash
/// a file carries. A run at the same commit and machine with the same content hash is the same
/// run recorded again; a run whose uuid is stored with another content hash is a conflict (an
/// exported run whose samples were edited keeps its uuid).
///
/// The content is what export gives back exactly: the source format, the times and tool the
/// input stated (started and finished, tool, its version, the command line), every series of raw
/// samples and every given (not derived) value, each with its benchmark, metric, unit and
/// direction, in a fixed order, numbers by their IEEE-754 bits. Not hashed: what the recorder
/// adds (recorded_at, commit, branch, machine, tags), which the duplicate check compares apart.
extension RunRecord {
    package var storedContentHash: String {
        func key(_ benchmark: BenchmarkKey, _ metric: MetricDescriptor) -> String {
            [benchmark.name, benchmark.group, benchmark.params, metric.name, metric.unit, metric.direction.rawValue].joined(separator: "\u{1F}")
        }
        func bits(_ value: Double) -> String { String(value.bitPattern, radix: 16) }
        let context = [sourceFormat, self.context.startedAt, self.context.finishedAt, self.context.tool, self.context.toolVersion,
                       self.context.commandLine].map { $0 ?? "\u{0}" }
        var lines = ["hhbench content 1", context.joined(separator: "\u{1F}")]
        lines += series.map { "S\u{1E}" + key($0.benchmark, $0.metric) + "\u{1E}" + $0.values.map(bits).joined(separator: ",") }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        lines += measurements.filter { !$0.derived }.map { "M\u{1E}" + key($0.benchmark, $0.metric) + "\u{1E}" + bits($0.value) }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return Hex.string(SHA256.hash(data: Array(lines.joined(separator: "\n").utf8)))
    }
}
