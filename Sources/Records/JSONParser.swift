/// A JSON syntax error at a byte offset of the parsed text.
public struct JSONSyntaxError: Error, Sendable, Equatable {
    public let offset: Int
    public let message: String
}

/// A strict RFC 8259 parser over UTF-8 bytes, built for speed on large files of numbers and for
/// errors that say where: every failure carries the byte offset, which callers turn into a line
/// and column. Numbers keep their exact decimal form (see `DecimalNumber`).
public struct JSONParser {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0
    private var depth = 0
    private static let maxDepth = 512

    /// Parses one complete JSON document from `bytes` (surrounding white space allowed).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.position < bytes.count {
            throw parser.error("unexpected text after the JSON value")
        }
        return value
    }

    public static func parse(_ bytes: ArraySlice<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONSyntaxError) in try JSONParser.parse(buffer) }
        }
        return try result.get()
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try parse(bytes[...])
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: position, message: message)
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard position < bytes.count else { throw error("the JSON ends too early (truncated?)") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "N"): throw error("NaN is not a JSON number; write a finite number")
        case UInt8(ascii: "I"): throw error("Infinity is not a JSON number; write a finite number")
        case UInt8(ascii: "-"), 48...57: return .number(try parseNumber())
        default:
            throw error("unexpected \(Self.describe(bytes[position]))")
        }
    }

    /// A byte for a message: printable ASCII as itself, anything else by its value, so that no
    /// control character from the input reaches a terminal.
    static func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "character '\(Character(UnicodeScalar(byte)))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    private mutating func expectWord(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("the JSON ends too early (truncated?)") }
        for k in 0..<count where bytes[position + k] != word.utf8Start[k] {
            throw error("unexpected text; expected \(word)")
        }
        position += count
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> DecimalNumber {
        let start = position
        while position < bytes.count, Self.isNumberByte(bytes[position]) { position += 1 }
        if bytes[start] == UInt8(ascii: "-"), position < bytes.count, bytes[position] == UInt8(ascii: "I") {
            throw error("-Infinity is not a JSON number; write a finite number")
        }
        let token = UnsafeRawBufferPointer(rebasing: bytes[start..<position])
        guard let number = DecimalNumber.parse(token) else {
            position = start
            throw error("malformed number '\(String(decoding: token, as: UTF8.self))'")
        }
        return number
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 48...57, UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return true
        default: return false
        }
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        position += 1  // opening quote
        let start = position
        // Fast path: no escapes.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character in a string; escape it") }
            if byte >= 0x80 { try skipUTF8Sequence() } else { position += 1 }
        }
        var scalars = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { break }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append(0x22)
                case UInt8(ascii: "\\"): scalars.append(0x5C)
                case UInt8(ascii: "/"): scalars.append(0x2F)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    let escapeStart = position - 2
                    var code = try parseHex4()
                    if (0xDC00...0xDFFF).contains(code) {
                        position = escapeStart
                        throw error("a \\u escape of a low surrogate without a high one before it (RFC 8259 section 8.2)")
                    }
                    if (0xD800...0xDBFF).contains(code) {
                        // RFC 8259: a character outside the BMP is a high surrogate escape followed
                        // by a low one; anything else is not a character and is refused, not replaced.
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                              bytes[position + 1] == UInt8(ascii: "u") else {
                            position = escapeStart
                            throw error("a \\u escape of a high surrogate not followed by a low one (RFC 8259 section 8.2)")
                        }
                        position += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else {
                            position = escapeStart
                            throw error("a \\u escape of a high surrogate not followed by a low one (RFC 8259 section 8.2)")
                        }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = UnicodeScalar(code) else {
                        position = escapeStart
                        throw error("the \\u escape is not a Unicode scalar")
                    }
                    scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    position -= 1
                    throw error("invalid escape: backslash then \(Self.describe(escape)) in a string")
                }
            default:
                if byte < 0x20 { throw error("control character in a string; escape it") }
                if byte >= 0x80 {
                    let start = position
                    try skipUTF8Sequence()
                    scalars.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
                } else {
                    scalars.append(byte)
                    position += 1
                }
            }
        }
        throw error("a string is not closed (truncated?)")
    }

    /// Steps over one well-formed UTF-8 sequence starting at a byte >= 0x80, or throws: the
    /// reader refuses ill-formed bytes rather than replacing them with U+FFFD (which would store
    /// other text than the file holds).
    private mutating func skipUTF8Sequence() throws(JSONSyntaxError) {
        guard let length = UTF8Validation.sequenceLength(bytes, at: position) else {
            throw error("invalid UTF-8 (byte 0x\(String(bytes[position], radix: 16, uppercase: true))); the file must be UTF-8 (RFC 3629)")
        }
        position += length
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("the JSON ends inside a \\u escape") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case 48...57: digit = UInt32(byte - 48)
            case 97...102: digit = UInt32(byte - 87)
            case 65...70: digit = UInt32(byte - 55)
            default: throw error("invalid \\u escape")
            }
            code = code << 4 | digit
            position += 1
        }
        return code
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > Self.maxDepth { throw error("JSON nested deeper than \(Self.maxDepth) levels") }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw error("an array is not closed (truncated?)") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
            throw error("expected ',' or ']' in an array")
        }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard position < bytes.count else { throw error("an object is not closed (truncated?)") }
            guard bytes[position] == UInt8(ascii: "\"") else { throw error("expected a quoted key in an object") }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw error("expected ':' after the key \"\(key)\"")
            }
            position += 1
            skipWhitespace()
            members.append((key, try parseValue()))
            skipWhitespace()
            guard position < bytes.count else { throw error("an object is not closed (truncated?)") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
            throw error("expected ',' or '}' in an object")
        }
    }
}

/// Turns a byte offset into a 1-based line and column, for messages like `file.json:12:7`.
public func lineAndColumn(of offset: Int, in bytes: UnsafeRawBufferPointer) -> (line: Int, column: Int) {
    var line = 1
    var lineStart = 0
    let end = min(offset, bytes.count)
    for i in 0..<end where bytes[i] == 0x0A {
        line += 1
        lineStart = i + 1
    }
    return (line, end - lineStart + 1)
}
