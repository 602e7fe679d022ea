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
        let warehouse = try Warehouse(path: resolvedPath())
        if let edited = try? warehouse.editedMigrations(), !edited.isEmpty {
            note("hhbench: warning: \(warehouse.path) was migrated by a different text of migration(s) "
                 + edited.map(String.init).joined(separator: ", ") + " than this hhbench carries; landed migrations must not be edited")
        }
        return warehouse
    }
}

/// How a command prints data.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv, markdown
}
