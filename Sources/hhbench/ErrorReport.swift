import Analysis
import ArgumentParser
import Foundation
import Recording
import Records
import Runner
import Warehouse

/// The exit codes every command shares.
enum Exit {
    static let success: Int32 = 0
    /// A check failed: a regression, a budget, a gate query with rows.
    static let checkFailed: Int32 = 1
    /// Usage or input error: a bad flag, a malformed file, a database hhbench cannot use.
    static let usageOrInput: Int32 = 2
    /// Not enough data to decide: no baseline, nothing to compare.
    static let notEnoughData: Int32 = 3
}

/// A failure a command reports itself, with the exit code it means.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    let code: Int32

    static func usage(_ message: String) -> CommandFailure { CommandFailure(message: message, code: Exit.usageOrInput) }
    static func notEnoughData(_ message: String) -> CommandFailure { CommandFailure(message: message, code: Exit.notEnoughData) }
    /// A check failed; its findings were already printed, so the message may be empty.
    static func checkFailed(_ message: String = "") -> CommandFailure { CommandFailure(message: message, code: Exit.checkFailed) }

    var description: String { message }
}

enum ErrorReport {
    /// Prints `error` to stderr (help and version to stdout) and returns its exit code.
    static func report(_ error: Error) -> Int32 {
        if let exit = error as? ExitCode { return exit.rawValue }
        if let text = ownMessage(error) {
            if !text.isEmpty { printError(text) }
            if let failure = error as? CommandFailure { return failure.code }
            if let analysis = error as? CompareError, case .notEnoughData = analysis { return Exit.notEnoughData }
            return Exit.usageOrInput
        }
        let parserCode = HHBench.exitCode(for: error)
        let message = HHBench.fullMessage(for: error)
        if parserCode == .success {
            print(message)
            return Exit.success
        }
        if !message.isEmpty { printError(message) }
        // ArgumentParser's usage errors are EX_USAGE (64); ours are 2.
        return Exit.usageOrInput
    }

    /// The text `report` would print for `error`, for a page or a receipt that shows it instead.
    static func message(for error: Error) -> String { ownMessage(error) ?? "\(error)" }

    /// The text of an error hhbench words itself; nil for ArgumentParser's (help, version, usage).
    private static func ownMessage(_ error: Error) -> String? {
        switch error {
        case let failure as CommandFailure: return failure.message
        case let input as InputError: return input.description
        case let analysis as CompareError: return analysis.description
        case let warehouse as WarehouseError: return warehouse.description
        case let ab as ABFailure: return ab.description
        case let branch as HistoryBranch.Failure: return branch.description
        case let gzip as Gzip.Failure: return gzip.description
        // Foundation's own text ("Error Domain=NSCocoaErrorDomain Code=...") means nothing to a
        // user: say which file and what happened.
        case let cocoa as CocoaError: return describe(cocoa)
        case let posix as POSIXError: return "\(posix.code): \(String(cString: strerror(posix.code.rawValue)))"
        default: return WarehouseError.engineMessage(for: error)
        }
    }

    static func describe(_ error: CocoaError) -> String {
        let file = error.filePath ?? error.url?.path ?? "a file"
        let what: String
        switch error.code {
        case .fileNoSuchFile, .fileReadNoSuchFile: what = "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: what = "permission denied"
        case .fileWriteOutOfSpace: what = "the disk is full"
        case .fileWriteVolumeReadOnly: what = "the file system is read-only"
        case .fileWriteFileExists: what = "it exists already"
        default:
            let underlying = (error.userInfo[NSUnderlyingErrorKey] as? NSError).map { String(cString: strerror(Int32(truncatingIfNeeded: $0.code))) }
            what = underlying ?? "cannot be read or written"
        }
        return "\(file): \(what)"
    }

    /// Writes one diagnostic line to stderr. Text from inputs can reach messages (a benchmark's
    /// name, a file name), so control and bidi characters are shown escaped, line by line.
    static func printError(_ message: String) {
        // One prefix for every error: ArgumentParser's own "Error: " becomes "hhbench: ".
        let text = message.hasPrefix("Error: ") ? "hhbench: " + message.dropFirst("Error: ".count)
            : message.hasPrefix("Usage:") ? message : "hhbench: " + message
        note(text)
    }
}

/// Diagnostics go to stderr; data goes to stdout.
func note(_ message: String) {
    let safe = message.split(separator: "\n", omittingEmptySubsequences: false).map { Printable.escaped(String($0)) }
    FileHandle.standardError.write(Data((safe.joined(separator: "\n") + "\n").utf8))
}
