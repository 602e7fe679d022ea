import Foundation
import Records
import Testing

/// A loopback HTTP receiver (Tests/tools/http_receiver.py) started for one test: it records every
/// request and can fail the first ones with 500.
final class LoopbackReceiver {
    let folder: TemporaryFolder
    let process: Process
    let port: Int

    init(failFirst: Int = 0) throws {
        folder = try TemporaryFolder()
        (process, port) = try startLoopbackScript("http_receiver.py", [folder.file("port"), folder.file("log.jsonl"), "--fail-first", String(failFirst)],
                                                  portFile: folder.file("port"))
    }

    // SIGKILL: a child started from a test thread inherits its blocked signals, SIGTERM among them.
    deinit { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }

    var url: String { "http://127.0.0.1:\(port)/hooks/perf-secret-token" }

    /// What it received, in order.
    func requests() throws -> [JSONValue] {
        guard let text = try? String(contentsOfFile: folder.file("log.jsonl"), encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }
}

/// `--notify` on compare and trend, against real HTTP receivers on loopback.
@Suite(.serialized) struct AlertTests {
    /// A feature branch whose "slow" benchmark is 30 % slower than main's.
    func regressedHistory(_ engine: Engine = .sqlite) throws -> CompareCommandTests.History {
        try CompareCommandTests().makeHistory(engine: engine, candidate: ["slow": 1.3, "steady": 1, "fast": 1])
    }

    @Test(arguments: Engine.allCases) func compareSendsOneAlertPerRegressionOncePerRun(engine: Engine) throws {
        let history = try regressedHistory(engine)
        let receiver = try LoopbackReceiver()
        let first = try hhbench(["compare", "--since", "main", "--db", history.db, "--notify", receiver.url], cwd: history.repo.path)
        #expect(first.status == 1, "\(first.stderr)")
        let received = try receiver.requests()
        try #require(received.count == 1, "\(received) \(first.stderr)")
        #expect(received[0]["method"]?.stringValue == "POST")
        #expect(received[0]["path"]?.stringValue == "/hooks/perf-secret-token")
        #expect(received[0]["content_type"]?.stringValue == "application/json")
        let alert = try JSONParser.parse(try #require(received[0]["body"]?.stringValue))
        #expect(alert["alert_type"]?.stringValue == "performance_regression")
        #expect(alert["test_name"]?.stringValue == "slow")
        #expect(alert["source"]?.stringValue == "hhbench")
        #expect(["high", "medium"].contains(alert["severity"]?.stringValue ?? ""))
        #expect(alert["timestamp"]?.stringValue.flatMap { Timestamp.normalize($0) } != nil)
        let details = try #require(alert["details"])
        #expect(details["metric"]?.stringValue == "time_ms")
        #expect(details["unit"]?.stringValue == "ms")
        #expect(details["commit"]?.stringValue == history.feature)
        #expect(details["branch"]?.stringValue == "feature")
        #expect(details["machine"]?.stringValue == "m1")
        let change = try #require(details["change_pct"]?.doubleValue)
        #expect(abs(change - 30) < 4)
        #expect(try #require(details["ci_low_pct"]?.doubleValue) < change && change < (try #require(details["ci_high_pct"]?.doubleValue)))
        #expect(try #require(details["baseline"]?.doubleValue) < (try #require(details["candidate"]?.doubleValue)))
        #expect(details["p_value"]?.doubleValue ?? 1 < 0.05)
        #expect(details["run_uuid"]?.stringValue?.count == 36)
        // The webhook's path is a secret: never printed.
        #expect(!first.stderr.contains("perf-secret-token"))
        #expect(try scalar(history.db, "SELECT count(*) FROM alert_deliveries WHERE http_status = 200") == 1)

        // The same runs again: nothing is sent twice, and the verdict's exit code is unchanged.
        let again = try hhbench(["compare", "--since", "main", "--db", history.db, "--notify", receiver.url], cwd: history.repo.path)
        #expect(again.status == 1)
        #expect(try receiver.requests().count == 1)
        #expect(again.stderr.contains("sent before"))
    }

    /// Several compares at once on one database (as parallel CI jobs do) send each alert once
    /// between them: the delivery is claimed in the warehouse before it is sent.
    @Test(arguments: Engine.allCases) func concurrentComparesSendEachAlertOnce(engine: Engine) throws {
        let history = try regressedHistory(engine)
        for round in 1...3 {
            let receiver = try LoopbackReceiver()  // a new destination: new alerts to send
            let processes = try (0..<4).map { _ in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: HHBenchBinary.path)
                process.arguments = ["compare", "--since", "main", "--db", history.db, "--notify", receiver.url]
                process.currentDirectoryURL = URL(fileURLWithPath: history.repo.path)
                process.environment = ProcessInfo.processInfo.environment.filter { key, _ in
                    !Hermetic.ciVariables.contains(key) && !key.hasPrefix("GITHUB_") && !key.hasPrefix("HHBENCH_")
                }
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                return process
            }
            for process in processes { try process.run() }
            for process in processes { process.waitUntilExit() }
            #expect(processes.allSatisfy { $0.terminationStatus == 1 }, "round \(round): \(processes.map(\.terminationStatus))")
            let received = try receiver.requests()
            #expect(received.count == 1, "round \(round): the one regression's alert arrived \(received.count) times")
        }
        #expect(try scalar(history.db, "SELECT count(*) FROM alert_deliveries WHERE http_status = 200") == 3)
    }

