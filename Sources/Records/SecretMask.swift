/// Keeps secrets out of what is stored about a command: the recorded command line and the
/// benchmark names taken from commands. The rule, as the README states it:
/// - an argument `NAME=VALUE` or `--NAME=VALUE` (an environment assignment or a flag), and the
///   word after a flag `--NAME` or `-NAME`, are masked when NAME names a secret;
/// - NAME names a secret when one of its parts (split at `-`, `_`, `.` and lower-to-upper case
///   changes) contains `password`, `passwd`, `secret` or `token`, or ends in `key` (`API_KEY`,
///   `--auth-token`, `PGPASSWORD`, `apiKey`), or is one of the names added by hhbench.toml's
///   `[run] secret_names`;
/// - a URL's password (`scheme://user:PASSWORD@host`) is masked whatever the argument's name.
/// The value becomes `***`; the name stays, so the record still says which flag was given.
package struct SecretMask: Sendable {
    package static let mask = "***"
    private static let containedNames = ["password", "passwd", "secret", "token"]
    private let addedNames: [String]

    package init(addedNames: [String] = []) {
        self.addedNames = addedNames.map { $0.lowercased() }
    }

    /// Whether a flag or variable name says its value is a secret.
    package func namesSecret(_ name: Substring) -> Bool {
        let parts = Self.parts(of: name)
        return parts.contains { part in
            Self.containedNames.contains { part.contains($0) } || part.hasSuffix("key") || addedNames.contains(part)
        } || addedNames.contains(name.lowercased())
    }

    /// A command line as words (`CommandLine.arguments`): each word masked by the rule, a word
    /// holding a whole command (`"tool --password=x"`) masked within.
    package func masking(words: [String]) -> [String] {
        var masked: [String] = []
        var maskNext = false
        for word in words {
            if maskNext, !word.hasPrefix("-") {
                masked.append(Self.mask)
                maskNext = false
                continue
            }
            maskNext = false
            if word.contains(" ") || word.contains("\t") {
                masked.append(masking(command: word))
                continue
            }
            let (text, flagWithoutValue) = maskingWord(Substring(word))
            masked.append(text)
            maskNext = flagWithoutValue
        }
        return masked
    }

    /// A command as one text, split at unquoted blanks as a shell would, each word masked by the
    /// rule; the blanks and quotes stay as written.
    package func masking(command: String) -> String {
        var out = ""
        var word = Substring()
        var maskNext = false
        var quote: Character?
        var start = command.startIndex
        func flush(_ end: String.Index) {
            word = command[start..<end]
            guard !word.isEmpty else { return }
            if maskNext, !word.hasPrefix("-") {
                out += Self.mask
                maskNext = false
                return
            }
            let (text, flagWithoutValue) = maskingWord(word)
            out += text
            maskNext = flagWithoutValue
        }
        var index = command.startIndex
        while index < command.endIndex {
            let character = command[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == " " || character == "\t" {
                flush(index)
                out.append(character)
                start = command.index(after: index)
            }
            index = command.index(after: index)
        }
        flush(command.endIndex)
        return out
    }

    /// One word masked; true when it is a secret flag whose value is the next word.
    private func maskingWord(_ word: Substring) -> (String, Bool) {
        let bare = word.drop { $0 == "-" }
        if let equals = bare.firstIndex(of: "="), namesSecret(bare[..<equals]) {
            return (String(word[...equals]) + Self.mask, false)
        }
        let urlMasked = Self.maskingURLPassword(String(word))
        if word.hasPrefix("-"), !bare.isEmpty, !bare.contains("="), namesSecret(bare) { return (urlMasked, true) }
        return (urlMasked, false)
    }

    /// `scheme://user:PASSWORD@host…` with the password masked.
    private static func maskingURLPassword(_ text: String) -> String {
        let characters = Array(text)
        guard let colon = (0..<max(0, characters.count - 2)).first(where: { characters[$0] == ":" && characters[$0 + 1] == "/" && characters[$0 + 2] == "/" }) else {
            return text
        }
        let rest = text.dropFirst(colon + 3)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<authority.index(after: colon)]) + mask + String(text[at...])
    }

    /// `API_KEY` → api, key; `apiKey` → api, key; `--auth-token` → auth, token.
    private static func parts(of name: Substring) -> [String] {
        var parts: [String] = []
        var current = ""
        var previousLower = false
        for character in name {
            if character == "-" || character == "_" || character == "." {
                if !current.isEmpty { parts.append(current) }
                current = ""
                previousLower = false
                continue
            }
            if character.isUppercase, previousLower {
                parts.append(current)
                current = ""
            }
            current += character.lowercased()
            previousLower = character.isLowercase
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }
}
