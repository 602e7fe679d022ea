import Foundation

/// Runs a program with `posix_spawn` and collects its output, exit status and resource usage.
///
/// Foundation's `Process` costs about 50 ms a launch on Linux (it walks every possible file
/// descriptor); `posix_spawn` costs well under one, which matters for hhbench's many short git
/// calls and for measuring commands. A spawned child also does not inherit hhbench's resident
/// memory in its `ru_maxrss`, as a forked one would (glibc spawns with CLONE_VFORK).
public enum ChildProcess {
    public struct Result: Sendable {
        /// The exit code, or 128 + the signal number when a signal ended the child.
        public let status: Int32
        public let stdout: [UInt8]
        public let stderr: [UInt8]
        /// User and system CPU time and peak resident memory of the child (from `wait4`).
        public let userSeconds: Double
        public let systemSeconds: Double
        public let maxResidentKilobytes: Int
        public let signaled: Bool
        /// Wall time from just before the spawn to the child's exit (monotonic clock).
        public let wallSeconds: Double

        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    public struct LaunchFailure: Error, CustomStringConvertible {
        public let program: String
        public let code: Int32
        public var description: String { "cannot start '\(program)': \(String(cString: strerror(code)))" }
    }

    public enum Output: Sendable {
        /// Collect into `Result.stdout` / `Result.stderr`.
        case capture
        /// Send to /dev/null.
        case discard
        /// Leave connected to hhbench's own stream.
        case inherit
    }

    /// CLOCK_MONOTONIC in seconds: immune to wall-clock adjustments.
    public static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// A pipe whose ends close on exec, so no other child inherits them.
    private static func makePipe(_ ends: inout [Int32], _ program: String) throws {
        guard pipe(&ends) == 0 else { throw LaunchFailure(program: program, code: errno) }
        for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    }

    /// Runs `arguments[0]` (searched on PATH) with the rest as its arguments and waits for it.
    public static func run(_ arguments: [String], environment: [String: String]? = nil,
                           stdout: Output = .capture, stderr: Output = .capture) throws -> Result {
        precondition(!arguments.isEmpty)
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        if case .capture = stdout { try makePipe(&outPipe, arguments[0]) }
        if case .capture = stderr { try makePipe(&errPipe, arguments[0]) }
        defer { for fd in outPipe + errPipe where fd >= 0 { close(fd) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (output, pipe, target) in [(stdout, outPipe, Int32(1)), (stderr, errPipe, Int32(2))] {
            switch output {
            case .capture: posix_spawn_file_actions_adddup2(&actions, pipe[1], target)
            case .discard: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            case .inherit: break
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling and an empty mask, whatever hhbench set.
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let environmentStrings = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for pointer in environmentStrings ?? [] { free(pointer) } }

        var pid: pid_t = 0
        let started = ChildProcess.monotonicSeconds()
        let spawned: Int32 = environmentStrings.map { envp in
            posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        } ?? posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw LaunchFailure(program: arguments[0], code: spawned) }

        // Close our copies of the write ends, then drain both pipes together so neither fills up.
        for index in [1] {
            if outPipe[index] >= 0 { close(outPipe[index]); outPipe[index] = -1 }
            if errPipe[index] >= 0 { close(errPipe[index]); errPipe[index] = -1 }
        }
        var collected: [[UInt8]] = [[], []]
        var open = [outPipe[0], errPipe[0]]
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while open.contains(where: { $0 >= 0 }) {
            var polls = open.filter { $0 >= 0 }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&polls, nfds_t(polls.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in polls where entry.revents != 0 {
                let slot = entry.fd == open[0] ? 0 : 1
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    collected[slot].append(contentsOf: buffer[0..<count])
                } else if count == 0 || errno != EINTR {
                    open[slot] = -1
                }
            }
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let wall = ChildProcess.monotonicSeconds() - started
        let exited = status & 0x7F == 0
        let code = exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return Result(status: code, stdout: collected[0], stderr: collected[1], userSeconds: seconds(usage.ru_utime),
                      systemSeconds: seconds(usage.ru_stime), maxResidentKilobytes: Int(usage.ru_maxrss), signaled: !exited,
                      wallSeconds: wall)
    }
}
