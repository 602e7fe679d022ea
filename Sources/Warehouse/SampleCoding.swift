import Foundation
import GRDB
import Records

/// How raw samples are stored: each series as fixed-width big-endian integers in one BLOB, with a
/// per-series base (frame of reference) and a flag saying what the integers mean.
///
/// - **Decimal mantissas** (`ieee754 = 0`): when every sample has a short decimal form, sample i
///   is `n_i / divisor` with `divisor = 10^scale` (0.051234 ms is 51234 with divisor 1e6). Both
///   are exact doubles below 2^53, so the division gives back exactly the recorded double.
/// - **IEEE-754 bits** (`ieee754 = 1`): otherwise (pytest-benchmark's and hyperfine's 17-digit
///   times) `n_i` is the binary64 bit pattern of the sample, read as a signed integer.
///
/// Either way only `n_i - base` is stored, in the fewest whole bytes that hold the series' range
/// (`width`, 0 to 8; a width of 8 stores `n_i` itself, two's complement, base 0). The encoding
/// with the smaller width wins. Positive doubles order like their bit patterns, so a series of
/// timings within a few per cent of each other takes 6 or 7 bytes a sample instead of the 17 to 22
/// of JSON text: this is the frame-of-reference ("FOR") layout of Goldstein, Ramakrishnan and
/// Shaft, "Compressing relations and indexes", ICDE 1998, applied to IEEE-754 bit patterns in
/// the spirit of Gorilla's XOR coding (Pelkonen et al., "Gorilla: a fast, scalable, in-memory
/// time series database", VLDB 2015), but with fixed-width words, so plain SQL can find sample i
/// without decoding samples 0..<i: the `hh_samples` view decodes with SQLite's built-in functions.
/// Lossless: decoding gives the very bits that were encoded (checked for every series it writes).
package enum SampleCoding {
    /// One series as stored.
    package struct Stored: Equatable, Sendable {
        package var count: Int
        package var ieee754: Bool
        package var divisor: Double
        package var base: Int64
        package var width: Int
        package var bytes: [UInt8]
    }

    /// The columns a query selects to decode a series with `decode(_ row:)`, from `sample_series s`.
    static let columns = "s.count, s.ieee754, s.divisor, s.base, s.width, s.samples"

    /// The most decimals a series stored as mantissas uses (its divisor is at most 10^15).
    static let maxScale = 15

    /// The stored form of `samples` (at least one).
    package static func encode(_ samples: [DecimalNumber]) -> Stored {
        let bits = samples.map { Int64(bitPattern: $0.value.bitPattern) }
        let ieee = frame(bits, ieee754: true, divisor: 1)
        if let (mantissas, divisor) = decimalMantissas(samples) {
            let decimal = frame(mantissas, ieee754: false, divisor: divisor)
            if decimal.width <= ieee.width { return decimal }
        }
        return ieee
    }

    /// Every sample as an integer mantissa over one power of ten, when that is exact for all of
    /// them (the same double back, bit for bit, negative zero included).
    private static func decimalMantissas(_ samples: [DecimalNumber]) -> ([Int64], Double)? {
        var scale = 0
        for sample in samples {
            guard sample.mantissa != nil, sample.scale <= maxScale else { return nil }
            scale = max(scale, sample.scale)
        }
        let divisor = Double(DecimalNumber.integerPowersOfTen[scale])
        var mantissas: [Int64] = []
        mantissas.reserveCapacity(samples.count)
        for sample in samples {
            guard let mantissa = sample.mantissa else { return nil }
            let (scaled, overflow) = mantissa.multipliedReportingOverflow(by: DecimalNumber.integerPowersOfTen[scale - sample.scale])
            guard !overflow, scaled.magnitude < UInt64(DecimalNumber.maxExactMantissa),
                  (Double(scaled) / divisor).bitPattern == sample.value.bitPattern else { return nil }
            mantissas.append(scaled)
        }
        return (mantissas, divisor)
    }

    /// `integers` as offsets from their minimum, in the fewest bytes that hold the largest.
    private static func frame(_ integers: [Int64], ieee754: Bool, divisor: Double) -> Stored {
        var low = Int64.max, high = Int64.min
        for value in integers {
            low = min(low, value)
            high = max(high, value)
        }
        // The range as an unsigned number: exact even when it does not fit an Int64.
        let range = UInt64(bitPattern: high &- low)
        var width = (64 - range.leadingZeroBitCount + 7) / 8
        let base: Int64 = width == 8 ? 0 : low
        if integers.isEmpty { width = 0 }
        var bytes = [UInt8](repeating: 0, count: integers.count * width)
        bytes.withUnsafeMutableBufferPointer { out in
            var position = 0
            for value in integers {
                let offset = UInt64(bitPattern: value &- base)
                for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
                    out[position] = UInt8(truncatingIfNeeded: offset >> UInt64(shift))
                    position += 1
                }
            }
        }
        return Stored(count: integers.count, ieee754: ieee754, divisor: divisor, base: base, width: width, bytes: bytes)
    }

    /// The values of a stored series; nil when its columns do not describe `count` samples.
    package static func decode(_ stored: Stored) -> [Double]? {
        let (size, overflow) = stored.count.multipliedReportingOverflow(by: stored.width)
        guard (0...8).contains(stored.width), stored.count >= 0, !overflow, size == stored.bytes.count,
              stored.divisor >= 1 else { return nil }
        var values = [Double](repeating: 0, count: stored.count)
        stored.bytes.withUnsafeBufferPointer { bytes in
            var position = 0
            for index in 0..<stored.count {
                var offset: UInt64 = 0
                for _ in 0..<stored.width {
                    offset = offset << 8 | UInt64(bytes[position])
                    position += 1
                }
                let integer = stored.base &+ Int64(bitPattern: offset)
                values[index] = stored.ieee754
                    ? Double(bitPattern: UInt64(bitPattern: integer))
                    : Double(integer) / stored.divisor
            }
        }
        return values
    }

    /// The values of the row's series (selected with `columns`) of the database at `path`.
    static func decode(_ row: any ResultRow, path: String) throws -> [Double] {
        let stored = Stored(count: row["count"], ieee754: row["ieee754"], divisor: row["divisor"],
                            base: row["base"], width: row["width"], bytes: [UInt8]((row["samples"] as Data?) ?? Data()))
        guard let values = decode(stored) else {
            throw WarehouseError.corrupt(path: path, message: "a sample series of \(stored.count) samples of width "
                                         + "\(stored.width) holds \(stored.bytes.count) bytes")
        }
        return values
    }
}
