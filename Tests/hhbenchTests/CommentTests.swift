import Foundation
import Records
import Testing

/// A loopback stand-in for GitHub's issue-comment endpoints (Tests/tools/github_api.py).
final class LoopbackGitHub {
    let folder: TemporaryFolder
    let process: Process
    let port: Int
    static let token = "ghs_loopbackSecretToken123"

    init(forbidWrites: Bool = false, preload: Int = 0) throws {
        folder = try TemporaryFolder()
        (process, port) = try startLoopbackScript("github_api.py", [folder.file("port"), folder.file("log.jsonl"), folder.file("state.json"), Self.token,
                                                                     "--preload", String(preload)] + (forbidWrites ? ["--forbid-writes"] : []),
                                                  portFile: folder.file("port"))
    }

    deinit { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }

    var api: String { "http://127.0.0.1:\(port)" }

    func comments() throws -> [JSONValue] {
        try JSONParser.parse(String(contentsOfFile: folder.file("state.json"), encoding: .utf8)).arrayValue ?? []
    }

    func requests() throws -> [JSONValue] {
        guard let text = try? String(contentsOfFile: folder.file("log.jsonl"), encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }
}

/// `hhbench comment`: compare's verdicts as one pull-request comment, kept up to date.
@Suite(.serialized) struct CommentTests {
    func environment(_ github: LoopbackGitHub, token: String = LoopbackGitHub.token) -> [String: String] {
        ["GITHUB_API_URL": github.api, "GITHUB_REPOSITORY": "octo-org/sdk", "GITHUB_TOKEN": token, "GITHUB_REF": "refs/pull/7/merge"]
    }

    @Test func aCommentRunTwiceLeavesOneCommentUpdated() throws {
        let history = try CompareCommandTests().makeHistory(candidate: ["slow": 1.3, "steady": 1, "fast": 1])
        // 150 comments by reviewers first: finding ours takes a second page.
        let github = try LoopbackGitHub(preload: 150)
        let first = try hhbench(["comment", "--since", "main", "--db", history.db], cwd: history.repo.path, environment: environment(github))
        #expect(first.status == 1, "the verdicts' exit code: \(first.stderr)")
        #expect(first.stderr.contains("commented on pull request #7"), "\(first.stderr)")
        #expect(first.stdout.contains("regression"), "compare's report on stdout")
        var ours = try github.comments().filter { ($0["body"]?.stringValue ?? "").contains("<!-- hhbench comment: compare -->") }
        #expect(ours.count == 1)
        let body = try #require(ours.first?["body"]?.stringValue)
        #expect(body.contains("### hhbench compare:") && body.contains("| regression | slow | time_ms |"), "\(body)")
        #expect(ours.first?["issue"]?.stringValue == "octo-org/sdk/7")

        // The second call finds it (past the first page) and updates it.
        let second = try hhbench(["comment", "--since", "main", "--db", history.db, "--threshold", "50"], cwd: history.repo.path,
                                 environment: environment(github))
        #expect(second.status == 0, "with a 50 % threshold nothing regresses: \(second.stderr)")
        #expect(second.stderr.contains("updated the comment on pull request #7"), "\(second.stderr)")
        ours = try github.comments().filter { ($0["body"]?.stringValue ?? "").contains("<!-- hhbench comment: compare -->") }
        #expect(ours.count == 1, "one comment, updated: \(ours.count)")
        let updated = ours.first?["body"]?.stringValue ?? ""
        #expect(updated.contains("### hhbench compare: ✅") && !updated.contains("| regression |"), "\(updated)")
        #expect(try github.comments().count == 151)
        let requests = try github.requests()
        #expect(requests.allSatisfy { $0["authorised"] == .bool(true) && $0["accept"]?.stringValue == "application/vnd.github+json" })
        #expect(requests.map { $0["method"]?.stringValue ?? "" } == ["GET", "GET", "POST", "GET", "GET", "PATCH"], "\(requests)")
        // The token is never printed.
        for output in [first.stdout, first.stderr, second.stdout, second.stderr] { #expect(!output.contains(LoopbackGitHub.token)) }

        // Another key is another comment.
        let other = try hhbench(["comment", "--since", "main", "--db", history.db, "--key", "counts", "--metric", "time_ms"], cwd: history.repo.path,
                                environment: environment(github))
        #expect(other.status == 1)
        #expect(try github.comments().count == 152)
    }

    @Test func apiErrorsAreReportedAndTheExitCodeStaysTheVerdicts() throws {
        let history = try CompareCommandTests().makeHistory(candidate: ["slow": 1.3, "steady": 1, "fast": 1])
        let github = try LoopbackGitHub(forbidWrites: true)
        let forbidden = try hhbench(["comment", "--since", "main", "--db", history.db], cwd: history.repo.path, environment: environment(github))
        #expect(forbidden.status == 1, "\(forbidden.stderr)")
        #expect(forbidden.stderr.contains("answered 403 to POST /repos/octo-org/sdk/issues/7/comments: Resource not accessible by integration"),
                "\(forbidden.stderr)")
        #expect(forbidden.stderr.contains("pull-requests: write"))
        let badToken = try hhbench(["comment", "--since", "main", "--db", history.db, "--threshold", "50"], cwd: history.repo.path,
                                   environment: environment(github, token: "ghs_wrongToken"))
        #expect(badToken.status == 0)
        #expect(badToken.stderr.contains("answered 401") && badToken.stderr.contains("Bad credentials") && !badToken.stderr.contains("ghs_wrongToken"),
                "\(badToken.stderr)")
        // Nothing listening: reported, exit code kept.
        let port = try freeLoopbackPort()
        var nowhere = environment(github)
        nowhere["GITHUB_API_URL"] = "http://127.0.0.1:\(port)"
        let unreachable = try hhbench(["comment", "--since", "main", "--db", history.db], cwd: history.repo.path, environment: nowhere)
        #expect(unreachable.status == 1 && unreachable.stderr.contains("could not comment"), "\(unreachable.stderr)")
    }

    @Test func dryRunAndMissingSettingsAreClear() throws {
        let history = try CompareCommandTests().makeHistory(candidate: ["slow": 1.3, "steady": 1, "fast": 1])
        let dry = try hhbench(["comment", "--since", "main", "--db", history.db, "--dry-run"], cwd: history.repo.path)
        #expect(dry.status == 1)
        #expect(dry.stdout.hasPrefix("<!-- hhbench comment: compare -->\n### hhbench compare:"), "\(dry.stdout)")
        let noToken = try hhbench(["comment", "--since", "main", "--db", history.db, "--pr", "3", "--repo", "a/b"], cwd: history.repo.path)
        #expect(noToken.status == 2 && noToken.stderr.contains("set GITHUB_TOKEN"), "\(noToken.stderr)")
        let noPR = try hhbench(["comment", "--since", "main", "--db", history.db, "--repo", "a/b"], cwd: history.repo.path,
                               environment: ["GITHUB_TOKEN": "x"])
        #expect(noPR.status == 2 && noPR.stderr.contains("give --pr N"), "\(noPR.stderr)")
        let badRepo = try hhbench(["comment", "--since", "main", "--db", history.db, "--pr", "3", "--repo", "nothing"], cwd: history.repo.path,
                                  environment: ["GITHUB_TOKEN": "x"])
        #expect(badRepo.status == 2 && badRepo.stderr.contains("--repo takes owner/name"), "\(badRepo.stderr)")
        let badPR = try hhbench(["comment", "--pr", "0", "--dry-run"], cwd: history.repo.path)
        #expect(badPR.status == 2 && badPR.stderr.contains("--pr"), "\(badPR.stderr)")
    }
}
