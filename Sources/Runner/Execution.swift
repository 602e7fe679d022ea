import CMeasure
import Capture
import Foundation

/// One measured execution of a command.
package struct Execution: Sendable {
    package let wallNanoseconds: Int64
    package let userMicroseconds: Int64
    package let systemMicroseconds: Int64
    package let maxResidentKilobytes: Int
    package let exitCode: Int32
    /// False where the platform gives only rusage's peak, which can include the address space the
    /// command inherited from hhbench (every platform but Linux; see cmeasure_portable.c).
    package var memoryExact = true
}

/// Why a benchmark stopped.
package enum RunnerError: Error, CustomStringConvertible {
    case commandFailed(name: String, command: String, exitCode: Int32, run: Int)
    case hookFailed(hook: String, command: String, exitCode: Int32)
    case cannotStart(command: String, reason: String)
    /// A counted run (`--measure`) that could not be made or counted.
    case countingFailed(String)

    package var description: String {
        switch self {
        case let .commandFailed(name, command, code, run):
            return "command \(name == command ? command.debugDescription : "'\(name)' (\(command.debugDescription))") exited with \(code) "
                + "on run \(run); fix the command, or pass --ignore-failure to measure it anyway"
        case let .hookFailed(hook, command, code):
            return "the \(hook) command \(command.debugDescription) exited with \(code); fix it, the benchmark cannot go on"
        case let .cannotStart(command, reason):
            return "cannot run \(command.debugDescription): \(reason)"
        case let .countingFailed(message):
            return message
        }
    }
}

/// Runs commands the way `hhbench run` measures them: spawned with posix_spawn (so the child's
/// peak memory is its own, not hhbench's), standard input from /dev/null, output discarded
/// unless shown; without a shell unless one is named, in which case the shell's own start-up
/// cost (measured beforehand, as hyperfine does) is subtracted.
package struct Executor: Sendable {
    /// nil: split the command like a shell and run it directly.
    package let shell: String?
    package let showOutput: Bool
    /// The mean cost of starting the shell with an empty command, subtracted from every run.
    package private(set) var shellOverhead = Execution(wallNanoseconds: 0, userMicroseconds: 0, systemMicroseconds: 0,
                                                      maxResidentKilobytes: 0, exitCode: 0)

    package init(shell: String?, showOutput: Bool = false) {
        self.shell = shell
        self.showOutput = showOutput
    }

    /// Measures the shell's start-up on an empty command, `count` times, and keeps the means.
    package mutating func calibrateShell(count: Int = 50) throws {
        guard let shell else { return }
        var runs: [Execution] = []
        for _ in 0..<count { runs.append(try raw([shell, "-c", ""], label: "\(shell) -c ''")) }
        func mean(_ values: [Int64]) -> Int64 { values.reduce(0, +) / Int64(max(values.count, 1)) }
        shellOverhead = Execution(wallNanoseconds: mean(runs.map(\.wallNanoseconds)), userMicroseconds: mean(runs.map(\.userMicroseconds)),
                                  systemMicroseconds: mean(runs.map(\.systemMicroseconds)), maxResidentKilobytes: 0, exitCode: 0)
    }

    /// The argument vector for a command line.
    package func arguments(for command: String) throws -> [String] {
        if let shell { return [shell, "-c", command] }
        let words = try ShellWords.split(command)
        guard !words.isEmpty else { throw RunnerError.cannotStart(command: command, reason: "the command is empty") }
        return words
    }

    /// Runs `command` once and returns its measurement, less the shell's start-up when there is one.
    package func measure(_ command: String) throws -> Execution {
        let execution = try raw(try arguments(for: command), label: command)
        guard shell != nil else { return execution }
        return Execution(
            wallNanoseconds: max(0, execution.wallNanoseconds - shellOverhead.wallNanoseconds),
            userMicroseconds: max(0, execution.userMicroseconds - shellOverhead.userMicroseconds),
            systemMicroseconds: max(0, execution.systemMicroseconds - shellOverhead.systemMicroseconds),
            maxResidentKilobytes: execution.maxResidentKilobytes, exitCode: execution.exitCode, memoryExact: execution.memoryExact)
    }

    /// Runs a setup/prepare/conclude/cleanup hook through /bin/sh (hooks want shell syntax and are not measured).
    package func hook(_ kind: String, _ command: String) throws {
        let result = try raw(["/bin/sh", "-c", command], label: command)
        if result.exitCode != 0 { throw RunnerError.hookFailed(hook: kind, command: command, exitCode: result.exitCode) }
    }

    private func raw(_ arguments: [String], label: String) throws -> Execution {
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var measurement = hh_measurement()
        let output: Int32 = showOutput ? -1 : -2
        let status = argv.withUnsafeBufferPointer { buffer in
            hh_measure(arguments[0], buffer.baseAddress, environ, output, output, &measurement)
        }
        if status != 0 {
            let reason = measurement.launch_errno == ENOENT ? "'\(arguments[0])' is not on PATH" : String(cString: strerror(measurement.launch_errno))
            throw RunnerError.cannotStart(command: label, reason: reason)
        }
        return Execution(wallNanoseconds: Int64((measurement.wall_seconds * 1e9).rounded()),
                         userMicroseconds: Int64((measurement.user_seconds * 1e6).rounded()),
                         systemMicroseconds: Int64((measurement.system_seconds * 1e6).rounded()),
                         maxResidentKilobytes: measurement.max_rss_kb, exitCode: measurement.exit_code,
                         memoryExact: measurement.memory_exact != 0)
    }
}
