import Foundation

/// Times in the warehouse are ISO 8601 UTC text with milliseconds ("2026-11-27T13:40:38.123Z"),
/// which sorts and compares correctly as text in SQL, for years 1970 to 9999.
///
/// Reading is Foundation's `Date.ISO8601FormatStyle` (RFC 3339 date-times), held to what the text
/// says. On Linux (Swift 6.3) that parser rolls impossible times over ("2026-02-30" becomes March
/// 2nd, "24:00:00" the next day, ":60" the next minute) and refuses a time without an offset
/// (pytest-benchmark writes them), and its `Double` can move a millisecond. So the date and time
/// fields are parsed as UTC and must format back to exactly the text given; the offset and the
/// fraction of a second are taken from the text (the fraction truncated to whole milliseconds,
/// so "…44.333" stays .333 and a stored time reads back as itself).
public enum Timestamp {
    /// The first and last instants the warehouse stores: 1970-01-01 and the end of 9999 (UTC).
    public static let earliest: Double = 0
    public static let latest: Double = 253_402_300_799.999

    public static func string(from date: Date) -> String {
        let clamped = Swift.min(Swift.max(date.timeIntervalSince1970, earliest), latest)
        return string(fromMilliseconds: Int64((clamped * 1000).rounded(.down)))
    }

    /// The text of a time given in whole milliseconds since 1970 (within `earliest...latest`).
    static func string(fromMilliseconds milliseconds: Int64) -> String {
        let seconds = milliseconds / 1000
        let millis = milliseconds - seconds * 1000
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        // Written digit by digit, not with String(format:): a batch of 100,000 runs stamps each.
        var text: [UInt8] = []
        text.reserveCapacity(24)
        func append(_ value: Int, digits: Int) {
            var divisor = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                text.append(UInt8(48 + (rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        append(Int(parts.tm_year) + 1900, digits: 4); text.append(UInt8(ascii: "-"))
        append(Int(parts.tm_mon) + 1, digits: 2); text.append(UInt8(ascii: "-"))
        append(Int(parts.tm_mday), digits: 2); text.append(UInt8(ascii: "T"))
        append(Int(parts.tm_hour), digits: 2); text.append(UInt8(ascii: ":"))
        append(Int(parts.tm_min), digits: 2); text.append(UInt8(ascii: ":"))
        append(Int(parts.tm_sec), digits: 2); text.append(UInt8(ascii: "."))
        append(Int(millis), digits: 3); text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    public static func now() -> String { string(from: Date()) }

    /// A time from seconds since 1970 (the legacy baselines' `timestamp`); nil when it is not
    /// finite or lies outside the years 1970 to 9999.
    public static func string(fromUnixSeconds seconds: Double) -> String? {
        guard seconds.isFinite, seconds >= earliest, seconds <= latest else { return nil }
        return string(from: Date(timeIntervalSince1970: seconds))
    }

    /// Parses ISO 8601 date-times with or without fractional seconds and with any offset
    /// ("2026-11-27T12:45:44+00:00", "2026-11-27T12:45:44.123456Z", "2026-11-27 12:45:44"; no
    /// offset means UTC), and returns the normalised UTC text; nil when the text is not such a
    /// time, names a day or hour that does not exist, or lies outside the years 1970 to 9999.
    public static func normalize(_ text: String) -> String? {
        // In whole milliseconds, not through a Double: "…44.333" must stay .333, and a stored time
        // must read back as itself.
        parseMilliseconds(text).map(string(fromMilliseconds:))
    }

    public static func parse(_ text: String) -> Date? {
        parseMilliseconds(text).map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    /// Milliseconds since 1970, the fraction of a second truncated to milliseconds.
    static func parseMilliseconds(_ text: String) -> Int64? {
        var bytes = Array(text.utf8)[...]
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes = bytes.dropFirst() }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes = bytes.dropLast() }
        // ASCII only: a digit of another script is not a digit here.
        guard bytes.count >= 19, bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var fields = Array(bytes.prefix(19))
        // RFC 3339 (section 5.6) lets a space or a lower-case t separate date and time.
        if fields[10] == UInt8(ascii: " ") || fields[10] == UInt8(ascii: "t") { fields[10] = UInt8(ascii: "T") }
        let dateTime = String(decoding: fields, as: UTF8.self)
        var rest = bytes.dropFirst(19)
        let millis = Self.fractionMilliseconds(&rest)
        guard let millis, let offsetSeconds = Self.offsetSeconds(rest) else { return nil }
        let utc = Date.ISO8601FormatStyle()
        guard let local = try? utc.parse(dateTime + "Z"), utc.format(local) == dateTime + "Z" else { return nil }
        let seconds = Int64(local.timeIntervalSince1970) - Int64(offsetSeconds)
        let milliseconds = seconds * 1000 + Int64(millis)
        guard milliseconds >= 0, Double(milliseconds) <= latest * 1000 else { return nil }
        return milliseconds
    }

    /// `.digits` or `,digits` (one or more) as whole milliseconds, truncated; 0 when there is no
    /// fraction; nil when a separator has no digits.
    private static func fractionMilliseconds(_ rest: inout ArraySlice<UInt8>) -> Int? {
        guard let separator = rest.first, separator == UInt8(ascii: ".") || separator == UInt8(ascii: ",") else { return 0 }
        rest = rest.dropFirst()
        let digits = rest.prefix { (0x30...0x39).contains($0) }
        guard !digits.isEmpty else { return nil }
        rest = rest.dropFirst(digits.count)
        let kept = Array(digits.prefix(3)) + Array(repeating: UInt8(ascii: "0"), count: max(0, 3 - digits.count))
        return kept.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// What follows the time: nothing (UTC), `Z`, or `±HH:MM` / `±HHMM` (hours 0–23, minutes 0–59).
    private static func offsetSeconds(_ rest: ArraySlice<UInt8>) -> Int? {
        let text = Array(rest)
        if text.isEmpty || text == [UInt8(ascii: "Z")] || text == [UInt8(ascii: "z")] { return 0 }
        guard let sign = text.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
        let digits = text.dropFirst().filter { $0 != UInt8(ascii: ":") }
        guard digits.count == 4, text.count == 5 || (text.count == 6 && text[3] == UInt8(ascii: ":")),
              digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let value = digits.map { Int($0 - 0x30) }
        let hours = value[0] * 10 + value[1], minutes = value[2] * 10 + value[3]
        guard hours <= 23, minutes <= 59 else { return nil }
        return (sign == UInt8(ascii: "-") ? -1 : 1) * (hours * 3600 + minutes * 60)
    }
}
