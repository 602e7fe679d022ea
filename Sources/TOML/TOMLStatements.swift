/// The document's statements: key/value pairs, `[table]` and `[[array]]` headers, and keys.
extension Parser {
    mutating func document() throws(TOMLError) -> TOMLTable {
        let root = TreeTable()
        var flags = TreeFlags()
        var header: [TOMLKey] = []
        while true {
            skipWhitespace()
            guard let byte = current else { break }
            if byte == UInt8(ascii: "\n") {
                pos += 1
                continue
            }
            if Self.isBareKey(byte) || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                try keyValue(into: root, flags: &flags, header: header)
                skipWhitespace()
            } else if byte == UInt8(ascii: "[") {
                flags.finalizePending()
                header = peek(1) == UInt8(ascii: "[") ? try arrayHeader(root, &flags) : try tableHeader(root, &flags)
                skipWhitespace()
            } else if byte != UInt8(ascii: "#") {
                throw error("expected a key, a [table] header or a comment")
            }
            try skipComment()
            guard let next = current else { break }
            guard next == UInt8(ascii: "\n") else { throw error("expected the end of the line after a statement") }
            pos += 1
        }
        return root.value
    }

    /// `[a.b]`: a table defined once; one that dotted keys defined cannot be reopened.
    private mutating func tableHeader(_ root: TreeTable, _ flags: inout TreeFlags) throws(TOMLError) -> [TOMLKey] {
        let start = position(of: pos)
        pos += 1
        skipWhitespace()
        let key = try self.key()
        if flags.isSet(key, .explicit) || flags.isSet(key, .frozen) {
            throw error("the table [\(Self.dotted(key))] is defined twice", at: nil)
        }
        flags.set(key, .explicit, recursive: false)
        guard root.nest(key[...], throughArrays: true, at: start) != nil else {
            throw error("[\(Self.dotted(key))] would overwrite a value")
        }
        guard current == UInt8(ascii: "]") else { throw error("expected ] at the end of a table header") }
        pos += 1
        return key
    }

    /// `[[a.b]]`: a new table at the end of an array of tables.
    private mutating func arrayHeader(_ root: TreeTable, _ flags: inout TreeFlags) throws(TOMLError) -> [TOMLKey] {
        let start = position(of: pos)
        pos += 2
        skipWhitespace()
        let key = try self.key()
        if flags.isSet(key, .frozen) { throw error("[[\(Self.dotted(key))]] would change an inline table or array") }
        flags.unsetAll(key)
        flags.set(key, .explicit, recursive: false)
        guard root.appendTable(key, at: start) else { throw error("[[\(Self.dotted(key))]] would overwrite a value") }
        guard starts(with: "]]") else { throw error("expected ]] at the end of an array-of-tables header") }
        pos += 2
        return key
    }

    /// `a.b = value` under the current header.
    private mutating func keyValue(into root: TreeTable, flags: inout TreeFlags, header: [TOMLKey]) throws(TOMLError) {
        let start = position(of: pos)
        let (key, value) = try keyValuePair()
        let parent = header + key.dropLast()
        for length in 1..<key.count {
            let path = header + key[..<length]
            if flags.isSet(path, .explicit) { throw error("\(Self.dotted(path)) is already defined as a table") }
            flags.addPending(path, .explicit)
        }
        if flags.isSet(parent, .frozen) { throw error("\(Self.dotted(parent)) is an inline table or array and cannot change") }
        guard let table = root.nest(parent[...], throughArrays: true, at: start), let stem = key.last else {
            throw error("\(Self.dotted(header + key)) would overwrite a value")
        }
        if table[stem] != nil { throw error("\(Self.dotted(header + key)) is defined twice") }
        if case .array = value { flags.set(header + key, .frozen, recursive: true) }
        if case .table = value { flags.set(header + key, .frozen, recursive: true) }
        table.set(stem, .value(value), at: start)
    }

    mutating func keyValuePair() throws(TOMLError) -> ([TOMLKey], TOMLValue) {
        let key = try self.key()
        guard current == UInt8(ascii: "=") else { throw error("expected = after the key") }
        pos += 1
        skipWhitespace()
        return (key, try value())
    }

    /// A key: bare or quoted parts joined by dots, with blanks around the dots.
    mutating func key() throws(TOMLError) -> [TOMLKey] {
        var parts = [try keyPart()]
        skipWhitespace()
        while current == UInt8(ascii: ".") {
            pos += 1
            skipWhitespace()
            parts.append(try keyPart())
            skipWhitespace()
        }
        return parts
    }

    private mutating func keyPart() throws(TOMLError) -> TOMLKey {
        guard let byte = current else { throw error("expected a key") }
        if Self.isBareKey(byte) {
            let start = pos
            while let next = current, Self.isBareKey(next) { pos += 1 }
            return TOMLKey(text(start..<pos))
        }
        if byte == UInt8(ascii: "'") { return TOMLKey(try literalString()) }
        if byte == UInt8(ascii: "\"") { return TOMLKey(try basicString()) }
        throw error("a key starts with a letter, a digit, - or _, or is quoted")
    }

    static func dotted(_ key: some Collection<TOMLKey>) -> String {
        key.map { part in part.text.unicodeScalars.allSatisfy { $0.isASCII && isBareKey(UInt8($0.value)) } && !part.text.isEmpty
            ? part.text : "\"\(part.text)\"" }.joined(separator: ".")
    }
}
