import Foundation
import Records
import Testing

/// Passwords, tokens and keys in a benchmarked command never reach the warehouse or an export.
@Suite struct SecretMaskTests {
    @Test func theRule() {
        let mask = SecretMask(addedNames: ["cookie"])
        #expect(mask.masking(command: "tool --password=hunter2 -v") == "tool --password=*** -v")
        #expect(mask.masking(command: "PGPASSWORD=pw API_KEY='a b' tool --auth-token tok --apiKey k --keyboard us") ==
                "PGPASSWORD=*** API_KEY=*** tool --auth-token *** --apiKey *** --keyboard us")
        #expect(mask.masking(command: "curl https://me:pw@example.com/x?a=1 --cookie=c") == "curl https://me:***@example.com/x?a=1 --cookie=***")
        #expect(mask.masking(command: "tool --secret --verbose") == "tool --secret --verbose", "a flag followed by a flag has no value to mask")
        #expect(mask.masking(words: ["hhbench", "run", "tool --token=t", "--db", "postgresql://u:p@h/d", "--password", "x"]) ==
                ["hhbench", "run", "tool --token=***", "--db", "postgresql://u:***@h/d", "--password", "***"])
        #expect(SecretMask().masking(command: "tool --cookie=c") == "tool --cookie=c", "added names only where added")
    }

    @Test func runRecordsAndExportsNoSecret() throws {
        let repo = try GitRepository()
        _ = try repo.commit("one")
        try repo.folder.write("hhbench.toml", "[run]\nsecret_names = [\"cookie\"]\n")
        let db = repo.folder.file("perf.db")
        let command = "true --password=hunter2 --auth-token tok3n API_KEY=k3yvalue --cookie=c00kie https://me:pw9x@example.com/"
        let run = try hhbench(["run", "--db", db, "--runs", "1", "--warmup", "0", "--min-time", "0", command], cwd: repo.path)
        try #require(run.status == 0, "\(run.stderr)")
        let export = try hhbench(["export", "--db", db, "--format", "jsonl"], cwd: repo.path)
        #expect(export.status == 0)
        let stored = [db, db + "-wal"].compactMap { FileManager.default.contents(atPath: $0) }.map { String(decoding: $0, as: UTF8.self) }.joined()
        for secret in ["hunter2", "tok3n", "k3yvalue", "c00kie", "pw9x"] {
            #expect(!export.stdout.contains(secret), "\(secret) exported: \(export.stdout.prefix(600))")
            #expect(!stored.contains(secret), "\(secret) stored in the database file")
        }
        #expect(export.stdout.contains("--password=***") && export.stdout.contains("--auth-token ***"), "\(export.stdout.prefix(600))")
    }
}
