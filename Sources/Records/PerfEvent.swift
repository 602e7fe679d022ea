import Foundation

/// One perf_event_open event: its type and config (linux/perf_event.h).
public struct PerfEvent: Hashable, Sendable {
    public let type: UInt32
    public let config: UInt64

    public init(type: UInt32, config: UInt64) {
        self.type = type
        self.config = config
    }

    // PERF_TYPE_HARDWARE = 0, PERF_TYPE_SOFTWARE = 1; the configs are PERF_COUNT_HW_* and PERF_COUNT_SW_*.
    public static let instructions = PerfEvent(type: 0, config: 1)
    public static let cycles = PerfEvent(type: 0, config: 0)
    public static let cacheReferences = PerfEvent(type: 0, config: 2)
    public static let cacheMisses = PerfEvent(type: 0, config: 3)
    public static let pageFaults = PerfEvent(type: 1, config: 2)

    /// perf_event_open's errno in words, with what would change it.
    public static func explain(_ code: Int32) -> String {
        let name = String(cString: strerror(code))
        switch code {
        case ENOENT, EOPNOTSUPP, ENODEV:
            return "perf_event_open refused (\(name)): this machine exposes no such hardware counter (a VM without a virtual PMU does not)"
        case EACCES, EPERM:
            let paranoid = (try? String(contentsOfFile: "/proc/sys/kernel/perf_event_paranoid", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            return "perf_event_open refused (\(name)): kernel.perf_event_paranoid is \(paranoid); counting your own "
                + "processes needs 2 or less (sudo sysctl kernel.perf_event_paranoid=2), and in a container the seccomp profile must allow it"
        case ENOSYS:
            return "perf_event_open is not available on this system"
        default:
            return "perf_event_open refused (\(name))"
        }
    }
}
