import Foundation
import Testing

/// The help the binary prints and the README's command table say the same thing.
@Suite struct HelpTests {
    /// The subcommands `hhbench --help` lists.
    static func subcommands() throws -> [String] {
        let help = try hhbench(["--help"]).stdout
        guard let section = help.components(separatedBy: "SUBCOMMANDS:").last else { return [] }
        return section.split(separator: "\n").compactMap { line in
            // A subcommand line is indented by two spaces and starts with its name.
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            guard let name = line.split(separator: " ").first, name.allSatisfy({ $0.isLowercase || $0 == "-" }) else { return nil }
            return String(name)
        }
    }

    @Test func everyCommandIsInTheReadmeTableAndEveryRowIsACommand() throws {
        let commands = try Self.subcommands()
        #expect(commands.count >= 11, "\(commands)")
        let table = try readme().components(separatedBy: "## Commands").dropFirst().first?.components(separatedBy: "\n\n")
            .first { $0.contains("| command |") } ?? ""
        let rows = table.split(separator: "\n").compactMap { row -> String? in
            guard let start = row.range(of: "| `hhbench ") else { return nil }
            return row[start.upperBound...].split(separator: " ").first.map { String($0).replacingOccurrences(of: "`", with: "") }
        }
        #expect(Set(rows) == Set(commands), "README rows \(rows), help \(commands)")
    }

    @Test func helpSaysEachDefaultOnceAndNamesWhatExists() throws {
        for command in try Self.subcommands() {
            let result = try hhbench([command, "--help"])
            #expect(result.status == 0, "\(command)")
            let text = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(text.range(of: #"\(default [^)]*\)\.? \(default:"#, options: .regularExpression) == nil, "\(command) repeats a default")
            #expect(!text.contains("posix_spawn"), "\(command): the runner uses ptrace")
        }
        #expect(try hhbench(["show", "--help"]).stdout.contains("latest"))
        let importHelp = try hhbench(["import-baselines", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(importHelp.contains("for import-baselines, none"), "import-baselines does not default to HEAD")
    }
}
