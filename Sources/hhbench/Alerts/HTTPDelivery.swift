import CHTTP
import Foundation

/// One HTTP request sent with a timeout and retries: alerts (`--notify`) and Pushgateway pushes.
/// A connection error, a timeout, 408, 429 and any 5xx answer are retried after 0.5, 1 and 2 s
/// (exponential backoff); other answers are final. The request goes through the system's libcurl,
/// loaded only here (`CHTTP`): linking Foundation's URLSession doubled every command's start.
struct HTTPDelivery {
    struct Outcome {
        /// The last HTTP status; nil when the receiver never answered.
        let status: Int?
        let attempts: Int
        /// What went wrong, when the last attempt did not get a 2xx answer.
        let problem: String?
        var delivered: Bool { status.map { (200...299).contains($0) } ?? false }
    }

    var timeout: TimeInterval = 5
    var retries = 3
    var backoff: TimeInterval = 0.5

    func send(_ url: URL, method: String = "POST", body: Data, contentType: String) -> Outcome {
        var attempts = 0
        var last = Outcome(status: nil, attempts: 0, problem: "not sent")
        while attempts <= retries {
            if attempts > 0 { Thread.sleep(forTimeInterval: backoff * pow(2, Double(attempts - 1))) }
            attempts += 1
            let (status, problem) = once(url, method: method, body: body, contentType: contentType)
            last = Outcome(status: status, attempts: attempts, problem: problem)
            if last.delivered { return last }
            if let status, !(status == 408 || status == 429 || status >= 500) { return last }
        }
        return last
    }

    /// A URL hhbench may send to (`--notify`, `--pushgateway`): http or https with a host.
    static func webURL(_ text: String) -> URL? {
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), let url = URL(string: text), url.host != nil else { return nil }
        return url
    }

    /// The URL as it may be shown: scheme, host and port only. Webhook paths and query strings are
    /// often the secret (a Slack webhook's path is its token), and user info always is.
    static func shown(_ url: URL) -> String {
        var components = URLComponents()
        components.scheme = url.scheme
        components.host = url.host
        components.port = url.port
        return (components.string ?? "the receiver") + (url.path.isEmpty || url.path == "/" ? "" : "/…")
    }

    private func once(_ url: URL, method: String, body: Data, contentType: String) -> (Int?, String?) {
        var status = 0
        var error = [CChar](repeating: 0, count: 512)
        let bytes = [UInt8](body) + [0]
        let result = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { text in
                chttp_send(url.absoluteString, method, contentType, "hhbench/\(HHBenchVersion.current)", text.baseAddress, body.count,
                           Int(timeout * 1000), &status, &error, error.count)
            }
        }
        guard result == 0 else {
            // libcurl's message may quote the URL: only its shown form is printed.
            let message = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return (nil, message.replacingOccurrences(of: url.absoluteString, with: Self.shown(url)))
        }
        return (status, (200...299).contains(status) ? nil : "HTTP \(status)")
    }
}
