import Foundation
import Statistics

// Times ChangePoints.detect in-process on a series read from a JSON array file, for
// bench/trend_speed.py (which times Otava on the same series in the same run).
// Usage: ChangePointBench SERIES.json [REPEAT]; prints JSON {"seconds": [...], "indices": [...]}.
let arguments = CommandLine.arguments
guard arguments.count >= 2, let data = FileManager.default.contents(atPath: arguments[1]),
      let series = try JSONSerialization.jsonObject(with: data) as? [Double] else {
    FileHandle.standardError.write("usage: ChangePointBench SERIES.json [REPEAT]\n".data(using: .utf8)!)
    exit(2)
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
