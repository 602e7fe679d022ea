// swift-tools-version: 6.2
import PackageDescription

// The overhead of tracing with apple/swift-distributed-tracing, measured with hhbench's Swift
// harness: an operation wrapped in `withSpan` with a recording in-memory tracer against the bare
// operation, memory per span, and a load test. Records into the warehouse.
let package = Package(
    name: "TracingOverhead",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "hhbench", path: "../.."),
        .package(url: "https://github.com/apple/swift-distributed-tracing", exact: "1.7.3"),
    ],
    targets: [
        .executableTarget(
            name: "TracingOverhead",
            dependencies: [
                // The harness alone: no database, no git; the suite's JSON lines go to `hhbench record -`.
                // (Add "HHBenchRecording" to record in process instead.)
                .product(name: "HHBench", package: "hhbench"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ]
        )
    ]
)
