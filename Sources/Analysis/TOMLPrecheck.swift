import Records

/// What TOMLKit 0.6.0's toml++ (3.4.0) cannot be handed: inputs on which it aborts the process
/// instead of reporting a parse error. Refused here first, with the line, so that no
/// `hhbench.toml` can crash hhbench (the `config` fuzz target found the first):
/// - a table header whose name does not start with a key character (`[[[`, `[[]]`, `[=`):
///   toml++ asserts in `parse_key` (fixed upstream in toml++ pull request 301, after 3.4.0);
/// - keys nested more deeply than any setting needs: toml++ 3.4.0 recurses once per dotted
///   part and overflows the stack on thousands (fixed upstream in pull request 242);
/// - arrays in values, where toml++ 3.4.0 asserts on a stray `}` (`x = [}`); no setting takes one.
/// hhbench.toml has no nested arrays and no multi-line strings, so reading line by line loses
/// nothing a valid hhbench.toml can hold. A UTF-8 byte order mark opening the file is skipped
/// first, as toml++ skips it: otherwise it hid a first line's `[` from these checks (the `config`
/// fuzz target found `BOM [ newline`).
enum TOMLPrecheck {
    /// More dotted parts than this in one key is refused (`metrics.p95_time_ms.budget` has 3).
    static let deepestKey = 16

    /// Line by line in UTF-8 bytes, not Characters: "[" followed by a combining mark is one
    /// Character to Swift and still a "[" to toml++.
    static func check(_ text: String, file: String) throws(InputError) {
        let blank: Set<UInt8> = [0x20, 0x09]  // toml++'s whitespace; a lone carriage return is not
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let bytes = Array(text.utf8)
        let body = bytes.starts(with: byteOrderMark) ? bytes.dropFirst(byteOrderMark.count) : bytes[...]
        for (index, raw) in body.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let line = raw.drop { blank.contains($0) }
            func refuse(_ problem: String) -> InputError {
                InputError(file: file, line: index + 1, problem: "not valid TOML: \(problem)", fix: "see https://toml.io for the syntax")
            }
            if line.first == UInt8(ascii: "[") {
                let name = line.dropFirst(line.starts(with: [0x5B, 0x5B]) ? 2 : 1).drop { blank.contains($0) }
                guard let first = name.first, isKeyStart(first) else {
                    throw refuse("a table header must start with a name, as in [compare] or [[rules]]")
                }
                if dots(in: name.prefix { $0 != UInt8(ascii: "]") }) >= deepestKey {
                    throw refuse("a table name nested \(deepestKey) or more levels deep")
                }
            } else if line.first != UInt8(ascii: "#"), let equals = line.firstIndex(of: UInt8(ascii: "=")) {
                if dots(in: line[..<equals]) >= deepestKey { throw refuse("a key nested \(deepestKey) or more levels deep") }
                if opensArray(line[line.index(after: equals)...]) {
                    throw refuse("no hhbench.toml setting takes an array")
                }
            }
        }
    }

    /// A bare key's first character (A–Z, a–z, 0–9, _, -) or a quote.
    private static func isKeyStart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "\""), UInt8(ascii: "'"):
            return true
        default:
            return false
        }
    }

    /// A `[` outside quotes in a value: an array, which toml++ 3.4.0 can assert on (`[}`) and
    /// which no setting takes (a glob such as "test[0-9]*" is inside quotes).
    private static func opensArray(_ value: ArraySlice<UInt8>) -> Bool {
        var quote: UInt8?
        var escaped = false
        for byte in value {
            if let open = quote {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\"), open == UInt8(ascii: "\"") { escaped = true }
                else if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: "#") {
                return false
            } else if byte == UInt8(ascii: "[") {
                return true
            }
        }
        return false
    }

    private static func dots(in bytes: ArraySlice<UInt8>) -> Int { bytes.reduce(0) { $0 + ($1 == UInt8(ascii: ".") ? 1 : 0) } }
}
