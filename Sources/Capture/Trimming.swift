/// Trimming by hand: Foundation's `trimmingCharacters(in:)` costs milliseconds on first use, and
/// every `record` pays it at start (git's output, /etc/os-release, /proc/cpuinfo).
extension Substring {
    /// This text without the leading and trailing characters `drop` names.
    func trimmed(dropping drop: (Character) -> Bool) -> Substring {
        var text = self
        while let first = text.first, drop(first) { text.removeFirst() }
        while let last = text.last, drop(last) { text.removeLast() }
        return text
    }
}
