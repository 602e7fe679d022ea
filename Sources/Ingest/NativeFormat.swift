import Records

/// hhbench's own results format: JSON Lines, one object a line.
///
///     {"benchmark":"computation_test/traced","metric":"time_ms","samples":[0.051,0.049,0.050]}
///     {"benchmark":"computation_test","metric":"overhead_ratio","value":1.07}
///     {"benchmark":"load_test","metric":"error_rate","value":0.004,"direction":"lower_is_better","unit":"ratio"}
///     {"context":{"tags":{"suite":"load"}}}
///
/// A measurement line needs `benchmark` and `metric`, and exactly one of `samples` (a non-empty
/// array of finite numbers) or `value` (a finite number); `unit`, `direction`, `group` and
/// `params` are optional. Lines with samples of the same benchmark and metric append in order.
/// A `context` line merges into the run context (see `ContextReader`). Blank lines are skipped.
///
/// A `{"run": {...}}` line starts a new run whose context is given whole (what `hhbench export`
/// writes): the context keys plus `uuid`, `content_hash` and `source_format`. Nothing is captured
/// around such a run, so exporting and recording again gives the same run.
package struct NativeFormat: InputFormat {
    package static let name = "native"
    package static let summary = "hhbench JSON Lines: {\"benchmark\",\"metric\",\"samples\"|\"value\"} and {\"context\"} lines"

    package init() {}

    /// A `.jsonl`/`.ndjson` file, or one whose first line is an object naming a benchmark, metric
    /// or context. Lenient on purpose: a broken native file should get the native reader's
    /// precise error, not "unknown format".
    package func detect(_ input: InputFile) -> Bool {
        let lowercased = input.name.lowercased()
        if lowercased.hasSuffix(".jsonl") || lowercased.hasSuffix(".ndjson") { return true }
        guard let line = input.firstNonBlankLine, line.first == UInt8(ascii: "{") else { return false }
        // A first line that parses is judged by its keys: a one-line JSON document of another tool
        // (Google Benchmark's compact output starts with {"context":…,"benchmarks":…}) is not native.
        if line.count <= 1 << 20, let members = (try? JSONParser.parse(line))?.objectValue {
            let keys = Set(members.map(\.0))
            return keys == ["context"] || keys == ["run"]
                || (keys.isSubset(of: Self.measurementKeys) && (keys.contains("benchmark") || keys.contains("metric")))
        }
        let text = String(decoding: line.prefix(4096), as: UTF8.self)
        return text.contains("\"benchmark\"") || text.contains("\"metric\"") || text.hasPrefix("{\"context\"")
            || text.hasPrefix("{\"run\"")
    }

    static let measurementKeys: Set<String> = ["benchmark", "metric", "samples", "value", "unit", "direction", "group", "params"]

    package func read(_ input: InputFile) throws(InputError) -> RunRecord {
        let runs = try readRuns(input)
        guard runs.count == 1 else {
            throw InputError(file: input.name, problem: "the file holds \(runs.count) runs", fix: "record it with hhbench record")
        }
        return runs[0]
    }

    package func readRuns(_ input: InputFile) throws(InputError) -> [RunRecord] {
        var sections: [Section] = [Section(start: 1)]
        var lineNumber = 0
        var failure: InputError?
        input.forEachLine { line in
            lineNumber += 1
            do throws(InputError) {
                try readLine(line, number: lineNumber, file: input.name, into: &sections)
                return true
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        if sections.count > 1, sections[0].builder.isEmpty, !sections[0].hasContext { sections.removeFirst() }
        var records: [RunRecord] = []
        for section in sections {
            guard !section.builder.isEmpty else {
                throw InputError(file: input.name, line: section.start, problem: "no measurements found" + (sections.count > 1 ? " in this run" : ""),
                                 fix: "write lines like {\"benchmark\":\"b\",\"metric\":\"time_ms\",\"samples\":[1.2,1.3]}")
            }
            var record = section.builder.build()
            record.context = section.context
            record.uuid = section.uuid
            record.contextIsComplete = section.isExported
            if let format = section.sourceFormat { record.sourceFormat = format }
            records.append(record)
        }
        return records
    }

    /// One run of a file: everything before the first `run` line, or from one `run` line to the next.
    struct Section {
        let start: Int
        var builder = RecordBuilder(sourceFormat: NativeFormat.name)
        var context = RunContext()
        var hasContext = false
        var isExported = false
        var uuid: String?
        var sourceFormat: String?
    }

    private func readLine(_ line: ArraySlice<UInt8>, number: Int, file: String, into sections: inout [Section]) throws(InputError) {
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return }
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw InputError(file: file, line: number, column: error.offset + 1, problem: "not valid JSON: \(error.message)",
                             fix: "each line must be one complete JSON object")
        }
        guard let members = value.objectValue else {
            throw InputError(file: file, line: number, problem: "expected a JSON object, found \(value.typeName)",
                             fix: "each line must be one JSON object")
        }
        let place = FieldPlace(file: file, line: number)
        if let runValue = value["run"] {
            guard members.count == 1, case .object(var runMembers) = runValue else {
                throw place.error(field: "run", "a run line holds only \"run\" and an object", fix: "write {\"run\":{\"uuid\":\"...\"}}")
            }
            var section = Section(start: number)
            section.isExported = true
            for key in ["uuid", "content_hash", "source_format"] {
                guard let index = runMembers.firstIndex(where: { $0.0 == key }) else { continue }
                guard let text = runMembers[index].1.stringValue else {
                    throw place.error(field: "run.\(key)", "expected a string, found \(runMembers[index].1.typeName)")
                }
                switch key {
                case "uuid": section.uuid = text
                case "content_hash": break  // the warehouse hashes what it stores; a file's own hash is not taken
                default: section.sourceFormat = text
                }
                runMembers.remove(at: index)
            }
            section.context = try ContextReader.read(.object(runMembers), at: place)
            sections.append(section)
            return
        }
        if let contextValue = value["context"] {
            guard members.count == 1 else {
                throw place.error(field: "context", "a context line holds only \"context\"",
                                  fix: "put measurements on lines of their own")
            }
            let last = sections.count - 1
            sections[last].context = sections[last].context.overlaid(by: try ContextReader.read(contextValue, at: place))
            sections[last].hasContext = true
            return
        }
        for (key, _) in members where !Self.measurementKeys.contains(key) {
            throw place.error(field: key, "unknown field",
                              fix: "a measurement line has benchmark, metric, samples or value, unit, direction, group, params")
        }
        let benchmarkName = try place.requiredString(value, "benchmark")
        let metricName = try place.requiredString(value, "metric")
        let unit = try place.optionalString(value, "unit")
        let direction: Direction?
        if let text = try place.optionalString(value, "direction") {
            guard let parsed = Direction(rawValue: text) else {
                throw place.error(field: "direction", "unknown direction \"\(text)\"",
                                  fix: "use \"lower_is_better\" or \"higher_is_better\"")
            }
            direction = parsed
        } else {
            direction = nil
        }
        let group = try place.optionalString(value, "group") ?? ""
        var params: JSONValue?
        if let given = value["params"], !given.isNull {
            guard given.objectValue != nil else {
                throw place.error(field: "params", "expected an object, found \(given.typeName)",
                                  fix: "write parameters as {\"name\": value}")
            }
            params = given
        }
        let benchmark = BenchmarkKey(name: benchmarkName, group: group, params: params)
        let metric = MetricDescriptor(name: metricName, unit: unit, direction: direction)

        switch (value["samples"], value["value"]) {
        case (nil, nil):
            throw place.error(field: "samples", "missing: a line needs \"samples\" or \"value\"",
                              fix: "add \"samples\":[...] (raw values) or \"value\":N (one number)")
        case (.some, .some):
            throw place.error(field: "value", "both \"samples\" and \"value\" given",
                              fix: "give raw values as samples, or one number as value, not both")
        case (let samples?, nil):
            guard let items = samples.arrayValue else {
                throw place.error(field: "samples", "expected an array of numbers, found \(samples.typeName)",
                                  fix: "write \"samples\":[1.2,1.3]")
            }
            guard !items.isEmpty else {
                throw place.error(field: "samples", "empty array", fix: "give at least one sample, or leave the line out")
            }
            var numbers: [DecimalNumber] = []
            numbers.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                guard case .number(let number) = item else {
                    throw place.error(field: "samples[\(index)]", "expected a number, found \(item.typeName)",
                                      fix: "samples must be finite numbers")
                }
                guard number.value.isFinite else {
                    throw place.error(field: "samples[\(index)]", "the number is not finite", fix: "samples must be finite numbers")
                }
                numbers.append(number)
            }
            try sections[sections.count - 1].builder.addSamples(numbers, benchmark: benchmark, metric: metric, at: place)
        case (nil, let single?):
            guard case .number(let number) = single else {
                throw place.error(field: "value", "expected a number, found \(single.typeName)", fix: "write \"value\":1.07")
            }
            guard number.value.isFinite else {
                throw place.error(field: "value", "the number is not finite", fix: "write a finite number")
            }
            try sections[sections.count - 1].builder.addValue(number.value, benchmark: benchmark, metric: metric, at: place)
        }
    }
}
