import Foundation
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
        let length = UInt32(bytes.count).bigEndian
        input.fileHandleForWriting.write(withUnsafeBytes(of: length) { Data($0) } + Data(bytes))
        let header = read(4)
        let size = header.reduce(0) { $0 << 8 | Int($1) }
        return String(decoding: read(size), as: UTF8.self)
    }

    private func read(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < count {
            guard let chunk = try? output.fileHandleForReading.read(upToCount: count - bytes.count), !chunk.isEmpty else {
                preconditionFailure("the tomllib oracle stopped answering")
            }
            bytes += chunk
        }
        return bytes
    }
}
