import Foundation
import GRDB
import Records
import Testing

/// The reliability suite of issue 11: parallel writers, `kill -9`, a full disk, read commands on
/// databases they must not change, and hostile names through every output format. Everything
/// runs the built binary on real SQLite files.
@Suite(.serialized) struct ReliabilityTests {
    static let machine = ["--machine", "ci", "--branch", "main"]


    /// A garbled B-tree page: a writer refuses the file with exit 2 before writing, and leaves
    /// every byte as it was (`record` used to exit 0 beside the damage, which then stayed).
    @Test func aDamagedDatabaseIsRefusedAndLeftAsItWas() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("perf.db")
        for index in 0..<30 {
            let samples = (0..<200).map { String(Double(($0 * 31 + index) % 97) / 10 + 1) }.joined(separator: ",")
            let input = try folder.write("r\(index).jsonl", #"{"benchmark":"b\#(index % 7)","metric":"time_ms","samples":[\#(samples)]}"# + "\n")
            #expect(try hhbench(["record", "--db", db, input, "--commit", String(repeating: String(index % 10), count: 40), "--branch", "main"], cwd: folder.path).status == 0)
        }
        try runProcess("/usr/bin/sqlite3", [db, "PRAGMA wal_checkpoint(TRUNCATE)"])
        let pristine = try Data(contentsOf: URL(fileURLWithPath: db))
        let pageSize = 4096
        let pages = pristine.count / pageSize
        try #require(pages >= 8, "\(pages) pages")
        var seed: UInt64 = 6
        for trial in 0..<6 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let page = 2 + Int(seed >> 33) % (pages - 2)  // a page of some table or index, never the header
            var garbled = pristine
            for offset in 0..<16 { garbled[(page - 1) * pageSize + offset] = UInt8(truncatingIfNeeded: (seed >> UInt64(offset % 8 * 8)) ^ 0xA5) }
            try garbled.write(to: URL(fileURLWithPath: db))
            let input = try folder.write("new.jsonl", #"{"benchmark":"new","metric":"time_ms","samples":[1,2,3]}"# + "\n")
            let result = try hhbench(["record", "--db", db, input, "--commit", String(repeating: "f", count: 40), "--branch", "main"], cwd: folder.path)
            #expect(result.status == 2, "trial \(trial), page \(page): exit \(result.status) \(result.stdout) \(result.stderr)")
            #expect(result.stderr.contains("damaged"), "trial \(trial): \(result.stderr)")
            try? FileManager.default.removeItem(atPath: db + "-wal")
            #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == garbled, "trial \(trial): the damaged file was changed")
        }
    }
    @Test func parallelWritersKeepEveryRun() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("h.db")
        let writers = 8, each = 25
        for writer in 0..<writers {
            for index in 0..<each {
                try folder.write("w\(writer)-\(index).jsonl", "{\"benchmark\":\"w\(writer)\",\"metric\":\"time_ms\",\"samples\":[\(index),1,2]}")
            }
        }
        let processes = try (0..<writers).map { writer -> Process in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "for i in $(seq 0 \(each - 1)); do \"$0\" record w\(writer)-$i.jsonl --db h.db --commit c\(writer)x$i "
                                 + "--machine ci || exit 1; done", HHBenchBinary.path]
            process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in processes { process.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        #expect(try scalar(db, "SELECT count(*) FROM runs") == writers * each)
        #expect(try scalar(db, "PRAGMA integrity_check", as: String.self) == "ok")
    }

