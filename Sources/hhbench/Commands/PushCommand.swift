import ArgumentParser
import Foundation
import Records
import Warehouse

struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Send the newest value of every series to a Prometheus Pushgateway.",
        discussion: """
            What 'hhbench export --format openmetrics' prints, grouped by machine: one PUT per machine to \
            URL/metrics/job/JOB/machine@base64/NAME, which replaces that group's previous push. A 5 s timeout \
            and 3 retries with backoff. Exit 0 when every group was accepted, 1 when one was not.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("The Pushgateway, e.g. http://127.0.0.1:9091.", valueName: "url"))
    var pushgateway: String

    @Option(help: "The job label of the group.")
    var job = "hhbench"

    @Option(help: "Only this branch's series.")
    var branch: String?

    func validate() throws {
        guard HTTPDelivery.webURL(pushgateway) != nil else {
            throw ValidationError("--pushgateway '\(pushgateway)' is not an http:// or https:// URL; write http://127.0.0.1:9091")
        }
        if job.isEmpty { throw ValidationError("--job must not be empty") }
    }

    func run() throws {
        guard let base = HTTPDelivery.webURL(pushgateway) else { throw CommandFailure.usage("--pushgateway is not a URL") }
        let warehouse = try database.openForReading()
        let values = try warehouse.latestValues().filter { branch == nil || $0.branch == branch }
        guard !values.isEmpty else { throw CommandFailure.notEnoughData("no values to push" + (branch.map { " on \($0)" } ?? "")) }
        var failed: [String] = []
        for (machine, group) in Dictionary(grouping: values, by: \.machine).sorted(by: { $0.key < $1.key }) {
            let url = base.appendingPathComponent("metrics/job@base64/\(Self.base64URL(job))/machine@base64/\(Self.base64URL(machine))")
            let outcome = HTTPDelivery().send(url, method: "PUT", body: Data(OpenMetrics.render(group).utf8),
                                              contentType: "text/plain; version=0.0.4; charset=utf-8")
            if outcome.delivered {
                note("hhbench: pushed \(group.count) values of machine \(Printable.escaped(machine)) to \(HTTPDelivery.shown(base))")
            } else {
                failed.append(Printable.escaped(machine))
                note("hhbench: the push for machine \(Printable.escaped(machine)) failed after \(outcome.attempts) attempt(s): \(outcome.problem ?? "no answer")")
            }
        }
        if !failed.isEmpty { throw CommandFailure.checkFailed("not pushed: machine " + failed.joined(separator: ", ")) }
    }

    /// The Pushgateway's base64url encoding of a grouping value (any characters, slashes included).
    static func base64URL(_ text: String) -> String {
        let encoded = Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        // An empty value is written as a single "=" (the Pushgateway's rule).
        return encoded.isEmpty ? "=" : encoded
    }
}
