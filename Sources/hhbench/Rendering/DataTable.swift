import Foundation
import Records

/// Rows of text cells under named columns, printable as an aligned table, CSV or Markdown.
struct DataTable {
    enum Alignment { case left, right }

    struct Column {
        let title: String
        let alignment: Alignment
        init(_ title: String, _ alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    let columns: [Column]
    var rows: [[String]] = []

    init(_ columns: [Column]) { self.columns = columns }

    mutating func append(_ row: [String]) {
        precondition(row.count == columns.count, "a row needs one cell a column")
        rows.append(row)
    }

    /// Columns padded to their widest cell, numbers right-aligned, two spaces between columns.
    /// Cells are shown with control and bidi characters escaped (`Printable`), so a hostile name
    /// cannot drive the terminal. Each cell is measured once: the cost is linear in the text.
    func renderTable() -> String {
        let header = columns.map { Printable.escaped($0.title) }
        let body = rows.map { $0.map(Printable.escaped) }
        let headerWidths = header.map(\.count)
        let bodyWidths = body.map { $0.map(\.count) }
        var widths = headerWidths
        for row in bodyWidths {
            for (index, width) in row.enumerated() { widths[index] = max(widths[index], width) }
        }
        var out = ""
        func line(_ cells: [String], _ cellWidths: [Int]) {
            var text = ""
            for (index, cell) in cells.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - cellWidths[index])
                if index > 0 { text += "  " }
                text += columns[index].alignment == .right ? padding + cell : cell + padding
            }
            while text.last == " " { text.removeLast() }
            out += text
            out += "\n"
        }
        line(header, headerWidths)
        line(widths.map { String(repeating: "-", count: $0) }, widths)
        for (row, rowWidths) in zip(body, bodyWidths) { line(row, rowWidths) }
        return out
    }

    /// RFC 4180 CSV with a header row (`CSVWriter`).
    func renderCSV() -> String {
        var csv = CSVWriter()
        csv.fields(columns.map(\.title))
        csv.endRecord()
        for row in rows {
            csv.fields(row)
            csv.endRecord()
        }
        return csv.text
    }

    /// One CSV record and its line break.
    static func csvLine(_ fields: [String]) -> String {
        var csv = CSVWriter()
        csv.fields(fields)
        csv.endRecord()
        return csv.text
    }

    /// A GitHub-flavoured Markdown table. Every cell is escaped: line breaks become spaces, control
    /// characters are shown escaped, and the characters Markdown or HTML would act on are backslashed
    /// or written as entities, so a name shows as itself and cannot break the table.
    func renderMarkdown() -> String {
        func cell(_ text: String) -> String { Self.markdownCell(text) }
        var out = "| " + columns.map { cell($0.title) }.joined(separator: " | ") + " |\n"
        out += "|" + columns.map { $0.alignment == .right ? "---:|" : "---|" }.joined() + "\n"
        for row in rows { out += "| " + row.map(cell).joined(separator: " | ") + " |\n" }
        return out
    }
}

extension DataTable {
    static func markdownCell(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n", "\r", "\u{2028}", "\u{2029}": out += " "
            case "|", "\\", "`", "*", "[", "]", "~": out += "\\"; out.unicodeScalars.append(scalar)
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case _ where Printable.isUnsafe(scalar): out += Printable.escaped(String(scalar))
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Numbers for people: enough digits to see a few percent, no float noise.
enum Display {
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let magnitude = abs(value)
        if magnitude == 0 { return "0" }
        if value == value.rounded(), magnitude < 1e15 { return String(Int64(value)) }
        let text: String
        if magnitude >= 1e15 { return String(format: "%.4g", value) }
        if magnitude >= 1000 { text = String(format: "%.1f", value) }
        else if magnitude >= 1 { text = String(format: "%.3f", value) }
        else if magnitude >= 1e-4 { text = String(format: "%.4g", value) }
        else { return String(format: "%.3e", value) }
        guard text.contains(".") else { return text }
        var trimmed = text
        while trimmed.hasSuffix("0") { trimmed.removeLast() }
        if trimmed.hasSuffix(".") { trimmed.removeLast() }
        return trimmed
    }

    static func withUnit(_ value: Double, _ unit: String) -> String {
        unit.isEmpty || unit == "count" ? number(value) : "\(number(value)) \(unit)"
    }

    static func shortSHA(_ sha: String?) -> String { sha.map { String($0.prefix(10)) } ?? "-" }
}

/// JSON output, printed from `JSONValue` so field order is ours and numbers are exact.
enum JSONOutput {
    static func render(_ value: JSONValue) -> String {
        String(decoding: document(value), as: UTF8.self)
    }

    /// The JSON text of `value` on standard output.
    static func print(_ value: JSONValue) { print(document(value)) }

    /// A document's bytes on standard output, written as they are: a trend's 20 MB is not copied
    /// into a String and out again.
    static func print(_ bytes: [UInt8]) {
        fflush(nil)  // after whatever `print` buffered
        bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let count = Glibc.write(STDOUT_FILENO, buffer.baseAddress.map { $0 + written }, buffer.count - written)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return }  // a closed pipe: the reader is gone
                written += count
            }
        }
    }

    /// `value` as pretty JSON and a line break.
    static func document(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writer.value(value)
        return writer.finish()
    }
}

extension JSONValue {
    static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
    static func optional(_ number: Double?) -> JSONValue { number.map { .number($0) } ?? .null }
    static func optional(_ flag: Bool?) -> JSONValue { flag.map(JSONValue.bool) ?? .null }
}
