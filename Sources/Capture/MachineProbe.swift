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
            return String(line.dropFirst("PRETTY_NAME=".count).trimmed { $0 == "\"" || $0 == "'" })
        }
        return nil
    }

    static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmed { $0 == " " || $0 == "\t" }
            if key == "model name" || key == "Model" || key == "cpu model" {
                return String(parts[1].trimmed { $0 == " " || $0 == "\t" })
            }
        }
        return nil
    }
}
