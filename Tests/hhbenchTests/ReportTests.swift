import Foundation
import Records
import Testing

/// Headless Chromium, for the report's pages: a real browser parses them, runs their script and
/// draws them. Missing Chromium fails the tests that need it (`.ci/run` installs Debian's).
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static func run(_ arguments: [String], profile: TemporaryFolder) throws -> ProcessResult {
        guard let path else {
            throw TestFailure("Chromium is not installed: the report tests need a real browser (apt-get install chromium; .ci/run installs it)")
        }
        return try runProcess(path, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                                     "--user-data-dir=\(profile.path)", "--enable-logging=stderr", "--v=0"] + arguments)
    }

    /// The DOM after load and script, and what the console said.
    static func dom(_ file: String, fragment: String = "", profile: TemporaryFolder) throws -> (dom: String, console: [String]) {
        let result = try run(["--dump-dom", "file://\(file)\(fragment)"], profile: profile)
        let console = result.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return (result.stdout, console)
    }

    /// A PNG of the page at this window size.
    static func screenshot(_ file: String, to png: String, width: Int, height: Int, profile: TemporaryFolder) throws -> Int {
        let result = try run(["--hide-scrollbars", "--window-size=\(width),\(height)", "--screenshot=\(png)", "file://\(file)"], profile: profile)
        guard let size = try? FileManager.default.attributesOfItem(atPath: png)[.size] as? Int else {
            throw TestFailure("no screenshot of \(file): \(result.stderr.suffix(500))")
        }
        return size
    }
}

/// `hhbench report` on the README's example history (and a hostile name), loaded in headless Chromium.
@Suite(.serialized) struct ReportTests {
    static let exampleHistory = repositoryFile("Examples/history.jsonl")
    /// Markup, a closing script tag, a right-to-left override and quotes, as a benchmark name.
    static let hostileName = "</script><script>alert(1)</script> \u{202E}evil \"q' & <b>"

    /// The example history plus one run on main's next commit with the hostile benchmark.
    func warehouse(_ folder: TemporaryFolder, engine: Engine = .sqlite) throws -> String {
        let history = try String(contentsOfFile: Self.exampleHistory, encoding: .utf8)
        let lastRun = try #require(history.split(separator: "\n").last { $0.hasPrefix("{\"run\"") })
        let parent = try #require(try JSONParser.parse(String(lastRun))["run"]?["commit"]?["sha"]?.stringValue)
        let name = JSONValue.string(Self.hostileName).compactText
        let hostile = """
            {"run":{"uuid":"0193e5a8-0000-7000-8000-000000000001","source_format":"native","recorded_at":"2026-11-30T10:00:00.000Z","branch":"main",\
            "commit":{"sha":"\(String(repeating: "ab", count: 20))","parents":["\(parent)"],"subject":"Add the <hostile> benchmark","author_name":"Eve \u{202E}Example","committed_at":"2026-11-30T09:00:00.000Z"},\
            "machine":{"name":"ci-linux","hostname":"ci-linux","os":"Debian GNU/Linux 12 (bookworm)","kernel":"Linux 6.1","arch":"x86_64","cpu_model":"Example CPU","cpu_cores":4,"memory_bytes":17179869184},\
            "toolchain":"cpython-3.12","ci_job_url":"javascript:alert(2)","content_hash":"\(String(repeating: "0", count: 64))"}}
            {"benchmark":\(name),"metric":"time_ms","samples":[1.5,1.6,1.55,1.52]}

            """
        let input = try folder.write("history.jsonl", history + hostile)
        let db = try engine.newWarehouse(in: folder)
        let recorded = try hhbench(["record", input, "--db", db])
        guard recorded.status == 0 else { throw TestFailure(recorded.stderr) }
        return db
    }

    /// The same history in SQLite and in PostgreSQL gives the same site, page for page and byte for
    /// byte, but for the footer (when, and from which database). What the pages hold is checked in
    /// Chromium below, once.
    @Test func theSiteIsTheSameFromEitherEngine() throws {
        let folder = try TemporaryFolder()
        var sites: [String] = []
        for engine in Engine.allCases {
            let db = try warehouse(folder, engine: engine)
            let site = folder.file("site-\(engine)")
            let result = try hhbench(["report", "--db", db, "--out", site, "--branch", "main", "--compare", "--since", "main"], cwd: folder.path)
            #expect(result.status == 0, "\(engine): \(result.stderr)")
            sites.append(site)
        }
        func pagesOf(_ site: String) throws -> [String] {
            try FileManager.default.subpathsOfDirectory(atPath: site).filter { $0.hasSuffix(".html") || $0.hasSuffix(".svg") }.sorted()
        }
        let pages = try pagesOf(sites[0])
        #expect(pages.count > 3)
        #expect(try pages == pagesOf(sites[1]))
        func body(_ path: String) throws -> String {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { !$0.contains("<footer>") }.joined(separator: "\n")
        }
        for page in pages {
            #expect(try body(sites[0] + "/" + page) == body(sites[1] + "/" + page), "\(page) differs between SQLite and PostgreSQL")
        }
    }

