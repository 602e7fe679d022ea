/// What identifies a benchmark: its name, its group and its parameters.
public struct BenchmarkKey: Hashable, Sendable, Comparable {
    public let name: String
    public let group: String
    /// Canonical JSON object text (keys sorted), "{}" without parameters: the warehouse's key.
    public let params: String
    /// The same parameters as values, read once where the key is made (outputs never re-parse them).
    public let parameters: JSONValue

    public init(name: String, group: String = "", params: JSONValue? = nil) {
        self.name = name
        self.group = group
        self.params = params?.canonicalText ?? "{}"
        parameters = params ?? .object([])
    }

    /// A key as the warehouse stores it (`params` is canonical JSON text).
    public init(name: String, group: String, paramsText: String) {
        self.name = name
        self.group = group
        self.params = paramsText
        parameters = paramsText == "{}" ? .object([]) : (try? JSONParser.parse(paramsText)) ?? .object([])
    }

    // Identity is the stored text; `parameters` is the same thing as values.
    public static func == (lhs: BenchmarkKey, rhs: BenchmarkKey) -> Bool {
        lhs.name == rhs.name && lhs.group == rhs.group && lhs.params == rhs.params
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(group)
        hasher.combine(params)
    }

    public static func < (lhs: BenchmarkKey, rhs: BenchmarkKey) -> Bool {
        (lhs.name, lhs.group, lhs.params) < (rhs.name, rhs.group, rhs.params)
    }

    /// "name" or "name [group] {params}" for display.
    public var displayName: String {
        var text = name
        if !group.isEmpty { text += " [\(group)]" }
        if params != "{}" { text += " \(params)" }
        return text
    }
}

/// Raw samples of one metric, in recorded order.
public struct SampleSeries: Sendable, Equatable {
    public let benchmark: BenchmarkKey
    public let metric: MetricDescriptor
    public var samples: [DecimalNumber]

    public init(benchmark: BenchmarkKey, metric: MetricDescriptor, samples: [DecimalNumber]) {
        self.benchmark = benchmark
        self.metric = metric
        self.samples = samples
    }

    public init(benchmark: BenchmarkKey, metric: MetricDescriptor, values: [Double]) {
        self.init(benchmark: benchmark, metric: metric, samples: values.map(DecimalNumber.init))
    }

    public var values: [Double] { samples.map(\.value) }
}

/// One value of one metric of one benchmark.
public struct MeasuredValue: Sendable, Equatable {
    public let benchmark: BenchmarkKey
    public let metric: MetricDescriptor
    public let value: Double
    /// True when hhbench computed it from samples (see `RunRecord.addingDerivedMetrics`).
    public let derived: Bool

    public init(benchmark: BenchmarkKey, metric: MetricDescriptor, value: Double, derived: Bool = false) {
        self.benchmark = benchmark
        self.metric = metric
        self.value = value
        self.derived = derived
    }
}

/// Everything one run produced, whatever wrote it: the unit of writing to the warehouse.
public struct RunRecord: Sendable {
    /// "native", "pytest-benchmark", "hyperfine", ...
    public var sourceFormat: String
    public var context: RunContext
    public var measurements: [MeasuredValue]
    public var series: [SampleSeries]
    /// SHA-256 (hex) of the input bytes, for noticing the same input recorded twice.
    public var contentHash: String
    /// What an adapter noticed and handled in a documented way (a benchmark with zero rounds
    /// skipped, say); printed to stderr by the CLI.
    public var warnings: [String] = []
    /// The run's globally unique id when the input carries one (an export); else one is made.
    public var uuid: String?
    /// True when the context came whole from another warehouse (an export): nothing is captured
    /// around it, so an imported run keeps exactly the context it had.
    public var contextIsComplete = false

    public init(sourceFormat: String, context: RunContext = RunContext(), measurements: [MeasuredValue] = [],
                series: [SampleSeries] = [], contentHash: String = "") {
        self.sourceFormat = sourceFormat
        self.context = context
        self.measurements = measurements
        self.series = series
        self.contentHash = contentHash
    }

    public var benchmarks: [BenchmarkKey] {
        var seen = Set<BenchmarkKey>()
        return (series.map(\.benchmark) + measurements.map(\.benchmark)).filter { seen.insert($0).inserted }
    }

    public var sampleCount: Int { series.reduce(0) { $0 + $1.samples.count } }
}
