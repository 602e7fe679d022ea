import ArgumentParser
import Foundation
import Records

/// `hhbench comment --pr N`: compare's verdicts as one pull-request comment, found again by a
/// hidden marker and updated on later runs, so a pull request carries one current answer.
struct CommentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comment",
        abstract: "Post compare's verdicts as one pull-request comment, updated in place on later runs.",
        discussion: """
            Takes compare's options, compares, prints the report (--format) and posts its markdown to pull request \
            --pr of --repo through GitHub's REST API (--api-url; GitHub Enterprise included), with the token in \
            GITHUB_TOKEN. The comment carries a hidden marker (--key, default "compare"): a later call updates it \
            instead of adding one. The token is never printed. An API error is reported with its status and \
            GitHub's message; the exit code stays the verdicts' (0, 1 or 3). --dry-run prints the comment's body instead of the report, and posts nothing.
            """)

    @OptionGroup var compare: CompareOptions

    @Option(help: ArgumentHelp("The pull request. Default: the number in GITHUB_REF (refs/pull/N/merge), as Actions sets it.", valueName: "number"),
            transform: NumericRule.pullRequest.wholeNumber)
    var pr: Int?
    @Option(help: ArgumentHelp("owner/name. Default: GITHUB_REPOSITORY.", valueName: "owner/name"))
    var repo: String?
    @Option(help: ArgumentHelp("The REST API's root. Default: GITHUB_API_URL, else https://api.github.com.", valueName: "url"))
    var apiUrl: String?
    @Option(help: ArgumentHelp("Names this comment's marker, so several jobs keep a comment each.", valueName: "name"))
    var key = "compare"
    @Flag(help: "Print the comment's body instead of posting it.")
    var dryRun = false

    /// GitHub refuses a comment body over 65,536 characters.
    static let bodyLimit = 65_536

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    var pullRequest: Int? {
        if let pr { return pr }
        // refs/pull/123/merge or refs/pull/123/head
        let parts = (environment["GITHUB_REF"] ?? "").split(separator: "/")
        return parts.count >= 3 && parts[0] == "refs" && parts[1] == "pull" ? Int(parts[2]) : nil
    }

    /// --api-url, else GITHUB_API_URL, else github.com's; nil when it is not an http(s) URL.
    var api: URL? { HTTPDelivery.webURL(apiUrl ?? environment["GITHUB_API_URL"] ?? "https://api.github.com") }

    var repository: String? { repo ?? environment["GITHUB_REPOSITORY"].flatMap { $0.isEmpty ? nil : $0 } }

    func validate() throws {
        if key.isEmpty || key.contains("--") || key.contains(">") { throw ValidationError("--key takes a plain name, e.g. --key counts") }
        guard !dryRun else { return }
        guard pullRequest != nil else {
            throw ValidationError("which pull request? give --pr N (in Actions on pull_request events GITHUB_REF says it)")
        }
        guard let repository, repository.split(separator: "/").count == 2, !repository.contains(" ") else {
            throw ValidationError("--repo takes owner/name (default: GITHUB_REPOSITORY), e.g. --repo octo-org/sdk")
        }
        guard api != nil else {
            throw ValidationError("--api-url takes an http:// or https:// URL, e.g. https://github.example.com/api/v3")
        }
        guard !(environment["GITHUB_TOKEN"] ?? "").isEmpty else {
            throw ValidationError("no token: set GITHUB_TOKEN (in Actions: env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}), or use --dry-run")
        }
    }

    /// The marker the comment is found by: an HTML comment GitHub does not show.
    var marker: String { "<!-- hhbench comment: \(key) -->" }

    /// The marker, then compare's markdown, cut at a line within GitHub's limit.
    func body(_ markdown: String) -> String {
        let head = marker + "\n"
        guard head.count + markdown.count > Self.bodyLimit else { return head + markdown }
        var kept = "", cut = 0
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            if head.count + kept.count + line.count + 200 > Self.bodyLimit { cut = lines.count - index; break }
            kept += line + "\n"
        }
        return head + kept + "\n… \(cut) more lines: the whole report is in the job's log (hhbench compare --format markdown).\n"
    }

    func run() throws {
        let (report, config, warehouse) = try compare.makeReport()
        let text = body(CompareRendering.markdown(report, all: compare.all))
        print(dryRun ? text : compare.render(report), terminator: "")
        if dryRun {
            // Printed, not posted.
        } else if let pullRequest, let repository, let api {
            let github = GitHubComments(api: api, repository: repository, token: environment["GITHUB_TOKEN"] ?? "")
            do {
                let existing = try github.find(pr: pullRequest, marker: marker)
                let url = try github.post(pr: pullRequest, body: text, replacing: existing)
                note("hhbench: \(existing == nil ? "commented on" : "updated the comment on") pull request #\(pullRequest)" + (url.map { ": \($0)" } ?? ""))
            } catch {
                note("hhbench: warning: could not comment on pull request #\(pullRequest): \(error.description)")
            }
        }
        try compare.finish(report, config: config, warehouse: warehouse)
    }
}
