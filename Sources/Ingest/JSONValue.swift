import Foundation
import ScalefitCore

/// A JSON value as scalefit reads it: object members keep their order.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The member `key` of an object, or `nil`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The number, when this is a number (or a string that spells one, as custom callbacks write).
    public var number: Double? {
        switch self {
        case .number(let value): return value
        case .string(let text): return NumberParser.parse(text)
        default: return nil
        }
    }
}

/// One `"key": value` member of a JSON object.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var value: JSONValue
    public init(key: String, value: JSONValue) { self.key = key; self.value = value }
}

/// A tolerant JSON reader: standard JSON plus the bare `NaN`, `Infinity` and `-Infinity`
/// that Python's `json` module writes (Hugging Face `trainer_state.json`), which
/// Foundation's `JSONSerialization` rejects.
///
/// With `pythonLiterals` it also reads the dicts Python prints (`{'loss': nan, 'ok': True}`):
/// single-quoted strings, `True`, `False`, `None`, `nan`, `inf`.
/// Errors are ``ScalefitCore/InputError``s with line, column, the JSON path as `field`, and
/// a caret under the offending character. Nesting deeper than 512 levels is refused, so a
/// hostile file cannot overflow the stack.
struct JSONParser {
    private let bytes: [UInt8]
    private let file: String
    private let pythonLiterals: Bool
    private let lineOffset: Int
    private var i = 0
    private var path: [String] = []
    static let maximumDepth = 512

    /// - Parameter lineOffset: added to line numbers, for one JSON document per line (JSONL).
    init(bytes: [UInt8], file: String, pythonLiterals: Bool = false, lineOffset: Int = 0) {
        self.bytes = bytes
        self.file = file
        self.pythonLiterals = pythonLiterals
        self.lineOffset = lineOffset
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
    }

