import Capture
import Foundation

/// Where the warehouse lives: the path given, else `HHBENCH_DB`, else `.hhbench/history.db` at
/// the git top level (the current folder outside git). Shared by the CLI and the Swift harness.
package enum DatabaseLocation {
    package static func resolve(_ explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                               directory: String = FileManager.default.currentDirectoryPath) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment["HHBENCH_DB"], !fromEnvironment.isEmpty { return fromEnvironment }
        let base = Git(directory: directory).topLevel ?? directory
        return (base as NSString).appendingPathComponent(".hhbench/history.db")
    }
}
