import Records

/// Reads a native `context` object into a run context. Known keys fill their fields; any other
/// key is kept as extra context (shown by `hhbench show`, stored in `runs.context`).
///
/// Known keys: `commit` (a sha, or {sha, parents, author_name, author_email, committed_at,
/// subject}), `branch`, `dirty`, `machine` (a name, or {name, hostname, os, kernel, arch,
/// cpu_model, cpu_cores, memory_bytes}), `recorded_at`, `started_at`, `finished_at` (ISO 8601),
/// `command_line`, `toolchain`, `tool`, `tool_version`, `ci_provider`, `ci_job_url`, `tags`.
enum ContextReader {
    static func read(_ value: JSONValue, at place: FieldPlace) throws(InputError) -> RunContext {
        guard let members = value.objectValue else {
            throw place.error(field: "context", "expected an object, found \(value.typeName)",
                              fix: "write {\"context\":{\"tags\":{\"suite\":\"load\"}}}")
        }
        var context = RunContext()
        for (key, member) in members {
            let field = "context.\(key)"
            switch key {
            case "commit":
                if let sha = member.stringValue {
                    context.commit = CommitInfo(sha: sha)
                } else if member.objectValue != nil {
                    guard let sha = member["sha"]?.stringValue else {
                        throw place.error(field: field + ".sha", "missing", fix: "a commit object needs \"sha\"")
                    }
                    var commit = CommitInfo(sha: sha)
                    if let parents = member["parents"] {
                        guard let list = parents.arrayValue?.compactMap(\.stringValue), list.count == parents.arrayValue?.count else {
                            throw place.error(field: field + ".parents", "expected an array of shas", fix: "write [\"abc123...\"]")
                        }
                        commit.parents = list
                    }
                    commit.authorName = member["author_name"]?.stringValue
                    commit.authorEmail = member["author_email"]?.stringValue
                    commit.committedAt = try member["committed_at"]?.stringValue.map { (text: String) throws(InputError) in
                        try time(text, field: field + ".committed_at", place)
                    }
                    commit.subject = member["subject"]?.stringValue
                    context.commit = commit
                } else {
                    throw place.error(field: field, "expected a sha or an object, found \(member.typeName)")
                }
            case "branch": context.branch = try string(member, field, place)
            case "dirty":
                guard let flag = member.boolValue else {
                    throw place.error(field: field, "expected true or false, found \(member.typeName)")
                }
                context.dirty = flag
            case "machine": context.machine = try machine(member, field, place)
            case "recorded_at": context.recordedAt = try time(try string(member, field, place), field: field, place)
            case "started_at": context.startedAt = try time(try string(member, field, place), field: field, place)
            case "finished_at": context.finishedAt = try time(try string(member, field, place), field: field, place)
            case "command_line": context.commandLine = try string(member, field, place)
            case "toolchain": context.toolchain = try string(member, field, place)
            case "tool": context.tool = try string(member, field, place)
            case "tool_version": context.toolVersion = try string(member, field, place)
            case "ci_provider": context.ciProvider = try string(member, field, place)
            case "ci_job_url": context.ciJobURL = try string(member, field, place)
            case "tags":
                guard let tags = member.objectValue else {
                    throw place.error(field: field, "expected an object, found \(member.typeName)",
                                      fix: "write \"tags\":{\"suite\":\"load\"}")
                }
                for (tag, tagValue) in tags {
                    switch tagValue {
                    case .string(let text): context.tags[tag] = text
                    case .number, .bool: context.tags[tag] = tagValue.compactText
                    default:
                        throw place.error(field: "\(field).\(tag)", "expected a string, number or boolean, found \(tagValue.typeName)")
                    }
                }
            default:
                context.extra.append((key, member))
            }
        }
        return context
    }

    private static func string(_ value: JSONValue, _ field: String, _ place: FieldPlace) throws(InputError) -> String {
        guard let text = value.stringValue else {
            throw place.error(field: field, "expected a string, found \(value.typeName)")
        }
        return text
    }

    private static func time(_ text: String, field: String, _ place: FieldPlace) throws(InputError) -> String {
        guard let normalized = Timestamp.normalize(text) else {
            throw place.error(field: field, "\"\(Printable.escaped(text))\" is not an ISO 8601 time from 1970 to 9999",
                              fix: "write it as 2026-11-27T13:40:00Z")
        }
        return normalized
    }

    private static func machine(_ value: JSONValue, _ field: String, _ place: FieldPlace) throws(InputError) -> MachineInfo {
        if let name = value.stringValue { return MachineInfo(name: name) }
        guard value.objectValue != nil else {
            throw place.error(field: field, "expected a name or an object, found \(value.typeName)")
        }
        guard let name = value["name"]?.stringValue ?? value["hostname"]?.stringValue else {
            throw place.error(field: field + ".name", "missing", fix: "a machine object needs \"name\"")
        }
        let fields = JSONPlace(file: place.file, path: field)
        func count(_ key: String) throws(InputError) -> Int64? {
            do { return try fields.child(key).count(value[key]) } catch { throw InputError(
                file: place.file, line: place.line, field: error.field, problem: error.problem, fix: error.fix) }
        }
        var machine = MachineInfo(
            name: name, hostname: value["hostname"]?.stringValue, os: value["os"]?.stringValue,
            kernel: value["kernel"]?.stringValue, arch: value["arch"]?.stringValue,
            cpuModel: value["cpu_model"]?.stringValue, cpuCores: try count("cpu_cores").map { Int($0) },
            memoryBytes: try count("memory_bytes"))
        machine.storedFingerprint = value["fingerprint"]?.stringValue
        return machine
    }
}
