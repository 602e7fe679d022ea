import Foundation
import Testing

/// A PostgreSQL server that dies mid-write: `pg_ctl stop -m immediate` on a cluster of the test's
/// own while `record` or `merge` writes. The command ends within its deadline with exit 2 and
/// "the server went away", and the restarted server holds nothing of the run.
@Suite(.serialized) struct PostgresDeadlineTests {
    /// 200 benchmarks × 4,000 samples: long enough a write to stop the server in its middle.
    private func bigInput(_ folder: TemporaryFolder) throws -> String {
        var lines: [String] = []
        for benchmark in 0..<200 {
            let samples = (0..<4000).map { String(format: "%.4f", 10 + Double(($0 * 7919 + benchmark) % 1000) / 1000) }
            lines.append(#"{"benchmark":"b\#(benchmark)","metric":"time_ms","samples":[\#(samples.joined(separator: ","))]}"#)
        }
        return try folder.write("big.jsonl", lines.joined(separator: "\n") + "\n")
    }

    /// Starts hhbench, stops the server once a statement of it is active, and waits for hhbench.
    private func killServerDuring(_ arguments: [String], server: PostgresServer, database: String, folder: TemporaryFolder) throws
        -> (status: Int32, stderr: String, seconds: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: HHBenchBinary.path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HHBENCH_") && !Hermetic.ciVariables.contains($0.key) }
            .merging(["HHBENCH_PG_STATEMENT_DEADLINE": "8"]) { $1 }
        let errors = folder.file("stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: errors, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait until the command's session is mid-write: its transaction has written (has an xid).
        var active = false
        for _ in 0..<3000 where process.isRunning {
            let count = try server.psql("postgres", """
                SELECT count(*) FROM pg_stat_activity WHERE datname = '\(database)' AND backend_xid IS NOT NULL
                AND pid <> pg_backend_pid()
                """).trimmingCharacters(in: .whitespacesAndNewlines)
            if count != "0" { active = true; break }
        }
        try #require(active, "hhbench never had a write under way")
        try server.stopImmediately()
        let stopped = Date()
        while process.isRunning && Date().timeIntervalSince(stopped) < 30 { Thread.sleep(forTimeInterval: 0.05) }
        let seconds = Date().timeIntervalSince(stopped)
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try server.start()
            throw TestFailure("hhbench \(arguments.first ?? "") still waited 30 s after the server died (the hang)")
        }
        try server.start()
        return (process.terminationStatus, (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "", seconds)
    }

    @Test func aServerThatDiesMidWriteEndsTheCommandAndKeepsNothing() throws {
        let server = try PostgresServer()
        let folder = try TemporaryFolder()
        let input = try bigInput(folder)
        let small = try folder.write("small.jsonl", #"{"benchmark":"small","metric":"time_ms","value":1}"# + "\n")
        for attempt in 1...3 {
            let database = try server.createDatabase()
            let url = server.url(database)
            // The schema and one run first: the stop then falls in the big run's write.
            try #require(try hhbench(["record", "--db", url, small, "--commit", "abc123", "--branch", "main"], cwd: folder.path).status == 0)
            let result = try killServerDuring(["record", "--db", url, input, "--commit", "abc123", "--branch", "main"], server: server,
                                              database: database, folder: folder)
            #expect(result.status == 2, "attempt \(attempt): exit \(result.status): \(result.stderr)")
            #expect(result.stderr.contains("went away") || result.stderr.contains("no answer within"), "attempt \(attempt): \(result.stderr)")
            #expect(result.seconds < 12, "attempt \(attempt): ended \(result.seconds) s after the server died")
            #expect(!result.stderr.contains(PostgresServer.password))
            let runs = try server.psql(database, "SELECT count(*) FROM runs").trimmingCharacters(in: .whitespacesAndNewlines)
            let samples = try server.psql(database, "SELECT count(*) FROM sample_series").trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(runs == "1" && samples == "0", "attempt \(attempt): a partial run was kept: \(runs) runs, \(samples) series")
        }
        // merge into PostgreSQL, from a file with the big run.
        let file = folder.file("local.db")
        let recorded = try hhbench(["record", "--db", file, input, "--commit", "abc123", "--branch", "main"], cwd: folder.path)
        try #require(recorded.status == 0, "\(recorded.stderr)")
        let database = try server.createDatabase()
        try #require(try hhbench(["record", "--db", server.url(database), small, "--commit", "abc123", "--branch", "main"], cwd: folder.path).status == 0)
        let result = try killServerDuring(["merge", "--db", server.url(database), file], server: server, database: database, folder: folder)
        #expect(result.status == 2 && (result.stderr.contains("went away") || result.stderr.contains("no answer within")), "merge: \(result.stderr)")
        #expect(try server.psql(database, "SELECT count(*) FROM runs").trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }

    /// A URL hhbench would misread is exit 2 before anything is created.
    @Test func aURLLibpqWouldRefuseIsRefused() throws {
        let folder = try TemporaryFolder()
        let input = try folder.write("r.jsonl", #"{"benchmark":"b","metric":"time_ms","value":1}"# + "\n")
        for url in ["postgresql:user:PW@localhost/db", "postgresql://user@127.0.0.1:1/db?sslmod=verify-full",
                    "postgresql://user@127.0.0.1:1/db?SSLMODE=verify-full", "postgresql://user@127.0.0.1:1/db?sslmode=verify-fulll"] {
            let result = try hhbench(["record", "--db", url, input, "--commit", "abc", "--branch", "main"], cwd: folder.path)
            #expect(result.status == 2, "\(url): exit \(result.status) \(result.stderr)")
            #expect(!result.stderr.contains("PW"), "\(url): \(result.stderr)")
            let created = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            #expect(created == ["r.jsonl"], "\(url) created \(created)")
        }
    }
}
