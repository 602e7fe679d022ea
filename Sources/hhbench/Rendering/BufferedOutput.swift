import Foundation

/// Standard output in 64 KB writes, for commands that stream many lines (`export`): one write
/// call per line would cost more than formatting it.
struct BufferedOutput {
    private var buffer: [UInt8] = []
    private static let limit = 1 << 16

    init() { buffer.reserveCapacity(Self.limit + 4096) }

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.limit { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