    @Test(arguments: Engine.allCases) func aReceiverThatFailsTwiceGetsTheAlertOnTheThirdAttempt(engine: Engine) throws {
        let history = try regressedHistory(engine)
        let receiver = try LoopbackReceiver(failFirst: 2)
        let result = try hhbench(["compare", "--since", "main", "--db", history.db, "--notify", receiver.url, "--notify-format", "slack"],
                                 cwd: history.repo.path)
        #expect(result.status == 1, "\(result.stderr)")
        let received = try receiver.requests()
        #expect(received.map { $0["status"]?.doubleValue } == [500, 500, 200])
        let message = try JSONParser.parse(try #require(received.last?["body"]?.stringValue))
        let text = try #require(message["text"]?.stringValue)
        #expect(text.hasPrefix("Performance regression: slow time_ms +"))
        #expect(text.contains(String(history.feature.prefix(10))))
        #expect(try scalar(history.db, "SELECT attempts FROM alert_deliveries") == 3)
    }

    @Test(arguments: Engine.allCases) func anUnreachableReceiverIsReportedAndTheExitCodeKeepsItsMeaning(engine: Engine) throws {
        let history = try regressedHistory(engine)
        // A port that was free a moment ago: nothing listens there.
        let port = try freeLoopbackPort()
        let url = "http://127.0.0.1:\(port)/hook"
        let unreachable = try hhbench(["compare", "--since", "main", "--db", history.db, "--notify", url], cwd: history.repo.path)
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("was not delivered to http://127.0.0.1:\(port)"), "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("after 4 attempt(s)"))
        #expect(try scalar(history.db, "SELECT count(*) FROM alert_deliveries WHERE http_status IS NULL") == 1)
        // Nothing to alert on: no request, exit 0.
        try history.repo.git("checkout", "-q", "main")
        let receiver = try LoopbackReceiver()
        let quiet = try hhbench(["compare", "--since", "main", "--db", history.db, "--notify", receiver.url, "--commit", history.main[4]],
                                cwd: history.repo.path)
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(try receiver.requests().isEmpty)
    }

    @Test func trendAlertsOnTheChangePointItBlames() throws {
        let history = try TrendCommandTests.History()
        let receiver = try LoopbackReceiver()
        let config = try history.repo.folder.write("hhbench.toml", """
            [alerts]
            notify_url = "\(receiver.url)"
            """)
        _ = config
        let result = try history.trend(["--fail-on", "regression", "--recent", "25", "--benchmark", "api"])
        #expect(result.status == 1, "\(result.stderr)")
        let received = try receiver.requests()
        try #require(received.count == 1, "\(received) \(result.stderr)")
        let alert = try JSONParser.parse(try #require(received[0]["body"]?.stringValue))
        #expect(alert["test_name"]?.stringValue == "api")
        #expect(alert["details"]?["metric"]?.stringValue == "p95_time_ms")
        let change = try #require(alert["details"]?["change_pct"]?.doubleValue)
        #expect(abs(change - 30) < 5)
        // The commit of the change point (commit 20 of the history).
        #expect(alert["details"]?["commit"]?.stringValue == history.recorded[16])
        #expect(alert["details"]?["branch"]?.stringValue == "main")
        // Once per change point.
        _ = try history.trend(["--fail-on", "regression", "--recent", "25", "--benchmark", "api"])
        #expect(try receiver.requests().count == 1)
    }

    @Test func notifyNeedsAURLAndTrendsFailOn() throws {
        let folder = try TemporaryFolder()
        let bad = try hhbench(["compare", "--db", folder.file("h.db"), "--notify", "file:///etc/passwd"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--notify 'file:///etc/passwd' is not an http:// or https:// URL"))
        let format = try hhbench(["compare", "--db", folder.file("h.db"), "--notify", "http://127.0.0.1:9/x", "--notify-format", "xml"])
        #expect(format.status == 2)
        let trend = try hhbench(["trend", "time_ms", "--db", folder.file("h.db"), "--notify", "http://127.0.0.1:9/x"])
        #expect(trend.status == 2)
        #expect(trend.stderr.contains("add --fail-on regression"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("h.db")))
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on (bound, read and released).
/// Starts one of Tests/tools' loopback servers with python3 and waits for the port it writes to `portFile`.
func startLoopbackScript(_ name: String, _ arguments: [String], portFile: String) throws -> (Process, Int) {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../tools/\(name)").standardized.path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script] + arguments
    try process.run()
    for _ in 0..<100 {
        if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let number = Int(text) { return (process, number) }
        Thread.sleep(forTimeInterval: 0.05)
    }
    process.terminate()
    throw TestFailure("\(name) did not start")
}

func freeLoopbackPort() throws -> Int {
    let result = try runProcess("/usr/bin/env", ["python3", "-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
    guard let port = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw TestFailure("no free port: \(result.stderr)") }
    return port
}
