/// A canonical text of a document, for comparing it with another reader's answer: the same text
/// that `Tests/tools/tomllib_oracle.py` writes for what Python's tomllib reads. Keys sorted by
/// Unicode scalar; strings and keys as the hex of their UTF-8; floats by their IEEE-754 bits
/// (every NaN alike); dates and times to the microsecond, as Python's datetime keeps them.
extension TOMLTable {
    package var canonicalText: String {
        let sorted = entries.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) { $0.value < $1.value } }
        return "{" + sorted.map { Self.hex($0.key) + ":" + $0.value.canonicalText }.joined(separator: ",") + "}"
    }

    static func hex(_ text: String) -> String {
        text.utf8.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }
}

extension TOMLValue {
    package var canonicalText: String {
        switch self {
        case .string(let text): return "s" + TOMLTable.hex(text)
        case .integer(let value): return "i\(value)"
        case .float(let value):
            if value.isNaN { return "fnan" }
            let bits = String(value.bitPattern, radix: 16)
            return "f" + String(repeating: "0", count: 16 - bits.count) + bits
        case .boolean(let value): return "b\(value)"
        case .dateTime(let value): return value.canonicalText
        case .array(let items): return "[" + items.map(\.canonicalText).joined(separator: ",") + "]"
        case .table(let table): return table.canonicalText
        }
    }
}

extension TOMLDateTime {
    var canonicalText: String {
        func padded(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let micros = String((fraction + "000000").prefix(6))
        let date = padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2)
        let time = padded(hour, 2) + ":" + padded(minute, 2) + ":" + padded(second, 2) + "." + micros
        switch (hasDate, hasTime) {
        case (true, false): return "ld" + date
        case (false, _): return "lt" + time
        case (true, true): return offsetMinutes.map { "odt" + date + "T" + time + "\($0)" } ?? "ldt" + date + "T" + time
        }
    }
}
