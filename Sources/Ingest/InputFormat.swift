import Records

/// One input format: recognises its files by content and turns their bytes into a run record.
/// Adapters do no I/O beyond the bytes they are given and know nothing of the database.
package protocol InputFormat: Sendable {
    /// The name `--format` takes ("native", "hyperfine", ...).
    static var name: String { get }
    /// One line for `hhbench formats`.
    static var summary: String { get }
    /// True when the content looks like this format (cheap: a look at the start of the file).
    func detect(_ input: InputFile) -> Bool
    /// The run record the file holds, its context partial (what the file itself says).
    func read(_ input: InputFile) throws(InputError) -> RunRecord
    /// Every run the file holds: one for most formats; native files may hold several sections.
    func readRuns(_ input: InputFile) throws(InputError) -> [RunRecord]
}

extension InputFormat {
    package func readRuns(_ input: InputFile) throws(InputError) -> [RunRecord] { [try read(input)] }
}

/// The bytes of one input and the name to use for it in messages.
package struct InputFile: Sendable {
    package let name: String
    package let bytes: [UInt8]

    package init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    /// Refuses bytes that are not UTF-8 (RFC 3629), naming the line and column of the first bad
    /// byte: every format hhbench reads is text, and decoding would otherwise replace the byte
    /// with U+FFFD and store a name the tool never wrote.
    package func checkUTF8() throws(InputError) {
        if String(validating: bytes, as: UTF8.self) != nil { return }
        // Invalid somewhere: find where, for the message.
        let failure: InputError? = bytes.withUnsafeBytes { buffer in
            var line = 1, column = 1, index = 0
            while index < buffer.count {
                guard let length = UTF8Validation.sequenceLength(buffer, at: index) else {
                    return InputError(file: name, line: line, column: column,
                                      problem: "invalid UTF-8 (byte 0x\(String(buffer[index], radix: 16, uppercase: true)))",
                                      fix: "save the file as UTF-8; hhbench reads text in UTF-8 only")
                }
                if buffer[index] == 0x0A { line += 1; column = 1 } else { column += 1 }
                index += length
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// Calls `body` with each line (without its line break) until it returns false.
    package func forEachLine(_ body: (ArraySlice<UInt8>) -> Bool) {
        var start = bytes.startIndex
        while start < bytes.endIndex {
            var end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.endIndex
            let next = end == bytes.endIndex ? end : end + 1
            if end > start, bytes[end - 1] == 0x0D { end -= 1 }
            if !body(bytes[start..<end]) { return }
            start = next
        }
    }

    /// The first line with something other than white space on it.
    package var firstNonBlankLine: ArraySlice<UInt8>? {
        var found: ArraySlice<UInt8>?
        forEachLine { line in
            let trimmed = line.drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF })
            if trimmed.isEmpty { return true }
            found = trimmed
            return false
        }
        return found
    }

    /// The first `count` bytes after leading white space, as text, for sniffing.
    package func head(_ count: Int = 4096) -> String {
        let trimmed = bytes.drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D })
        return String(decoding: trimmed.prefix(count), as: UTF8.self)
    }
}

/// A place in an input, for errors that name the file, line and field.
struct FieldPlace {
    let file: String
    let line: Int?

    func error(field: String?, _ problem: String, fix: String? = nil) -> InputError {
        InputError(file: file, line: line, field: field, problem: problem, fix: fix)
    }

    func requiredString(_ object: JSONValue, _ key: String) throws(InputError) -> String {
        guard let value = object[key] else {
            throw error(field: key, "missing", fix: "every measurement line needs \"\(key)\"")
        }
        guard let text = value.stringValue else {
            throw error(field: key, "expected a string, found \(value.typeName)", fix: "write \"\(key)\":\"...\"")
        }
        guard !text.isEmpty else { throw error(field: key, "empty string", fix: "give \(key) a name") }
        return text
    }

    func optionalString(_ object: JSONValue, _ key: String) throws(InputError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else {
            throw error(field: key, "expected a string, found \(value.typeName)", fix: "write \"\(key)\":\"...\" or leave it out")
        }
        return text
    }
}
