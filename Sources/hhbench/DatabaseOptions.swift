import ArgumentParser
import Capture
import Foundation
import Warehouse

/// `--db`, shared by every command.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The database file. Default: $HHBENCH_DB, else .hhbench/history.db at the git top level (or here outside git).",
        valueName: "path"))
    var db: String?

    /// The database path, by the precedence above.
    func resolvedPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let db, !db.isEmpty { return db }
        if let fromEnvironment = environment["HHBENCH_DB"], !fromEnvironment.isEmpty { return fromEnvironment }
        let base = Git().topLevel ?? FileManager.default.currentDirectoryPath
        return (base as NSString).appendingPathComponent(".hhbench/history.db")
    }

    func open() throws -> Warehouse {
        try Warehouse(path: resolvedPath())
    }
}

/// How a command prints data.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv, markdown
}
