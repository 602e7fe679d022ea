import Analysis
import ArgumentParser
import Capture
import Foundation
import Records
import Warehouse

/// Settings flags shared by the analysing commands: `hhbench.toml` and its overrides.
struct ConfigOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The config file. Default: hhbench.toml at the git top level (or here).", valueName: "path"))
    var config: String?

    func load() throws -> ProjectConfig {
        let path = config ?? ((Git().topLevel ?? FileManager.default.currentDirectoryPath) as NSString)
            .appendingPathComponent(ProjectConfig.fileName)
        if let config, !FileManager.default.fileExists(atPath: config) {
            throw CommandFailure.usage("\(config): no such config file")
        }
        return try ProjectConfig.load(path: path)
    }
}

enum FailOn: String, ExpressibleByArgument, CaseIterable {
    case regression
    case overBudget = "over_budget"
    case inconclusive
    case none

    /// Exit 1 when the report holds what `failOn` fails on (default: regression and over_budget),
    /// exit 3 when nothing could be compared; `compare` and `ab` share it.
    static func gate(_ report: CompareReport, _ failOn: [FailOn]) throws {
        let failing = failOn.isEmpty ? [FailOn.regression, .overBudget] : failOn
        let failed = (failing.contains(.regression) && report.count(.regression) > 0)
            || (failing.contains(.overBudget) && report.count(.overBudget) > 0)
            || (failing.contains(.inconclusive) && report.count(.inconclusive) > 0)
        if failed && !failing.contains(.none) {
            throw CommandFailure.checkFailed()
        }
        if report.nothingCompared {
            throw CommandFailure.notEnoughData("nothing could be compared: no series has enough data on both sides")
        }
    }
}

extension Correction: ExpressibleByArgument {}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Is this commit worse than the baseline branch? A noise-aware verdict per benchmark and metric.",
        discussion: """
            The candidate is the runs at HEAD (or --commit / --run). The baseline is the merge-base of the \
            candidate and --since REF, and its first-parent ancestors with results on the same machine, cut per \
            series at its newest change point, up to --window commits; or --against RUN|COMMIT|baselines. One \
            decision per raw series and per given value, tested on run-level locations (so run-to-run drift is \
            not taken for a change; run noise moderated across the call's series), corrected over the call by \
            Benjamini-Hochberg; a verdict is regression, \
            improvement, unchanged (the interval within ±threshold) or inconclusive (with what the data could \
            detect). Exit 0 when nothing regressed and no budget is exceeded, 1 when something did, 3 when there \
            is no baseline or nothing could be compared, 2 on usage errors. Methods and defaults: docs/STATISTICS.md.
            """)

    @OptionGroup var options: CompareOptions

    func run() throws {
        let (report, config, warehouse) = try options.makeReport()
        print(options.render(report), terminator: "")
        try options.finish(report, config: config, warehouse: warehouse)
    }
}

enum Terminal {
    /// Colour only on a terminal, and never with NO_COLOR set (https://no-color.org).
    static var wantsColour: Bool {
        isatty(STDOUT_FILENO) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
    }

    static func paint(_ text: String, _ code: String, _ enabled: Bool) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
