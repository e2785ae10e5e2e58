/// The process exit status an error maps to (README.md, "Exit status"; docs/design.md).
public enum ExitStatus: Int32, Sendable {
    /// Everything ran and every check passed.
    case success = 0
    /// A fit did not converge, or a check the user asked for failed.
    case failure = 1
    /// The input or the command line was wrong.
    case badInput = 2
    /// `detect --fail-on-collapse` found a collapse or plateau.
    case collapseDetected = 3
    /// An I/O failure, not the input's fault: an output could not be written (disk full, an
    /// I/O error, a failed rename), or an input that opened could not be read (an I/O error).
    case outputFailed = 4
}

/// An error that knows which exit status it deserves. The CLI's `main` maps every error
/// through this protocol in one place; errors that do not conform exit with `failure`.
public protocol ExitStatusProviding: Error {
    var exitStatus: ExitStatus { get }
}

/// Bad input found while reading a file: the position, what was expected, and the line.
///
/// Its `description` reads like a compiler diagnostic:
/// ```
/// runs.csv:4:12: error: expected a number in column "loss", found "abc"
///     70M,1.3e9,abc
///               ^
/// ```
public struct InputError: Error, ExitStatusProviding, CustomStringConvertible, Sendable, Equatable {
    /// The file, as the user named it (`-` for standard input).
    public var file: String
    /// 1-based line number, or `nil` when the error concerns the whole file.
    public var line: Int?
    /// 1-based column, counted in characters (Unicode scalars), or `nil`.
    public var column: Int?
    /// The field (column name or JSON path) the error concerns, if any.
    public var field: String?
    /// What was wrong, e.g. `expected a number, found "abc"`.
    public var message: String
    /// The offending line's text, for the caret display.
    public var sourceLine: String?
    /// The file opened but could not be read (an I/O error): exit status 4, not 2, since
    /// nothing is wrong with what the user gave.
    public var readFailed: Bool

    public init(
        file: String, line: Int? = nil, column: Int? = nil, field: String? = nil,
        message: String, sourceLine: String? = nil, readFailed: Bool = false
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
        self.sourceLine = sourceLine
        self.readFailed = readFailed
    }

    public var exitStatus: ExitStatus { readFailed ? .outputFailed : .badInput }

    public var description: String {
        var position = file
        if let line { position += ":\(line)" }
        if let line = line, let column { _ = line; position += ":\(column)" }
        var text = "\(position): error: "
        if let field { text += "in \(field): " }
        text += message
        if let sourceLine {
            let shown = sourceLine.count > 200 ? String(sourceLine.prefix(200)) + "…" : sourceLine
            text += "\n    \(shown)"
            if let column, column >= 1, column <= 201 {
                text += "\n    " + String(repeating: " ", count: column - 1) + "^"
            }
        }
        return text
    }
}

/// A problem with what the user asked for (not with a file): exit status 2.
public struct UsageError: Error, ExitStatusProviding, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var exitStatus: ExitStatus { .badInput }
    public var description: String { "error: \(message)" }
}
