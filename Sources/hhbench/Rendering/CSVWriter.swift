import Foundation
import Records

/// RFC 4180 CSV written straight into bytes, a field at a time. Fields keep their text exactly
/// (CSV is data); a field with a comma, quote, line break or any control or bidi character is
/// quoted. `DataTable` renders through it, and `trend` writes its 100,000 rows with it directly.
struct CSVWriter {
    private(set) var bytes: [UInt8] = []
    private var atLineStart = true

    init() { bytes.reserveCapacity(1 << 16) }

    mutating func field(_ text: String) {
        if !atLineStart { bytes.append(UInt8(ascii: ",")) }
        atLineStart = false
        // Printable ASCII without a comma or quote (names, shas, numbers: nearly every field) is
        // copied as it is.
        var text = text
        let plain = text.withUTF8 { utf8 in
            guard utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "\"") }) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        guard !plain else { return }
        if text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || Printable.isUnsafe($0) }) {
            bytes.append(contentsOf: ("\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"").utf8)
        } else {
            bytes.append(contentsOf: text.utf8)
        }
    }

    mutating func fields(_ texts: [String]) {
        for text in texts { field(text) }
    }

    /// Fields another writer encoded (a prefix every row of a series shares), as they are.
    mutating func encodedFields(_ encoded: [UInt8]) {
        if !atLineStart { bytes.append(UInt8(ascii: ",")) }
        atLineStart = false
        bytes.append(contentsOf: encoded)
    }

    /// `count` empty fields.
    mutating func emptyFields(_ count: Int) {
        for _ in 0..<count { field("") }
    }

    /// Ends the record with its line break.
    mutating func endRecord() {
        bytes.append(UInt8(ascii: "\n"))
        atLineStart = true
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Writes what is held to standard output once it passes 64 KB (or always, with `force`).
    mutating func flush(force: Bool = false) {
        guard bytes.count >= 1 << 16 || (force && !bytes.isEmpty) else { return }
        FileHandle.standardOutput.write(Data(bytes))
        bytes.removeAll(keepingCapacity: true)
    }
}
