/// The document while it is read, and the bookkeeping of which tables may still be opened.
///
/// The rules are TOML 1.0's (a table is defined once; dotted keys define the tables they pass
/// through; inline tables and arrays are closed once written; `[[name]]` starts a new table in an
/// array), implemented as Python's `tomllib` implements them (`NestedDict` and `Flags` in
/// CPython's Lib/tomllib/_parser.py), so that the two agree on every input: the differential
/// test and fuzz target hold hhbench's reader to `tomllib`'s answers.
final class TreeTable {
    enum Slot {
        case table(TreeTable)
        case tables([TreeTable])
        case value(TOMLValue)
    }

    private(set) var keys: [TOMLKey] = []
    private(set) var slots: [TOMLKey: (slot: Slot, position: TOMLPosition)] = [:]

    subscript(key: TOMLKey) -> Slot? { slots[key]?.slot }

    func set(_ key: TOMLKey, _ slot: Slot, at position: TOMLPosition) {
        if let existing = slots[key] {
            slots[key] = (slot, existing.position)
        } else {
            keys.append(key)
            slots[key] = (slot, position)
        }
    }

    /// The table at `path` below this one, creating missing ones; an array of tables gives its
    /// last table when `throughArrays`. Nil when a value that is not a table is in the way.
    func nest(_ path: ArraySlice<TOMLKey>, throughArrays: Bool, at position: TOMLPosition) -> TreeTable? {
        var table = self
        for key in path {
            switch table[key] {
            case nil:
                let created = TreeTable()
                table.set(key, .table(created), at: position)
                table = created
            case .table(let inner)?:
                table = inner
            case .tables(let list)?:
                guard throughArrays, let last = list.last else { return nil }
                table = last
            case .value?:
                return nil
            }
        }
        return table
    }

    /// Appends a new table to the array of tables at `path`, creating the array.
    func appendTable(_ path: [TOMLKey], at position: TOMLPosition) -> Bool {
        guard let parent = nest(path.dropLast(), throughArrays: true, at: position), let last = path.last else { return false }
        switch parent[last] {
        case nil: parent.set(last, .tables([TreeTable()]), at: position)
        case .tables(let list)?: parent.set(last, .tables(list + [TreeTable()]), at: position)
        default: return false
        }
        return true
    }

    var value: TOMLTable {
        var table = TOMLTable()
        for key in keys {
            guard let (slot, position) = slots[key] else { continue }
            switch slot {
            case .table(let inner): table.set(key.text, .table(inner.value), at: position)
            case .tables(let list): table.set(key.text, .array(list.map { .table($0.value) }), at: position)
            case .value(let value): table.set(key.text, value, at: position)
            }
        }
        return table
    }
}

/// Which key paths are closed to further definition (tomllib's `Flags`): `explicit` for a table
/// opened by a header or by dotted keys, `frozen` for inline tables and arrays (recursively).
/// Paths are names only, without array indexes: `[[name]]` clears what is below its name.
struct TreeFlags {
    struct Flag: OptionSet {
        let rawValue: UInt8
        static let frozen = Flag(rawValue: 1)
        static let explicit = Flag(rawValue: 2)
    }

    private final class Node {
        var flags: Flag = []
        var recursive: Flag = []
        var nested: [TOMLKey: Node] = [:]
    }

    private let root = Node()
    private var pending: [([TOMLKey], Flag)] = []

    mutating func addPending(_ path: [TOMLKey], _ flag: Flag) { pending.append((path, flag)) }

    mutating func finalizePending() {
        for (path, flag) in pending { set(path, flag, recursive: false) }
        pending.removeAll()
    }

    func unsetAll(_ path: [TOMLKey]) {
        var node = root
        for key in path.dropLast() {
            guard let next = node.nested[key] else { return }
            node = next
        }
        if let last = path.last { node.nested[last] = nil }
    }

    func set(_ path: [TOMLKey], _ flag: Flag, recursive: Bool) {
        var node = root
        for key in path {
            if let next = node.nested[key] {
                node = next
            } else {
                let created = Node()
                node.nested[key] = created
                node = created
            }
        }
        if recursive { node.recursive.formUnion(flag) } else { node.flags.formUnion(flag) }
    }

    func isSet(_ path: [TOMLKey], _ flag: Flag) -> Bool {
        guard let last = path.last else { return false }
        var node = root
        for key in path.dropLast() {
            guard let next = node.nested[key] else { return false }
            if next.recursive.contains(flag) { return true }
            node = next
        }
        guard let leaf = node.nested[last] else { return false }
        return leaf.flags.contains(flag) || leaf.recursive.contains(flag)
    }
}