    /// Parses one value that must fill the whole input (spaces aside).
    mutating func parseDocument() throws -> JSONValue {
        skipSpace()
        let value = try parseValue()
        skipSpace()
        if i < bytes.count { throw error("expected the end of the document, found \(found())") }
        return value
    }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 10 || bytes[i] == 13 || bytes[i] == 9 { i += 1 }
    }

    private func found() -> String {
        guard i < bytes.count else { return "the end of the file" }
        let scalar = String(decoding: bytes[i..<min(bytes.count, i + 4)], as: UTF8.self).unicodeScalars.first ?? " "
        return "\"\(Character(scalar))\""
    }

    private var pathText: String? {
        if path.isEmpty { return nil }
        var text = ""
        for part in path {
            if part.hasPrefix("[") { text += part } else { text += text.isEmpty ? part : ".\(part)" }
        }
        return text
    }

    /// An error at the current byte.
    func error(_ message: String) -> InputError {
        var line = 1, lineStart = 0
        var k = 0
        let stop = min(i, bytes.count)
        while k < stop {
            if bytes[k] == 10 { line += 1; lineStart = k + 1 }
            k += 1
        }
        var column = 1
        for b in bytes[lineStart..<stop] where b & 0xC0 != 0x80 { column += 1 }
        var lineEnd = lineStart
        while lineEnd < bytes.count && bytes[lineEnd] != 10 && bytes[lineEnd] != 13 { lineEnd += 1 }
        return InputError(file: file, line: line + lineOffset, column: column, field: pathText, message: message,
                          sourceLine: String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self))
    }

    private mutating func parseValue() throws -> JSONValue {
        if path.count > Self.maximumDepth { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        guard i < bytes.count else { throw error("expected a value, found the end of the file") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString(quote: UInt8(ascii: "\"")))
        case UInt8(ascii: "'") where pythonLiterals: return .string(try parseString(quote: UInt8(ascii: "'")))
        default:
            if let word = matchWord() { return word }
            return .number(try parseNumber())
        }
    }

    private mutating func matchWord() -> JSONValue? {
        let words: [(String, JSONValue)] = pythonLiterals
            ? [("true", .bool(true)), ("false", .bool(false)), ("null", .null), ("True", .bool(true)),
               ("False", .bool(false)), ("None", .null), ("NaN", .number(.nan)), ("nan", .number(.nan)),
               ("Infinity", .number(.infinity)), ("-Infinity", .number(-.infinity)), ("inf", .number(.infinity)),
               ("-inf", .number(-.infinity))]
            : [("true", .bool(true)), ("false", .bool(false)), ("null", .null), ("NaN", .number(.nan)),
               ("Infinity", .number(.infinity)), ("-Infinity", .number(-.infinity))]
        for (word, value) in words {
            let utf8 = Array(word.utf8)
            if i + utf8.count <= bytes.count, Array(bytes[i..<(i + utf8.count)]) == utf8 {
                let after = i + utf8.count
                if after < bytes.count, Self.isWordByte(bytes[after]) { continue }
                i = after
                return value
            }
        }
        return nil
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == 95
    }

    private mutating func parseNumber() throws -> Double {
        let start = i
        while i < bytes.count {
            let b = bytes[i]
            if (b >= 48 && b <= 57) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: ".")
                || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                i += 1
            } else {
                break
            }
        }
        if start == i { throw error("expected a value (object, array, string, number, true, false or null), found \(found())") }
        let value = bytes.withUnsafeBufferPointer { NumberParser.parse(UnsafeBufferPointer(rebasing: $0[start..<i])) }
        guard let value, value.isFinite else {
            i = start
            throw error("expected a number, found \"\(String(decoding: bytes[start..<min(bytes.count, start + 24)], as: UTF8.self))\"")
        }
        return value
    }

    private mutating func parseString(quote: UInt8) throws -> String {
        let open = i
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else {
                i = open
                throw error("unterminated string: expected a closing quote")
            }
            let b = bytes[i]
            if b == quote { i += 1; break }
            if b == 10 {
                i = open
                throw error("unterminated string: expected a closing quote before the end of the line")
            }
            if b == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { throw error("unterminated escape") }
                switch bytes[i] {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "u"):
                    var code = try hex4(at: i + 1)
                    i += 4
                    if code >= 0xD800 && code < 0xDC00, i + 6 < bytes.count, bytes[i + 1] == UInt8(ascii: "\\"),
                       bytes[i + 2] == UInt8(ascii: "u") {
                        let low = try hex4(at: i + 3)
                        if low >= 0xDC00 && low < 0xE000 {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                        }
                    }
                    out.append(contentsOf: Array(String(UnicodeScalar(code).map(Character.init) ?? "\u{FFFD}").utf8))
                default: out.append(bytes[i])
                }
                i += 1
                continue
            }
            out.append(b)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func hex4(at start: Int) throws -> UInt32 {
        guard start + 4 <= bytes.count,
              let code = UInt32(String(decoding: bytes[start..<(start + 4)], as: UTF8.self), radix: 16) else {
            i = start
            throw error("expected four hexadecimal digits after \\u")
        }
        return code
    }

    private mutating func parseArray() throws -> JSONValue {
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            path.append("[\(items.count)]")
            skipSpace()
            items.append(try parseValue())
            path.removeLast()
            skipSpace()
            guard i < bytes.count else { throw error("expected \",\" or \"]\", found the end of the file") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw error("expected \",\" or \"]\" in an array, found \(found())")
        }
    }

    private mutating func parseObject() throws -> JSONValue {
        i += 1
        var members: [JSONMember] = []
        skipSpace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || (pythonLiterals && bytes[i] == UInt8(ascii: "'")) else {
                throw error("expected a quoted key, found \(found())")
            }
            let key = try parseString(quote: bytes[i])
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected \":\" after the key \"\(key)\", found \(found())") }
            i += 1
            skipSpace()
            path.append(key)
            let value = try parseValue()
            path.removeLast()
            members.append(JSONMember(key: key, value: value))
            skipSpace()
            guard i < bytes.count else { throw error("expected \",\" or \"}\", found the end of the file") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            throw error("expected \",\" or \"}\" in an object, found \(found())")
        }
    }
}
