import ArgumentParser
import Recording
import Foundation
import Warehouse

/// `--db`, shared by every command.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The database file. Default: $HHBENCH_DB, else .hhbench/history.db at the git top level (or here outside git).",
        valueName: "path"))
    var db: String?

    /// The database path, by the precedence above.
    func resolvedPath() -> String { DatabaseLocation.resolve(db) }

    func open() throws -> Warehouse {
        try Warehouse(path: resolvedPath())
    }
}

/// How a command prints data.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv, markdown
}
