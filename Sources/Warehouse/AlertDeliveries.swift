import Foundation
import GRDB
import Records

/// An alert `--notify` delivered, or gave up delivering, kept so that it is sent once per run.
package struct AlertDelivery: Sendable, Equatable {
    /// SHA-256 of the destination, the candidate runs, the series and the verdict.
    package let key: String
    package let runUUID: String?
    package let benchmark: String
    package let metric: String
    package let verdict: String
    package let attempts: Int
    /// The receiver's last HTTP status; nil when it never answered.
    package let httpStatus: Int?

    package init(key: String, runUUID: String?, benchmark: String, metric: String, verdict: String, attempts: Int, httpStatus: Int?) {
        self.key = key
        self.runUUID = runUUID
        self.benchmark = benchmark
        self.metric = metric
        self.verdict = verdict
        self.attempts = attempts
        self.httpStatus = httpStatus
    }
}

extension Warehouse {
    /// The keys among `keys` whose alert was delivered already (a 2xx answer).
    package func deliveredAlerts(_ keys: [String]) throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        return try read { reader in
            Set(try reader.column("""
                SELECT alert_key FROM alert_deliveries
                WHERE alert_key IN (\(databaseQuestionMarks(count: keys.count))) AND http_status BETWEEN 200 AND 299
                """, keys.map(\.databaseValue), as: String.self))
        }
    }

    /// Claims the delivery of `alert` before it is sent, in its own transaction, so that of
    /// several hhbench processes at once exactly one sends it: true when this call got the claim.
    /// A claim is a row with no attempts yet; it can be taken when no row exists, when the last
    /// delivery failed (the documented retry on a later call), or when a claim is older than
    /// `staleAfter` seconds (its process died before it recorded the outcome). One statement,
    /// atomic on both engines (SQLite's write lock; PostgreSQL's `ON CONFLICT … DO UPDATE … WHERE`
    /// re-checks the row it waited for).
    package func claimAlertDelivery(_ alert: AlertDelivery, staleAfter: Double = 600) throws -> Bool {
        let sql = """
            INSERT INTO alert_deliveries (alert_key, run_uuid, benchmark, metric, verdict, delivered_at, attempts, http_status)
            VALUES (?, ?, ?, ?, ?, ?, 0, NULL)
            ON CONFLICT (alert_key) DO UPDATE SET delivered_at = excluded.delivered_at, attempts = 0, http_status = NULL
            WHERE COALESCE(alert_deliveries.http_status, 0) NOT BETWEEN 200 AND 299
              AND (alert_deliveries.attempts > 0 OR alert_deliveries.delivered_at < ?)
            RETURNING alert_key
            """
        let arguments = bound(alert.key, alert.runUUID, alert.benchmark, alert.metric, alert.verdict, Timestamp.now(),
                              Timestamp.string(from: Date(timeIntervalSinceNow: -staleAfter)))
        switch engine {
        case .sqlite(let queue):
            return try Self.translating(path) {
                try queue.write { db in try Row.fetchOne(db, sql: sql, arguments: StatementArguments(arguments)) != nil }
            }
        #if POSTGRES
        case .postgres(let session):
            return try session.transaction { !(try session.query(SQLText.numberingPlaceholders(sql), arguments)).isEmpty }
        #endif
        }
    }

    /// Records a delivery; a failed one is replaced by a later success.
    package func recordAlertDelivery(_ delivery: AlertDelivery) throws {
        try execute("""
                INSERT INTO alert_deliveries (alert_key, run_uuid, benchmark, metric, verdict, delivered_at, attempts, http_status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (alert_key) DO UPDATE SET delivered_at = excluded.delivered_at, attempts = excluded.attempts,
                    http_status = excluded.http_status
                """, bound(delivery.key, delivery.runUUID, delivery.benchmark, delivery.metric, delivery.verdict,
                           Timestamp.now(), delivery.attempts, delivery.httpStatus))
    }
}
