/// Bad input: names the file, the line (and column) and the field, says what is wrong and how
/// to fix it. The CLI prints it as `hhbench: FILE:LINE:COLUMN: field 'F': problem. fix` and exits 2.
public struct InputError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var field: String?
    public var problem: String
    public var fix: String?

    public init(file: String, line: Int? = nil, column: Int? = nil, field: String? = nil, problem: String, fix: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.problem = problem
        self.fix = fix
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        var text = place + ": "
        if let field { text += "field '\(field)': " }
        text += problem
        if let fix, let first = fix.first { text += ". " + first.uppercased() + fix.dropFirst() }
        return text
    }
}
