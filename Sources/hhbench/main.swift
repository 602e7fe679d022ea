import ArgumentParser
import Foundation

// Every command throws; this is the one place errors become messages and exit codes.
let code: Int32
do {
    var command = try HHBench.parseAsRoot()
    try command.run()
    code = ExitCode.success.rawValue
} catch {
    code = ErrorReport.report(error)
}
fflush(nil)
exit(code)
