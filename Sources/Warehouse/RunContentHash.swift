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
    /// Streamed into SHA-256 as bytes (every field length-prefixed, samples as their 8-byte bit
    /// patterns): a million samples hash without a string each, on the path every write takes.
    package var storedContentHash: String {
        var hasher = SHA256()
        func add(_ bytes: UnsafeRawBufferPointer) {
            var count = UInt64(bytes.count).littleEndian
            withUnsafeBytes(of: &count) { hasher.update(bufferPointer: $0) }
            hasher.update(bufferPointer: bytes)
        }
        func add(_ text: String?) {
            var present: UInt8 = text == nil ? 0 : 1
            withUnsafeBytes(of: &present) { hasher.update(bufferPointer: $0) }
            var copy = text ?? ""
            copy.withUTF8 { add(UnsafeRawBufferPointer($0)) }
        }
        func add(_ values: [Double]) {
            values.map(\.bitPattern.littleEndian).withUnsafeBytes { add($0) }
        }
        func key(_ benchmark: BenchmarkKey, _ metric: MetricDescriptor) -> [String] {
            [benchmark.name, benchmark.group, benchmark.params, metric.name, metric.unit, metric.direction.rawValue]
        }
        func precedes(_ a: [String], _ b: [String]) -> Bool {
            a.lexicographicallyPrecedes(b) { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
        add("hhbench content 2")
        for field in [sourceFormat, context.startedAt, context.finishedAt, context.tool, context.toolVersion, context.commandLine] { add(field) }
        for one in series.sorted(by: { precedes(key($0.benchmark, $0.metric), key($1.benchmark, $1.metric)) }) {
            add("S")
            key(one.benchmark, one.metric).forEach(add)
            add(one.values)
        }
        let given = measurements.filter { !$0.derived }
            .sorted { precedes(key($0.benchmark, $0.metric) + [String($0.value.bitPattern)], key($1.benchmark, $1.metric) + [String($1.value.bitPattern)]) }
        for one in given {
            add("M")
            key(one.benchmark, one.metric).forEach(add)
            add([one.value])
        }
        return Hex.string(hasher.finalize())
    }
}
