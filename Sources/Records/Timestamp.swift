import Foundation

/// Times in the warehouse are ISO 8601 UTC text with milliseconds ("2026-11-27T13:40:38.123Z"),
/// which sorts and compares correctly as text in SQL.
public enum Timestamp {
    public static func string(from date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        var seconds = Int64(milliseconds / 1000)
        var millis = Int64(milliseconds) - seconds * 1000
        if millis < 0 { millis += 1000; seconds -= 1 }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(millis))
    }

    public static func now() -> String { string(from: Date()) }

    /// A time from seconds since 1970 (the legacy baselines' `timestamp`).
    public static func string(fromUnixSeconds seconds: Double) -> String {
        string(from: Date(timeIntervalSince1970: seconds))
    }

    /// Parses ISO 8601 date-times with or without fractional seconds and with any offset
    /// ("2026-11-27T12:45:44+00:00", "2026-11-27T12:45:44.123456Z", "2026-11-27 12:45:44"),
    /// and returns the normalised UTC text; nil when the text is not such a time.
    public static func normalize(_ text: String) -> String? {
        parse(text).map(string(from:))
    }

    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$"#
        guard let match = trimmed.range(of: pattern, options: .regularExpression), match == trimmed.startIndex..<trimmed.endIndex
        else { return nil }
        let scanner = Array(trimmed)
        func number(_ from: Int, _ length: Int) -> Int { Int(String(scanner[from..<from + length]))! }
        var parts = tm()
        parts.tm_year = Int32(number(0, 4) - 1900)
        parts.tm_mon = Int32(number(5, 2) - 1)
        parts.tm_mday = Int32(number(8, 2))
        parts.tm_hour = Int32(number(11, 2))
        parts.tm_min = Int32(number(14, 2))
        parts.tm_sec = Int32(number(17, 2))
        var seconds = Double(timegm(&parts))
        var index = 19
        if index < scanner.count, scanner[index] == "." {
            var end = index + 1
            while end < scanner.count, scanner[end].isNumber { end += 1 }
            seconds += Double("0" + String(scanner[index..<end])) ?? 0
            index = end
        }
        if index < scanner.count, scanner[index] != "Z" {
            let sign: Double = scanner[index] == "-" ? -1 : 1
            let digits = scanner[(index + 1)...].filter(\.isNumber)
            let hours = Double(String(digits.prefix(2))) ?? 0
            let minutes = Double(String(digits.dropFirst(2))) ?? 0
            seconds -= sign * (hours * 3600 + minutes * 60)
        }
        return Date(timeIntervalSince1970: seconds)
    }
}
