import Foundation
#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
private let systemWrite = Darwin.write
#endif
import TOML

/// Python's tomllib as a coprocess for the config target's differential check: started once a
/// fuzzing process when HHBENCH_TOMLLIB_ORACLE names Tests/tools/tomllib_oracle.py, then sent each
/// input (a 4-byte big-endian length and the bytes) for its answer in `TOMLTable.canonicalText`'s form.
final class TOMLOracle {
    nonisolated(unsafe) static let shared: TOMLOracle? = ProcessInfo.processInfo.environment["HHBENCH_TOMLLIB_ORACLE"].map(TOMLOracle.init)

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()

    private init(script: String) {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--pipe"]
        process.standardInput = input
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            preconditionFailure("cannot start \(script): \(error)")
        }
    }

    /// tomllib's answer: canonical text, "reject", "big" or "skip".
    func answer(_ bytes: [UInt8]) -> String {
        let length = UInt32(bytes.count)
        write([UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + bytes)
        let header = read(4)
        let size = header.reduce(0) { $0 << 8 | Int($1) }
        return String(decoding: read(size), as: UTF8.self)
    }

    // Plain read(2) and write(2), again on EINTR: libFuzzer's timer signal interrupts them, and
    // FileHandle reports that as an error.
    private func write(_ bytes: [UInt8]) {
        let descriptor = input.fileHandleForWriting.fileDescriptor
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            precondition(count > 0, "the tomllib oracle stopped reading (errno \(errno))")
            written += count
        }
    }

    private func read(_ count: Int) -> [UInt8] {
        let descriptor = output.fileHandleForReading.fileDescriptor
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes[filled...].withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            precondition(got > 0, "the tomllib oracle stopped answering (errno \(errno))")
            filled += got
        }
        return bytes
    }
}
