import Foundation

/// Times in the warehouse are ISO 8601 UTC text with milliseconds ("2026-11-27T13:40:38.123Z"),
/// which sorts and compares correctly as text in SQL, for years 1970 to 9999.
///
/// Parsing is strict on purpose. Foundation's `Date.ISO8601FormatStyle` would be the obvious
/// reader, but on Linux (Swift 6.3) it rolls impossible times over ("2026-02-30" becomes March 2nd,
/// "24:00:00" the next day, ":60" the next minute), accepts five-digit years, refuses times without
/// an offset (pytest-benchmark writes them) and returns a `Double`, whose rounding can move a
/// millisecond: each would store another time than the input says or refuse a real tool's file. So the grammar below is checked field by field: ASCII digits only,
/// real calendar ranges, and the result must lie in the years the text format can hold.
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
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(millis))
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
        var reader = DigitReader(Array(text.utf8))
        reader.skipSpaces()
        guard let year = reader.digits(4), reader.take(UInt8(ascii: "-")),
              let month = reader.digits(2), reader.take(UInt8(ascii: "-")),
              let day = reader.digits(2), reader.take(UInt8(ascii: "T")) || reader.take(UInt8(ascii: " ")) || reader.take(UInt8(ascii: "t")),
              let hour = reader.digits(2), reader.take(UInt8(ascii: ":")),
              let minute = reader.digits(2), reader.take(UInt8(ascii: ":")),
              let second = reader.digits(2)
        else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
        var millis = 0
        if reader.take(UInt8(ascii: ".")) || reader.take(UInt8(ascii: ",")) {
            guard let digits = reader.fractionMilliseconds() else { return nil }
            millis = digits
        }
        var offsetSeconds = 0
        if reader.take(UInt8(ascii: "Z")) || reader.take(UInt8(ascii: "z")) {
        } else if let sign = reader.sign() {
            guard let hours = reader.digits(2), (0...23).contains(hours) else { return nil }
            _ = reader.take(UInt8(ascii: ":"))
            guard let minutes = reader.digits(2), (0...59).contains(minutes) else { return nil }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        }
        reader.skipSpaces()
        guard reader.atEnd else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        let milliseconds = Int64(seconds) * 1000 + Int64(millis)
        guard milliseconds >= 0, Double(milliseconds) <= latest * 1000 else { return nil }
        return milliseconds
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// Reads ASCII digits and signs from UTF-8 bytes; a non-ASCII digit is not a digit here.
private struct DigitReader {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position == bytes.count }

    mutating func skipSpaces() {
        while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }
    }

    mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// Exactly `count` ASCII digits as a number.
    mutating func digits(_ count: Int) -> Int? {
        guard position + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[position..<position + count] {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        position += count
        return value
    }

    /// One or more ASCII digits after a decimal point, as whole milliseconds (truncated).
    mutating func fractionMilliseconds() -> Int? {
        var value = 0
        let start = position
        while position < bytes.count, (0x30...0x39).contains(bytes[position]) {
            if position - start < 3 { value = value * 10 + Int(bytes[position] - 0x30) }
            position += 1
        }
        let digits = position - start
        guard digits > 0 else { return nil }
        var scaled = digits
        while scaled < 3 { value *= 10; scaled += 1 }
        return value
    }

    mutating func sign() -> Int? {
        if take(UInt8(ascii: "+")) { return 1 }
        if take(UInt8(ascii: "-")) { return -1 }
        return nil
    }
}
