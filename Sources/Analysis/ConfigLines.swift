/// Where a setting is written in `hhbench.toml`, for errors found after decoding: TOMLKit's
/// decoded tables carry no positions, so the line is found again in the text, by the table
/// headers (`[compare]`, `[metrics.p95_time_ms]`, the n-th `[[rules]]`) and the key.
struct ConfigLines {
    private let lines: [Substring]

    init(_ text: String) { lines = text.split(separator: "\n", omittingEmptySubsequences: false) }

    /// The 1-based line of a field such as `compare.alpha`, `metrics.p95_time_ms.budget` or
    /// `rules[1].direction`; the table's header line when the key is not found; nil when neither is.
    func line(of field: String) -> Int? {
        var parts = field.split(separator: ".").map(String.init)
        guard !parts.isEmpty else { return nil }
        var ruleIndex: Int?
        if let first = parts.first, first.hasPrefix("rules["), let close = first.firstIndex(of: "]") {
            ruleIndex = Int(first[first.index(first.startIndex, offsetBy: 6)..<close])
            parts[0] = "rules"
        }
        let key = parts.count > 1 ? parts.removeLast() : nil
        let table = parts.joined(separator: ".")
        var inTable = table.isEmpty  // keys before the first header belong to the root table
        var headerLine: Int?
        var rulesSeen = -1
        for (index, raw) in lines.enumerated() {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("[") {
                let isArray = line.hasPrefix("[[")
                let name = line.drop { $0 == "[" }.prefix { $0 != "]" }.filter { $0 != " " && $0 != "\"" }
                if isArray, name == "rules" { rulesSeen += 1 }
                inTable = String(name) == table && (ruleIndex == nil || rulesSeen == ruleIndex)
                if inTable, headerLine == nil { headerLine = index + 1 }
                continue
            }
            guard let key else { continue }
            if inTable, line.hasPrefix(key), line.dropFirst(key.count).drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("=") {
                return index + 1
            }
        }
        return headerLine
    }
}
