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
    func renderTable() -> String {
        var widths = columns.map { $0.title.count }
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return columns[index].alignment == .right ? padding + cell : cell + padding
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = line(columns.map(\.title)) + "\n"
        out += line(widths.map { String(repeating: "-", count: $0) }) + "\n"
        for row in rows { out += line(row) + "\n" }
        return out
    }

    /// RFC 4180 CSV with a header row.
    func renderCSV() -> String {
        func field(_ text: String) -> String {
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var out = columns.map { field($0.title) }.joined(separator: ",") + "\n"
        for row in rows { out += row.map(field).joined(separator: ",") + "\n" }
        return out
    }

    /// A GitHub-flavoured Markdown table.
    func renderMarkdown() -> String {
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var out = "| " + columns.map { cell($0.title) }.joined(separator: " | ") + " |\n"
        out += "|" + columns.map { $0.alignment == .right ? "---:|" : "---|" }.joined() + "\n"
        for row in rows { out += "| " + row.map(cell).joined(separator: " | ") + " |\n" }
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
        var out = ""
        write(value, indent: 0, to: &out)
        return out + "\n"
    }

    private static let pads = (0..<64).map { String(repeating: "  ", count: $0) }

    private static func write(_ value: JSONValue, indent: Int, to out: inout String) {
        let pad = pads[min(indent + 1, 63)]
        let closePad = pads[min(indent, 63)]
        switch value {
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += pad
                write(item, indent: indent + 1, to: &out)
                out += index < items.count - 1 ? ",\n" : "\n"
            }
            out += closePad + "]"
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            for (index, (key, member)) in members.enumerated() {
                out += pad
                JSONValue.writeString(key, to: &out)
                out += ": "
                write(member, indent: indent + 1, to: &out)
                out += index < members.count - 1 ? ",\n" : "\n"
            }
            out += closePad + "}"
        default:
            out += value.compactText
        }
    }
}

extension JSONValue {
    static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
    static func optional(_ number: Double?) -> JSONValue { number.map { .number($0) } ?? .null }
    static func optional(_ flag: Bool?) -> JSONValue { flag.map(JSONValue.bool) ?? .null }
}
