import Records

/// Names from the data made safe to show in HTML and SVG before the templates escape their
/// markup: control characters (forbidden in XML 1.0, or invisible), the bidirectional controls
/// (U+202E would reverse what follows) and the noncharacters U+FFFE and U+FFFF are shown as
/// `\u{…}`, everything else is kept.
enum SafeText {
    static func make(_ text: String) -> String {
        let printable = Printable.escaped(text)
        guard printable.unicodeScalars.contains(where: { $0 == "\u{FFFE}" || $0 == "\u{FFFF}" }) else { return printable }
        var out = ""
        for scalar in printable.unicodeScalars {
            if scalar == "\u{FFFE}" || scalar == "\u{FFFF}" { out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}" }
            else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
