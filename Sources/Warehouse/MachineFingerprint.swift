import Crypto
import Records

extension MachineInfo {
    /// The machine's identity in the warehouse: the SHA-256 (swift-crypto) of name, OS, kernel,
    /// architecture, CPU model, cores and memory, or of the name alone when it was given
    /// explicitly; a fingerprint carried over from another warehouse is kept as it was.
    package var fingerprint: String {
        storedFingerprint ?? Hex.string(SHA256.hash(data: Array(fingerprintSource.utf8)))
    }
}
