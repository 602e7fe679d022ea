import Capture
import Foundation

/// One branch of a git remote, read and written with git's plumbing in a scratch bare repository:
/// no work tree, no checkout, and nothing of the user's own clone touched. `sync` keeps the
/// history there and `report --publish` the site; any remote git can push to works (a path, file://,
/// ssh, https with the credentials git already has).
///
/// Only the branch's newest commit is fetched (`--depth 1`): what is needed is its tree. A commit
/// is made on top of it and pushed; a push that loses a race comes back as `.rejected`, and the
/// caller fetches again and rebuilds its commit on the new tip.
package final class HistoryBranch {
    /// The URL or path git is given.
    package let remote: String
    package let branch: String
    private let scratch: URL
    private var counter = 0

    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    package enum PushOutcome: Equatable { case pushed, rejected(String) }

    /// `remote` is a URL or path, or the name of a remote of the git repository at `directory`:
    /// then its URL, with the credentials that repository's config gives it (`http.*.extraheader`,
    /// as actions/checkout leaves them), so a CI job pushes with the token it checked out with.
    package init(remote: String, branch: String, directory: String = FileManager.default.currentDirectoryPath) throws {
        self.branch = branch
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hhbench-branch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let named = Self.namedRemote(remote, in: directory)
        self.remote = named?.url ?? remote
        _ = try git(["init", "--bare", "-q", scratch.appendingPathComponent("repo.git").path], inRepository: false)
        for (key, value) in named?.configuration ?? [] { _ = try git(["config", "--add", key, value]) }
    }

    /// A remote's URL and credential settings when `name` is one of the repository's remotes.
    private static func namedRemote(_ name: String, in directory: String) -> (url: String, configuration: [(String, String)])? {
        guard !name.contains("/"), !name.contains(":"),
              let result = try? ChildProcess.run(["git", "-C", directory, "remote", "get-url", name], environment: environment),
              result.status == 0 else { return nil }
        let url = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let settings = (try? ChildProcess.run(["git", "-C", directory, "config", "--get-regexp", "-z", #"^http\..*extraheader$"#],
                                              environment: environment))?.stdoutText ?? ""
        // -z: "key\nvalue\0" a setting.
        let configuration = settings.split(separator: "\0").compactMap { (entry: Substring) -> (String, String)? in
            let parts = entry.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }
        return (url, configuration)
    }

    deinit { try? FileManager.default.removeItem(at: scratch) }

    private var repository: String { scratch.appendingPathComponent("repo.git").path }

    /// The remote's name in messages: a URL's password is never printed.
    package var remoteName: String {
        guard var parts = URLComponents(string: remote), parts.password != nil else { return remote }
        parts.password = "***"
        return parts.string ?? remote
    }

    /// Fetches the branch's newest commit; nil when the remote has no such branch yet.
    package func fetchTip() throws -> String? {
        let listed = try git(["ls-remote", "--heads", remote, "refs/heads/" + branch], what: "read \(remoteName)")
        guard !listed.isEmpty else { return nil }
        _ = try git(["fetch", "-q", "--no-tags", "--depth=1", remote, "+refs/heads/\(branch):refs/hhbench/tip"],
                    what: "fetch branch \(branch) of \(remoteName)")
        return try git(["rev-parse", "refs/hhbench/tip"])
    }

    /// Every file of a commit's tree under `folder` (all of it for ""): path → blob id.
    package func files(at commit: String, under folder: String = "") throws -> [String: String] {
        let listing = try git(["ls-tree", "-r", "-z", "--full-tree", commit] + (folder.isEmpty ? [] : ["--", folder]))
        var files: [String: String] = [:]
        for entry in listing.split(separator: "\0") {
            // "<mode> blob <id>\t<path>"
            guard let tab = entry.firstIndex(of: "\t") else { continue }
            let fields = entry[..<tab].split(separator: " ")
            guard fields.count == 3, fields[1] == "blob" else { continue }
            files[String(entry[entry.index(after: tab)...])] = String(fields[2])
        }
        return files
    }

    /// The size in bytes of every file of a commit's tree under `folder`: path → bytes.
    package func sizes(at commit: String, under folder: String) throws -> [String: Int] {
        let listing = try git(["ls-tree", "-r", "-l", "-z", "--full-tree", commit, "--", folder])
        var sizes: [String: Int] = [:]
        for entry in listing.split(separator: "\0") {
            // "<mode> blob <id> <size>\t<path>", the size right-aligned.
            guard let tab = entry.firstIndex(of: "\t") else { continue }
            let fields = entry[..<tab].split(separator: " ")
            guard fields.count == 4, let size = Int(fields[3]) else { continue }
            sizes[String(entry[entry.index(after: tab)...])] = size
        }
        return sizes
    }

    /// The bytes of these blobs, in order, through one `git cat-file --batch`.
    package func read(blobs: [String]) throws -> [[UInt8]] {
        guard !blobs.isEmpty else { return [] }
        let request = try scratchFile(blobs.joined(separator: "\n") + "\n")
        let result = try ChildProcess.run(["git", "-C", repository, "cat-file", "--batch"], environment: Self.environment, input: request)
        guard result.status == 0 else { throw Failure(description: "git cat-file failed: \(result.stderrText)") }
        var contents: [[UInt8]] = []
        var index = result.stdout.startIndex
        let output = result.stdout
        for blob in blobs {
            // "<id> blob <size>\n<bytes>\n", or "<id> missing\n".
            guard let newline = output[index...].firstIndex(of: UInt8(ascii: "\n")) else { throw Failure(description: "git cat-file stopped early") }
            let header = String(decoding: output[index..<newline], as: UTF8.self).split(separator: " ")
            guard header.count == 3, let size = Int(header[2]) else { throw Failure(description: "blob \(blob) is missing from the fetched branch") }
            let start = newline + 1
            contents.append(Array(output[start..<start + size]))
            index = start + size + 1
        }
        return contents
    }

    /// A commit on top of `parent` (none: the branch's first) whose tree is the parent's with the
    /// files of `removing` (and every file under a folder ending in "/") gone and `adding` written.
    package func commit(parent: String?, adding: [(path: String, bytes: [UInt8])], removing: [String] = [],
                        message: String) throws -> String {
        let folder = scratch.appendingPathComponent("add-\(nextNumber())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var paths: [String] = []
        for (number, file) in adding.enumerated() {
            let path = folder.appendingPathComponent(String(number)).path
            guard FileManager.default.createFile(atPath: path, contents: Data(file.bytes)) else {
                throw Failure(description: "cannot write \(path)")
            }
            paths.append(path)
        }
        let blobs = paths.isEmpty ? [] : try git(["hash-object", "-w", "--stdin-paths"], input: scratchFile(paths.joined(separator: "\n") + "\n"))
            .split(separator: "\n").map(String.init)
        guard blobs.count == adding.count else { throw Failure(description: "git hash-object wrote \(blobs.count) of \(adding.count) files") }
        var index = Self.environment
        index["GIT_INDEX_FILE"] = folder.path + ".index"
        defer { try? FileManager.default.removeItem(atPath: folder.path + ".index") }
        _ = try git(parent.map { ["read-tree", $0] } ?? ["read-tree", "--empty"], environment: index)
        var removed = removing.filter { !$0.hasSuffix("/") }
        for prefix in removing where prefix.hasSuffix("/") {
            if let parent { removed += try files(at: parent, under: prefix).keys }
        }
        // One --index-info list: a mode of 0 removes a path, a blob line adds or replaces one.
        var lines = removed.map { "0 0000000000000000000000000000000000000000\t\($0)" }
        lines += zip(adding, blobs).map { "100644 \($1)\t\($0.path)" }
        if !lines.isEmpty {
            _ = try git(["update-index", "--add", "--remove", "--index-info"], input: scratchFile(lines.joined(separator: "\n") + "\n"), environment: index)
        }
        let tree = try git(["write-tree"], environment: index)
        var identity = Self.environment
        for (key, value) in [("GIT_AUTHOR_NAME", "hhbench"), ("GIT_AUTHOR_EMAIL", "hhbench@localhost"),
                             ("GIT_COMMITTER_NAME", "hhbench"), ("GIT_COMMITTER_EMAIL", "hhbench@localhost")] where identity[key] == nil {
            identity[key] = value
        }
        return try git(["commit-tree", tree] + (parent.map { ["-p", $0] } ?? []) + ["-m", message], environment: identity)
    }

    /// The tree a commit points at.
    package func treeOf(_ commit: String) throws -> String { try git(["rev-parse", commit + "^{tree}"]) }

    /// Pushes `commit` as the branch. A push refused because the branch moved (another job
    /// pushed first) is `.rejected`; every other failure is thrown with git's words.
    package func push(_ commit: String) throws -> PushOutcome {
        let result = try ChildProcess.run(["git", "-C", repository, "push", "-q", "--porcelain", remote, "\(commit):refs/heads/\(branch)"],
                                          environment: Self.environment)
        if result.status == 0 { return .pushed }
        let said = (result.stdoutText + result.stderrText).trimmingCharacters(in: .whitespacesAndNewlines)
        // A lost race: "[rejected] … (fetch first)", "(non-fast-forward)", or a server that lost the
        // ref lock to a concurrent push: "[remote rejected] … (failed to update ref)" / "cannot lock ref".
        if said.contains("[rejected]") || said.contains("non-fast-forward") || said.contains("fetch first")
            || said.contains("failed to update ref") || said.contains("cannot lock ref") || said.contains("incorrect old value") {
            return .rejected(said)
        }
        throw Failure(description: "cannot push to branch \(branch) of \(remoteName): \(said)")
    }

    private func nextNumber() -> Int { counter += 1; return counter }

    private func scratchFile(_ text: String) throws -> String {
        let path = scratch.appendingPathComponent("input-\(nextNumber())").path
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { throw Failure(description: "cannot write \(path)") }
        return path
    }

    private static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C"
        environment["GIT_TERMINAL_PROMPT"] = "0"  // a remote asking for a password fails instead of waiting
        return environment
    }

    private func git(_ arguments: [String], input: String = "/dev/null", environment: [String: String]? = nil,
                     inRepository: Bool = true, what: String? = nil) throws -> String {
        let command = ["git"] + (inRepository ? ["-C", repository] : []) + arguments
        let result: ChildProcess.Result
        do {
            result = try ChildProcess.run(command, environment: environment ?? Self.environment, input: input)
        } catch {
            throw Failure(description: "\(error); hhbench needs git on PATH (apt-get install git)")
        }
        guard result.status == 0 else {
            let said = result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(description: "cannot \(what ?? "run git \(arguments.first ?? "")"): \(said.isEmpty ? "git exited \(result.status)" : said)")
        }
        return result.stdoutText.trimmingCharacters(in: .newlines)
    }
}
