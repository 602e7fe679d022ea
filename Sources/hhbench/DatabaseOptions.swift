import ArgumentParser
import Recording
import Foundation
import Warehouse

/// `--db`, shared by every command.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The database file, or a PostgreSQL URL (postgresql://user@host:port/dbname?sslmode=require). Default: $HHBENCH_DB, else .hhbench/history.db at the git top level (or here outside git).",
        valueName: "path|url"))
    var db: String?

    /// The database path, by the precedence above.
    func resolvedPath() -> String { DatabaseLocation.resolve(db) }

    /// Opens the database for a command that records (creating and migrating it as needed).
    func openForWriting() throws -> Warehouse { try open(.readWrite) }

    /// Opens the database for a command that only reads: never created, migrated or changed.
    func openForReading() throws -> Warehouse { try open(.readOnly) }

    /// True when the database file exists; a PostgreSQL server is taken to be there.
    func exists() -> Bool {
        let location = resolvedPath()
        return Warehouse.isServerURL(location) || FileManager.default.fileExists(atPath: location)
    }

    private func open(_ access: Warehouse.Access) throws -> Warehouse {
        let warehouse = try Warehouse(path: resolvedPath(), access: access)
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
