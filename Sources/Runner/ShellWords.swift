/// Splits a command line into arguments the way a POSIX shell does for simple commands: white
/// space separates words, single quotes keep everything literally, double quotes keep white space
/// (and honour `\"`, `\\`, `\$`, `` \` ``), a backslash outside quotes escapes the next character.
/// No expansion of variables, globs or substitutions: `--shell bash` is there for those.
package enum ShellWords {
    package struct UnterminatedQuote: Error, CustomStringConvertible {
        package let command: String
        package var description: String { "unterminated quote in the command \(command.debugDescription); close it, or pass --shell bash" }
    }

    package static func split(_ command: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = Array(command).makeIterator()
        while let c = iterator.next() {
            switch c {
            case " ", "\t", "\n":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "'" { closed = true; break }
                    current.append(next)
                }
                if !closed { throw UnterminatedQuote(command: command) }
            case "\"":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "\"" { closed = true; break }
                    if next == "\\" {
                        guard let escaped = iterator.next() else { break }
                        if "\"\\$`".contains(escaped) { current.append(escaped) } else if escaped != "\n" { current.append("\\"); current.append(escaped) }
                    } else {
                        current.append(next)
                    }
                }
                if !closed { throw UnterminatedQuote(command: command) }
            case "\\":
                inWord = true
                if let escaped = iterator.next(), escaped != "\n" { current.append(escaped) }
            default:
                inWord = true
                current.append(c)
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
