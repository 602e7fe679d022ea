import Analysis
import ArgumentParser
import Foundation
import GRDB
import Records
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
        switch error {
        case let failure as CommandFailure:
            if !failure.message.isEmpty { printError(failure.message) }
            return failure.code
        case let input as InputError:
            printError(input.description)
            return Exit.usageOrInput
        case let analysis as CompareError:
            printError(analysis.description)
            if case .notEnoughData = analysis { return Exit.notEnoughData }
            return Exit.usageOrInput
        case let warehouse as WarehouseError:
            printError(warehouse.description)
            return Exit.usageOrInput
        case let database as DatabaseError:
            printError("database error: \(database.message ?? "\(database.resultCode)") (\(database.resultCode))")
            return Exit.usageOrInput
        case let exit as ExitCode:
            return exit.rawValue
        default:
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
    }

    static func printError(_ message: String) {
        let text = message.hasPrefix("Error:") || message.hasPrefix("Usage:") ? message : "hhbench: " + message
        FileHandle.standardError.write((text + "\n").data(using: .utf8)!)
    }
}

/// Diagnostics go to stderr; data goes to stdout.
func note(_ message: String) {
    FileHandle.standardError.write((message + "\n").data(using: .utf8)!)
}
