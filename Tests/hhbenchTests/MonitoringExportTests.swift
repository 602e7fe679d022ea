import Foundation
import Records
import Testing

/// `export --format openmetrics` and `push` into Debian's Prometheus Pushgateway, started by the test on loopback.
@Suite(.serialized) struct MonitoringExportTests {
    static let pushgatewayBinary: String? = ["/usr/bin/prometheus-pushgateway", "/usr/local/bin/pushgateway", "/usr/bin/pushgateway"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Two machines, two runs on main (the newer value wins) and a name that needs escaping.
    func warehouse(_ folder: TemporaryFolder, engine: Engine = .sqlite) throws -> String {
        let db = try engine.newWarehouse(in: folder)
        let runs = [("m1", "c1", "2026-11-01T10:00:00Z", 10.0), ("m1", "c2", "2026-11-02T10:00:00Z", 12.5), ("m2", "c2", "2026-11-02T11:00:00Z", 20.0)]
        for (machine, commit, time, value) in runs {
            let input = try folder.write("r.jsonl", """
                {"context":{"recorded_at":"\(time)"}}
                {"benchmark":"api","metric":"p95_time_ms","value":\(value)}
                {"benchmark":"quote\\"back\\\\slash\\nline","metric":"error-rate","value":0.25,"unit":"ratio"}
                """)
            let result = try hhbench(["record", input, "--db", db, "--commit", commit, "--branch", "main", "--machine", machine])
            guard result.status == 0 else { throw TestFailure(result.stderr) }
        }
        return db
    }

    @Test(arguments: Engine.allCases) func openMetricsHasTheNewestValueOfEverySeriesWithEscapedLabels(engine: Engine) throws {
        let folder = try TemporaryFolder()
        let db = try warehouse(folder, engine: engine)
        let result = try hhbench(["export", "--db", db, "--format", "openmetrics"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.last == "# EOF")
        #expect(lines.contains("# TYPE hhbench_p95_time_ms gauge"))
        #expect(lines.contains(#"hhbench_p95_time_ms{benchmark="api",metric="p95_time_ms",unit="ms",branch="main",machine="m1"} 12.5"#))
        #expect(lines.contains(#"hhbench_p95_time_ms{benchmark="api",metric="p95_time_ms",unit="ms",branch="main",machine="m2"} 20"#))
        #expect(lines.contains(#"hhbench_error_rate{benchmark="quote\"back\\slash\nline",metric="error-rate",unit="ratio",branch="main",machine="m1"} 0.25"#))
        // Every sample line is name{labels} value, with a valid name.
        for line in lines where !line.hasPrefix("#") {
            #expect(line.wholeMatch(of: /[a-zA-Z_:][a-zA-Z0-9_:]*\{.*\} -?[0-9.e+-]+/) != nil, "\(line)")
        }
        let flags = try hhbench(["export", "--db", db, "--format", "openmetrics", "--samples"])
        #expect(flags.status == 2)
    }

    @Test(arguments: Engine.allCases) func pushSendsEveryMachinesGroupToARealPushgateway(engine: Engine) throws {
        guard let binary = Self.pushgatewayBinary else {
            throw TestFailure("prometheus-pushgateway is not installed (apt-get install prometheus-pushgateway; .ci/run installs it)")
        }
        let folder = try TemporaryFolder()
        let db = try warehouse(folder, engine: engine)
        let port = try freeLoopbackPort()
        let gateway = Process()
        gateway.executableURL = URL(fileURLWithPath: binary)
        // No persistence file: Debian's default would keep pushes across runs.
        gateway.arguments = ["--web.listen-address=127.0.0.1:\(port)", "--persistence.file="]
        gateway.standardOutput = FileHandle.nullDevice
        gateway.standardError = FileHandle.nullDevice
        try gateway.run()
        defer { kill(gateway.processIdentifier, SIGKILL); gateway.waitUntilExit() }  // SIGTERM may be blocked (see LoopbackReceiver)
        var ready = false
        for _ in 0..<100 where !ready {
            ready = try runProcess("/usr/bin/env", ["curl", "-fsS", "http://127.0.0.1:\(port)/-/ready"]).status == 0
            if !ready { Thread.sleep(forTimeInterval: 0.1) }
        }
        try #require(ready, "the Pushgateway did not start on port \(port)")

        let push = try hhbench(["push", "--db", db, "--pushgateway", "http://127.0.0.1:\(port)"])
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stderr.contains("pushed 2 values of machine m1"))
        let metrics = try runProcess("/usr/bin/env", ["curl", "-fsS", "http://127.0.0.1:\(port)/metrics"]).stdout
        let lines = metrics.split(separator: "\n").map(String.init).filter { $0.hasPrefix("hhbench_") }
        // The Pushgateway adds the group's labels (job, machine) and sorts labels by name.
        #expect(lines.contains(#"hhbench_p95_time_ms{benchmark="api",branch="main",instance="",job="hhbench",machine="m1",metric="p95_time_ms",unit="ms"} 12.5"#),
                "\(lines)")
        #expect(lines.contains(#"hhbench_p95_time_ms{benchmark="api",branch="main",instance="",job="hhbench",machine="m2",metric="p95_time_ms",unit="ms"} 20"#))
        #expect(lines.contains { $0.hasPrefix(#"hhbench_error_rate{benchmark="quote\"back\\slash\nline""#) && $0.hasSuffix(" 0.25") }, "\(lines)")
        #expect(lines.count == 4)

        // Pushing again replaces each machine's group: still four series, with the newest values.
        #expect(try hhbench(["push", "--db", db, "--pushgateway", "http://127.0.0.1:\(port)"]).status == 0)
        let again = try runProcess("/usr/bin/env", ["curl", "-fsS", "http://127.0.0.1:\(port)/metrics"]).stdout
        #expect(again.split(separator: "\n").filter { $0.hasPrefix("hhbench_") }.count == 4)

        let nobody = try hhbench(["push", "--db", db, "--pushgateway", "http://127.0.0.1:\(try freeLoopbackPort())"])
        #expect(nobody.status == 1)
        #expect(nobody.stderr.contains("failed after 4 attempt(s)"))
    }
}
