import Foundation
import GRDB
import Records

/// Migration 0003's data step: every series of the JSON-text layout (`sample_series_json`, kept
/// by the migration's SQL under that name) is re-encoded into the binary layout of `SampleCoding`,
/// then the old table is dropped. It runs inside the migration's transaction, so a database is
/// either fully converted or left as it was.
enum SampleMigration {
    /// The migration whose data step this is (migrations/0003_compact_samples.sql).
    static let version = 3

    static func convertJSONSeries(_ db: Database) throws {
        let insert = try db.makeStatement(sql: """
            INSERT INTO sample_series (id, run_id, benchmark_id, metric_id, count, ieee754, divisor, base, width, samples)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let rows = try Row.fetchCursor(db, sql: """
            SELECT id, run_id, benchmark_id, metric_id, divisor, samples FROM sample_series_json ORDER BY id
            """)
        while let row = try rows.next() {
            let divisor: Double = row["divisor"]
            let numbers = try jsonSamples(row["samples"], divisor: divisor, id: row["id"])
            guard !numbers.isEmpty else { continue }
            let stored = SampleCoding.encode(numbers)
            try insert.execute(arguments: [row["id"], row["run_id"], row["benchmark_id"], row["metric_id"],
                                           stored.count, stored.ieee754, stored.divisor, stored.base, stored.width,
                                           Data(stored.bytes)])
        }
        try db.execute(sql: "DROP TABLE sample_series_json")
    }

    /// The samples of one series of the JSON layout: integers over `divisor` (a power of ten), or
    /// JSON numbers with divisor 1, as the numbers they were recorded as.
    static func jsonSamples(_ text: String, divisor: Double, id: Int64) throws -> [DecimalNumber] {
        var scale = 0
        var power = 1.0
        while power < divisor, scale < 22 { power *= 10; scale += 1 }
        guard power == divisor else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "sample series \(id) has divisor \(divisor), not a power of ten")
        }
        var numbers: [DecimalNumber] = []
        var text = text
        try text.withUTF8 { bytes in
            var start = 1
            for index in 1..<max(1, bytes.count) where bytes[index] == UInt8(ascii: ",") || bytes[index] == UInt8(ascii: "]") {
                guard index > start, let number = DecimalNumber.parse(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<index]))) else {
                    throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "sample series \(id) is not a JSON array of numbers")
                }
                if scale == 0 {
                    numbers.append(number)
                } else {
                    guard let mantissa = number.mantissa, number.scale == 0 else {
                        throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "sample series \(id) mixes a divisor with decimals")
                    }
                    numbers.append(DecimalNumber(value: number.value / divisor, mantissa: mantissa, scale: scale))
                }
                start = index + 1
            }
        }
        return numbers
    }
}
