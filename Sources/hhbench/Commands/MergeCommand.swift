import ArgumentParser
import Warehouse

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Bring the runs of other hhbench databases into this one (parallel CI jobs each record into their own).",
        discussion: """
            Runs are matched by their globally unique id, so merging the same file twice changes nothing. Each \
            file is merged in one transaction, and read only. A database with a newer schema, or an SQLite file that \
            is not an hhbench warehouse, is refused and left untouched.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "text or json (the receipts).")
    var format: ReceiptFormat = .text

    @Argument(help: ArgumentHelp("Databases to merge in.", valueName: "other.db"))
    var others: [String]

    func validate() throws {
        if others.isEmpty { throw ValidationError("name at least one database to merge in") }
    }

    func run() throws {
        let warehouse = try database.openForWriting()
        var receipts = Receipts(format)
        for other in others {
            let receipt = try warehouse.merge(from: other)
            receipts.merged(receipt, from: other, line: "merged \(other): \(receipt.runsAdded) run\(receipt.runsAdded == 1 ? "" : "s") added "
                            + "(\(receipt.samplesAdded) samples), \(receipt.runsAlreadyPresent) already present")
        }
        receipts.finish()
    }
}
