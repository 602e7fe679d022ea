/// A parsed JSON value. Objects keep their keys in input order; `canonicalText` sorts them.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(DecimalNumber)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a.value == b.value
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public static func number(_ value: Double) -> JSONValue { .number(DecimalNumber(value)) }

    /// The member named `key` of an object (the last one when a key repeats), else nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.0 == key })?.1
    }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var doubleValue: Double? { if case .number(let n) = self { return n.value } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: [(String, JSONValue)]? { if case .object(let o) = self { return o } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The JSON type's name, for error messages ("expected a number, found a string").
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Compact JSON with object keys sorted, so equal values always give equal text
    /// (benchmark parameters are compared by this text in the database).
    public var canonicalText: String {
        var out = ""
        write(to: &out, sortKeys: true)
        return out
    }

    /// Compact JSON with keys in their original order.
    public var compactText: String {
        var out = ""
        write(to: &out, sortKeys: false)
        return out
    }

    func write(to out: inout String, sortKeys: Bool) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n):
            // Canonical text depends on the value alone: a number written with more digits than
            // its double holds takes the form the double's shortest text gets.
            out += sortKeys && n.mantissa == nil ? DecimalNumber(n.value).jsonText : n.jsonText
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out, sortKeys: sortKeys)
            }
            out += "]"
        case .object(let members):
            out += "{"
            var seen = Set<String>()
            // The last occurrence of a repeated key wins, as in most JSON readers.
            let unique = members.reversed().filter { seen.insert($0.0).inserted }.reversed()
            let ordered = sortKeys ? unique.sorted { $0.0 < $1.0 } : Array(unique)
            for (i, (key, value)) in ordered.enumerated() {
                if i > 0 { out += "," }
                JSONValue.writeString(key, to: &out)
                out += ":"
                value.write(to: &out, sortKeys: sortKeys)
            }
            out += "}"
        }
    }

    /// JSON text of `s`. With `escapingUnsafe`, DEL, the C1 controls and the bidi controls are
    /// written as `\uXXXX` too (output for people and terminals: still the same string when parsed).
    public static func writeString(_ s: String, to out: inout String, escapingUnsafe: Bool = false) {
        // Most strings (names, shas, units) need no escaping: append them whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }),
           !escapingUnsafe || !s.unicodeScalars.contains(where: Printable.isUnsafe) {
            out += "\""
            out += s
            out += "\""
            return
        }
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (escapingUnsafe && Printable.isUnsafe(scalar)):
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// Builds an object from string pairs (tags, say).
    public static func object(_ pairs: [String: String]) -> JSONValue {
        .object(pairs.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }
}
