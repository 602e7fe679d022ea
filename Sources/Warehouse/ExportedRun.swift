import Records

extension Warehouse {
    /// A run's record as export writes it (its whole context, uuid, source and content hash; no
    /// values yet), from the export query's row on either engine: `text` and `integer` read a
    /// column by name. The columns are those of `runs`, the machine's (`machine_name`,
    /// `fingerprint`, …) and the commit's (`parents`, `author_name`, …).
    static func exportedRun(text: (String) throws -> String?, integer: (String) throws -> Int64?) throws -> RunRecord {
        var context = RunContext()
        if let sha = try text("commit_sha") {
            let parents = try text("parents").flatMap { try? JSONParser.parse($0) }?.arrayValue?.compactMap(\.stringValue)
            context.commit = CommitInfo(sha: sha, parents: parents, authorName: try text("author_name"), authorEmail: try text("author_email"),
                                        committedAt: try text("committed_at"), subject: try text("subject"))
        }
        context.branch = try text("branch")
        context.dirty = try integer("dirty").map { $0 != 0 }
        context.machine = MachineInfo(name: try text("machine_name") ?? "unknown", hostname: try text("hostname"), os: try text("os"),
                                      kernel: try text("kernel"), arch: try text("arch"), cpuModel: try text("cpu_model"),
                                      cpuCores: try integer("cpu_cores").map(Int.init), memoryBytes: try integer("memory_bytes"))
        context.machine?.storedFingerprint = try text("fingerprint")
        context.recordedAt = try text("recorded_at")
        context.startedAt = try text("started_at")
        context.finishedAt = try text("finished_at")
        context.commandLine = try text("command_line")
        context.toolchain = try text("toolchain")
        context.tool = try text("tool")
        context.toolVersion = try text("tool_version")
        context.ciProvider = try text("ci_provider")
        context.ciJobURL = try text("ci_job_url")
        for (key, value) in (try text("tags").flatMap { try? JSONParser.parse($0) })?.objectValue ?? [] {
            context.tags[key] = value.stringValue ?? value.compactText
        }
        context.extra = (try text("context").flatMap { try? JSONParser.parse($0) })?.objectValue ?? []
        var record = RunRecord(sourceFormat: try text("source_format") ?? "", context: context, contentHash: try text("content_hash") ?? "")
        record.uuid = try text("uuid")
        record.contextIsComplete = true
        return record
    }
}
