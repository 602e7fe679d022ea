import Foundation
import Records

/// Describes this machine from `uname`, `/proc/cpuinfo`, `/proc/meminfo` and `/etc/os-release`.
package enum MachineProbe {
    package static func current(name: String? = nil) -> MachineInfo {
        var system = utsname()
        uname(&system)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        }
        let hostname = field(system.nodename)
        return MachineInfo(
            name: name ?? hostname,
            hostname: hostname,
            os: osName() ?? field(system.sysname),
            kernel: "\(field(system.sysname)) \(field(system.release))",
            arch: field(system.machine),
            cpuModel: cpuModel(),
            cpuCores: ProcessInfo.processInfo.processorCount,
            memoryBytes: Int64(ProcessInfo.processInfo.physicalMemory))
    }

    static func osName() -> String? {
        guard let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return trimmed(line.dropFirst("PRETTY_NAME=".count)) { $0 == "\"" || $0 == "'" }
        }
        return nil
    }

    static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = trimmed(parts[0]) { $0 == " " || $0 == "\t" }
            if key == "model name" || key == "Model" || key == "cpu model" {
                return trimmed(parts[1]) { $0 == " " || $0 == "\t" }
            }
        }
        return nil
    }

    /// `text` without the leading and trailing characters `drop` names. By hand: Foundation's
    /// character sets cost milliseconds on first use, at every record's start.
    private static func trimmed(_ text: Substring, dropping drop: (Character) -> Bool) -> String {
        var text = text
        while let first = text.first, drop(first) { text.removeFirst() }
        while let last = text.last, drop(last) { text.removeLast() }
        return String(text)
    }
}
