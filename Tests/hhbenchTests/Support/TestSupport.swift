import Foundation
import GRDB
import Testing

/// A temporary folder, removed when the test ends.
final class TemporaryFolder {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("hhbench-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: target, atomically: true, encoding: .utf8)
        return target
    }
}

/// What a process did.
struct ProcessResult {
    let status: Int32
    let stdout: String
    let stderr: String
    /// Ended by a signal (a trap, an abort), `status` being the signal's number.
    var signaled = false
}

/// Runs a program and waits, feeding `input` to its standard input.
@discardableResult
func runProcess(_ executable: String, _ arguments: [String], cwd: String? = nil, environment: [String: String] = [:],
                input: String? = nil, inheritEnvironment: Bool = true) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    var env = inheritEnvironment ? ProcessInfo.processInfo.environment : [:]
    // Tests must not see the CI of whoever runs them unless they set it.
    for key in env.keys where Hermetic.ciVariables.contains(key) || key.hasPrefix("GITHUB_") || key.hasPrefix("HHBENCH_") {
        env.removeValue(forKey: key)
    }
    env.merge(environment) { _, new in new }
    process.environment = env
    let out = Pipe(), err = Pipe(), stdin = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(input.data(using: .utf8)!) }
    try stdin.fileHandleForWriting.close()
    // Read both pipes concurrently so a chatty child cannot block on a full pipe.
    let group = DispatchGroup()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self), signaled: process.terminationReason == .uncaughtSignal)
}

enum Hermetic {
    static let ciVariables: Set<String> = [
        "CI", "GITLAB_CI", "CI_JOB_URL", "CI_COMMIT_REF_NAME", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "BUILDKITE",
        "BUILDKITE_BRANCH", "BUILDKITE_BUILD_URL", "CIRCLECI", "JENKINS_URL", "TF_BUILD",
    ]
}

/// The built `hhbench` binary, beside the test bundle in the build folder.
enum HHBenchBinary {
    static let path: String = {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("hhbench").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../.build/debug/hhbench").standardized.path
        return fallback
    }()
}

/// Runs the built hhbench.
@discardableResult
func hhbench(_ arguments: [String], cwd: String? = nil, environment: [String: String] = [:], input: String? = nil) throws -> ProcessResult {
    try runProcess(HHBenchBinary.path, arguments, cwd: cwd, environment: environment, input: input)
}

/// A real git repository in a temporary folder.
final class GitRepository {
    let folder: TemporaryFolder
    var path: String { folder.path }

    init() throws {
        folder = try TemporaryFolder()
        try git("init", "-q", "-b", "main")
        try git("config", "user.name", "Test Author")
        try git("config", "user.email", "author@example.com")
        try git("config", "commit.gpgsign", "false")
    }

    @discardableResult
    func git(_ arguments: String...) throws -> String {
        let result = try runProcess("/usr/bin/env", ["git"] + arguments, cwd: path)
        guard result.status == 0 else { throw TestFailure("git \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Commits a change to `file` and returns the new sha.
    @discardableResult
    func commit(_ subject: String, file: String = "code.txt") throws -> String {
        let target = folder.file(file)
        let previous = (try? String(contentsOfFile: target, encoding: .utf8)) ?? ""
        try (previous + subject + "\n").write(toFile: target, atomically: true, encoding: .utf8)
        try git("add", file)
        try git("commit", "-q", "-m", subject)
        return try git("rev-parse", "HEAD")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A fixture file shipped with the tests.
func fixture(_ relativePath: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(relativePath).path
}

/// A file of this checkout (`README.md`, `queries/latest.sql`), or its root for "".
func repositoryFile(_ relativePath: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../" + relativePath).standardized.path
}

/// The README, as the tests that run or compare its text read it.
func readme() throws -> String {
    try String(contentsOfFile: repositoryFile("README.md"), encoding: .utf8)
}

/// The lines between `<!-- NAME -->` and `<!-- /NAME -->` in the README: a recipe a test runs as written.
func readmeBlock(_ name: String) throws -> [String] {
    let text = try readme()
    guard let start = text.range(of: "<!-- \(name) -->"), let end = text.range(of: "<!-- /\(name) -->") else {
        throw TestFailure("README has no \(name) block")
    }
    return text[start.upperBound..<end.lowerBound].split(separator: "\n").map(String.init)
}
