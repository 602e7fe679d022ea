import Analysis
import ArgumentParser
import Foundation
import Recording
import Records
import Warehouse

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a static HTML site of the history: every benchmark's trend, change points and recent runs.",
        discussion: """
            DIR/index.html lists every benchmark × headline metric (each main time series' median and p95 by default, \
            or [report] metrics) on one branch: the latest value, its change against its baseline segment, a \
            sparkline, the newest change point and flagged drift, with a filter box and sortable columns. \
            DIR/benchmarks/NAME.html charts each metric along the branch's first-parent history (the spread of the \
            raw samples, segment means, change points, machine and toolchain changes) above the recent runs. \
            --compare adds DIR/compare.html with the current commit's compare verdicts. The site works from \
            file:// with no network: inline SVG charts, and one small stylesheet and script (hhbench.css, hhbench.js) \
            beside index.html.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var configOptions: ConfigOptions

    @Option(help: ArgumentHelp("The folder to write the site into (created if needed; its other files are left alone).", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("The branch. Default: [report] branch, else the current branch, else the default branch.", valueName: "ref"))
    var branch: String?

    @Option(help: "At most this many commits with results per chart, the newest; 0 for all. (default: 200)", transform: NumericRule.commitsShown.wholeNumber)
    var last = 200

    @Option(help: ArgumentHelp("Only runs on this machine. Default: the machine of the newest run.", valueName: "name"))
    var runsOn: String?

    @Flag(help: "Use runs from every machine.")
    var anyMachine = false

    @Option(help: ArgumentHelp("A headline metric of the index (repeatable). Default: [report] metrics, else each main time series and its p95.",
                               valueName: "name"))
    var metric: [String] = []

    @Flag(help: "Add a page with the current commit's compare verdicts (as hhbench compare gives them).")
    var compare = false

    @Option(help: ArgumentHelp("The compare page's baseline branch (as compare --since).", valueName: "ref"))
    var since: String?

    @Option(help: ArgumentHelp("The compare page's candidate commit. Default: HEAD, else the branch's newest commit with runs.", valueName: "sha"))
    var commit: String?

    @Option(help: ArgumentHelp("Also publish the site to a git branch, for GitHub Pages: a URL or path, or a remote's name such as origin.",
                               valueName: "url|name"))
    var publish: String?

    @Option(help: ArgumentHelp("The branch --publish writes. (default: gh-pages)", valueName: "name"))
    var publishBranch = "gh-pages"

    @Option(help: ArgumentHelp("The folder of that branch the site replaces. Default: the root, where the site's own files are replaced and others kept.",
                               valueName: "path"))
    var publishFolder = ""

    @Option(help: "text (what was written, on stderr) or json (a receipt on stdout).")
    var format: ReceiptFormat = .text

    func validate() throws {
        if runsOn != nil && anyMachine { throw ValidationError("--runs-on and --any-machine contradict each other") }
        if publish == nil && (publishBranch != "gh-pages" || !publishFolder.isEmpty) {
            throw ValidationError("--publish-branch and --publish-folder say where --publish writes; add --publish origin (or a URL)")
        }
        let folder = publishFolder.split(separator: "/")
        if folder.contains("..") || folder.contains(".git") || publishFolder.hasPrefix("/") {
            throw ValidationError("--publish-folder '\(publishFolder)' must be a relative folder inside the branch, such as reports or docs/bench")
        }
        if !compare && (since != nil || commit != nil) { throw ValidationError("--since and --commit choose the compare page's sides; add --compare") }
    }

    func run() throws {
        let started = Date()
        let config = try configOptions.load()
        let warehouse = try database.openForReading()
        let history = CommitHistory(warehouse: warehouse)
        var request = ReportRequest()
        request.branch = branch ?? config.reportBranch
        request.last = last
        request.machine = runsOn
        request.anyMachine = anyMachine
        request.headlineMetrics = metric.isEmpty ? config.reportMetrics : metric
        if compare {
            var compareRequest = CompareRequest(baseline: .since(try since ?? config.baselineBranch ?? history.defaultBaselineBranch()), config: config)
            // HEAD when it has runs; else (no git, or a history recorded elsewhere) the branch's newest commit with runs.
            if let commit {
                compareRequest.candidate = .commit(commit)
            } else if try !(history.head().map(history.hasRuns) ?? false),
                      let branchHead = try history.resolve(request.branch ?? history.currentBranch() ?? history.defaultBaselineBranch()) {
                compareRequest.candidate = .commit(branchHead)
            }
            compareRequest.anyMachine = anyMachine
            compareRequest.machine = runsOn
            request.compare = compareRequest
        }
        let builder = ReportBuilder(warehouse: warehouse, history: history, config: config, generatedAt: Timestamp.now())
        let site = try builder.build(request)
        guard site.series > 0 else {
            throw CommandFailure.notEnoughData("no series to report on \(site.branch)" + (metric.isEmpty ? "" : " for " + metric.joined(separator: ", ")))
        }
        var bytes = 0
        for page in site.pages {
            let path = (out as NSString).appendingPathComponent(page.path)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let data = Data(page.html.utf8)
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
            bytes += data.count
        }
        var published: (changed: Bool, retries: Int)?
        if let publish {
            published = try publishSite(site.pages.map { ($0.path, Array($0.html.utf8)) }, to: publish)
        }
        let seconds = Date().timeIntervalSince(started)
        let htmlPages = site.pages.filter { $0.path.hasSuffix(".html") }.count
        let index = (out as NSString).appendingPathComponent("index.html")
        switch format {
        case .text:
            note("wrote \(index): \(htmlPages) pages, \(site.series) charts, \(HumanUnits.format(Double(bytes), unit: "B")) in \(String(format: "%.2f", seconds)) s")
            if let published {
                note(published.changed ? "published to \(publishBranch)\(publishFolder.isEmpty ? "" : ":" + publishFolder) of \(Warehouse.redactingPasswords(publish ?? ""))"
                     : "\(publishBranch) already holds this site; nothing pushed")
            }
        case .json:
            print(JSONOutput.render(.object([
                ("index", .string(index)), ("branch", .string(site.branch)), ("pages", .number(DecimalNumber(Double(htmlPages)))),
                ("charts", .number(DecimalNumber(Double(site.series)))), ("bytes", .number(DecimalNumber(Double(bytes)))),
                ("published", published.map { .bool($0.changed) } ?? .null),
            ])), terminator: "")
        }
    }

    /// The site's own files into --publish-branch, in one commit: under --publish-folder (replaced
    /// whole), or at the root (the site's pages and benchmarks/ replaced, other files such as
    /// CNAME kept). `.nojekyll` makes GitHub Pages serve the files as they are.
    private func publishSite(_ pages: [(path: String, bytes: [UInt8])], to remote: String) throws -> (changed: Bool, retries: Int) {
        let prefix = publishFolder.split(separator: "/").joined(separator: "/")
        let place = { (path: String) in prefix.isEmpty ? path : prefix + "/" + path }
        let files = pages.map { (place($0.path), $0.bytes) } + [(".nojekyll", [])]
        let replacing = prefix.isEmpty ? ["benchmarks/", "compare.html"] : [prefix + "/"]
        let branch = try HistoryBranch(remote: remote, branch: publishBranch)
        return try branch.publish(files, replacing: replacing, message: "hhbench report: \(pages.count) files")
    }
}
