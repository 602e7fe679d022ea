import Foundation
import Testing
import TOML

/// hhbench's TOML reader against Python's tomllib, the reference: the toml-test cases CPython
/// ships, hand-written edge cases and seeded mutations of both, each read by both readers and
/// compared value for value (Tests/tools/tomllib_oracle.py writes tomllib's answer in the
/// reader's canonical text).
@Suite struct TOMLReaderTests {
    /// tomllib's answers for these files: canonical text, "reject", "big" or "skip".
    private func tomllib(_ files: [String]) throws -> [String: String] {
        let result = try runProcess("/usr/bin/env", ["python3", repositoryFile("Tests/tools/tomllib_oracle.py")] + files)
        guard result.status == 0 else { throw TestFailure("tomllib_oracle.py failed: \(result.stderr)") }
        var answers: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            answers[String(parts[0])] = String(parts[1])
        }
        return answers
    }

    private func ours(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(validating: Array(data), as: UTF8.self) else { return "skip" }
        do {
            return try TOMLReader.parse(text).canonicalText
        } catch {
            return "reject"
        }
    }

    /// Compares both readers on `files`; returns how many each accepted and rejected.
    @discardableResult
    private func compare(_ files: [String]) throws -> (accepted: Int, rejected: Int) {
        let answers = try tomllib(files)
        var accepted = 0, rejected = 0
        for file in files {
            let reference = try #require(answers[file], "tomllib gave no answer for \(file)")
            if reference == "skip" { continue }
            let expected = reference == "big" ? "reject" : reference
            let got = ours(file)
            #expect(got == expected, "\(file): ours \(got.prefix(300)), tomllib \(reference.prefix(300))")
            if expected == "reject" { rejected += 1 } else { accepted += 1 }
        }
        return (accepted, rejected)
    }

    private var corpus: [String] {
        let root = fixture("toml-test")
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".toml") }.sorted().map { root + "/" + $0 }
    }

    @Test func agreesWithTomllibOnCPythonsCases() throws {
        let files = corpus
        #expect(files.count >= 60)
        let counts = try compare(files)
        #expect(counts.accepted == files.filter { $0.contains("/valid/") }.count)
        #expect(counts.rejected == files.filter { $0.contains("/invalid/") }.count)
    }

    /// Edge cases of TOML 1.0 the corpus leaves out, and what toml++ aborted on.
    static let edgeCases = [
        "\"a=b\" = [}\n", "[compare]\nalpha = [}\n", "[[[\n", "[=\n", "[[\rrules]]\n", "[\u{0305}x]\n", "\u{FEFF}[\nx=1",
        "a = 1\r\nb = 2\r\n", "a = \"x\r\"\n", "a = 0x_1\n", "a = 1__0\n", "a = 0x7FFFFFFFFFFFFFFF\n", "a = 0x8000000000000000\n",
        "a = -9223372036854775808\n", "a = 9223372036854775808\n", "a = 1e400\n", "a = -0.0\n", "a = +nan\n", "a = -inf\n",
        "a = 01\n", "a = 1.\n", "a = .5\n", "a = 1e\n", "a = 1_e5\n", "a = 2000-02-29\n", "a = 1900-02-29\n", "a = 0000-01-01\n",
        "a = 1979-05-27T07:32:00.1234567891Z\n", "a = 1979-05-27 07:32:00-00:00\n", "a = 1979-05-27T24:00:00\n", "a = 07:32:60\n",
        "\"é\" = 1\n\"e\u{301}\" = 2\n", "a.b = 1\n[a]\n", "[a]\nb.c = 1\n[a.b]\n", "[a.b.c]\n[a]\nb.d = 1\n", "a = {b = 1}\n[a.c]\n",
        "[[a]]\n[a]\n", "[a]\n[[a]]\n", "a = []\n[[a]]\n", "[[a.b]]\n[a]\nb = 1\n", "x = {a.b = 1, a.c = 2}\n", "x = {a = {b = 1}, a.c = 2}\n",
        "x = {a = 1,}\n", "x = {a = 1\n}\n", "a = \"\"\"\\\n  x\"\"\"\n", "a = \"\"\"x\\   \n  y\"\"\"\n", "a = \"\"\"x\\ y\"\"\"\n",
        "a = '''''x'''''\n", "a = \"\"\"\"\"\"\"\n", "a = \"\\uD800\"\n", "a = \"\\U00110000\"\n", "a = \"\\x41\"\n", "# \u{7f}\n",
        "a = 1 # comment\u{0}\n", "a = true false\n", "a = truex\n", "a = [1, 'two', {x = 3}, [4]]\n", "a = [\n# c\n1,\n# d\n]\n",
        "[ a . \"b\" . 'c' ]\nd = 1\n", "a . b = 1\n", "1.2 = 3\n", "[a]\n[a]\n", "a = 1\na = 2\n", "= 1\n", "a =\n",
        String(repeating: "[", count: 150) + String(repeating: "]", count: 150), "a = " + String(repeating: "{b = ", count: 120) + "1" + String(repeating: "}", count: 120),
    ]

    @Test func agreesWithTomllibOnEdgeCases() throws {
        let folder = try TemporaryFolder()
        let files = try Self.edgeCases.enumerated().map { try folder.write("edge-\($0.offset).toml", $0.element) }
        let counts = try compare(files)
        #expect(counts.accepted > 20 && counts.rejected > 30, "\(counts)")
    }

    /// Seeded mutations of the corpus and the edge cases: inserted tokens, deleted and repeated
    /// runs of bytes. Thousands of documents neither reader was written for.
    @Test func agreesWithTomllibOnMutatedDocuments() throws {
        var seeds = try corpus.map { try String(contentsOfFile: $0, encoding: .utf8) } + Self.edgeCases
        seeds.append("[compare]\nalpha = 0.05\nthreshold_pct = 5\n[[rules]]\nbenchmark = \"x\"\n[metrics.p95]\nbudget = 3\n")
        let tokens = ["[", "]", "[[", "]]", "{", "}", "=", ".", ",", "\"", "'", "\"\"\"", "'''", "\n", "\r\n", "#", " ", "\\", "\\u00e9",
                      "a", "a.b", "1", "0x1F", "1_000", "1e5", "-0.0", "inf", "nan", "true", "1979-05-27T07:32:00Z", "07:32:00", "+", "_",
                      "é", "[a]\n", "[[a]]\n", "a = 1\n", "a.b = 1\n", "x = {a=1}\n", "x = []\n"]
        var generator = SeededGenerator(seed: 20261207)
        let folder = try TemporaryFolder()
        var files: [String] = []
        for index in 0..<3000 {
            var bytes = Array(seeds[Int(generator.next() % UInt64(seeds.count))].utf8)
            for _ in 0...(generator.next() % 3) {
                let at = Int(generator.next() % UInt64(bytes.count + 1))
                switch generator.next() % 3 {
                case 0: bytes.insert(contentsOf: Array(tokens[Int(generator.next() % UInt64(tokens.count))].utf8), at: at)
                case 1: bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(generator.next() % 4)))
                default:
                    let from = Int(generator.next() % UInt64(bytes.count + 1))
                    bytes.insert(contentsOf: bytes[from..<min(bytes.count, from + 1 + Int(generator.next() % 20))], at: at)
                }
            }
            let path = folder.file("mutant-\(index).toml")
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            files.append(path)
        }
        let counts = try compare(files)
        #expect(counts.accepted > 200, "too few mutants were valid TOML to compare values: \(counts)")
    }

    @Test func valuesAndPositions() throws {
        let table = try TOMLReader.parse("""
            # a comment
            title = "h\\u00e9"   # trailing

            [compare]
            window = 10
            alpha = 5e-2
            list = [1, 2.5, "x", 1979-05-27]
            """)
        #expect(table["title"]?.position == TOMLPosition(line: 2, column: 1))
        guard case .string(let title)? = table["title"]?.value else { Issue.record("title"); return }
        #expect(title == "hé")
        guard case .table(let compare)? = table["compare"]?.value else { Issue.record("compare"); return }
        #expect(table["compare"]?.position.line == 4)
        #expect(compare["window"]?.position == TOMLPosition(line: 5, column: 1))
        guard case .integer(10)? = compare["window"]?.value, case .float(0.05)? = compare["alpha"]?.value,
              case .array(let list)? = compare["list"]?.value else { Issue.record("compare's values"); return }
        #expect(list.count == 4)
        #expect(compare.entries.map(\.key) == ["window", "alpha", "list"])
    }

    @Test func anErrorSaysWhereInCharacters() throws {
        for (text, line, column) in [("a = 1\nb = = 2\n", 2, 5), ("é = 1\n", 1, 1), ("\"é\" = x\n", 1, 7), ("a = [1,\n  2\n  3]\n", 3, 3)] {
            do {
                _ = try TOMLReader.parse(text)
                Issue.record("\(text.debugDescription) was read")
            } catch {
                #expect(error.line == line && error.column == column, "\(text.debugDescription): \(error)")
            }
        }
    }
}
