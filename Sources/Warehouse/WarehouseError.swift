/// Failures of the warehouse that a user can act on. The CLI maps each to an exit code.
public enum WarehouseError: Error, CustomStringConvertible, Sendable {
    /// The database was written by a newer hhbench; it is left untouched.
    case newerSchema(path: String, found: Int, supported: Int)
    /// The file is not an SQLite database (or not hhbench's).
    case notADatabase(path: String, reason: String)
    /// A run id or uuid prefix that matches nothing, or more than one run.
    case runNotFound(String)
    case ambiguousRun(String, matches: [String])
    /// A query that would change the database.
    case writeRefused(String)
    /// A `--param` the query does not use (a typo, most likely).
    case unknownParameter(String, known: [String])

    public var description: String {
        switch self {
        case let .newerSchema(path, found, supported):
            return "\(path): the database schema is version \(found), newer than this hhbench supports (\(supported)); "
                + "it was left untouched. Upgrade hhbench, or record into another database with --db"
        case let .notADatabase(path, reason):
            return "\(path): not an hhbench database (\(reason)). Point --db at a .db file hhbench wrote, or at a new path"
        case let .runNotFound(id):
            return "no run '\(id)' in the database. 'hhbench runs' lists the runs"
        case let .ambiguousRun(id, matches):
            return "run '\(id)' is ambiguous: it matches \(matches.joined(separator: ", ")). Give more of the uuid"
        case let .unknownParameter(name, known):
            return "the query has no parameter :\(name)" + (known.isEmpty ? "; it takes none" : "; it takes " + known.map { ":" + $0 }.joined(separator: ", "))
        case let .writeRefused(reason):
            return "refused: \(reason). Queries run read-only; the database was not changed"
        }
    }
}
