/// Values: strings, numbers, booleans, dates and times, arrays and inline tables.
extension Parser {
    mutating func value() throws(TOMLError) -> TOMLValue {
        guard let byte = current else { throw error("expected a value") }
        switch byte {
        case UInt8(ascii: "\""):
            return .string(starts(with: "\"\"\"") ? try multilineString(literal: false) : try basicString())
        case UInt8(ascii: "'"):
            return .string(starts(with: "'''") ? try multilineString(literal: true) : try literalString())
        case UInt8(ascii: "t") where starts(with: "true"):
            pos += 4
            return .boolean(true)
        case UInt8(ascii: "f") where starts(with: "false"):
            pos += 5
            return .boolean(false)
        case UInt8(ascii: "["):
            return try nested { (parser: inout Parser) throws(TOMLError) in try parser.array() }
        case UInt8(ascii: "{"):
            return try nested { (parser: inout Parser) throws(TOMLError) in try parser.inlineTable() }
        default:
            if let dateTime = try dateTime() { return .dateTime(dateTime) }
            if let time = localTime() { return .dateTime(time) }
            if let number = try number() { return number }
            for (text, value) in [("inf", Double.infinity), ("nan", Double.nan)] {
                for sign in ["", "+", "-"] where bytes[pos...].starts(with: (sign + text).utf8) {
                    pos += sign.count + 3
                    return .float(sign == "-" ? -value : value)
                }
            }
            throw error("expected a value: a string, a number, true, false, a date, [an array] or {an inline table}")
        }
    }

    private mutating func nested(_ read: (inout Parser) throws(TOMLError) -> TOMLValue) throws(TOMLError) -> TOMLValue {
        guard depth < TOMLReader.maximumNesting else {
            throw error("arrays and inline tables nest more than \(TOMLReader.maximumNesting) deep")
        }
        depth += 1
        defer { depth -= 1 }
        return try read(&self)
    }

    /// `[1, 2, # comment\n 3,]`: newlines, comments and a trailing comma are allowed.
    private mutating func array() throws(TOMLError) -> TOMLValue {
        pos += 1
        var items: [TOMLValue] = []
        try skipCommentsAndArrayWhitespace()
        if current == UInt8(ascii: "]") {
            pos += 1
            return .array(items)
        }
        while true {
            items.append(try value())
            try skipCommentsAndArrayWhitespace()
            if current == UInt8(ascii: "]") {
                pos += 1
                return .array(items)
            }
            guard current == UInt8(ascii: ",") else { throw error("expected , or ] in an array") }
            pos += 1
            try skipCommentsAndArrayWhitespace()
            if current == UInt8(ascii: "]") {
                pos += 1
                return .array(items)
            }
        }
    }

