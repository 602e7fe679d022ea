import Foundation

/// SQL text as PostgreSQL and psql read it: quoted strings ('…', and E'…' with its backslash
/// escapes), dollar-quoted strings ($$…$$, $tag$…$tag$), quoted identifiers ("…") and comments
/// (-- to the end of the line, /* … */) are passed over whole, so that splitting at semicolons,
/// numbering `?` placeholders and finding psql's `:name` variables act on the code between them
/// only (PostgreSQL's lexical rules, "Lexical Structure" in its manual).
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
        func isIdentifier(_ character: Character?) -> Bool {
            guard let character else { return false }
            return character.isLetter || character.isNumber || character == "_" || character == "$"
        }
        while index < sql.endIndex {
            let character = sql[index]
            let next = sql.index(after: index)
            let following: Character? = next < sql.endIndex ? sql[next] : nil
            let previous: Character? = index > sql.startIndex ? sql[sql.index(before: index)] : nil
            if character == "$", !isIdentifier(previous), let delimiter = dollarDelimiter(sql[index...]) {
                cut(index, isCode: true)
                let bodyStart = sql.index(index, offsetBy: delimiter.count)
                let end = sql[bodyStart...].range(of: delimiter)?.upperBound ?? sql.endIndex
                cut(end, isCode: false)
                index = end
                continue
            }
            if character == "'", let previous, previous == "E" || previous == "e",
               !isIdentifier(sql.index(index, offsetBy: -1) > sql.startIndex ? sql[sql.index(index, offsetBy: -2)] : nil) {
                // E'…': a backslash escapes the character after it.
                cut(index, isCode: true)
                var cursor = next
                while cursor < sql.endIndex {
                    if sql[cursor] == "\\" {
                        cursor = sql.index(after: cursor)
                        if cursor < sql.endIndex { cursor = sql.index(after: cursor) }
                        continue
                    }
                    if sql[cursor] == "'" { break }
                    cursor = sql.index(after: cursor)
                }
                let end = cursor < sql.endIndex ? sql.index(after: cursor) : sql.endIndex
                cut(end, isCode: false)
                index = end
                continue
            }
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

    /// `$$` or `$tag$` when `text` starts with a dollar-quote delimiter: a tag is a name that does
    /// not start with a digit (`$1` is a parameter).
    private static func dollarDelimiter(_ text: Substring) -> String? {
        let rest = text.dropFirst()
        guard let close = rest.firstIndex(of: "$") else { return nil }
        let tag = rest[..<close]
        if let first = tag.first, first.isNumber { return nil }
        guard tag.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        return "$" + tag + "$"
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
