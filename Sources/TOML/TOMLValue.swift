/// A TOML 1.0 document as read: tables keep their keys in the order written, and every entry
/// where it was written, so that a check made after reading (a range, an unknown setting) can
/// name the line.
package enum TOMLValue: Sendable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    /// Offset date-times, local date-times, local dates and local times (which parts are set says which).
    case dateTime(TOMLDateTime)
    case array([TOMLValue])
    case table(TOMLTable)

    /// What a person calls it in an error: "a string", "a table", ….
    package var kindName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .dateTime: "a date or time"
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// Where a key or header stands in the text: 1-based line and column (in characters).
package struct TOMLPosition: Sendable, Equatable {
    package var line: Int
    package var column: Int

    package init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// A table's key. Keys are compared by their Unicode scalars, as TOML (and Python's tomllib)
/// compare them: "é" written precomposed and as "e" + U+0301 are two keys, though Swift's
/// `String` equality would call them one.
package struct TOMLKey: Hashable, Sendable, CustomStringConvertible {
    package let text: String
    package init(_ text: String) { self.text = text }
    package var description: String { text }
    package static func == (a: TOMLKey, b: TOMLKey) -> Bool { a.text.unicodeScalars.elementsEqual(b.text.unicodeScalars) }
    package func hash(into hasher: inout Hasher) {
        for scalar in text.unicodeScalars { hasher.combine(scalar.value) }
    }
}

/// A table: its entries in the order they were first written.
package struct TOMLTable: Sendable {
    package struct Entry: Sendable {
        package var key: String
        package var value: TOMLValue
        package var position: TOMLPosition
    }

    package private(set) var entries: [Entry] = []
    private var index: [TOMLKey: Int] = [:]

    package init() {}

    package subscript(key: String) -> Entry? {
        index[TOMLKey(key)].map { entries[$0] }
    }

    mutating func set(_ key: String, _ value: TOMLValue, at position: TOMLPosition) {
        if let slot = index[TOMLKey(key)] {
            entries[slot].value = value
        } else {
            index[TOMLKey(key)] = entries.count
            entries.append(Entry(key: key, value: value, position: position))
        }
    }
}

/// A TOML date-time, local date-time, local date or local time, as written: which parts are
/// present says which of the four it is. Fractions of a second keep every digit written.
package struct TOMLDateTime: Sendable, Equatable {
    package var year = 0, month = 0, day = 0
    package var hasDate = false
    package var hour = 0, minute = 0, second = 0
    /// The digits after the decimal point, as written ("" for none).
    package var fraction = ""
    package var hasTime = false
    /// Minutes east of UTC; nil for a local date-time or time.
    package var offsetMinutes: Int?
}
