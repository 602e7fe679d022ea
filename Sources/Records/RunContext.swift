/// The machine a run ran on.
public struct MachineInfo: Sendable, Equatable, Codable {
    /// The hostname, or the name given with `--machine` (CI hostnames change from job to job).
    public var name: String
    public var hostname: String?
    public var os: String?
    public var kernel: String?
    public var arch: String?
    public var cpuModel: String?
    public var cpuCores: Int?
    public var memoryBytes: Int64?
    /// True when the name was given (`--machine`, `HHBENCH_MACHINE`): the user says runs under this
    /// name are comparable, so the fingerprint is the name's alone. Hosted CI runners change CPU
    /// model and kernel from job to job; a hardware fingerprint would never match there.
    public var namedExplicitly = false
    /// A fingerprint carried over from another warehouse (an export), kept as it was.
    public var storedFingerprint: String?

    public init(name: String, hostname: String? = nil, os: String? = nil, kernel: String? = nil, arch: String? = nil,
                cpuModel: String? = nil, cpuCores: Int? = nil, memoryBytes: Int64? = nil) {
        self.name = name
        self.hostname = hostname
        self.os = os
        self.kernel = kernel
        self.arch = arch
        self.cpuModel = cpuModel
        self.cpuCores = cpuCores
        self.memoryBytes = memoryBytes
    }

    /// The text the fingerprint hashes (Warehouse's `MachineInfo.fingerprint`): every field in a
    /// fixed order, or the name alone when it was given explicitly.
    public var fingerprintSource: String {
        if namedExplicitly { return "named\u{1F}" + name }
        return [name, os ?? "", kernel ?? "", arch ?? "", cpuModel ?? "", cpuCores.map(String.init) ?? "",
                memoryBytes.map(String.init) ?? ""].joined(separator: "\u{1F}")
    }
}

/// The commit a run measured.
public struct CommitInfo: Sendable, Equatable {
    public var sha: String
    /// Parent shas, first parent first; nil when unknown (as opposed to [] for a root commit).
    public var parents: [String]?
    public var authorName: String?
    public var authorEmail: String?
    /// ISO 8601 UTC.
    public var committedAt: String?
    public var subject: String?

    public init(sha: String, parents: [String]? = nil, authorName: String? = nil, authorEmail: String? = nil,
                committedAt: String? = nil, subject: String? = nil) {
        self.sha = sha
        self.parents = parents
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.committedAt = committedAt
        self.subject = subject
    }
}

/// Everything known about a run besides its numbers. Every field is optional, so partial
/// contexts from several sources (captured, in the input file, from flags) overlay each other.
public struct RunContext: Sendable, Equatable {
    public var commit: CommitInfo?
    public var branch: String?
    public var dirty: Bool?
    public var machine: MachineInfo?
    /// ISO 8601 UTC.
    public var recordedAt: String?
    public var startedAt: String?
    public var finishedAt: String?
    public var commandLine: String?
    public var toolchain: String?
    public var tool: String?
    public var toolVersion: String?
    public var ciProvider: String?
    public var ciJobURL: String?
    public var tags: [String: String]
    /// Whatever else the input said about its run, kept as JSON members.
    public var extra: [(String, JSONValue)]
    /// First-parent ancestors of the commit, newest first, so that history can be walked from the
    /// database alone (a copied database, a CI cache without the repository).
    public var ancestry: [CommitInfo] = []

    public init(commit: CommitInfo? = nil, branch: String? = nil, dirty: Bool? = nil, machine: MachineInfo? = nil,
                recordedAt: String? = nil, startedAt: String? = nil, finishedAt: String? = nil,
                commandLine: String? = nil, toolchain: String? = nil, tool: String? = nil, toolVersion: String? = nil,
                ciProvider: String? = nil, ciJobURL: String? = nil, tags: [String: String] = [:],
                extra: [(String, JSONValue)] = []) {
        self.commit = commit
        self.branch = branch
        self.dirty = dirty
        self.machine = machine
        self.recordedAt = recordedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.commandLine = commandLine
        self.toolchain = toolchain
        self.tool = tool
        self.toolVersion = toolVersion
        self.ciProvider = ciProvider
        self.ciJobURL = ciJobURL
        self.tags = tags
        self.extra = extra
    }

    public static func == (lhs: RunContext, rhs: RunContext) -> Bool {
        lhs.commit == rhs.commit && lhs.branch == rhs.branch && lhs.dirty == rhs.dirty && lhs.machine == rhs.machine
            && lhs.recordedAt == rhs.recordedAt && lhs.startedAt == rhs.startedAt && lhs.finishedAt == rhs.finishedAt
            && lhs.commandLine == rhs.commandLine && lhs.toolchain == rhs.toolchain && lhs.tool == rhs.tool
            && lhs.toolVersion == rhs.toolVersion && lhs.ciProvider == rhs.ciProvider && lhs.ciJobURL == rhs.ciJobURL
            && lhs.tags == rhs.tags && JSONValue.object(lhs.extra) == JSONValue.object(rhs.extra)
    }

    /// This context with every field `other` sets taken from `other`. A commit with another sha
    /// replaces this one whole; the same sha fills in what this one lacks.
    public func overlaid(by other: RunContext) -> RunContext {
        var result = self
        if let commit = other.commit {
            if var mine = result.commit, mine.sha == commit.sha {
                mine.parents = commit.parents ?? mine.parents
                mine.authorName = commit.authorName ?? mine.authorName
                mine.authorEmail = commit.authorEmail ?? mine.authorEmail
                mine.committedAt = commit.committedAt ?? mine.committedAt
                mine.subject = commit.subject ?? mine.subject
                result.commit = mine
            } else {
                result.commit = commit
            }
        }
        result.branch = other.branch ?? branch
        result.dirty = other.dirty ?? dirty
        result.machine = other.machine ?? machine
        result.recordedAt = other.recordedAt ?? recordedAt
        result.startedAt = other.startedAt ?? startedAt
        result.finishedAt = other.finishedAt ?? finishedAt
        result.commandLine = other.commandLine ?? commandLine
        result.toolchain = other.toolchain ?? toolchain
        result.tool = other.tool ?? tool
        result.toolVersion = other.toolVersion ?? toolVersion
        result.ciProvider = other.ciProvider ?? ciProvider
        result.ciJobURL = other.ciJobURL ?? ciJobURL
        result.tags.merge(other.tags) { _, new in new }
        if !other.ancestry.isEmpty { result.ancestry = other.ancestry }
        for (key, value) in other.extra {
            result.extra.removeAll { $0.0 == key }
            result.extra.append((key, value))
        }
        return result
    }
}
