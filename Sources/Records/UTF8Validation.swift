/// Well-formed UTF-8 by RFC 3629, table 3-7 of the Unicode standard: the one place that knows
/// which byte sequences are characters. No overlong forms, no surrogates (U+D800...U+DFFF),
/// nothing above U+10FFFF. Used by the JSON parser and by the check every input file passes.
public enum UTF8Validation {
    /// The length of the well-formed sequence starting at `index` (1 for ASCII), or nil.
    public static func sequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int? {
        let first = bytes[index]
        if first < 0x80 { return 1 }
        let length: Int
        var lowest: UInt8 = 0x80, highest: UInt8 = 0xBF  // the allowed range of the second byte
        switch first {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lowest = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; highest = 0x9F
        case 0xF0: length = 4; lowest = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; highest = 0x8F
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        for k in 1..<length {
            let byte = bytes[index + k]
            guard byte >= (k == 1 ? lowest : 0x80), byte <= (k == 1 ? highest : 0xBF) else { return nil }
        }
        return length
    }
}
