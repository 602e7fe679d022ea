import Foundation
import Records

/// The part of TOML 1.0 that `hhbench.toml` needs, read into a `JSONValue` tree: comments,
/// `[table]` and `[table."quoted key"]` headers, `[[array-of-tables]]`, and `key = value` with
/// basic and literal strings, integers, floats, booleans and one-line arrays of those.
/// Anything else is an error naming the line, so a config is never half-understood.
enum TOMLSubset {
    static func parse(_ text: String, file: String) throws(InputError) -> JSONValue {
        var root: [(String, JSONValue)] = []
        var path: [String] = []
        var arrayTable = false
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = stripComment(String(rawLine)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            func fail(_ problem: String, fix: String? = nil) -> InputError {
                InputError(file: file, line: lineNumber, problem: problem, fix: fix)
            }
            if line.hasPrefix("[[") {
                guard line.hasSuffix("]]") else { throw fail("unclosed [[table]] header") }
                path = try keyPath(String(line.dropFirst(2).dropLast(2)), fail)
                arrayTable = true
                try insert(.object([]), at: path, appending: true, into: &root, fail)
            } else if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw fail("unclosed [table] header") }
                path = try keyPath(String(line.dropFirst().dropLast()), fail)
                arrayTable = false
                try insert(.object([]), at: path, appending: false, into: &root, fail)
            } else {
                guard let equals = line.firstIndex(of: "=") else { throw fail("expected key = value") }
                let keys = try keyPath(String(line[..<equals]), fail)
                let value = try parseValue(String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces), fail)
                try insert(value, at: path + keys, appending: false, into: &root, fail, inLastArrayElement: arrayTable ? path.count : nil)
            }
        }
        return .object(root)
    }

    private static func stripComment(_ line: String) -> String {
        var inBasic = false, inLiteral = false, escaped = false
        for (offset, character) in line.enumerated() {
            if escaped { escaped = false; continue }
            switch character {
            case "\\" where inBasic: escaped = true
            case "\"" where !inLiteral: inBasic.toggle()
            case "'" where !inBasic: inLiteral.toggle()
            case "#" where !inBasic && !inLiteral: return String(line.prefix(offset))
            default: break
            }
        }
        return line
    }

    private static func keyPath(_ text: String, _ fail: (String, String?) -> InputError) throws(InputError) -> [String] {
        var keys: [String] = []
        var current = ""
        var quote: Character?
        for character in text.trimmingCharacters(in: .whitespaces) {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "." {
                keys.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        keys.append(current.trimmingCharacters(in: .whitespaces))
        guard quote == nil, keys.allSatisfy({ !$0.isEmpty }) else { throw fail("malformed key \"\(text)\"", nil) }
        return keys
    }

    private static func parseValue(_ text: String, _ fail: (String, String?) -> InputError) throws(InputError) -> JSONValue {
        if text.hasPrefix("\"") {
            guard text.count >= 2, text.hasSuffix("\""), let parsed = try? JSONParser.parse(text), parsed.stringValue != nil else {
                throw fail("malformed string \(text)", nil)
            }
            return parsed
        }
        if text.hasPrefix("'") {
            guard text.count >= 2, text.hasSuffix("'") else { throw fail("malformed string \(text)", nil) }
            return .string(String(text.dropFirst().dropLast()))
        }
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        if text.hasPrefix("[") {
            guard text.hasSuffix("]") else { throw fail("arrays must be on one line", nil) }
            let inner = text.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
            if inner.isEmpty { return .array([]) }
            var items: [JSONValue] = []
            for part in splitTopLevel(String(inner)) where !part.trimmingCharacters(in: .whitespaces).isEmpty {
                items.append(try parseValue(part.trimmingCharacters(in: .whitespaces), fail))
            }
            return .array(items)
        }
        let digits = text.replacingOccurrences(of: "_", with: "")
        if let number = DecimalNumber.parse(Array(digits.utf8)[...]) ?? Double(digits).map(DecimalNumber.init), number.value.isFinite {
            return .number(number)
        }
        throw fail("unsupported value \(text)", "use a quoted string, a number, true/false or a one-line array")
    }

    private static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        for character in text {
            if let open = quote {
                current.append(character)
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
                current.append(character)
            } else if character == "," {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }

    /// Sets `value` at `path`, creating tables on the way. With `inLastArrayElement: k`, the k-th
    /// key names an array of tables and the value goes into its last element.
    private static func insert(_ value: JSONValue, at path: [String], appending: Bool, into members: inout [(String, JSONValue)],
                               _ fail: (String, String?) -> InputError, inLastArrayElement: Int? = nil) throws(InputError) {
        guard let head = path.first else { return }
        let rest = Array(path.dropFirst())
        let index = members.firstIndex { $0.0 == head }
        if rest.isEmpty {
            if appending {
                if let index {
                    guard case .array(var items) = members[index].1 else { throw fail("\(head) is not an array of tables", nil) }
                    items.append(value)
                    members[index].1 = .array(items)
                } else {
                    members.append((head, .array([value])))
                }
            } else if let index {
                if case .object = value, case .object = members[index].1 { return }  // re-opened table
                throw fail("\(head) is defined twice", nil)
            } else {
                members.append((head, value))
            }
            return
        }
        var child: JSONValue = index.map { members[$0].1 } ?? .object([])
        if inLastArrayElement == 1, case .array(var items) = child, var last = items.last?.objectValue {
            try insert(value, at: rest, appending: appending, into: &last, fail)
            items[items.count - 1] = .object(last)
            child = .array(items)
        } else {
            guard var object = child.objectValue else { throw fail("\(head) is not a table", nil) }
            try insert(value, at: rest, appending: appending, into: &object, fail,
                       inLastArrayElement: inLastArrayElement.map { $0 - 1 })
            child = .object(object)
        }
        if let index { members[index].1 = child } else { members.append((head, child)) }
    }
}
