/// Old spellings of flags, kept working for one release so that scripts and CI steps do not break
/// on upgrade. Each is hidden from help and says, on every use, what replaces it. The README's
/// "One grammar" table lists them.
enum Deprecation {
    static func warn(_ old: String, use replacement: String) {
        note("hhbench: warning: \(old) is deprecated and will be removed in the next release; use \(replacement)")
    }

    /// The value of a renamed option: the new spelling wins; the old one still works, with a warning.
    static func renamed<Value>(_ new: Value?, _ old: Value?, old oldName: String, new newName: String) -> Value? {
        if let old {
            warn(oldName, use: newName)
            return new ?? old
        }
        return new
    }
}
