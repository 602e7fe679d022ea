import CCompress

/// gzip through the system's zlib (CCompress). The output carries no time and no file name, so
/// the same run always compresses to the same bytes, and so to the same git blob.
package enum Gzip {
    /// Decompressed files larger than this are refused: a history branch is shared input.
    package static let largestFile = 4 << 30

    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    package static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        let status = bytes.withUnsafeBufferPointer { hh_gzip($0.baseAddress, $0.count, &output, &length) }
        guard status == 0, let output else { throw Failure(description: "zlib could not compress \(bytes.count) bytes") }
        defer { hh_compress_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }

    /// The bytes of one whole gzip member; `name` says which file in an error.
    package static func decompress(_ bytes: [UInt8], name: String) throws -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        let status = bytes.withUnsafeBufferPointer { hh_gunzip($0.baseAddress, $0.count, largestFile, &output, &length) }
        switch status {
        case 0:
            guard let output else { return [] }
            defer { hh_compress_free(output) }
            return Array(UnsafeBufferPointer(start: output, count: length))
        case 2:
            throw Failure(description: "\(name) decompresses to more than \(largestFile >> 30) GiB")
        default:
            throw Failure(description: "\(name) is not whole gzip data (cut short or changed)")
        }
    }
}
