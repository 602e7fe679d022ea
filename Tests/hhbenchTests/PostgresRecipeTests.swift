import Foundation
import Testing

/// The README's "try it" recipe for PostgreSQL, its lines run as written against the tests' own
/// cluster (`PostgresServer`): `PGHOST`, `PGPORT` and `PGUSER` point at it, as the recipe's
/// `export` line does at its own server. The `initdb` and `pg_ctl` lines are what the test support
/// itself runs to start that cluster (in a temporary folder, on a free port), so they are not run
/// twice.
@Suite struct PostgresRecipeTests {
    @Test func theTryItRecipeRunsAsWritten() throws {
        let lines = try readmeBlock("postgres-recipe:try")
            .filter { !$0.hasPrefix("```") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(lines.first?.hasPrefix("export PGHOST=") == true)
        #expect(lines.contains { $0.hasPrefix("initdb ") && $0.contains("pg_ctl ") })
        let commands = lines.filter { !$0.hasPrefix("export ") && !$0.hasPrefix("initdb ") }
        #expect(commands.count == 6, "\(commands)")

        let server = try PostgresServer.running()
        // The recipe runs in a checkout of hhbench: its paths are the repository's.
        let repo = try GitRepository()
        try FileManager.default.createDirectory(atPath: repo.folder.file("queries/postgres"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: repo.folder.file("Examples"), withIntermediateDirectories: true)
        for file in ["Examples/demo.jsonl", "queries/postgres/latest.sql"] {
            try FileManager.default.copyItem(atPath: repositoryFile(file), toPath: repo.folder.file(file))
        }
        try repo.commit("the recipe's checkout")
        let binaries = URL(fileURLWithPath: HHBenchBinary.path).deletingLastPathComponent().path
        let environment = [
            "PATH": binaries + ":" + server.binaries + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
            "PGHOST": server.socketFolder, "PGPORT": String(server.port), "PGUSER": PostgresServer.user, "HHBENCH_MACHINE": "laptop",
        ]
        var outputs: [String] = []
        for command in commands {
            let result = try runProcess("/bin/bash", ["-c", command], cwd: repo.path, environment: environment)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            outputs.append(result.stdout)
        }
        // record, runs, query latest, psql on the view, psql on the shipped query's file.
        #expect(outputs[1].contains("recorded run 1"), "\(outputs[1])")
        #expect(outputs[2].contains("laptop") && outputs[2].contains("native"), "\(outputs[2])")
        #expect(outputs[3].contains("computation_test/baseline") && outputs[3].contains("(") , "\(outputs[3])")
        #expect(outputs[4].contains("computation_test/baseline") && outputs[4].contains("time_ms"), "\(outputs[4])")
        let viaHHBench = outputs[3].split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0.hasPrefix("computation_test") }
        let viaPsql = outputs[5].split(separator: "\n").compactMap { $0.split(separator: "|").first?.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("computation_test") }
        #expect(!viaHHBench.isEmpty && viaHHBench == viaPsql, "hhbench query latest and psql -f queries/postgres/latest.sql list the same rows")
    }
}
