import Foundation
import ScalefitCore

/// The layouts `scalefit tail` reads.
public enum TailInputFormat: String, Sendable, CaseIterable, Codable {
    /// Decide from the first data line: one field → samples; two fields with a numeric
    /// first field → table; a non-numeric first field → tokens.
    case auto
    /// One observation per line.
    case samples
    /// `value,count`: `count` observations of `value`.
    case table
    /// `token,count` (e.g. word counts of a corpus): each row is one distinct token, and its
    /// count is one observation — the frequency distribution CSN fit for Moby Dick.
    case tokens
}

/// Reads observations from text, with compiler-style errors for bad lines.
///
/// Fields are separated by a comma, a tab or spaces; the last field of a table row is the
/// count and everything before it the value (so a token may contain spaces or commas).
/// Blank lines and lines starting with `#` are skipped, and so is a first line with no
/// number in it (a header).
public enum TailInput {
    /// What was read.
    public struct Parsed: Sendable {
        public var sample: TailSample
        /// The layout actually used (never `.auto`).
        public var format: TailInputFormat
        /// Data lines read.
        public var rows: Int
    }

    /// Parses `text` read from `file` (used in error messages; `-` for standard input).
    /// - Throws: ``InputError`` with the 1-based line and column (in characters) of the
    ///   first bad field.
    public static func parse(_ text: String, file: String, format requested: TailInputFormat = .auto) throws -> Parsed {
        var format = requested
        var values: [Double] = []
        var counts: [Int] = []
        var rows = 0
        var lineNumber = 0
        var sawData = false
        let bytes = Array(text.utf8)
        var lineStart = 0
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            defer { lineStart = lineEnd + 1 }
            if lineStart == bytes.count { break }
            lineNumber += 1
            var end = lineEnd
            if end > lineStart, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = bytes[lineStart..<end]
            guard let first = line.firstIndex(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { continue }
            if line[first] == UInt8(ascii: "#") { continue }
            let fields = split(line)
            if !sawData, isHeader(fields) {
                sawData = true
                continue
            }
            sawData = true
            func fail(_ field: Field, _ message: String) -> InputError {
                let column = String(decoding: line[line.startIndex..<(line.startIndex + field.column - 1)], as: UTF8.self).count + 1
                return InputError(file: file, line: lineNumber, column: column, message: message, sourceLine: String(decoding: line, as: UTF8.self))
            }
            if format == .auto {
                if fields.count == 1 {
                    format = .samples
                } else {
                    format = Double(fields[0].text) != nil && fields.count == 2 ? .table : .tokens
                }
            }
            switch format {
            case .samples, .auto:
                guard fields.count == 1 else {
                    throw fail(fields[1], "expected one value per line, found \(fields.count) fields")
                }
                values.append(try number(fields[0], fail))
                counts.append(1)
            case .table:
                guard fields.count == 2 else {
                    throw fail(fields[min(fields.count - 1, 2)], fields.count < 2 ? "expected value,count" : "expected two fields (value,count), found \(fields.count)")
                }
                values.append(try number(fields[0], fail))
                counts.append(try count(fields[1], fail))
            case .tokens:
                guard fields.count >= 2 else {
                    throw fail(fields[0], "expected token,count")
                }
                let c = try count(fields[fields.count - 1], fail)
                values.append(Double(c))
                counts.append(1)
            }
            rows += 1
        }
        guard rows > 0 else {
            throw InputError(file: file, message: "no observations found (expected one value per line, or value,count rows)")
        }
        return Parsed(sample: TailSample(values: values, counts: counts), format: format == .auto ? .samples : format, rows: rows)
    }

    struct Field {
        var text: String
        /// 1-based byte offset in the line where the field starts (turned into a
        /// character column when an error is reported).
        var column: Int
    }

    /// Splits at commas or tabs when the line has any (fields trimmed of spaces, empty
    /// fields kept), otherwise at runs of spaces.
    static func split(_ line: ArraySlice<UInt8>) -> [Field] {
        let comma = UInt8(ascii: ","), tab = UInt8(ascii: "\t"), space = UInt8(ascii: " ")
        let base = line.startIndex
        var fields: [Field] = []
        func field(_ a: Int, _ b: Int) -> Field {
            Field(text: String(decoding: line[a..<b], as: UTF8.self), column: a - base + 1)
        }
        if line.contains(where: { $0 == comma || $0 == tab }) {
            var fieldStart = line.startIndex
            for j in line.startIndex...line.endIndex where j == line.endIndex || line[j] == comma || line[j] == tab {
                var a = fieldStart, b = j
                while a < b, line[a] == space { a += 1 }
                while b > a, line[b - 1] == space { b -= 1 }
                fields.append(field(a, b))
                fieldStart = j + 1
            }
        } else {
            var i = line.startIndex
            while i < line.endIndex {
                while i < line.endIndex, line[i] == space { i += 1 }
                guard i < line.endIndex else { break }
                let start = i
                while i < line.endIndex, line[i] != space { i += 1 }
                fields.append(field(start, i))
            }
        }
        return fields
    }

    static func isHeader(_ fields: [Field]) -> Bool {
        fields.allSatisfy { Double($0.text) == nil } && fields.contains { $0.text.contains { $0.isLetter } }
            && fields.allSatisfy { ["value", "values", "x", "count", "counts", "n", "frequency", "freq", "token", "word", "size", "data"].contains($0.text.lowercased()) }
    }

    private static func number(_ field: Field, _ fail: (Field, String) -> InputError) throws -> Double {
        guard let value = Double(field.text) else {
            throw fail(field, "expected a number, found \"\(field.text)\"")
        }
        guard value.isFinite else { throw fail(field, "expected a finite number, found \"\(field.text)\"") }
        guard value >= 0 else { throw fail(field, "expected a non-negative value (a power-law tail lies in x > 0), found \(field.text)") }
        return value
    }

    private static func count(_ field: Field, _ fail: (Field, String) -> InputError) throws -> Int {
        if let n = Int(field.text), n >= 0 { return n }
        if let x = Double(field.text), x >= 0, x == x.rounded(), x < 9e15 { return Int(x) }
        throw fail(field, "expected a count (a whole number ≥ 0), found \"\(field.text)\"")
    }
}
