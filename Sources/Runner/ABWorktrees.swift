import Capture
import Foundation
import Records

/// Why an `ab` session cannot go on: a commit that does not build, a bench command that fails or
/// writes nothing readable. Exit 2; the message names the commit and gives the output's end.
package struct ABFailure: Error, CustomStringConvertible {
    package let message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

/// One git worktree per commit under `.hhbench/worktrees/<sha>`, reused by sha (a second `ab`
/// on the same commit builds in place, incrementally) and removed at the end unless kept.
package struct ABWorktrees: Sendable {
    /// The repository's top level and the folder the worktrees go in.
    package let repository: String
    package let root: String

    package init(repository: String) {
        self.repository = repository
        root = (repository as NSString).appendingPathComponent(".hhbench/worktrees")
    }

    /// The worktree of `sha`, checked out (detached) when it is not there yet.
    package func prepare(_ sha: String) throws -> String {
        let path = (root as NSString).appendingPathComponent(sha)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            let checked = try? ChildProcess.run(["git", "-C", path, "rev-parse", "HEAD"])
            if checked?.status == 0, checked?.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == sha { return path }
            _ = try? ChildProcess.run(["git", "-C", repository, "worktree", "remove", "--force", path])
        }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // .hhbench is hhbench's own: git status stays clean with worktrees inside it, whatever --db says.
        let ignore = ((root as NSString).deletingLastPathComponent as NSString).appendingPathComponent(".gitignore")
        if !FileManager.default.fileExists(atPath: ignore) { FileManager.default.createFile(atPath: ignore, contents: Data("*\n".utf8)) }
        _ = try? ChildProcess.run(["git", "-C", repository, "worktree", "prune"])
        let added = try ChildProcess.run(["git", "-C", repository, "worktree", "add", "--detach", "--force", path, sha])
        guard added.status == 0 else {
            throw ABFailure("cannot check out \(sha.prefix(10)) in \(path): \(Self.tail(added.stderrText, lines: 5)). "
                            + "Check that the commit exists and the disk has room")
        }
        return path
    }

    /// Removes the worktree of `sha` (and git's record of it).
    package func remove(_ sha: String) {
        let path = (root as NSString).appendingPathComponent(sha)
        _ = try? ChildProcess.run(["git", "-C", repository, "worktree", "remove", "--force", path])
        _ = try? ChildProcess.run(["git", "-C", repository, "worktree", "prune"])
    }

    /// Runs `command` through /bin/sh in `folder`, the worktree's commit in `HHBENCH_AB_COMMIT`;
    /// a failure names the commit and the step, with the last lines of the output.
    /// `cpus` (a `taskset -c` list) pins it to those CPUs.
    package static func shell(_ command: String, in folder: String, commit: String, step: String, cpus: String? = nil,
                              environment extra: [String: String] = [:]) throws -> ChildProcess.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["HHBENCH_AB_COMMIT"] = commit
        for (key, value) in extra { environment[key] = value }
        // The folder and the command are arguments of the script, never spliced into it.
        let script = ["/bin/sh", "-c", "cd \"$1\" || exit 126; exec /bin/sh -c \"$2\"", "sh", folder, command]
        let result = try ChildProcess.run((cpus.map { ["taskset", "-c", $0] } ?? []) + script, environment: environment)
        guard result.status == 0 else {
            let output = tail(result.stderrText + (result.stderrText.isEmpty ? result.stdoutText : ""), lines: 15)
            throw ABFailure("the \(step) command failed at \(commit.prefix(10)) (exit \(result.status)): \(Printable.escaped(command))"
                            + (output.isEmpty ? "" : "\n" + output) + "\nRun it by hand in \(folder) to see why (--keep-worktrees keeps the folder)")
        }
        return result
    }

    /// The last `lines` lines of `text`.
    static func tail(_ text: String, lines: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines + 1).joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Duet benchmarking (Bulej et al., ICPE 2020): base and head at the same time, each pinned to
/// its own half of the CPUs, so both see the same moment of the machine.
package enum ABDuet {
    /// Two disjoint `taskset -c` lists covering the CPUs this process may use; fewer than two
    /// CPUs cannot hold a duet.
    package static func cpuHalves() -> [String] {
        let cpus = allowedCPUs() ?? Array(0..<ProcessInfo.processInfo.activeProcessorCount)
        let half = max(1, cpus.count / 2)
        return [cpus.prefix(half), cpus.dropFirst(half)].map { $0.map(String.init).joined(separator: ",") }
    }

    /// The CPUs this process may run on, from `Cpus_allowed_list` in /proc/self/status ("0-3,6").
    static func allowedCPUs() -> [Int]? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return nil }
        var cpus: [Int] = []
        for part in line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces).split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            if bounds.count == 1 { cpus.append(bounds[0]) } else if bounds.count == 2, bounds[0] <= bounds[1] { cpus += Array(bounds[0]...bounds[1]) }
        }
        return cpus.isEmpty ? nil : cpus
    }

    /// `body(0)` and `body(1)` on two threads at once, their results in order.
    package static func both<T: Sendable>(_ body: @escaping @Sendable (Int) -> T) -> [T] {
        let results = Results<T>()
        let group = DispatchGroup()
        for index in 0..<2 {
            group.enter()
            Thread.detachNewThread {
                results.set(index, body(index))
                group.leave()
            }
        }
        group.wait()
        return results.values()
    }

    private final class Results<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [Int: T] = [:]
        func set(_ index: Int, _ value: T) { lock.withLock { stored[index] = value } }
        func values() -> [T] { lock.withLock { (0..<2).map { stored[$0]! } } }
    }
}
