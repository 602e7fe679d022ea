import Analysis
import ArgumentParser
import Foundation
import Warehouse

/// `--notify` and `--notify-format`, shared by `compare` and `trend`.
struct NotifyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("POST a JSON alert here for each regression or exceeded budget (or [alerts] notify_url); each alert once per run. A failed delivery is reported on stderr and leaves the exit code as the verdicts set it.",
                               valueName: "url"))
    var notify: String?

    @Option(help: ArgumentHelp("json (the default: alert_type, test_name, severity, details, timestamp, source) or slack ({\"text\": …}).",
                               valueName: "format"))
    var notifyFormat: String?

    func validate() throws {
        if let notify, HTTPDelivery.webURL(notify) == nil {
            throw ValidationError("--notify '\(notify)' is not an http:// or https:// URL")
        }
        if let notifyFormat, Notifier.Format(rawValue: notifyFormat) == nil {
            throw ValidationError("--notify-format must be json or slack")
        }
    }

    /// The notifier the flags and the config ask for, or nil. Deliveries are recorded in the
    /// database, so it is opened for writing (and migrated) only here, when alerts are on.
    func notifier(config: ProjectConfig, database: DatabaseOptions) throws -> Notifier? {
        guard let text = notify ?? config.notifyURL else { return nil }
        guard let url = HTTPDelivery.webURL(text) else { throw CommandFailure.usage("the notify URL is not an http:// or https:// URL") }
        let format = (notifyFormat ?? config.notifyFormat).flatMap(Notifier.Format.init(rawValue:)) ?? .json
        do {
            return Notifier(url: url, format: format, warehouse: try database.openForWriting())
        } catch {
            // Like a failed delivery, this must not change what the exit code says.
            note("hhbench: warning: no alerts sent: the database cannot record deliveries: \(ErrorReport.message(for: error))")
            return nil
        }
    }
}
