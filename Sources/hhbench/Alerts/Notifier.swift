import Foundation
import Records
import Warehouse

/// Sends alerts to `--notify URL` once each: an alert already delivered for the same runs (or
/// the same change point) is skipped, and every attempt is recorded in `alert_deliveries`. A failed
/// delivery is reported on stderr and does not change the command's exit code, which keeps
/// meaning what the verdicts say.
struct Notifier {
    enum Format: String, CaseIterable { case json, slack }

    let url: URL
    let format: Format
    let warehouse: Warehouse
    var delivery = HTTPDelivery()

    /// Sends what was not sent before; returns how many were delivered now.
    @discardableResult
    func send(_ alerts: [Alert]) -> Int {
        guard !alerts.isEmpty else { return 0 }
        let destination = url.absoluteString
        let delivered = (try? warehouse.deliveredAlerts(alerts.map { $0.key(destination: destination) })) ?? []
        var sent = 0
        for alert in alerts {
            let key = alert.key(destination: destination)
            if delivered.contains(key) {
                note("hhbench: alert for \(Printable.escaped(alert.benchmark)) \(Printable.escaped(alert.metric.name)) was sent before; not sent again")
                continue
            }
            let body = format == .slack ? alert.slack() : alert.json(timestamp: Timestamp.now())
            let outcome = delivery.send(url, body: Data(body.compactText.utf8), contentType: "application/json")
            do {
                try warehouse.recordAlertDelivery(AlertDelivery(key: key, runUUID: alert.runUUID, benchmark: alert.benchmark, metric: alert.metric.name,
                                                                verdict: alert.kind.rawValue, attempts: outcome.attempts, httpStatus: outcome.status))
            } catch {
                note("hhbench: warning: the delivery could not be recorded: \(ErrorReport.message(for: error))")
            }
            if outcome.delivered {
                sent += 1
            } else {
                note("hhbench: warning: the alert for \(Printable.escaped(alert.benchmark)) \(Printable.escaped(alert.metric.name)) was not delivered to "
                     + "\(HTTPDelivery.shown(url)) after \(outcome.attempts) attempt(s): \(outcome.problem ?? "no answer"); the exit code is unchanged")
            }
        }
        if sent > 0 { note("hhbench: sent \(sent) alert(s) to \(HTTPDelivery.shown(url))") }
        return sent
    }
}
