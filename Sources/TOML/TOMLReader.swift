/// A TOML 1.0 reader in Swift, with no C or C++ underneath: any input ends in a document or a
/// `TOMLError` with its line and column, never a trap. (hhbench read `hhbench.toml` through
/// TOMLKit, whose toml++ aborted on inputs such as `"a=b" = [}` in every build.)
///
/// It follows the TOML 1.0.0 specification (https://toml.io/en/v1.0.0) as CPython's `tomllib`
/// reads it (Lib/tomllib/_parser.py, itself from tomli), statement for statement, and the tests
/// compare the two on the toml-test cases CPython ships and on fuzzed input. Where it differs,
/// it does so on purpose:
/// - integers must fit 64 bits, as the specification says (tomllib keeps Python's big integers);
/// - arrays and inline tables nest at most `maximumNesting` deep (tomllib's recursion ends near
///   a thousand with a RecursionError);
/// - a leading UTF-8 byte order mark is skipped, as editors write one.
package enum TOMLReader {
    package static let maximumNesting = 100

    package static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var parser = Parser(bytes: normalizingLineEnds(bytes))
        return try parser.document()
    }

    /// CRLF becomes LF before anything else, as in tomllib: lines keep their numbers, and a lone
    /// CR is then a control character wherever it stands.
    private static func normalizingLineEnds(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(UInt8(ascii: "\r")) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\r"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                index += 1
                continue
            }
            out.append(bytes[index])
            index += 1
        }
        return out
    }
}

/// A syntax or definition error, with where it is (1-based line and column, in characters).
package struct TOMLError: Error, Sendable, CustomStringConvertible {
    package var line: Int
    package var column: Int
    package var message: String
    package var description: String { "\(line):\(column): \(message)" }
}

struct Parser {
    let bytes: [UInt8]
    /// The offset of each line's first byte, for positions.
    private let lineStarts: [Int]
    var pos = 0
    var depth = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        lineStarts = [0] + bytes.indices.filter { bytes[$0] == UInt8(ascii: "\n") }.map { $0 + 1 }
    }

    // MARK: Characters

    var current: UInt8? { pos < bytes.count ? bytes[pos] : nil }
    func peek(_ offset: Int) -> UInt8? { pos + offset < bytes.count ? bytes[pos + offset] : nil }
    func starts(with text: StaticString, at offset: Int = 0) -> Bool {
        let count = text.utf8CodeUnitCount
        guard pos + offset + count <= bytes.count else { return false }
        for index in 0..<count where bytes[pos + offset + index] != text.utf8Start[index] { return false }
        return true
    }

    static func isBareKey(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
    }

    /// ASCII control characters but tab (and newline where `newline` allows it).
    static func isIllegal(_ byte: UInt8, newline: Bool) -> Bool {
        if byte == UInt8(ascii: "\t") || (newline && byte == UInt8(ascii: "\n")) { return false }
        return byte < 0x20 || byte == 0x7F
    }

    mutating func skipWhitespace() {
        while let byte = current, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { pos += 1 }
    }

    mutating func skipWhitespaceAndNewlines() {
        while let byte = current, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") { pos += 1 }
    }

    func error(_ message: String, at position: Int? = nil) -> TOMLError {
        let where_ = self.position(of: position ?? pos)
        return TOMLError(line: where_.line, column: where_.column, message: message)
    }

    func position(of offset: Int) -> TOMLPosition {
        let offset = min(offset, bytes.count)
        var low = 0, high = lineStarts.count - 1  // the last line that starts at or before offset
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let column = bytes[lineStarts[low]..<offset].reduce(1) { $1 & 0xC0 != 0x80 ? $0 + 1 : $0 }
        return TOMLPosition(line: low + 1, column: column)
    }

    func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    // MARK: Comments

    /// Skips a comment if one starts here; its characters must not be control characters.
    mutating func skipComment() throws(TOMLError) {
        guard current == UInt8(ascii: "#") else { return }
        pos += 1
        while let byte = current, byte != UInt8(ascii: "\n") {
            if Self.isIllegal(byte, newline: false) { throw error("a comment holds a control character (\(Self.describe(byte)))") }
            pos += 1
        }
    }

    mutating func skipCommentsAndArrayWhitespace() throws(TOMLError) {
        while true {
            let before = pos
            skipWhitespaceAndNewlines()
            try skipComment()
            if pos == before { return }
        }
    }

    static func describe(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
