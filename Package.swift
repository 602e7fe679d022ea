// swift-tools-version: 6.1
import PackageDescription

// HHBENCH_FUZZ=1 builds hhbench-fuzz as libFuzzer targets (Tests/fuzz/run.sh, in its own
// --scratch-path): the parsers' modules get coverage and AddressSanitizer, the entry point
// becomes libFuzzer's. Flags given with -Xswiftc would reach the build-tool plugin too. `-O`
// keeps our modules optimised in a debug build too (FUZZ_SHARED_BUILD=1, CI's quick build, which
// reuses the debug build's dependencies); in a release build it is the default anyway.
let fuzzing = Context.environment["HHBENCH_FUZZ"] != nil
let fuzzed: [SwiftSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address", "-O"])] : []
let fuzzEntry: [SwiftSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address", "-parse-as-library", "-DFUZZING", "-O"])] : []
let fuzzLink: [LinkerSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address"])] : []
// A file uses only the members of modules it imports itself, not of modules its imports pull in
// (SE-0444): a layering leak through a transitive import fails the build.
let strict: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]
// The fuzzers reach Warehouse through Analysis but never a server: their build (and one with
// HHBENCH_NO_POSTGRES=1) leaves the PostgreSQL engine out, and with it swift-nio and BoringSSL,
// which would double the fuzz build's time. `POSTGRES` marks the code that needs it.
let withPostgres = !fuzzing && Context.environment["HHBENCH_NO_POSTGRES"] == nil
let postgresProducts: [Target.Dependency] = withPostgres
    ? [.product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log")] : []
// SHA-256 for content hashes, machine fingerprints and migration checksums.
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")

let package = Package(
    name: "hhbench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "hhbench", targets: ["hhbench"]),
        // The Swift harness: in-process benchmarks that write hhbench's JSON lines. No database.
        .library(name: "HHBench", targets: ["HHBenchKit"]),
        // Opt-in: the harness recording straight into the warehouse (GRDB, swift-crypto, git capture).
        .library(name: "HHBenchRecording", targets: ["HHBenchRecording"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        // Templates for the HTML report and the SVG charts: every value is HTML-escaped by default.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
    ] + (withPostgres ? [
        // The PostgreSQL warehouse: the wire protocol in Swift (no libpq, no psql), and its logger silenced.
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.3"),
    ] : []),
    targets: [
        // hhbench.toml's reader: TOML 1.0 in Swift, checked against Python's tomllib. No I/O.
        .target(name: "TOML", swiftSettings: strict + fuzzed),
        // Pure math: percentiles, rank tests, change points. No I/O.
        .target(name: "Statistics", swiftSettings: strict + fuzzed),
        // The run record every runner and adapter produces: values, units, directions, derived metrics.
        .target(name: "Records", dependencies: ["Statistics"], swiftSettings: strict + fuzzed),
        // Run context from git, the machine and the CI environment.
        .target(name: "Capture", dependencies: ["Records", "CMeasure"], swiftSettings: strict),
        // One file per input format, bytes in, run records out. No database.
        .target(name: "Ingest", dependencies: ["Records"], swiftSettings: strict + fuzzed),
        // SQLite through GRDB, PostgreSQL through postgres-nio: open, migrate, write runs, read series.
        // The SQL lives in migrations/ (migrations/postgres/ for PostgreSQL) and queries/.
        .target(
            name: "Warehouse",
            dependencies: ["Records", crypto, .product(name: "GRDB", package: "GRDB.swift")] + postgresProducts,
            exclude: withPostgres ? [] : ["Postgres"],
            swiftSettings: strict + (withPostgres ? [.define("POSTGRES")] : []),
            plugins: ["EmbedSQL"]
        ),
        // The one path into the warehouse: capture context, overlay the input's and the flags', derive, write.
        // …and `sync`, the same path to and from a history kept in a git branch.
        .target(name: "Recording", dependencies: ["Records", "Capture", "Warehouse", "Ingest", "CCompress"], swiftSettings: strict),
        .target(name: "Analysis", dependencies: ["Warehouse", "Statistics", "Records", "Capture", "TOML"],
                swiftSettings: strict + fuzzed),
        // The Swift harness (library product HHBench): measure, compare, concurrent, async, load, memory.
        .target(name: "HHBenchKit", dependencies: ["Records", "Statistics", "CMeasure"], swiftSettings: strict),
        .target(name: "HHBenchRecording", dependencies: ["HHBenchKit", "Records", "Recording", "Warehouse"], swiftSettings: strict),
        // C: a command's own peak memory (ptrace exit-stop; cmeasure_linux.c says why, cmeasure_portable.c is the
        // rest), the heap in use, and posix_spawn's closefrom.
        .target(name: "CMeasure"),
        // C: one HTTP request through the system's libcurl, loaded with dlopen when an alert or a push
        // is sent, so that no command pays for libcurl at start.
        // C: gzip through the system's zlib, for the history branch's files.
        .target(name: "CCompress", linkerSettings: [.linkedLibrary("z")]),
        .target(name: "CHTTP", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(name: "Runner", dependencies: ["Records", "Capture", "Statistics", "CMeasure"], swiftSettings: strict),
        .executableTarget(
            name: "hhbench",
            dependencies: [
                "Statistics", "Records", "Capture", "Ingest", "Warehouse", "Recording", "Analysis", "Runner", "CHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"), crypto,
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strict
        ),
        // Build-time helper: turns migrations/*.sql and queries/*.sql into Swift string literals,
        // so the built hhbench is one self-contained file.
        .executableTarget(name: "EmbedSQLTool"),
        // libFuzzer targets for every input parser (Tests/fuzz/run.sh); a replayer in ordinary builds.
        .executableTarget(name: "hhbench-fuzz", dependencies: ["Records", "Ingest", "Analysis", "TOML"], path: "Sources/HHBenchFuzz",
                         swiftSettings: fuzzEntry, linkerSettings: fuzzLink),
        // Times change point detection in-process, for bench/trend_speed.py.
        .executableTarget(name: "ChangePointBench", dependencies: ["Statistics"]),
        // Shows the harness's own cost per iteration, for the README's benchmark list.
        .executableTarget(name: "HarnessOverheadBench", dependencies: ["HHBenchKit"]),
        .plugin(name: "EmbedSQL", capability: .buildTool(), dependencies: ["EmbedSQLTool"]),
        .testTarget(
            name: "hhbenchTests",
            dependencies: [
                "hhbench", "Statistics", "Records", "Capture", "Ingest", "Warehouse", "Recording", "Analysis", "Runner", "HHBenchKit", "HHBenchRecording", "TOML",
                .product(name: "GRDB", package: "GRDB.swift"), crypto,
            ],
            resources: [.copy("Fixtures")]
        ),
    ]
)
