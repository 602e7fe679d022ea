import Foundation
import Records

/// Reads what a run needs to know from the git repository around a folder, by running `git`.
///
/// A `Git` value (and its copies) asks git each question once: answers are kept for the value's
/// lifetime, which is one command's, so `compare` and `trend` start one git process per distinct
/// question however often their steps repeat it (a repository does not change under one command).
package struct Git: Sendable {
    package let directory: String
    private let answers = Answers()

    package init(directory: String = FileManager.default.currentDirectoryPath) {
        self.directory = directory
    }

    /// What git answered, by arguments: its output, or its failure.
    private final class Answers: @unchecked Sendable {
        private let lock = NSLock()
        private var outputs: [[String]: Result<String, Failure>] = [:]
        func answer(_ arguments: [String], _ ask: () throws -> String) throws -> String {
            if let known = lock.withLock({ outputs[arguments] }) { return try known.get() }
            let result: Result<String, Failure>
            do {
                result = .success(try ask())
            } catch let failure as Failure {
                result = .failure(failure)
            }
            lock.withLock { outputs[arguments] = result }
            return try result.get()
        }
    }

    /// Work-tree top levels by folder, for the whole process: the command line looks for
    /// hhbench.toml and the database there before the analysis asks the same.
    private static let topLevels = Answers()

    /// The top level of the work tree, or nil outside a repository (or without git).
    package var topLevel: String? {
        try? Self.topLevels.answer([directory]) { try ask(["rev-parse", "--show-toplevel"], trimming: true) }
    }

    /// Resolves a revision (branch, tag, remote ref, sha) to a full sha.
    package func resolve(_ revision: String) -> String? {
        try? run(["rev-parse", "--verify", "--quiet", revision + "^{commit}"])
    }

    /// The branch `origin/HEAD` points at (the remote's default branch, as `git clone` sets it),
    /// without the remote's name: `main` for `refs/remotes/origin/main`.
    package var remoteDefaultBranch: String? {
        guard let name = try? run(["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"]), name.hasPrefix("origin/") else {
            return nil
        }
        return String(name.dropFirst("origin/".count))
    }

    /// The commit `revision` names, with parents, author, time and subject.
    package func commit(_ revision: String = "HEAD") -> CommitInfo? {
        guard let line = try? run(["log", "-1", "--format=\(Self.commitFormat)", revision, "--"]) else { return nil }
        return Self.commitInfo(Substring(line))
    }

    /// sha, parents, author, email, committer time, subject: unit-separated, records separated.
    private static let commitFormat = "%H%x1f%P%x1f%an%x1f%ae%x1f%cI%x1f%s%x1e"

    /// One record of `commitFormat`, split by hand (Foundation's splitting costs milliseconds on
    /// first use, and recording one value must start fast).
    private static func commitInfo(_ record: Substring) -> CommitInfo? {
        let fields = record.trimmed { $0.isNewline || $0 == "\u{1E}" }.split(separator: "\u{1F}", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, !fields[0].isEmpty else { return nil }
        return CommitInfo(sha: String(fields[0]), parents: fields[1].split(separator: " ").map(String.init),
                          authorName: String(fields[2]), authorEmail: String(fields[3]),
                          committedAt: Timestamp.normalize(String(fields[4])), subject: String(fields[5]))
    }

    /// The current branch, nil on a detached HEAD.
    package var branch: String? { try? run(["symbolic-ref", "--short", "-q", "HEAD"]) }

    /// True when tracked files differ from HEAD (untracked files, such as the database, do not count).
    package var isDirty: Bool? {
        guard let status = try? run(["status", "--porcelain", "--untracked-files=no"], trimming: false) else { return nil }
        return !status.isEmpty
    }

    /// Up to `limit` first-parent ancestors of `revision` (not `revision` itself), newest first,
    /// with parents, author, time and subject.
    package func ancestry(of revision: String, limit: Int) -> [CommitInfo] {
        Array(history(revision, count: limit + 1).dropFirst())
    }

    /// The commit `revision` names (a sha, abbreviated or not, or any name git knows) and up to
    /// `limit` of its first-parent ancestors, in one git call; nil when git does not know it.
    package func commitWithAncestry(_ revision: String, limit: Int) -> (commit: CommitInfo, ancestry: [CommitInfo])? {
        let commits = history(revision, count: limit + 1)
        guard let first = commits.first else { return nil }
        return (first, Array(commits.dropFirst()))
    }

    /// True for a full 40-digit hexadecimal sha.
    package static func isFullSha(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// Of these full shas, those naming commits in the repository, in one `git cat-file
    /// --batch-check` call (the shas go through a temporary file as its standard input).
    package func commitsKnown(_ shas: [String]) -> Set<String> {
        let list = FileManager.default.temporaryDirectory.appendingPathComponent("hhbench-shas-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: list, contents: Data((shas.joined(separator: "\n") + "\n").utf8)) else { return Set(shas) }
        defer { try? FileManager.default.removeItem(atPath: list) }
        guard let text = try? ask(["cat-file", "--batch-check=%(objectname) %(objecttype)"], trimming: true, input: list) else {
            return Set(shas)  // git could not say: ask about each as needed
        }
        return Set(text.split(separator: "\n").compactMap { line in
            line.hasSuffix(" commit") ? String(line.prefix(40)) : nil
        })
    }

    private func history(_ revision: String, count: Int) -> [CommitInfo] {
        guard let text = try? run(["log", "--first-parent", "--max-count=\(count)", "--format=\(Self.commitFormat)", revision, "--"])
        else { return [] }
        return text.split(separator: "\u{1E}").compactMap(Self.commitInfo)
    }

    /// The first-parent history of `revision`, newest first, at most `limit` commits.
    package func firstParentHistory(_ revision: String, limit: Int? = nil) -> [String]? {
        var arguments = ["rev-list", "--first-parent"]
        if let limit { arguments.append("--max-count=\(limit)") }
        arguments += [revision, "--"]
        return (try? run(arguments))?.split(separator: "\n").map(String.init)
    }

    /// The best common ancestor of two revisions.
    package func mergeBase(_ a: String, _ b: String) -> String? {
        try? run(["merge-base", a, b])
    }

    package struct Failure: Error, CustomStringConvertible {
        package let arguments: [String]
        package let status: Int32
        package let message: String
        package var description: String { "git \(arguments.joined(separator: " ")) failed (\(status)): \(message)" }
    }

    /// Runs git in `directory` and returns its standard output (trimmed of the final newline);
    /// a question this value already asked is answered from memory.
    package func run(_ arguments: [String], trimming: Bool = true) throws -> String {
        try answers.answer(arguments + (trimming ? [] : ["(untrimmed)"])) { try ask(arguments, trimming: trimming) }
    }

    private func ask(_ arguments: [String], trimming: Bool, input: String = "/dev/null") throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_OPTIONAL_LOCKS"] = "0"  // status must not take the index lock of a busy repo
        environment["LC_ALL"] = "C"
        let result = try ChildProcess.run(["git", "-C", directory] + arguments, environment: environment, input: input)
        guard result.status == 0 else {
            throw Failure(arguments: arguments, status: result.status,
                          message: result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let text = result.stdoutText
        guard trimming else { return text }
        return String(Substring(text).trimmed { $0.isNewline })
    }
}
