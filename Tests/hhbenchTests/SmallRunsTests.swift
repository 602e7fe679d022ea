import Foundation
import Testing

/// Cheap small runs: folders and lists of files as one batch, and git asked once per question,
/// counted through a wrapper that logs every git the built binary starts (then runs the real one).
@Suite struct SmallRunsTests {
    /// A folder with a `git` that appends its arguments to `log` and hands over to /usr/bin/git.
    func loggingGit(_ folder: TemporaryFolder) throws -> (path: String, log: String) {
        let bin = folder.file("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let log = folder.file("git.log")
        let wrapper = (bin as NSString).appendingPathComponent("git")
        try "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '\(log)'\nexec /usr/bin/git \"$@\"\n".write(toFile: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
        return (bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), log)
    }

    func calls(_ log: String) -> [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func aFolderAndAListAreOneBatchInNameOrder() throws {
        let folder = try TemporaryFolder()
        let legacy = folder.file("legacy")
        try FileManager.default.createDirectory(atPath: legacy + "/nested", withIntermediateDirectories: true)
        for index in 0..<30 {
            _ = try folder.write("legacy/\(String(format: "%03d", 29 - index)).jsonl", """
                {"run":{"commit":{"sha":"\(String(format: "%040x", index + 1))"},"branch":"main"}}
                {"benchmark":"legacy/\(index)","metric":"overhead_ratio","value":\(index).5}

                """)
        }
        _ = try folder.write("legacy/.hidden.jsonl", "not json")
        _ = try folder.write("legacy/nested/skipped.jsonl", "not json either")
        let db = folder.file("h.db")
        let result = try hhbench(["record", "--db", db, legacy, "--format", "json"], cwd: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try scalar(db, "SELECT count(*) FROM runs") == 30)
        // In name order: 000.jsonl (written last, index 29) is run 1.
        #expect(try scalar(db, "SELECT m.value FROM hh_measurements m WHERE m.run_id = 1", as: Double.self) == 29.5)
        // A list of files, from a file or standard input; duplicates of the folder are skipped.
        let list = try folder.write("list.txt", "\(legacy)/000.jsonl\n\n\(legacy)/001.jsonl\n")
        let again = try hhbench(["record", "--db", db, "--files-from", list], cwd: folder.path)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.components(separatedBy: "skipped").count - 1 == 2, "\(again.stderr)")
        let piped = try hhbench(["record", "--db", db, "--files-from", "-", "--allow-duplicate"], cwd: folder.path,
                                input: "\(legacy)/002.jsonl\n")
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(try scalar(db, "SELECT count(*) FROM runs") == 31)
        // An empty folder is an error, not a read of standard input.
        try FileManager.default.createDirectory(atPath: folder.file("empty"), withIntermediateDirectories: true)
        let empty = try hhbench(["record", "--db", db, folder.file("empty")], cwd: folder.path)
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("the folder holds no result files"), "\(empty.stderr)")
    }

    @Test func oneBadFileInAFolderWritesNothing() throws {
        let folder = try TemporaryFolder()
        _ = try folder.write("in/a.jsonl", "{\"benchmark\":\"a\",\"metric\":\"time_ms\",\"value\":1}\n")
        _ = try folder.write("in/b.jsonl", "{\"benchmark\":\"b\",\"metric\":\"time_ms\",\"value\":\"x\"}\n")
        let db = folder.file("h.db")
        let result = try hhbench(["record", "--db", db, folder.file("in")], cwd: folder.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("b.jsonl"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db), "nothing is created when an input is bad")
    }

    @Test func recordingAtAKnownCommitAsksGitNothingAndANewOneOnce() throws {
        let repo = try GitRepository()
        for index in 0..<5 { try repo.commit("change \(index)") }
        let head = try repo.git("rev-parse", "HEAD")
        let (path, log) = try loggingGit(repo.folder)
        let db = repo.folder.file("h.db")
        let one = try repo.folder.write("one.jsonl", "{\"benchmark\":\"x\",\"metric\":\"ops\",\"value\":1}\n")
        func record(_ value: Int, commit: String) throws {
            try "{\"benchmark\":\"x\",\"metric\":\"ops\",\"value\":\(value)}\n".write(toFile: one, atomically: true, encoding: .utf8)
            let result = try hhbench(["record", "--db", db, "--commit", commit, "--branch", "main", one], cwd: repo.path,
                                     environment: ["PATH": path])
            #expect(result.status == 0, "\(result.stderr)")
        }
        try record(1, commit: head)
        // New to the warehouse: its parent is asked for, then (the parent being new too) the ancestry.
        #expect(calls(log).filter { $0.contains(" log ") }.count == 2, "\(calls(log))")
        #expect(try scalar(db, "SELECT count(*) FROM commits") == 5)
        try FileManager.default.removeItem(atPath: log)
        try record(2, commit: head)
        #expect(calls(log).isEmpty, "a commit the warehouse holds: \(calls(log))")
        let next = try repo.commit("change 5")
        try record(3, commit: next)
        #expect(calls(log).count == 1, "a new commit whose parent is known: one git call, \(calls(log))")
        #expect(try scalar(db, "SELECT first_parent FROM commits WHERE sha = '\(next)'", as: String.self) == head)
    }

    @Test func compareAndTrendAskGitEachQuestionOnce() throws {
        let repo = try GitRepository()
        let db = repo.folder.file("h.db")
        let file = repo.folder.file("r.jsonl")
        for index in 0..<8 {
            try repo.commit("change \(index)")
            let samples = (0..<5).map { "\(1.0 + Double(($0 * 7 + index) % 5) * 0.01)" }.joined(separator: ",")
            try "{\"benchmark\":\"b\",\"metric\":\"time_ms\",\"samples\":[\(samples)]}\n".write(toFile: file, atomically: true, encoding: .utf8)
            #expect(try hhbench(["record", "--db", db, file], cwd: repo.path).status == 0)
        }
        let (path, log) = try loggingGit(repo.folder)
        for arguments in [["compare", "--since", "main~3"], ["trend", "time_ms"], ["trend", "time_ms", "--branch", "main"]] {
            try? FileManager.default.removeItem(atPath: log)
            let result = try hhbench(arguments + ["--db", db], cwd: repo.path, environment: ["PATH": path])
            #expect([0, 1].contains(result.status), "\(arguments): \(result.stderr)")
            let asked = calls(log)
            #expect(Set(asked).count == asked.count, "\(arguments) asked git the same twice: \(asked)")
            #expect(asked.count <= 7, "\(arguments): \(asked)")
        }
    }
}
