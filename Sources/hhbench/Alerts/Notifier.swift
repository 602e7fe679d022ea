import Foundation
import Records
import Warehouse

/// Sends alerts to `--notify URL` once each: an alert already delivered for the same runs (or
/// the same change point) is skipped, and every attempt is recorded in `alert_deliveries`. Each
/// alert is claimed in the warehouse before it is sent (`claimAlertDelivery`), so hhbench
/// processes running at once on one database send it once between them. A failed
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
        var sent = 0
        for alert in alerts {
            let key = alert.key(destination: destination)
            let claim = AlertDelivery(key: key, runUUID: alert.runUUID, benchmark: alert.benchmark, metric: alert.metric.name,
                                      verdict: alert.kind.rawValue, attempts: 0, httpStatus: nil)
            do {
                guard try warehouse.claimAlertDelivery(claim) else {
                    note("hhbench: alert for \(Printable.escaped(alert.benchmark)) \(Printable.escaped(alert.metric.name)) was sent before "
                         + "(or is being sent by another hhbench); not sent again")
                    continue
                }
            } catch {
                // A database hhbench cannot write (read-only, say): what was delivered is still
                // known, so an alert goes out once as long as no other process sends it too.
                if (try? warehouse.deliveredAlerts([key]))?.isEmpty == false {
                    note("hhbench: alert for \(Printable.escaped(alert.benchmark)) \(Printable.escaped(alert.metric.name)) was sent before; not sent again")
                    continue
                }
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
