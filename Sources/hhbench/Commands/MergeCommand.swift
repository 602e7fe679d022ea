import ArgumentParser
import Recording
import Warehouse

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Bring the runs of other hhbench databases into this one (parallel CI jobs each record into their own).",
        discussion: """
            Runs are matched by their globally unique id, so merging the same file twice changes nothing. Each \
            file is merged in one transaction, and read only. A database with a newer schema, or an SQLite file that \
            is not an hhbench warehouse, is refused and left untouched. Either side may be a PostgreSQL URL: \
            'hhbench merge --db postgresql://… job.db' pushes a job's runs into the team's history, and \
            'hhbench merge --db local.db postgresql://…' takes it offline; runs then go in transactions of 500, \
            and merging again completes an interrupted merge.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "text or json (the receipts).")
    var format: ReceiptFormat = .text

    @Argument(help: ArgumentHelp("Databases to merge in: files, or PostgreSQL URLs.", valueName: "other.db|url"))
    var others: [String]

    func validate() throws {
        if others.isEmpty { throw ValidationError("name at least one database to merge in") }
    }

    func run() throws {
        let warehouse = try database.openForWriting()
        var receipts = Receipts(format)
        for other in others {
            let receipt: MergeReceipt
            if warehouse.isShared || Warehouse.isServerURL(other) {
                let source = try Warehouse(path: other, access: .readOnly)
                guard source.path != warehouse.path else {
                    throw CommandFailure.usage("\(source.path) is the database being merged into")
                }
                receipt = try RecordMerge.merge(from: source, into: warehouse)
            } else {
                receipt = try warehouse.merge(from: other)
            }
            let name = Warehouse.redactingPasswords(other)
            receipts.merged(receipt, from: name, line: "merged \(name): \(receipt.runsAdded) run\(receipt.runsAdded == 1 ? "" : "s") added "
                            + "(\(receipt.samplesAdded) samples), \(receipt.runsAlreadyPresent) already present")
        }
        receipts.finish()
    }
}
