import Foundation
import PackagePlugin

/// Embeds the package's `migrations/*.sql`, `migrations/postgres/*.sql`, `queries/*.sql` and `queries/postgres/*.sql` into the target as Swift string
/// literals, so the SQL ships inside the `hhbench` binary instead of beside it as a resource bundle.
@main
struct EmbedSQL: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let packageDirectory = context.package.directoryURL
        let folders = ["migrations", "migrations/postgres", "queries", "queries/postgres"].map { packageDirectory.appending(path: $0) }
        var inputs: [URL] = []
        for folder in folders {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path())) ?? []
            inputs += names.filter { $0.hasSuffix(".sql") }.sorted().map { folder.appending(path: $0) }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedSQL.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) SQL files",
                executable: try context.tool(named: "EmbedSQLTool").url,
                arguments: [output.path()] + inputs.map { $0.path() },
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
