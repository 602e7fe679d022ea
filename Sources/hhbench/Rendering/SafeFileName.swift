import Crypto
import Records

/// File names made from data (benchmark and metric names) for `--out DIR`: only ASCII letters,
/// digits, `-`, `_` and `.` (never leading), at most 100 characters, so a name like
/// `../../x` or one with a slash, a NUL or a control character cannot leave the folder or fail
/// to open. A name that had to be changed gets 8 hex digits of its SHA-256, so two names that
/// clean up alike do not overwrite each other's file.
enum SafeFileName {
    static func make(_ name: String, extension suffix: String) -> String {
        var cleaned = String(name.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".": return Character(scalar)
            default: return "_"
            }
        })
        while cleaned.hasPrefix(".") { cleaned.removeFirst() }
        if cleaned != name || cleaned.count > 100 || cleaned.isEmpty {
            cleaned = String(cleaned.prefix(100)) + "-" + String(Hex.string(SHA256.hash(data: Array(name.utf8))).prefix(8))
        }
        return cleaned + "." + suffix
    }
}
