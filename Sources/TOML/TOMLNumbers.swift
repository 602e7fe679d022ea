/// Integers, floats, dates and times: each read as the longest prefix that fits its grammar
/// (TOML 1.0's ABNF, as tomllib's regular expressions write it); whatever follows must then be
/// a separator, or the statement is refused.
extension Parser {
    /// `0x…`, `0o…`, `0b…`, decimal integers and floats, with `_` only between digits.
    mutating func number() throws(TOMLError) -> TOMLValue? {
        let start = pos
        if current == UInt8(ascii: "0"), let prefix = peek(1) {
            let radix: Int? = prefix == UInt8(ascii: "x") ? 16 : prefix == UInt8(ascii: "o") ? 8 : prefix == UInt8(ascii: "b") ? 2 : nil
            if let radix, let first = peek(2), Self.isDigit(first, radix: radix) {
                pos += 2
                digits(radix: radix)
                let text = String(self.text(start + 2..<pos).filter { $0 != "_" })
                guard let value = Int64(text, radix: radix) else { throw error("the integer does not fit 64 bits", at: start) }
                return .integer(value)
            }
        }
        var cursor = pos
        if let sign = current, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { cursor += 1 }
        guard cursor < bytes.count, bytes[cursor].isDigit else { return nil }
        pos = cursor
        if bytes[cursor] == UInt8(ascii: "0") { pos += 1 } else { digits(radix: 10) }
        var isFloat = false
        if current == UInt8(ascii: "."), let next = peek(1), next.isDigit {
            pos += 1
            digits(radix: 10)
            isFloat = true
        }
        if let e = current, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var exponent = pos + 1
            if exponent < bytes.count, bytes[exponent] == UInt8(ascii: "+") || bytes[exponent] == UInt8(ascii: "-") { exponent += 1 }
            if exponent < bytes.count, bytes[exponent].isDigit {
                pos = exponent
                digits(radix: 10)
                isFloat = true
            }
        }
        let text = String(self.text(start..<pos).filter { $0 != "_" })
        if isFloat {
            guard let value = Double(text) else { throw error("not a number", at: start) }
            return .float(value)
        }
        guard let value = Int64(text) else { throw error("the integer does not fit 64 bits (from -2^63 to 2^63 - 1)", at: start) }
        return .integer(value)
    }

    /// Digits of `radix`, one or more, with single underscores between them.
    private mutating func digits(radix: Int) {
        while let byte = current {
            if Self.isDigit(byte, radix: radix) {
                pos += 1
            } else if byte == UInt8(ascii: "_"), let next = peek(1), Self.isDigit(next, radix: radix) {
                pos += 2
            } else {
                return
            }
        }
    }

    private static func isDigit(_ byte: UInt8, radix: Int) -> Bool {
        switch radix {
        case 16: byte.isHexDigit
        case 8: (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte)
        case 2: byte == UInt8(ascii: "0") || byte == UInt8(ascii: "1")
        default: byte.isDigit
        }
    }

    // MARK: Dates and times

    /// `1979-05-27`, then optionally `T07:32:00.999` and `Z` or `-07:00`.
    mutating func dateTime() throws(TOMLError) -> TOMLDateTime? {
        let start = pos
        guard let year = fixedDigits(4, at: pos), peek(4) == UInt8(ascii: "-"),
              let month = fixedDigits(2, at: pos + 5), (1...12).contains(month), peek(7) == UInt8(ascii: "-"),
              let day = fixedDigits(2, at: pos + 8), (1...31).contains(day) else { return nil }
        pos += 10
        var value = TOMLDateTime(year: year, month: month, day: day, hasDate: true)
        if let separator = current, separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " ") {
            let afterDate = pos
            pos += 1
            if let time = localTime() {
                value.hour = time.hour
                value.minute = time.minute
                value.second = time.second
                value.fraction = time.fraction
                value.hasTime = true
                if current == UInt8(ascii: "Z") || current == UInt8(ascii: "z") {
                    pos += 1
                    value.offsetMinutes = 0
                } else if let sign = current, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
                          let hours = fixedDigits(2, at: pos + 1), hours <= 23, peek(3) == UInt8(ascii: ":"),
                          let minutes = fixedDigits(2, at: pos + 4), minutes <= 59 {
                    pos += 6
                    value.offsetMinutes = (hours * 60 + minutes) * (sign == UInt8(ascii: "-") ? -1 : 1)
                }
            } else {
                pos = afterDate
            }
        }
        // The date must exist: no 30 February, no year 0 (tomllib builds Python's datetime.date).
        guard year >= 1, day <= Self.daysIn(month: month, year: year) else { throw error("no such date", at: start) }
        return value
    }

    /// `07:32:00` with an optional fraction of a second.
    mutating func localTime() -> TOMLDateTime? {
        guard let hour = fixedDigits(2, at: pos), hour <= 23, peek(2) == UInt8(ascii: ":"),
              let minute = fixedDigits(2, at: pos + 3), minute <= 59, peek(5) == UInt8(ascii: ":"),
              let second = fixedDigits(2, at: pos + 6), second <= 59 else { return nil }
        pos += 8
        var value = TOMLDateTime(hour: hour, minute: minute, second: second, hasTime: true)
        if current == UInt8(ascii: "."), let next = peek(1), next.isDigit {
            pos += 1
            let start = pos
            while let digit = current, digit.isDigit { pos += 1 }
            value.fraction = text(start..<pos)
        }
        return value
    }

    private func fixedDigits(_ count: Int, at offset: Int) -> Int? {
        guard offset + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[offset..<offset + count] {
            guard byte.isDigit else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