    /// `{ a = 1, b.c = 2 }` on one line, without a trailing comma (TOML 1.0).
    private mutating func inlineTable() throws(TOMLError) -> TOMLValue {
        pos += 1
        let table = TreeTable()
        let flags = TreeFlags()
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            pos += 1
            return .table(table.value)
        }
        while true {
            let at = position(of: pos)
            let (key, value) = try keyValuePair()
            if flags.isSet(key, .frozen) { throw error("\(Self.dotted(key)) is an inline table or array and cannot change") }
            guard let nest = table.nest(key.dropLast(), throughArrays: false, at: at), let stem = key.last else {
                throw error("\(Self.dotted(key)) would overwrite a value")
            }
            if nest[stem] != nil { throw error("\(Self.dotted(key)) is defined twice in an inline table") }
            nest.set(stem, .value(value), at: at)
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                pos += 1
                return .table(table.value)
            }
            guard current == UInt8(ascii: ",") else { throw error("expected , or } in an inline table (it stays on one line)") }
            switch value {
            case .array, .table: flags.set(key, .frozen, recursive: true)
            default: break
            }
            pos += 1
            skipWhitespace()
        }
    }

    // MARK: Strings

    /// `"…"` with escapes.
    mutating func basicString() throws(TOMLError) -> String {
        pos += 1
        return try basicStringBody(multiline: false)
    }

    private mutating func basicStringBody(multiline: Bool) throws(TOMLError) -> String {
        var result: [UInt8] = []
        while true {
            guard let byte = current else { throw error("the string does not end") }
            if byte == UInt8(ascii: "\"") {
                if !multiline {
                    pos += 1
                    return String(decoding: result, as: UTF8.self)
                }
                if starts(with: "\"\"\"") {
                    pos += 3
                    return String(decoding: result, as: UTF8.self)
                }
                result.append(byte)
                pos += 1
                continue
            }
            if byte == UInt8(ascii: "\\") {
                try escape(into: &result, multiline: multiline)
                continue
            }
            if Self.isIllegal(byte, newline: multiline) { throw error("a string holds a control character (\(Self.describe(byte))): escape it") }
            result.append(byte)
            pos += 1
        }
    }

    private mutating func escape(into result: inout [UInt8], multiline: Bool) throws(TOMLError) {
        let escaped = peek(1)
        pos += 2
        if multiline, let escaped, escaped == UInt8(ascii: " ") || escaped == UInt8(ascii: "\t") || escaped == UInt8(ascii: "\n") {
            // A line-ending backslash: the newline and the blanks after it are dropped.
            if escaped != UInt8(ascii: "\n") {
                skipWhitespace()
                guard let next = current else { return }
                guard next == UInt8(ascii: "\n") else { throw error("only blanks may follow a line-ending \\ in a string") }
                pos += 1
            }
            skipWhitespaceAndNewlines()
            return
        }
        let simple: [UInt8: UInt8] = [UInt8(ascii: "b"): 0x08, UInt8(ascii: "t"): 0x09, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "f"): 0x0C,
                                      UInt8(ascii: "r"): 0x0D, UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C]
        if let escaped, let replacement = simple[escaped] {
            result.append(replacement)
            return
        }
        let length = escaped == UInt8(ascii: "u") ? 4 : escaped == UInt8(ascii: "U") ? 8 : 0
        guard length > 0 else { throw error("unknown escape in a string: write \\\\ for a backslash", at: pos - 2) }
        guard pos + length <= bytes.count, bytes[pos..<pos + length].allSatisfy({ $0.isHexDigit }),
              let code = UInt32(text(pos..<pos + length), radix: 16) else {
            throw error("\\\(escaped == UInt8(ascii: "u") ? "u" : "U") takes \(length) hexadecimal digits")
        }
        pos += length
        guard let scalar = Unicode.Scalar(code) else { throw error("\\u escape of something that is not a Unicode scalar value") }
        result.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    /// `'…'`: no escapes.
    mutating func literalString() throws(TOMLError) -> String {
        pos += 1
        let start = pos
        while let byte = current, byte != UInt8(ascii: "'") {
            if Self.isIllegal(byte, newline: false) { throw error("a string holds a control character (\(Self.describe(byte)))") }
            pos += 1
        }
        guard current != nil else { throw error("the string does not end: expected '") }
        pos += 1
        return text(start..<pos - 1)
    }

    /// `"""…"""` and `'''…'''`: a newline right after the opening quotes is dropped; up to two
    /// quotes may stand before the closing three.
    private mutating func multilineString(literal: Bool) throws(TOMLError) -> String {
        pos += 3
        if current == UInt8(ascii: "\n") { pos += 1 }
        var result: String
        let quote: UInt8
        if literal {
            quote = UInt8(ascii: "'")
            let start = pos
            while !starts(with: "'''") {
                guard let byte = current else { throw error("the string does not end: expected '''") }
                if Self.isIllegal(byte, newline: true) { throw error("a string holds a control character (\(Self.describe(byte)))") }
                pos += 1
            }
            result = text(start..<pos)
            pos += 3
        } else {
            quote = UInt8(ascii: "\"")
            result = try basicStringBody(multiline: true)
        }
        for _ in 0..<2 where current == quote {
            result.append(Character(Unicode.Scalar(quote)))
            pos += 1
        }
        return result
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }

    var isDigit: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) }
}