    @Test func theSiteOpensInChromiumWithEveryChartAndLink() throws {
        let folder = try TemporaryFolder(), profile = try TemporaryFolder()
        let db = try warehouse(folder)
        let site = folder.file("site")
        let result = try hhbench(["report", "--db", db, "--out", site, "--branch", "main", "--compare", "--since", "main", "--format", "json"],
                                 cwd: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        let receipt = try JSONParser.parse(result.stdout)
        // The example's series: 3 time series × (median, p95), load_test's too and its error_rate,
        // computation_test's overhead_ratio, memory_test's memory; the hostile benchmark's median and p95.
        #expect(receipt["charts"]?.doubleValue == 13)
        let pages = try FileManager.default.subpathsOfDirectory(atPath: site).filter { $0.hasSuffix(".html") }.sorted()
        #expect(pages.count == 9, "\(pages)")
        #expect(receipt["pages"]?.doubleValue == 9)

        var charts = 0
        for page in pages {
            let path = (site as NSString).appendingPathComponent(page)
            let (dom, console) = try Chromium.dom(path, profile: profile)
            #expect(dom.contains("</html>"), "\(page): Chromium did not load it")
            #expect(console.isEmpty, "\(page): \(console)")
            // Only the site's own script and style, loaded from beside the page; nothing from the network.
            let scripts = dom.matches(of: /<script[^>]*>/).map { String($0.0) }
            #expect(scripts.count == 1 && scripts[0].contains("hhbench.js\""), "\(page): \(scripts)")
            let pageCharts = dom.components(separatedBy: "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"hh-chart\" role=\"img\"").count - 1
            #expect(pageCharts == dom.components(separatedBy: "<desc id=").count - 1, "\(page): a chart without its description")
            charts += pageCharts
            // Every link resolves to a file of the site; a recorded javascript: URL is never a link.
            for match in dom.matches(of: /(?:href|src)="([^"]*)"/) {
                let target = String(match.1)
                #expect(!target.lowercased().hasPrefix("javascript:") && !target.contains("://"), "\(page): \(target)")
                let resolved = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(target).standardized.path
                #expect(FileManager.default.fileExists(atPath: resolved), "\(page): \(target) does not resolve")
            }
            if page == "index.html" {
                #expect(dom.components(separatedBy: "<tr data-search=").count - 1 == 12)
                #expect(dom.contains("<a href=\"compare.html\">Compare: "))
            }
            if page.hasPrefix("benchmarks/") && !dom.contains("&lt;/script&gt;") {
                #expect(dom.contains("<h2>Recent runs</h2>"))
            }
        }
        #expect(charts == 13)

        // The hostile name is shown escaped everywhere: as text, its right-to-left override visible as an escape.
        let index = try Chromium.dom((site as NSString).appendingPathComponent("index.html"), profile: profile).dom
        #expect(index.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; \\u{202E}evil \"q' &amp; &lt;b&gt;"))
        #expect(!index.unicodeScalars.contains("\u{202E}"))
        #expect(!index.contains("<b>"))

        // The filter runs: a link with #q= shows only the matching rows.
        let filtered = try Chromium.dom((site as NSString).appendingPathComponent("index.html"), fragment: "#q=traced", profile: profile).dom
        let rows = filtered.matches(of: /<tr data-search="[^"]*"( hidden="")?>/)
        #expect(rows.count == 12 && rows.filter { $0.1 == nil }.count == 2)

        // Drawn, not blank: the index and a benchmark page against an empty page of the same size, on a desktop and a phone.
        let blank = try folder.write("blank.html", "<!doctype html><html><body></body></html>")
        let blankSize = try Chromium.screenshot(blank, to: folder.file("blank.png"), width: 1100, height: 1300, profile: profile)
        let indexSize = try Chromium.screenshot((site as NSString).appendingPathComponent("index.html"), to: folder.file("index.png"),
                                                width: 1100, height: 1300, profile: profile)
        let traced = try #require(pages.first { $0.contains("traced") })
        let pageSize = try Chromium.screenshot((site as NSString).appendingPathComponent(traced), to: folder.file("page.png"),
                                               width: 390, height: 844, profile: profile)
        #expect(indexSize > blankSize * 5, "\(indexSize) vs blank \(blankSize)")
        #expect(pageSize > blankSize * 3, "\(pageSize) vs blank \(blankSize)")
    }

    @Test func theReportIsReadOnlyAndSaysWhenThereIsNothingToShow() throws {
        let folder = try TemporaryFolder()
        let missing = try hhbench(["report", "--db", folder.file("none.db"), "--out", folder.file("site")])
        #expect(missing.status == 2)
        #expect(!FileManager.default.fileExists(atPath: folder.file("none.db")))
        #expect(!FileManager.default.fileExists(atPath: folder.file("site")))
        let db = try warehouse(folder)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        // Outside any git repository, so that "main" is the database's main.
        let unknown = try hhbench(["report", "--db", db, "--out", folder.file("site"), "--branch", "main", "--metric", "no_such_metric"], cwd: folder.path)
        #expect(unknown.status == 3, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("no series to report on main for no_such_metric"))
        let written = try hhbench(["report", "--db", db, "--out", folder.file("site"), "--branch", "main"], cwd: folder.path)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stderr.contains("wrote \(folder.file("site"))/index.html: 8 pages, 13 charts"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        // Compare flags without --compare are a usage error.
        #expect(try hhbench(["report", "--db", db, "--out", folder.file("x"), "--since", "main"]).status == 2)
    }

    /// The README's recipe inside a clone: the repository's main is not the branch the example was
    /// recorded on, and the report (and its compare page) follow the recorded runs.
    @Test func theExampleHistoryReportsInsideAnotherRepository() throws {
        let repo = try GitRepository()
        try repo.commit("unrelated work on this repository's main")
        let db = try warehouse(repo.folder)
        let result = try hhbench(["report", "--db", db, "--out", "site", "--branch", "main", "--compare", "--since", "main", "--format", "json"],
                                 cwd: repo.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSONParser.parse(result.stdout)["charts"]?.doubleValue == 13)
        let index = try String(contentsOfFile: repo.folder.file("site/index.html"), encoding: .utf8)
        #expect(index.contains("<a href=\"compare.html\">Compare: abababab"), "\(index.prefix(2000))")
    }
}
