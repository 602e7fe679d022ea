/// Writes run records in the native JSON-lines format, one `{"run": {...}}` section a run, so
/// that `hhbench record` reads them back into the same runs (see `NativeFormat`).
public enum NativeWriter {
    public static func write(_ record: RunRecord) -> String {
        let lines = [JSONValue.object([("run", .object(runMembers(record)))]).compactText] + measurementLines(record)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A line per sample series and per given (not derived) measurement.
    static func measurementLines(_ record: RunRecord) -> [String] {
        var lines: [String] = []
        for series in record.series {
            var members = benchmarkMembers(series.benchmark, series.metric)
            members.append(("samples", .array(series.samples.map(JSONValue.number))))
            lines.append(JSONValue.object(members).compactText)
        }
        for measurement in record.measurements where !measurement.derived {
            var members = benchmarkMembers(measurement.benchmark, measurement.metric)
            members.append(("value", .number(measurement.value)))
            lines.append(JSONValue.object(members).compactText)
        }
        return lines
    }

    /// The measurement lines of a record and one `context` line with what it knows, without a
    /// `run` header: `hhbench record -` captures the rest of the context where it runs.
    public static func lines(_ record: RunRecord) -> String {
        var lines = measurementLines(record)
        var context = runMembers(record).filter { ["tool", "tool_version", "toolchain", "started_at", "finished_at", "tags", "command_line"].contains($0.0) }
        context += record.context.extra
        if !context.isEmpty { lines.append(JSONValue.object([("context", .object(context))]).compactText) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func benchmarkMembers(_ benchmark: BenchmarkKey, _ metric: MetricDescriptor) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [("benchmark", .string(benchmark.name))]
        if !benchmark.group.isEmpty { members.append(("group", .string(benchmark.group))) }
        if benchmark.params != "{}" { members.append(("params", benchmark.parameters)) }
        members += [("metric", .string(metric.name)), ("unit", .string(metric.unit)), ("direction", .string(metric.direction.rawValue))]
        return members
    }

    static func runMembers(_ record: RunRecord) -> [(String, JSONValue)] {
        let context = record.context
        var members: [(String, JSONValue)] = []
        func add(_ key: String, _ value: String?) { if let value { members.append((key, .string(value))) } }
        add("uuid", record.uuid)
        add("content_hash", record.contentHash.isEmpty ? nil : record.contentHash)
        add("source_format", record.sourceFormat)
        add("recorded_at", context.recordedAt)
        add("started_at", context.startedAt)
        add("finished_at", context.finishedAt)
        if let commit = context.commit {
            var commitMembers: [(String, JSONValue)] = [("sha", .string(commit.sha))]
            if let parents = commit.parents { commitMembers.append(("parents", .array(parents.map(JSONValue.string)))) }
            for (key, value) in [("author_name", commit.authorName), ("author_email", commit.authorEmail),
                                 ("committed_at", commit.committedAt), ("subject", commit.subject)] {
                if let value { commitMembers.append((key, .string(value))) }
            }
            members.append(("commit", .object(commitMembers)))
        }
        add("branch", context.branch)
        if let dirty = context.dirty { members.append(("dirty", .bool(dirty))) }
        if let machine = context.machine {
            var machineMembers: [(String, JSONValue)] = [("name", .string(machine.name))]
            for (key, value) in [("hostname", machine.hostname), ("os", machine.os), ("kernel", machine.kernel), ("arch", machine.arch),
                                 ("cpu_model", machine.cpuModel)] {
                if let value { machineMembers.append((key, .string(value))) }
            }
            if let cores = machine.cpuCores { machineMembers.append(("cpu_cores", .number(Double(cores)))) }
            if let memory = machine.memoryBytes { machineMembers.append(("memory_bytes", .number(Double(memory)))) }
            // Only a fingerprint the warehouse already gave this machine: a reader computes the same one
            // from the fields, and the hash (swift-crypto) stays out of the run record's module.
            if let fingerprint = machine.storedFingerprint { machineMembers.append(("fingerprint", .string(fingerprint))) }
            members.append(("machine", .object(machineMembers)))
        }
        add("command_line", context.commandLine)
        add("toolchain", context.toolchain)
        add("tool", context.tool)
        add("tool_version", context.toolVersion)
        add("ci_provider", context.ciProvider)
        add("ci_job_url", context.ciJobURL)
        if !context.tags.isEmpty { members.append(("tags", JSONValue.object(context.tags))) }
        let known: Set = ["uuid", "content_hash", "source_format", "recorded_at", "started_at", "finished_at", "commit", "branch", "dirty",
                          "machine", "command_line", "toolchain", "tool", "tool_version", "ci_provider", "ci_job_url", "tags"]
        // Extra context keys that collide with known ones are kept under a prefix so they do not override them.
        for (key, value) in context.extra { members.append((known.contains(key) ? "extra_" + key : key, value)) }
        return members
    }
}
