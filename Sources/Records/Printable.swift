/// Text from input files, made safe to show: control characters (C0, DEL, C1) and the Unicode
/// bidirectional controls are written as `\u{…}` escapes, so that a benchmark named with an
/// ESC sequence, a carriage return or U+202E (right-to-left override) cannot move the cursor,
/// recolour or reorder what a terminal or a log viewer shows. Everything else is kept.
public enum Printable {
    /// True for the scalars `escaped` rewrites.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        // Bidi marks, embeddings, overrides and isolates; the line and paragraph separators.
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// `text` with every unsafe scalar as `\u{HEX}` (and backslashes left as they are).
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
