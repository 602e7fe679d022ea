import CMeasure
import Foundation

/// Runs a short-lived helper program (git) with `posix_spawn` and collects its output and exit status.
///
/// Foundation's `Process` costs about 50 ms a launch on Linux (it walks every possible file
/// descriptor); `posix_spawn` costs well under one, which matters for hhbench's many short git
/// calls. (Commands being benchmarked are run by `hh_measure` in CMeasure, which also measures them.)
package enum ChildProcess {
    package struct Result: Sendable {
        /// The exit code, or 128 + the signal number when a signal ended the child.
        package let status: Int32
        package let stdout: [UInt8]
        package let stderr: [UInt8]

        package var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        package var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    package struct LaunchFailure: Error, CustomStringConvertible {
        package let program: String
        package let code: Int32
        package var description: String { "cannot start '\(program)': \(String(cString: strerror(code)))" }
    }

    /// A pipe whose ends close on exec, so no other child inherits them.
    private static func makePipe(_ program: String) throws -> [Int32] {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw LaunchFailure(program: program, code: errno) }
        for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return ends
    }

    /// Runs `arguments[0]` (searched on PATH) with the rest as its arguments, standard input from
    /// `input` (a file; /dev/null by default), and waits for it.
    package static func run(_ arguments: [String], environment: [String: String]? = nil, input: String = "/dev/null") throws -> Result {
        precondition(!arguments.isEmpty)
        var outPipe = try makePipe(arguments[0])
        var errPipe = try makePipe(arguments[0])
        defer { for fd in outPipe + errPipe where fd >= 0 { close(fd) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        // Nothing else reaches the child, close-on-exec or not (glibc 2.34+; elsewhere our own
        // descriptors are close-on-exec and a library's may leak).
        _ = hh_spawn_close_from(&actions, 3)
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
        let spawned: Int32 = environmentStrings.map { envp in
            posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        } ?? posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw LaunchFailure(program: arguments[0], code: spawned) }

        // Close our copies of the write ends, then drain both pipes together so neither fills up.
        close(outPipe[1]); outPipe[1] = -1
        close(errPipe[1]); errPipe[1] = -1
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
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7F == 0
        return Result(status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), stdout: collected[0], stderr: collected[1])
    }
}
