/// A finite number together with its exact decimal form when it has a short one.
///
/// Benchmark values are written as decimals ("0.051234" ms). Keeping the digits as an integer
/// mantissa and a count of decimal places lets the warehouse store `51234` with divisor `1e6`,
/// which is smaller than the text and reads back as exactly the double the text denotes:
/// both integers are exact doubles below 2^53, and IEEE division rounds correctly.
public struct DecimalNumber: Sendable, Equatable {
    /// The value as a double (correctly rounded from the decimal text).
    public let value: Double
    /// `value == mantissa / 10^scale` exactly, when the number has at most 22 decimals and a
    /// mantissa below 2^53 (so both are exact doubles); nil otherwise.
    public let mantissa: Int64?
    public let scale: Int

    public static let maxScale = 22
    public static let maxExactMantissa: Int64 = 1 << 53

    public init(value: Double, mantissa: Int64?, scale: Int) {
        self.value = value
        self.mantissa = mantissa
        self.scale = mantissa == nil ? 0 : scale
    }

    /// The shortest decimal that reads back as `value` (Swift's `description` is round-trip exact).
    public init(_ value: Double) {
        if value.isFinite, value == value.rounded(), abs(value) < Double(DecimalNumber.maxExactMantissa) {
            self.init(value: value, mantissa: Int64(value), scale: 0)
            return
        }
        let text = "\(value)"
        if let parsed = DecimalNumber.parse(Array(text.utf8)[...]), parsed.value == value {
            self = parsed
        } else {
            self.init(value: value, mantissa: nil, scale: 0)
        }
    }

    /// JSON text for the number: the exact decimal when known, else Swift's shortest round-trip form;
    /// `null` for a value JSON cannot hold (an infinity or NaN an SQL expression produced).
    public var jsonText: String {
        guard value.isFinite else { return "null" }
        guard let mantissa else { return DecimalNumber.shortestText(value) }
        if scale == 0 { return String(mantissa) }
        var digits = String(mantissa.magnitude)
        if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
        let split = digits.index(digits.endIndex, offsetBy: -scale)
        return (mantissa < 0 ? "-" : "") + digits[..<split] + "." + digits[split...]
    }

    /// This number times 10^`exponent`, computed in decimal so unit conversions are exact:
    /// 0.001578881 s is 1.578881 ms, not 1.5788810000000001.
    public func scaled(byPowerOfTen exponent: Int) -> DecimalNumber {
        if let mantissa {
            let newScale = scale - exponent
            if newScale >= 0, newScale <= 22 {
                return DecimalNumber(value: Double(mantissa) / DecimalNumber.powersOfTen[newScale], mantissa: mantissa, scale: newScale)
            }
            if newScale < 0, newScale >= -18 {
                let (product, overflow) = mantissa.multipliedReportingOverflow(by: DecimalNumber.integerPowersOfTen[-newScale])
                if !overflow, product.magnitude < UInt64(DecimalNumber.maxExactMantissa) {
                    return DecimalNumber(value: Double(product), mantissa: product, scale: 0)
                }
            }
        }
        // No short decimal form: shift the exponent of the shortest round-trip text, let strtod round once.
        let text = DecimalNumber.shortestText(value)
        let parts = text.lowercased().split(separator: "e", maxSplits: 1)
        let shifted = (parts.count == 2 ? Int(parts[1]) ?? 0 : 0) + exponent
        guard let result = Double("\(parts[0])e\(shifted)") else { return DecimalNumber(value * pow10(exponent)) }
        return DecimalNumber(result)
    }

    private func pow10(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<abs(exponent) { result *= 10 }
        return exponent < 0 ? 1 / result : result
    }

    /// 10^0 ... 10^18, exact.
    public static let integerPowersOfTen: [Int64] = (0...18).map { exponent in
        var p: Int64 = 1
        for _ in 0..<exponent { p *= 10 }
        return p
    }

    static func shortestText(_ value: Double) -> String {
        let text = "\(value)"
        // "1e-05" and "1e+16" are valid JSON; "5.0" is too. Only infinities and NaN are not,
        // and callers reject those before they get here.
        return text
    }

    static let powersOfTen: [Double] = (0...22).map { exponent in
        var p = 1.0
        for _ in 0..<exponent { p *= 10 }
        return p
    }

    /// Parses a JSON number token. Returns nil when the bytes are not a JSON number.
    public static func parse(_ bytes: ArraySlice<UInt8>) -> DecimalNumber? {
        bytes.withUnsafeBufferPointer { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Parses a JSON number token (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> DecimalNumber? {
        var i = 0
        let n = bytes.count
        guard n > 0 else { return nil }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var overflow = false
        var decimals = 0
        let integerStart = i
        while i < n, bytes[i] >= 48, bytes[i] <= 57 {
            accumulate(bytes[i], &mantissa, &digits, &overflow)
            i += 1
        }
        let integerDigits = i - integerStart
        guard integerDigits > 0 else { return nil }
        if integerDigits > 1 && bytes[integerStart] == 48 { return nil }  // no leading zeros in JSON
        if i < n, bytes[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < n, bytes[i] >= 48, bytes[i] <= 57 {
                accumulate(bytes[i], &mantissa, &digits, &overflow)
                if !overflow { decimals += 1 }
                i += 1
            }
            guard i > fractionStart else { return nil }
        }
        var exponent = 0
        if i < n, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var exponentNegative = false
            if i < n, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let exponentStart = i
            while i < n, bytes[i] >= 48, bytes[i] <= 57 {
                if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[i] - 48) }
                i += 1
            }
            guard i > exponentStart else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        guard i == n else { return nil }

        if !overflow {
            // Trim trailing zeros of the fraction so 1.500 and 1.5 share one form.
            var scale = decimals - exponent
            while scale > 0, mantissa % 10 == 0, mantissa != 0 { mantissa /= 10; scale -= 1 }
            if mantissa == 0 { scale = 0 }
            while scale < 0, mantissa < UInt64(DecimalNumber.maxExactMantissa) / 10 { mantissa *= 10; scale += 1 }
            if scale >= 0, scale <= 22, mantissa < UInt64(DecimalNumber.maxExactMantissa) {
                // Clinger's fast path: both operands exact, so the quotient is correctly rounded.
                let magnitude = Double(mantissa) / powersOfTen[scale]
                let value = negative ? -magnitude : magnitude
                return DecimalNumber(value: value, mantissa: Int64(mantissa) * (negative ? -1 : 1), scale: scale)
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            return DecimalNumber(value: negative ? -.infinity : .infinity, mantissa: nil, scale: 0)
        }
        return DecimalNumber(value: value, mantissa: nil, scale: 0)
    }

    @inline(__always)
    private static func accumulate(_ byte: UInt8, _ mantissa: inout UInt64, _ digits: inout Int, _ overflow: inout Bool) {
        if overflow { return }
        if digits == 0 && byte == 48 { return }  // leading zeros add nothing
        let next = mantissa &* 10 &+ UInt64(byte - 48)
        if mantissa > UInt64.max / 10 || next < mantissa { overflow = true; return }
        mantissa = next
        digits += 1
    }
}
