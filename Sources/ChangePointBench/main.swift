import Foundation
import Statistics

// Runs the change point detectors in-process, for the benchmarks in bench/:
//   ChangePointBench SERIES.json [REPEAT]
//     times ChangePoints.detect (the Otava port) on a JSON array of numbers (bench/trend_speed.py);
//     prints {"seconds": [...], "indices": [...]}.
//   ChangePointBench --levels SERIES.json
//     runs the default detector (LevelShifts over CommitLevels) on a JSON array of series, each an
//     array of commits, each an array of runs, each an array of samples (bench/change_point_quality.py);
//     prints one JSON object a line: {"changes": [...], "outliers": [...], "drift": bool, "seconds": s}.
//   ChangePointBench --theil-sen SERIES.json
//     Theil–Sen of a JSON array against its index, timed.
let arguments = CommandLine.arguments
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}
if arguments.count >= 3, arguments[1] == "--theil-sen" {
    // ChangePointBench --theil-sen SERIES.json: Theil–Sen of the series against its index, timed;
    // prints {"slope", "lower", "upper", "seconds"} (bench/trend_speed.py checks it against scipy).
    guard let data = FileManager.default.contents(atPath: arguments[2]),
          let y = try JSONSerialization.jsonObject(with: data) as? [Double] else { fail("usage: ChangePointBench --theil-sen SERIES.json") }
    let start = DispatchTime.now().uptimeNanoseconds
    guard let fit = TheilSen(x: y.indices.map(Double.init), y: y) else { fail("fewer than 3 points") }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let line: [String: Any] = ["slope": fit.slope, "lower": fit.lower, "upper": fit.upper, "seconds": seconds]
    print(String(decoding: try JSONSerialization.data(withJSONObject: line), as: UTF8.self))
    exit(0)
}
if arguments.count >= 3, arguments[1] == "--levels" {
    guard let data = FileManager.default.contents(atPath: arguments[2]),
          let all = try JSONSerialization.jsonObject(with: data) as? [[[[Double]]]] else {
        fail("usage: ChangePointBench --levels SERIES.json (an array of series of commits of runs of samples)")
    }
    for parsed in all {
        // Native arrays before the clock starts (parsed JSON may bridge lazily).
        let commits: [[[Double]]] = parsed.map { $0.map { run in run.map { $0 + 0 } } }
        let start = DispatchTime.now().uptimeNanoseconds
        let levels = CommitLevels(commits: commits)
        let middle = DispatchTime.now().uptimeNanoseconds
        let result = levels.detect()
        if ProcessInfo.processInfo.environment["LEVELS_DEBUG"] != nil {
            FileHandle.standardError.write(Data("levels \(Double(middle - start) / 1e6) ms, detect \(Double(DispatchTime.now().uptimeNanoseconds - middle) / 1e6) ms\n".utf8))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let line: [String: Any] = ["changes": result.shifts.map(\.index), "outliers": result.outliers,
                                   "drift": result.drift?.flagged ?? false, "seconds": seconds]
        print(String(decoding: try JSONSerialization.data(withJSONObject: line), as: UTF8.self))
    }
    exit(0)
}
guard arguments.count >= 2, let data = FileManager.default.contents(atPath: arguments[1]),
      let series = try JSONSerialization.jsonObject(with: data) as? [Double] else {
    fail("usage: ChangePointBench SERIES.json [REPEAT] | ChangePointBench --levels SERIES.json")
}
let repeats = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
var seconds: [Double] = []
var found: [ChangePoints.ChangePoint] = []
for _ in 0..<repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    found = ChangePoints.detect(series)
    seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
let result: [String: Any] = ["seconds": seconds, "indices": found.map(\.index)]
print(String(decoding: try JSONSerialization.data(withJSONObject: result), as: UTF8.self))
