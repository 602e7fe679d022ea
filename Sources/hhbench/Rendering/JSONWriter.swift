#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Records

/// Pretty JSON (two-space indents, `"key": value`, `[]` and `{}` when empty) written straight
/// into bytes. `trend --format json` writes its 100,000 points through it without building a
/// `JSONValue` tree first; `JSONOutput` writes its trees through it, so both look the same.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// One flag a container open: whether it has an item yet.
    private var hasItems: [Bool] = []
    /// True between a member's key and its value.
    private var afterKey = false
    private static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 126)

    init() { bytes.reserveCapacity(1 << 16) }

    /// The document written, with its closing line break.
    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// An object member's key: the value written next is the member's.
    mutating func key(_ name: String) {
        nextItem()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(UInt8(ascii: " "))
        afterKey = true
    }

    mutating func string(_ text: String) {
        startValue()
        appendString(text)
    }

    mutating func string(_ text: String?) {
        if let text { string(text) } else { null() }
    }

    mutating func number(_ value: Double) { number(DecimalNumber(value)) }

    mutating func number(_ value: Int) {
        startValue()
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func number(_ value: DecimalNumber) {
        startValue()
        bytes.append(contentsOf: value.jsonText.utf8)
    }

    mutating func bool(_ value: Bool) {
        startValue()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func null() {
        startValue()
        bytes.append(contentsOf: "null".utf8)
    }

    /// A whole value; objects keep their members in order.
    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let number): self.number(number)
        case .string(let text): string(text)
        case .array(let items):
            beginArray()
            for item in items { self.value(item) }
            endArray()
        case .object(let members):
            beginObject()
            for (name, member) in members {
                key(name)
                self.value(member)
            }
            endObject()
        }
    }

    private mutating func open(_ bracket: UInt8) {
        startValue()
        bytes.append(bracket)
        hasItems.append(false)
    }

    private mutating func close(_ bracket: UInt8) {
        if hasItems.removeLast() { newline(hasItems.count) }
        bytes.append(bracket)
    }

    /// Before a value: a member's value follows its key; an array's item starts a line.
    private mutating func startValue() {
        if afterKey { afterKey = false } else if !hasItems.isEmpty { nextItem() }
    }

    private mutating func nextItem() {
        if hasItems[hasItems.count - 1] { bytes.append(UInt8(ascii: ",")) }
        hasItems[hasItems.count - 1] = true
        newline(hasItems.count)
    }

    private mutating func newline(_ indent: Int) {
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: Self.spaces[0..<2 * min(indent, 63)])
    }

    /// Printable ASCII (names, shas, units, times) is copied as it is; anything else goes through
    /// `JSONValue.writeString`, which escapes control, bidi and other unsafe characters.
    private mutating func appendString(_ text: String) {
        var text = text
        let plain = text.withUTF8 { utf8 in
            guard !utf8.contains(where: { $0 < 0x20 || $0 >= 0x7F || $0 == 0x22 || $0 == 0x5C }) else { return false }
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
            return true
        }
        if !plain {
            var escaped = ""
            JSONValue.writeString(text, to: &escaped, escapingUnsafe: true)
            bytes.append(contentsOf: escaped.utf8)
        }
    }
}
