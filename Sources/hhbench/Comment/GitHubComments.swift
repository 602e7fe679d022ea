import CHTTP
import Foundation
import Records

/// The pull-request comments hhbench keeps: GitHub's REST API for issue comments (a pull request
/// is an issue there), as https://docs.github.com/en/rest/issues/comments describes it: list
/// (`GET /repos/{owner}/{repo}/issues/{number}/comments`, 100 a page), create (`POST` to the same
/// path) and update (`PATCH /repos/{owner}/{repo}/issues/comments/{id}`). The token goes in the
/// Authorization header and nowhere else: no message, URL or log line holds it.
struct GitHubComments {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let api: URL
    /// owner/name.
    let repository: String
    let token: String
    var timeout: TimeInterval = 20

    /// The first comment of the pull request whose body holds `marker`, with its id.
    func find(pr: Int, marker: String) throws(Failure) -> Int64? {
        var page = 1
        while page <= 100 {
            let answer = try request("GET", "/repos/\(repository)/issues/\(pr)/comments?per_page=100&page=\(page)", body: nil)
            guard let comments = answer?.arrayValue else { throw Failure(description: "the GitHub API's list of comments was not a JSON array") }
            for comment in comments where (comment["body"]?.stringValue ?? "").contains(marker) {
                if let id = comment["id"]?.doubleValue { return Int64(id) }
            }
            if comments.count < 100 { return nil }
            page += 1
        }
        return nil
    }

    /// Creates the comment, or updates the one with `id`; the comment's URL when GitHub gives one.
    func post(pr: Int, body: String, replacing id: Int64?) throws(Failure) -> String? {
        let document = JSONOutput.render(.object([("body", .string(body))]))
        let answer = if let id {
            try request("PATCH", "/repos/\(repository)/issues/comments/\(id)", body: document)
        } else {
            try request("POST", "/repos/\(repository)/issues/\(pr)/comments", body: document)
        }
        return answer?["html_url"]?.stringValue
    }

    /// One call; a non-2xx answer is a failure naming the method, the path, the status and
    /// GitHub's message, with what usually fixes it.
    private func request(_ method: String, _ path: String, body: String?) throws(Failure) -> JSONValue? {
        let url = api.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path
        let headers = ["Accept: application/vnd.github+json", "X-GitHub-Api-Version: 2022-11-28", "Authorization: Bearer \(token)",
                       "Content-Type: application/json"]
        var status = 0
        var error = [CChar](repeating: 0, count: 512)
        var response: UnsafeMutablePointer<CChar>?
        var length = 0
        let pointers = headers.map { strdup($0) }
        defer { for pointer in pointers { free(pointer) } }
        let headerList: [UnsafePointer<CChar>?] = pointers.map { UnsafePointer($0) } + [nil]
        let result: Int32 = headerList.withUnsafeBufferPointer { list in
            if let body {
                let bytes = Array(body.utf8CString)
                return bytes.withUnsafeBufferPointer { text in
                    chttp_request(url, method, list.baseAddress, "hhbench/\(HHBenchVersion.current)", text.baseAddress, bytes.count - 1,
                                  Int(timeout * 1000), &status, &response, &length, &error, error.count)
                }
            }
            return chttp_request(url, method, list.baseAddress, "hhbench/\(HHBenchVersion.current)", nil, 0,
                                 Int(timeout * 1000), &status, &response, &length, &error, error.count)
        }
        defer { chttp_free(response) }
        let shownPath = path.split(separator: "?").first.map(String.init) ?? path
        guard result == 0 else {
            let message = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw Failure(description: "\(method) \(shownPath) at \(HTTPDelivery.shown(api)): \(message.replacingOccurrences(of: token, with: "***"))")
        }
        let text = response.map { String(decoding: UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: length), as: UTF8.self) } ?? ""
        let document = text.isEmpty ? nil : try? JSONParser.parse(text)
        guard (200...299).contains(status) else {
            let said = document?["message"]?.stringValue.map { ": \($0)" } ?? ""
            let fix = switch status {
            case 401: "; the token is missing or expired (GITHUB_TOKEN)"
            case 403: "; give the job permission to write pull-request comments (permissions: pull-requests: write)"
            case 404: "; check --repo \(repository) and --pr, and that the token can see the repository"
            default: ""
            }
            throw Failure(description: "the GitHub API answered \(status) to \(method) \(shownPath)\(said.replacingOccurrences(of: token, with: "***"))\(fix)")
        }
        return document
    }
}
