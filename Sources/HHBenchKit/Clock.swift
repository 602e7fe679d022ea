import CMeasure
import Foundation

/// The monotonic clock in nanoseconds (CLOCK_MONOTONIC: immune to wall-clock changes; about 23 ns a
/// read through the vDSO on the development machine).
@inlinable
public func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
}

/// Keeps a value alive so the optimiser cannot remove the work that produced it.
@inline(never)
public func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// Memory of this process: resident set from /proc/self/statm, heap in use from mallinfo2().
public enum ProcessMemory {
    private static let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))

    /// Resident memory in MB.
    public static func residentMB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * pageSize / 1_048_576
    }

    /// Bytes the allocator has handed out and not got back (glibc mallinfo2 uordblks + hblkhd); NaN
    /// where the platform cannot say, so that memory figures are left out rather than reported as 0.
    public static func heapBytes() -> Double {
        hh_heap_measurable() != 0 ? Double(hh_heap_in_use()) : .nan
    }

    /// Resets the peak resident memory to the current one (Linux /proc/self/clear_refs "5"), so the
    /// next `peakResidentMB()` is the peak since now. Returns false where that is not possible.
    @discardableResult
    public static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// Peak resident memory of this process in MB (VmHWM).
    public static func peakResidentMB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}
