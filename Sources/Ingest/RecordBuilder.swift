import Records

/// Collects measurements and samples in input order and refuses contradictions: a value given
/// twice for one benchmark and metric, or samples and a value for the same metric.
struct RecordBuilder {
    private let sourceFormat: String
    private var series: [SampleSeries] = []
    private var seriesIndex: [SeriesSlot: Int] = [:]
    private var measurements: [MeasuredValue] = []
    private var valuePlaces: [SeriesSlot: Int?] = [:]

    init(sourceFormat: String) { self.sourceFormat = sourceFormat }

    var isEmpty: Bool { series.isEmpty && measurements.isEmpty }

    mutating func addSamples(_ samples: [DecimalNumber], benchmark: BenchmarkKey, metric: MetricDescriptor,
                             at place: FieldPlace) throws(InputError) {
        let key = SeriesSlot(benchmark: benchmark, metric: metric.name)
        if let earlier = valuePlaces[key] {
            throw place.error(field: "samples", "\(benchmark.displayName) \(metric.name) already has a value\(Self.lineText(earlier))",
                              fix: "give a metric either samples or one value")
        }
        if let index = seriesIndex[key] {
            guard series[index].metric == metric else {
                throw place.error(field: "unit", "\(benchmark.displayName) \(metric.name) was given with unit \"\(series[index].metric.unit)\" and direction \(series[index].metric.direction.rawValue) before",
                                  fix: "use one unit and direction for a metric throughout the file")
            }
            series[index].samples.append(contentsOf: samples)
        } else {
            seriesIndex[key] = series.count
            series.append(SampleSeries(benchmark: benchmark, metric: metric, samples: samples))
        }
    }

    mutating func addValue(_ value: Double, benchmark: BenchmarkKey, metric: MetricDescriptor,
                           at place: FieldPlace) throws(InputError) {
        let key = SeriesSlot(benchmark: benchmark, metric: metric.name)
        if let earlier = valuePlaces[key] {
            throw place.error(field: "value", "\(benchmark.displayName) \(metric.name) was given a value already\(Self.lineText(earlier))",
                              fix: "give each benchmark and metric one value, or record the values as samples")
        }
        if seriesIndex[key] != nil {
            throw place.error(field: "value", "\(benchmark.displayName) \(metric.name) already has samples",
                              fix: "give a metric either samples or one value")
        }
        valuePlaces[key] = place.line
        measurements.append(MeasuredValue(benchmark: benchmark, metric: metric, value: value))
    }

    func build() -> RunRecord {
        RunRecord(sourceFormat: sourceFormat, measurements: measurements, series: series)
    }

    private static func lineText(_ line: Int?) -> String { line.map { " on line \($0)" } ?? "" }
}

private struct SeriesSlot: Hashable {
    let benchmark: BenchmarkKey
    let metric: String
}