    /// Runs are whole or absent: every run's series hold all their samples, every measurement has
    /// its run, and SQLite finds no damage.
    func expectWholeRunsOnly(_ db: String, samplesPerRun: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try scalar(db, "PRAGMA integrity_check", as: String.self) == "ok", sourceLocation: sourceLocation)
        // Killed before the first migration committed: an empty SQLite file, which the next record migrates.
        guard try scalar(db, "SELECT count(*) FROM sqlite_master WHERE name = 'runs'") == 1 else { return }
        #expect(try scalar(db, "PRAGMA foreign_key_check", as: String.self) == nil, sourceLocation: sourceLocation)
        let partial = try scalar(db, """
            SELECT count(*) FROM runs r WHERE (SELECT coalesce(sum(count), 0) FROM sample_series s WHERE s.run_id = r.id) != \(samplesPerRun)
               OR NOT EXISTS (SELECT 1 FROM measurements m WHERE m.run_id = r.id)
            """)
        #expect(partial == 0, sourceLocation: sourceLocation)
    }

    @Test func killNineDuringRecordAndMergeLeavesWholeRunsOnly() throws {
        let folder = try TemporaryFolder()
        let samples = 200_000
        var line = "{\"benchmark\":\"big\",\"metric\":\"time_ms\",\"samples\":["
        line += (0..<samples).map { "\(1 + Double($0 % 997) / 1000)" }.joined(separator: ",") + "]}\n"
        let db = folder.file("h.db")
        var generator = SystemRandomNumberGenerator()
        var killed = 0
        for attempt in 0..<12 {
            let input = try folder.write("in\(attempt).jsonl", line + "{\"context\":{\"tags\":{\"attempt\":\"\(attempt)\"}}}\n")
            if try Self.killMidway(["record", input, "--db", db, "--commit", "c\(attempt)"] + Self.machine,
                                   after: UInt32.random(in: 20_000...400_000, using: &generator)) { killed += 1 }
            if FileManager.default.fileExists(atPath: db) { try expectWholeRunsOnly(db, samplesPerRun: samples) }
        }
        // Merges killed mid-way: the target keeps whole runs, and the source is untouched.
        let source = folder.file("source.db")
        for attempt in 0..<3 {
            let input = try folder.write("s\(attempt).jsonl", line + "{\"context\":{\"tags\":{\"source\":\"\(attempt)\"}}}\n")
            #expect(try hhbench(["record", input, "--db", source, "--commit", "s\(attempt)"] + Self.machine).status == 0)
        }
        let sourceBytes = try Data(contentsOf: URL(fileURLWithPath: source))
        for _ in 0..<8 {
            let target = folder.file("target.db")
            if try Self.killMidway(["merge", source, "--db", target], after: UInt32.random(in: 10_000...300_000, using: &generator)) {
                killed += 1
            }
            if FileManager.default.fileExists(atPath: target) { try expectWholeRunsOnly(target, samplesPerRun: samples) }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: source)) == sourceBytes)
        print("kill -9: \(killed) of 20 processes killed mid-way")
    }

    /// Starts hhbench, waits `microseconds`, and `kill -9`s it if it is still running (true then).
    static func killMidway(_ arguments: [String], after microseconds: UInt32) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: HHBenchBinary.path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(microseconds)
        let killed = process.isRunning
        if killed { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return killed
    }

    /// A tmpfs small enough to fill, when this process may mount one (root with CAP_SYS_ADMIN).
    static let smallDisk: String? = {
        guard getuid() == 0 else { return nil }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hhbench-full-\(UUID().uuidString)").path
        guard (try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)) != nil,
              let result = try? runProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", path]), result.status == 0
        else { return nil }
        return path
    }()

    @Test(.enabled(if: smallDisk != nil, "needs root to mount a small tmpfs; the full-disk check is skipped"))
    func aFullDiskWritesNothingPartial() throws {
        let disk = try #require(Self.smallDisk)
        defer { _ = try? runProcess("/bin/umount", [disk]) }
        let folder = try TemporaryFolder()
        let db = (disk as NSString).appendingPathComponent("h.db")
        let small = try folder.write("small.jsonl", "{\"benchmark\":\"b\",\"metric\":\"time_ms\",\"samples\":[1,2,3]}")
        #expect(try hhbench(["record", small, "--db", db, "--commit", "a"] + Self.machine).status == 0)
        // About 5.6 MB of full-precision samples spread over three decades (7 bytes each however
        // they are encoded): more than the 3 MB disk holds.
        let values = (0..<800_000).map { "\(1 + Double(($0 &* 7919) % 1_000_003) * 1e-3 + 1e-13)" }.joined(separator: ",")
        let large = try folder.write("large.jsonl", "{\"benchmark\":\"big\",\"metric\":\"time_ms\",\"samples\":[\(values)]}")
        let result = try hhbench(["record", large, "--db", db, "--commit", "b"] + Self.machine)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("disk is full"), "\(result.stderr)")
        #expect(!result.stderr.contains("SQLite error"), "\(result.stderr)")
        try expectWholeRunsOnly(db, samplesPerRun: 3)
        #expect(try scalar(db, "SELECT count(*) FROM runs") == 1)
    }

    // MARK: read commands change nothing

    static let readCommands: [[String]] = [
        ["query", "latest"], ["query", "budgets", "--fail-on", "rows"], ["runs"], ["show", "latest"], ["export"],
        ["export", "--format", "csv", "--samples"], ["trend", "time_ms", "--any-machine"], ["compare", "--against", "1", "--commit", "c2c2c2c2"],
    ]

    /// Runs `arguments` as the unprivileged user `nobody` when this is root (root ignores
    /// permissions, so a read-only file or folder would not be read-only to it), else as is.
    func hhbenchUnprivileged(_ arguments: [String], cwd: String) throws -> ProcessResult {
        guard getuid() == 0 else { return try hhbench(arguments, cwd: cwd) }
        let copy = (cwd as NSString).appendingPathComponent("../hhbench-\(UUID().uuidString)")
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: HHBenchBinary.path, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        return try runProcess("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", copy] + arguments, cwd: cwd,
                              environment: ["HOME": "/nonexistent"])
    }

    /// A warehouse with two runs at commits c1c1c1c1 and c2c2c2c2 on main.
    func makeWarehouse(in folder: TemporaryFolder, name: String = "h.db") throws -> String {
        let db = folder.file(name)
        for (commit, samples) in [("c1c1c1c1", "[1,1.1,0.9,1,1.05]"), ("c2c2c2c2", "[1.3,1.2,1.25,1.3,1.28]")] {
            let input = try folder.write("\(commit).jsonl", "{\"benchmark\":\"b\",\"metric\":\"time_ms\",\"samples\":\(samples)}")
            #expect(try hhbench(["record", input, "--db", db, "--commit", commit] + Self.machine).status == 0)
        }
        return db
    }

    func snapshot(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where !name.hasSuffix("-shm") && !name.hasSuffix("-wal") {
            var isDirectory: ObjCBool = false
            let path = (folder as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[name] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return files
    }

    @Test func readCommandsKeepTheJournalModeAndTheBytes() throws {
        let folder = try TemporaryFolder()
        let db = try makeWarehouse(in: folder)
        // A database someone switched to the DELETE journal stays in it.
        let queue = try DatabaseQueue(path: db)
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
        try queue.close()
        let before = try snapshot(folder.path)
        for command in Self.readCommands {
            let result = try hhbench(command + ["--db", db], cwd: folder.path)
            #expect([0, 1].contains(result.status), "\(command): \(result.stderr)")
        }
        #expect(try scalar(db, "PRAGMA journal_mode", as: String.self) == "delete")
        #expect(try snapshot(folder.path) == before)
    }

    @Test func readCommandsWorkOnReadOnlyFilesAndFolders() throws {
        let folder = try TemporaryFolder()
        let db = try makeWarehouse(in: folder)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        let locked = folder.file("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
        let inside = (locked as NSString).appendingPathComponent("h.db")
        try FileManager.default.copyItem(atPath: db, toPath: inside)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: inside)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: locked)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked) }
        let before = try snapshot(locked)
        for command in Self.readCommands {
            let result = try hhbenchUnprivileged(command + ["--db", inside], cwd: folder.path)
            #expect([0, 1].contains(result.status), "\(command): \(result.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: locked) == ["h.db"], "nothing created beside it")
        #expect(try snapshot(locked) == before)
        // Writing there is refused with a message that says so, not a raw SQLite error.
        let input = try folder.write("more.jsonl", "{\"benchmark\":\"b\",\"metric\":\"time_ms\",\"samples\":[1]}")
        let write = try hhbenchUnprivileged(["record", input, "--db", inside, "--commit", "c3"] + Self.machine, cwd: folder.path)
        #expect(write.status == 2)
        #expect(write.stderr.contains("read-only"), "\(write.stderr)")
        #expect(try snapshot(locked) == before)
    }

    @Test func foreignFilesAreRefusedUntouchedByEveryCommand() throws {
        let folder = try TemporaryFolder()
        let foreign = folder.file("app.db")
        let queue = try DatabaseQueue(path: foreign)
        try queue.write { try $0.execute(sql: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'ada')") }
        try queue.close()
        let text = try folder.write("notes.db", "just some text, not a database at all\n")
        let input = try folder.write("r.jsonl", "{\"benchmark\":\"b\",\"metric\":\"time_ms\",\"samples\":[1]}")
        let other = try makeWarehouse(in: folder, name: "other.db")
        for target in [foreign, text] {
            let before = try snapshot(folder.path)
            for command in Self.readCommands + [["record", input, "--commit", "x"] + Self.machine, ["merge", other],
                                                 ["import-baselines", fixture("perf-baseline/run1/performance_baselines.json")]] {
                let result = try hhbench(command + ["--db", target], cwd: folder.path)
                #expect(result.status == 2, "\(command) on \(target): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains("not an hhbench"), "\(command): \(result.stderr)")
            }
            // And as the source of a merge.
            let merged = try hhbench(["merge", target, "--db", folder.file("fresh.db")], cwd: folder.path)
            #expect(merged.status == 2, "\(merged.stderr)")
            try? FileManager.default.removeItem(atPath: folder.file("fresh.db"))
            #expect(try snapshot(folder.path) == before, "\(target) changed")
        }
    }

    // MARK: hostile names through every output format

    static let hostileNames = [
        "esc\u{1B}[31mred", "bel\u{07}ring", "cr\rover", "rtl\u{202E}txt.exe", "pipe|comma,quote\"", "</script><b>&amp;", "nl\nbreak",
        "del\u{7F}c1\u{85}", "tab\there",
    ]

    @Test func hostileNamesThroughEveryOutputFormat() throws {
        let repo = try GitRepository()
        let folder = repo.folder
        let db = folder.file("h.db")
        func lines(_ scale: Double) -> String {
            Self.hostileNames.map { name in
                var encoded = ""
                JSONValue.writeString(name, to: &encoded)
                return "{\"benchmark\":\(encoded),\"metric\":\"time_ms\",\"samples\":[\(scale),\(scale * 1.01),\(scale * 0.99),\(scale)]}"
            }.joined(separator: "\n") + "\n{\"context\":{\"tags\":{\"evil\\u001b\":\"\\u202evalue\"}}}\n"
        }
        try repo.commit("one")
        #expect(try hhbench(["record", try folder.write("a.jsonl", lines(1)), "--db", db] + Self.machine, cwd: repo.path).status == 0)
        try repo.commit("two")
        #expect(try hhbench(["record", try folder.write("b.jsonl", lines(2)), "--db", db] + Self.machine, cwd: repo.path).status == 0)

        var outputs: [(command: [String], kind: String, text: String)] = []
        let plans: [([String], [String])] = [
            (["runs"], ["table", "json", "csv", "markdown"]), (["show", "latest"], ["table", "json", "csv", "markdown"]),
            (["query", "latest"], ["table", "json", "csv", "markdown"]), (["compare", "--against", "1"], ["table", "json", "csv", "markdown"]),
            (["trend", "time_ms", "--any-machine"], ["text", "json", "csv", "markdown", "svg"]), (["export"], ["jsonl", "csv"]),
        ]
        for (command, formats) in plans {
            for format in formats {
                let result = try hhbench(command + ["--db", db, "--format", format], cwd: repo.path)
                #expect([0, 1].contains(result.status), "\(command) \(format): \(result.stderr)")
                outputs.append((command + [format], format, result.stdout))
                for scalar in result.stderr.unicodeScalars where Printable.isUnsafe(scalar) && scalar != "\n" {
                    Issue.record("\(command) \(format): raw U+\(String(scalar.value, radix: 16)) on stderr")
                }
            }
        }
        let exported = try hhbench(["export", "--format", "csv", "--samples", "--db", db], cwd: repo.path)
        outputs.append((["export", "csv", "--samples"], "csv", exported.stdout))

        for (command, kind, text) in outputs {
            switch kind {
            case "json":
                let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
                if command[0] != "runs" {
                    #expect(Self.strings(in: parsed).contains { Self.hostileNames.contains($0) }, "\(command): a name survives exactly")
                }
                try expectNoRawControls(text, command, allowing: ["\n"])
            case "jsonl":
                for line in text.split(separator: "\n") { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) }
                #expect(Self.hostileNames.allSatisfy { name in text.contains(Self.jsonText(name)) }, "\(command)")
            case "csv":
                let fields = try Self.pythonCSVFields(text)
                if command[0] != "runs" {
                    #expect(fields.contains { Self.hostileNames.contains($0) }, "\(command): a name survives exactly through Python's csv")
                }
            case "svg":
                try Self.pythonParsesXML(text)
                try expectNoRawControls(text, command, allowing: ["\n"])
            default:
                try expectNoRawControls(text, command, allowing: ["\n"])
            }
        }
        // The export reads back into the same names.
        let again = folder.file("again.db")
        let jsonl = try folder.write("export.jsonl", try #require(outputs.first { $0.kind == "jsonl" }).text)
        #expect(try hhbench(["record", jsonl, "--db", again], cwd: repo.path).status == 0)
        #expect(Set(try queryDatabase(again, "SELECT name FROM benchmarks").map { $0["name"] as String }) == Set(Self.hostileNames))
    }

    func expectNoRawControls(_ text: String, _ command: [String], allowing allowed: Set<Unicode.Scalar>,
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let raw = text.unicodeScalars.filter { Printable.isUnsafe($0) && !allowed.contains($0) }
        #expect(raw.isEmpty, "\(command): raw \(raw.map { "U+" + String($0.value, radix: 16) })", sourceLocation: sourceLocation)
    }

    static func jsonText(_ text: String) -> String {
        var out = ""
        JSONValue.writeString(text, to: &out)
        return out
    }

    static func strings(in value: Any) -> [String] {
        switch value {
        case let text as String: return [text]
        case let array as [Any]: return array.flatMap(strings(in:))
        case let object as [String: Any]: return object.keys.map { $0 } + object.values.flatMap(strings(in:))
        default: return []
        }
    }

    /// Every field of a CSV document, as Python's csv module reads it.
    static func pythonCSVFields(_ text: String) throws -> [String] {
        let result = try runProcess("/usr/bin/env", ["python3", "-c", """
            import csv, io, json, sys
            rows = list(csv.reader(io.StringIO(sys.stdin.read(), newline="")))
            widths = {len(r) for r in rows}
            assert len(widths) == 1, widths
            print(json.dumps([f for r in rows for f in r]))
            """], input: text)
        guard result.status == 0 else { throw TestFailure("python csv: \(result.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String] ?? []
    }

    static func pythonParsesXML(_ text: String) throws {
        let result = try runProcess("/usr/bin/env", ["python3", "-c", "import sys, xml.etree.ElementTree as E; E.fromstring(sys.stdin.buffer.read())"],
                                    input: text)
        guard result.status == 0 else { throw TestFailure("not well-formed XML: \(result.stderr)") }
    }
}
