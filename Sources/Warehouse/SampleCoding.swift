import Records

/// How raw samples are stored: a JSON array of integer mantissas and one power-of-ten divisor
/// per series (`[51234,49876]` with divisor `1e6` for 0.051234 and 0.049876 ms).
///
/// Benchmark times are written with a handful of decimals, so integers are about a third
/// smaller than the decimal text and carry no precision loss: mantissa and divisor are exact
/// doubles, so `mantissa / divisor` is the correctly rounded value of the decimal, the same
/// double a parser gives. A series with any value that has no such form (more than 15 decimals,
/// or a mantissa of 2^53 and more) is stored as shortest round-trip JSON numbers, divisor 1.
/// The `hh_samples` view does the division, so plain SQL sees the values.
enum SampleCoding {
    private static let powersOfTen: [Int64] = (0...18).map { exponent in
        var p: Int64 = 1
        for _ in 0..<exponent { p *= 10 }
        return p
    }

    /// The most decimals a stored series uses (its divisor is at most 10^15).
    static let maxScale = 15

    /// The JSON text and divisor for `samples`.
    static func encode(_ samples: [DecimalNumber]) -> (text: String, divisor: Double) {
        var scale = 0
        var exact = true
        for sample in samples {
            guard sample.mantissa != nil, sample.scale <= maxScale else { exact = false; break }
            scale = max(scale, sample.scale)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(samples.count * 10 + 2)
        bytes.append(UInt8(ascii: "["))
        if exact {
            for (index, sample) in samples.enumerated() {
                let (scaled, overflow) = sample.mantissa!.multipliedReportingOverflow(by: powersOfTen[scale - sample.scale])
                guard !overflow, scaled.magnitude < UInt64(DecimalNumber.maxExactMantissa) else { exact = false; break }
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                appendInteger(scaled, to: &bytes)
            }
        }
        if !exact {
            bytes.removeAll(keepingCapacity: true)
            bytes.append(UInt8(ascii: "["))
            for (index, sample) in samples.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(contentsOf: DecimalNumber(value: sample.value, mantissa: nil, scale: 0).jsonText.utf8)
            }
            scale = 0
        }
        bytes.append(UInt8(ascii: "]"))
        return (String(decoding: bytes, as: UTF8.self), Double(powersOfTen[scale]))
    }

    /// The values of a stored series.
    static func decode(_ text: String, divisor: Double) -> [Double] {
        var text = text
        return text.withUTF8 { bytes in
            var values: [Double] = []
            var start = 1
            for index in 1..<max(1, bytes.count) where bytes[index] == UInt8(ascii: ",") || bytes[index] == UInt8(ascii: "]") {
                if index > start, let number = DecimalNumber.parse(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<index]))) {
                    values.append(number.value / divisor)
                }
                start = index + 1
            }
            return values
        }
    }

    @inline(__always)
    private static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        if magnitude == 0 { bytes.append(UInt8(ascii: "0")); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[count] = UInt8(truncatingIfNeeded: magnitude % 10) + 48
                magnitude /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }
}
