import Foundation
import Records

/// Helpers for adapters of JSON documents: parse with errors that name the line and column, and
/// read typed fields with errors that name the field's path.
enum JSONInput {
    static func parse(_ input: InputFile, format: String) throws(InputError) -> JSONValue {
        do {
            return try JSONParser.parse(input.bytes)
        } catch {
            let (line, column) = input.bytes.withUnsafeBytes { lineAndColumn(of: error.offset, in: $0) }
            throw InputError(file: input.name, line: line, column: column,
                             problem: "not valid \(format) JSON: \(error.message)",
                             fix: "check that the tool finished writing the file")
        }
    }

    /// True when `needle` occurs in the first `limit` bytes (the whole file when nil).
    static func contains(_ input: InputFile, _ needle: String, within limit: Int? = 65_536) -> Bool {
        let pattern = Array(needle.utf8)
        let bytes = limit.map { input.bytes.prefix($0) } ?? input.bytes[...]
        guard pattern.count <= bytes.count, let first = pattern.first else { return false }
        var index = bytes.startIndex
        let last = bytes.endIndex - pattern.count
        while index <= last {
            guard let found = bytes[index...last].firstIndex(of: first) else { return false }
            if bytes[found..<found + pattern.count].elementsEqual(pattern) { return true }
            index = found + 1
        }
        return false
    }

    static func startsWith(_ input: InputFile, _ character: Character) -> Bool {
        input.head(16).first == character
    }
}

/// A field path inside a JSON document, for errors like `run.json: field 'benchmarks[3].stats.data[7]': ...`.
struct JSONPlace {
    let file: String
    let path: String

    func child(_ key: String) -> JSONPlace { JSONPlace(file: file, path: path.isEmpty ? key : "\(path).\(key)") }
    func index(_ index: Int) -> JSONPlace { JSONPlace(file: file, path: "\(path)[\(index)]") }

    func error(_ problem: String, fix: String? = nil) -> InputError {
        InputError(file: file, field: path.isEmpty ? nil : path, problem: problem, fix: fix)
    }

    func object(_ value: JSONValue?) throws(InputError) -> JSONValue {
        guard let value, value.objectValue != nil else { throw error("expected an object, found \(value?.typeName ?? "nothing")") }
        return value
    }

    func array(_ value: JSONValue?) throws(InputError) -> [JSONValue] {
        guard let items = value?.arrayValue else { throw error("expected an array, found \(value?.typeName ?? "nothing")") }
        return items
    }

    func string(_ value: JSONValue?) throws(InputError) -> String {
        guard let text = value?.stringValue else { throw error("expected a string, found \(value?.typeName ?? "nothing")") }
        return text
    }

    func number(_ value: JSONValue?) throws(InputError) -> DecimalNumber {
        guard case .number(let number)? = value else { throw error("expected a number, found \(value?.typeName ?? "nothing")") }
        guard number.value.isFinite else { throw error("the number is not finite") }
        return number
    }

    /// An optional whole count (CPUs, bytes) that must fit a 64-bit integer and not be negative:
    /// tools write these as JSON numbers, and a hostile `1e300` must be an error, not a trap.
    func count(_ value: JSONValue?) throws(InputError) -> Int64? {
        guard let value, !value.isNull else { return nil }
        let number = try self.number(value).value
        guard let whole = Int64(exactly: number), whole >= 0 else {
            throw error("\(DecimalNumber(number).jsonText) is not a whole number from 0 to \(Int64.max)",
                        fix: "write a count such as 8, or leave the field out")
        }
        return whole
    }

    /// An optional ISO 8601 time, normalised to the warehouse's UTC text.
    func time(_ value: JSONValue?) throws(InputError) -> String? {
        guard let value, !value.isNull else { return nil }
        let text = try string(value)
        guard let normalized = Timestamp.normalize(text) else {
            throw error("\"\(Printable.escaped(text))\" is not an ISO 8601 time from 1970 to 9999",
                        fix: "write it as 2026-11-27T13:40:00Z")
        }
        return normalized
    }

    /// A duration: finite and not negative.
    func duration(_ value: JSONValue?) throws(InputError) -> DecimalNumber {
        let number = try self.number(value)
        guard number.value >= 0 else { throw error("negative time \(number.jsonText)", fix: "times cannot be negative; check the tool's output") }
        return number
    }
}

/// Scale factors from a tool's time units to milliseconds, as powers of ten (exact decimal shifts).
enum TimeUnit {
    static func powerOfTenToMilliseconds(_ unit: String) -> Int? {
        switch unit.trimmingCharacters(in: .whitespaces) {
        case "ns", "nanoseconds": return -6
        case "us", "µs", "μs", "microseconds": return -3
        case "ms", "milliseconds": return 0
        case "s", "seconds": return 3
        default: return nil
        }
    }
}
