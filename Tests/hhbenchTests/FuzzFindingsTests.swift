import Foundation
import Testing

/// Every input the fuzzers found (and the crashes issue 11 reported), kept under
/// `Fixtures/fuzz/TARGET/`, replayed through the same fuzz target (`hhbench-fuzz`, built as a
/// replayer in ordinary builds: it traps on a crash or a broken property) and through
/// `hhbench record`, which must answer 0 or 2 and never crash.
@Suite struct FuzzFindingsTests {
    static let root = fixture("fuzz")

    static var findings: [(target: String, file: String)] {
        let targets = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return targets.sorted().flatMap { target in
            ((try? FileManager.default.contentsOfDirectory(atPath: (root as NSString).appendingPathComponent(target))) ?? [])
                .sorted().map { (target, ((root as NSString).appendingPathComponent(target) as NSString).appendingPathComponent($0)) }
        }
    }

    static var replayer: String {
        (HHBenchBinary.path as NSString).deletingLastPathComponent + "/hhbench-fuzz"
    }

    @Test func everyFindingIsKept() {
        #expect(Self.findings.count >= 12)
        #expect(Set(Self.findings.map(\.target)).isSuperset(of: ["json", "timestamp", "native", "perf-baseline", "go-bench"]))
    }

    @Test func findingsReplayThroughTheirTarget() throws {
        for (target, file) in Self.findings {
            let result = try runProcess(Self.replayer, [target, file])
            #expect(result.status == 0, "\(target) \(file): \(result.stderr)")
        }
    }

    @Test func findingsAreRecordedOrRefusedNeverCrash() throws {
        let folder = try TemporaryFolder()
        for (target, file) in Self.findings where !["json", "timestamp", "config"].contains(target) {
            let format = target == "detect" ? [] : ["--input-format", target]
            let result = try hhbench(["record", file, "--db", folder.file("h.db"), "--commit", "abc", "--machine", "m"] + format,
                                     cwd: folder.path)
            #expect([0, 2].contains(result.status), "\(target) \(file): exit \(result.status) \(result.stderr)")
            if result.status == 2 { #expect(result.stderr.contains(file), "the error names the file: \(result.stderr)") }
        }
        #expect(try scalar(folder.file("h.db"), "PRAGMA integrity_check", as: String.self) == "ok")
        // hhbench.toml findings (toml++ assertions among them) are refused by the binary, naming the file.
        for (_, file) in Self.findings.filter({ $0.target == "config" }) {
            let result = try hhbench(["compare", "--config", file, "--db", folder.file("h.db")], cwd: folder.path)
            #expect(result.status == 2 && result.stderr.contains(file), "\(file): exit \(result.status) \(result.stderr)")
        }
    }
}
