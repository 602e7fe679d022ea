import ArgumentParser

/// The root command: subcommands only. Exit codes are mapped in `main.swift`, in one place.
struct HHBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hhbench",
        abstract: "A results warehouse for benchmarks: every run, every raw sample, its full context, in one SQLite file.",
        discussion: """
            Exit codes: 0 success, 1 a check failed (a regression, a budget), 2 usage or input error, \
            3 not enough data to decide.
            The database is --db, else $HHBENCH_DB, else .hhbench/history.db at the git top level.
            """,
        version: HHBenchVersion.current,
        subcommands: [RecordCommand.self, ImportBaselinesCommand.self, CompareCommand.self, ABCommand.self, TrendCommand.self, ReportCommand.self, RunCommand.self, QueryCommand.self, MergeCommand.self, ExportCommand.self, PruneCommand.self, PushCommand.self, RunsCommand.self, ShowCommand.self, FormatsCommand.self, CommentCommand.self, SyncCommand.self]
    )
}

enum HHBenchVersion {
    static let current = "0.1.0"
}
