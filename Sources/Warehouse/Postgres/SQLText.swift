import Foundation

/// SQL text as PostgreSQL and psql read it: quoted strings ('…'), quoted identifiers ("…") and
/// comments (-- to the end of the line, /* … */) are passed over whole, so that splitting at
/// semicolons, numbering `?` placeholders and finding psql's `:name` variables act on the code
/// between them only. (Dollar-quoted bodies are not recognised; none of hhbench's SQL has `;`, `?`
/// or `:` in one.)
enum SQLText {
    /// A run of code, or one quoted string, identifier or comment, with its delimiters.
    struct Piece {
        let text: Substring
        let isCode: Bool
    }

    static func pieces(_ sql: String) -> [Piece] {
        var pieces: [Piece] = []
        var start = sql.startIndex, index = sql.startIndex
        func cut(_ end: String.Index, isCode: Bool) {
            if start < end { pieces.append(Piece(text: sql[start..<end], isCode: isCode)) }
            start = end
        }
        while index < sql.endIndex {
            let character = sql[index]
            let next = sql.index(after: index)
            let following: Character? = next < sql.endIndex ? sql[next] : nil
            var close: String?
            if character == "'" || character == "\"" { close = String(character) }
            else if character == "-" && following == "-" { close = "\n" }
            else if character == "/" && following == "*" { close = "*/" }
            guard let close else {
                index = next
                continue
            }
            cut(index, isCode: true)
            let searchFrom = character == "/" ? sql.index(after: next) : next
            let end = sql[searchFrom...].range(of: close)?.upperBound ?? sql.endIndex
            cut(end, isCode: false)
            index = end
        }
        cut(sql.endIndex, isCode: true)
        return pieces
    }

    /// `sql` split at the semicolons that end statements; statements that are only white space or
    /// comments are left out.
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = [], current = "", hasCode = false
        for piece in pieces(sql) {
            guard piece.isCode else {
                current += piece.text
                continue
            }
            let parts = piece.text.split(separator: ";", omittingEmptySubsequences: false)
            for (number, part) in parts.enumerated() {
                if number > 0 {
                    if hasCode { statements.append(current) }
                    current = ""
                    hasCode = false
                }
                current += part
                if part.contains(where: { !$0.isWhitespace }) { hasCode = true }
            }
        }
        if hasCode { statements.append(current) }
        return statements
    }

    /// `sql` with each `?` in its code numbered as PostgreSQL's `$1`, `$2`, ….
    static func numberingPlaceholders(_ sql: String) -> String {
        var result = "", number = 0
        for piece in pieces(sql) {
            guard piece.isCode, piece.text.contains("?") else {
                result += piece.text
                continue
            }
            for character in piece.text {
                if character == "?" {
                    number += 1
                    result += "$\(number)"
                } else {
                    result.append(character)
                }
            }
        }
        return result
    }
}
