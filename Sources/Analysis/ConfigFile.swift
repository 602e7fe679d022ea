import Records
import TOML

/// One table of `hhbench.toml` as `TOMLReader` read it, with strict keys: a setting hhbench does
/// not know is an error, so a config is never half-understood. Every value is checked here, by
/// its type and, for numbers, by the same `NumericRule` as the flag that says the same thing;
/// each error names the file, the line and the field.
struct ConfigSection {
    let table: TOMLTable
    /// `compare`, `metrics.p95_time_ms`, `rules[1]`; empty for the root.
    let path: String
    let file: String
    /// Where the table was opened, for a problem that no key of it shows.
    let line: Int?

    /// `table`, refusing keys outside `known`.
    init(_ table: TOMLTable, path: String, file: String, line: Int?, known: Set<String>) throws(InputError) {
        self.table = table
        self.path = path
        self.file = file
        self.line = line
        for entry in table.entries where !known.contains(entry.key) {
            throw InputError(file: file, line: entry.position.line, field: field(entry.key), problem: "unknown setting",
                             fix: "settings are listed in the README's hhbench.toml section")
        }
    }

    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func fail(_ key: String, _ problem: String, fix: String? = nil) -> InputError {
        InputError(file: file, line: table[key]?.position.line ?? line, field: field(key), problem: problem, fix: fix)
    }

    func string(_ key: String) throws(InputError) -> String? {
        guard let entry = table[key] else { return nil }
        guard case .string(let text) = entry.value else { throw fail(key, "expected a string, not \(entry.value.kindName)") }
        return text
    }

    /// A number, integer or float as written (`threshold_pct = 10` is a TOML integer), within `rule`.
    func number(_ key: String, _ rule: NumericRule) throws(InputError) -> Double? {
        guard let entry = table[key] else { return nil }
        let value: Double
        switch entry.value {
        case .integer(let whole): value = Double(whole)
        case .float(let real): value = real
        default: throw fail(key, "expected a number, not \(entry.value.kindName)", fix: "write \(key) = \(rule.example)")
        }
        if let problem = rule.problem(with: value) { throw fail(key, problem, fix: "write \(key) = \(rule.example)") }
        return value == 0 ? 0 : value
    }

    func whole(_ key: String, _ rule: NumericRule) throws(InputError) -> Int? {
        try number(key, rule).flatMap { Int(exactly: $0) }
    }

    /// A list of names: an array of strings, or one string of comma-separated names.
    func names(_ key: String, example: String) throws(InputError) -> [String]? {
        guard let entry = table[key] else { return nil }
        let names: [String]
        switch entry.value {
        case .string(let text): names = text.split(separator: ",").map { String($0).trimmingBlanks }
        case .array(let items):
            names = try items.map { (item: TOMLValue) throws(InputError) -> String in
                guard case .string(let text) = item else { throw fail(key, "expected strings, not \(item.kindName)", fix: "write \(key) = \(example)") }
                return text.trimmingBlanks
            }
        default: throw fail(key, "expected a list of names, not \(entry.value.kindName)", fix: "write \(key) = \(example)")
        }
        let named = names.filter { !$0.isEmpty }
        guard !named.isEmpty else { throw fail(key, "no name given", fix: "write \(key) = \(example)") }
        return named
    }

    /// A table below this one.
    func section(_ key: String, known: Set<String>) throws(InputError) -> ConfigSection? {
        guard let entry = table[key] else { return nil }
        guard case .table(let inner) = entry.value else { throw fail(key, "expected a table, not \(entry.value.kindName)", fix: "write [\(field(key))]") }
        return try ConfigSection(inner, path: field(key), file: file, line: entry.position.line, known: known)
    }

    /// The tables below a table, by name (`[metrics.NAME]`), in the order written.
    func sections(under key: String, known: Set<String>) throws(InputError) -> [(name: String, section: ConfigSection)] {
        guard let entry = table[key] else { return [] }
        guard case .table(let inner) = entry.value else { throw fail(key, "expected a table, not \(entry.value.kindName)") }
        return try inner.entries.map { (item: TOMLTable.Entry) throws(InputError) in
            guard case .table(let table) = item.value else {
                throw InputError(file: file, line: item.position.line, field: "\(field(key)).\(item.key)",
                                 problem: "expected a table, not \(item.value.kindName)", fix: "write [\(field(key)).\(item.key)]")
            }
            let section = try ConfigSection(table, path: "\(field(key)).\(item.key)", file: file, line: item.position.line, known: known)
            return (item.key, section)
        }
    }

    /// The tables of an array of tables (`[[rules]]`).
    func array(_ key: String, known: Set<String>) throws(InputError) -> [ConfigSection] {
        guard let entry = table[key] else { return [] }
        guard case .array(let items) = entry.value else { throw fail(key, "expected [[\(field(key))]] tables, not \(entry.value.kindName)") }
        return try items.enumerated().map { (index: Int, item: TOMLValue) throws(InputError) in
            guard case .table(let table) = item else { throw fail(key, "expected [[\(field(key))]] tables, not \(item.kindName)") }
            return try ConfigSection(table, path: "\(field(key))[\(index)]", file: file, line: entry.position.line, known: known)
        }
    }
}
