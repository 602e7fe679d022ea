import Records

/// The registry of input formats, in detection order (most specific first).
package enum Formats {
    package static let all: [any InputFormat] = [
        NativeFormat(), PytestBenchmarkFormat(), HyperfineFormat(), HyperfineCSVFormat(), GoogleBenchmarkFormat(),
        GoBenchFormat(), PackageBenchmarkJMHFormat(), PackageBenchmarkInfluxFormat(), LegacyBaselinesFormat(),
    ]

    package static func named(_ name: String) -> (any InputFormat)? {
        all.first { type(of: $0).name == name }
    }

    package static var names: [String] { all.map { type(of: $0).name } }

    /// The format of `input`: the one named, or the one whose detection matches its content.
    package static func resolve(_ input: InputFile, forced: String?) throws(InputError) -> any InputFormat {
        try input.checkUTF8()
        if let forced {
            guard let format = named(forced) else {
                throw InputError(file: input.name, problem: "unknown format \"\(forced)\"",
                                 fix: "supported formats: \(names.joined(separator: ", ")) (see 'hhbench formats')")
            }
            return format
        }
        guard input.bytes.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) else {
            throw InputError(file: input.name, problem: "the file is empty", fix: "check that the benchmark wrote its results")
        }
        let matches = all.filter { $0.detect(input) }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty {
            throw InputError(file: input.name, problem: "not a format hhbench reads",
                             fix: "supported formats: \(names.joined(separator: ", ")); name one with --format")
        }
        throw InputError(file: input.name,
                         problem: "the content fits several formats (\(matches.map { type(of: $0).name }.joined(separator: ", ")))",
                         fix: "name one with --format")
    }
}
