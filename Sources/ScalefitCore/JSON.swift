/// The one JSON writer of scalefit: a document built in code (``JSONNode``), rendered with
/// keys in the order given under a ``JSONLayout``, and its streaming JSON Lines form
/// (``JSONLines``), which shares the string escaping and the number spellings.
///
/// Numbers are plain JSON numbers in Swift's shortest round-trip form. A value that is not
/// finite (NaN, ±∞) is written as `null`; callers that emit one also add a line to the
/// document's `warnings` saying why (docs/design.md, "Output contract").
public indirect enum JSONNode: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case integer(Int)
    /// An unsigned 64-bit integer written as a number (seeds).
    case unsigned(UInt64)
    case string(String)
    case array([JSONNode])
    case object([(String, JSONNode)])

    public static func == (a: JSONNode, b: JSONNode) -> Bool { a.rendered() == b.rendered() }

    /// `.number(v)` for finite v, `.null` otherwise.
    public static func finite(_ value: Double?) -> JSONNode {
        guard let value, value.isFinite else { return .null }
        return .number(value)
    }

    /// `[lo, hi]` or `null`.
    public static func pair(_ pair: (Double, Double)?) -> JSONNode {
        guard let pair else { return .null }
        return .array([.finite(pair.0), .finite(pair.1)])
    }

    /// The text under `layout`, the first line indented by nothing and the rest by `indent`
    /// spaces plus two per level, ending without a newline.
    public func rendered(indent: Int = 0, layout: JSONLayout = .standard) -> String {
        var out = ""
        write(to: &out, indent: indent, depth: 0, layout: layout)
        return out
    }

    /// An object with `members` sorted by their keys' UTF-8 bytes (the order of
    /// Foundation's `.sortedKeys`).
    public static func sortedObject(_ members: [(String, JSONNode)]) -> JSONNode {
        .object(members.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) })
    }

    /// The node on one line (objects `{"k": v, …}`, arrays `[a, b]`), as in JSON Lines.
    public func line(numbers: JSONLayout.NumberSpelling = .shortest) -> String {
        var out = ""
        writeInline(to: &out, layout: JSONLayout(numbers: numbers))
        return out
    }

    private func write(to out: inout String, indent: Int, depth: Int, layout: JSONLayout) {
        switch self {
        case .null, .bool, .number, .integer, .unsigned, .string:
            writeInline(to: &out, layout: layout)
        case .array(let items):
            if items.isEmpty { out += layout.spacedEmptyContainers ? "[\n\n" + pad(indent) + "]" : "[]"; return }
            if layout.inlines(items) {
                writeInline(to: &out, layout: layout)
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad(indent + 2)
                item.write(to: &out, indent: indent + 2, depth: depth + 1, layout: layout)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += pad(indent) + "]"
        case .object(let members):
            if members.isEmpty { out += layout.spacedEmptyContainers ? "{\n\n" + pad(indent) + "}" : "{}"; return }
            if depth >= layout.inlineObjectsFromDepth {
                writeInline(to: &out, layout: layout)
                return
            }
            out += "{\n"
            for (i, (key, value)) in members.enumerated() {
                out += pad(indent + 2)
                appendJSONString(key, to: &out, shortEscapes: layout.shortEscapes)
                out += layout.keySeparator
                value.write(to: &out, indent: indent + 2, depth: depth + 1, layout: layout)
                out += i + 1 < members.count ? ",\n" : "\n"
            }
            out += pad(indent) + "}"
        }
    }

    private func writeInline(to out: inout String, layout: JSONLayout) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let v): appendJSONNumber(v, to: &out, spelling: layout.numbers)
        case .integer(let i): out += String(i)
        case .unsigned(let u): out += String(u)
        case .string(let s): appendJSONString(s, to: &out, shortEscapes: layout.shortEscapes)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                item.writeInline(to: &out, layout: layout)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += ", " }
                appendJSONString(key, to: &out, shortEscapes: layout.shortEscapes)
                out += layout.keySeparator
                value.writeInline(to: &out, layout: layout)
            }
            out += "}"
        }
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    private func pad(_ n: Int) -> String { String(repeating: " ", count: n) }
}

/// How a ``JSONNode`` is laid out. One writer serves every document; the layouts differ only
/// where documents already published by scalefit differ, so each keeps its bytes.
public struct JSONLayout: Sendable {
    /// How a finite double is spelled (a non-finite one is always `null`).
    public enum NumberSpelling: Sendable {
        /// An integral value below 1e15 in magnitude as an integer (`3`), otherwise Swift's
        /// shortest round-trip form (`0.25`, `1e+20`).
        case integral
        /// Swift's shortest round-trip form as it is (`3.0`, `0.25`).
        case shortest
        /// The shortest round-trip form without a trailing `.0` (`3`, `-0`, `1e+20`): the
        /// spelling of Foundation's JSONEncoder, which wrote `truth.json` before.
        case trimmed
    }

    /// Which arrays go on one line.
    public enum ArrayInlining: Sendable {
        /// Arrays of scalars (numbers, strings, booleans, nulls).
        case scalars
        /// Arrays of numbers and nulls only.
        case numbers
        /// None: one element a line.
        case never
    }

    /// Between a key and its value: `": "` or Foundation's `" : "`.
    public var keySeparator: String = ": "
    public var inlineArrays: ArrayInlining = .scalars
    /// Objects at this nesting depth or deeper go on one line, with all they hold (0: the
    /// whole document; `Int.max`: never).
    public var inlineObjectsFromDepth: Int = .max
    /// Empty arrays and objects as `[\n\n]` (Foundation) rather than `[]`.
    public var spacedEmptyContainers = false
    public var numbers: NumberSpelling = .integral
    /// Backspace and form feed as `\b`, `\f` (Foundation) rather than `\u0008`, `\u000c`.
    public var shortEscapes = false

    public init(
        keySeparator: String = ": ", inlineArrays: ArrayInlining = .scalars, inlineObjectsFromDepth: Int = .max,
        spacedEmptyContainers: Bool = false, numbers: NumberSpelling = .integral, shortEscapes: Bool = false
    ) {
        self.keySeparator = keySeparator
        self.inlineArrays = inlineArrays
        self.inlineObjectsFromDepth = inlineObjectsFromDepth
        self.spacedEmptyContainers = spacedEmptyContainers
        self.numbers = numbers
        self.shortEscapes = shortEscapes
    }

    /// `fit`, `detect`, `predict` and the other reports: scalar arrays on one line.
    public static let standard = JSONLayout()
    /// `tail --json`: only arrays of numbers on one line.
    public static let numberArraysInline = JSONLayout(inlineArrays: .numbers)
    /// `inspect --json` / `ingest --json`: each record (an object inside the document) on one
    /// line, numbers in their shortest form (`100.0`).
    public static let oneRecordPerLine = JSONLayout(inlineArrays: .never, inlineObjectsFromDepth: 1, numbers: .shortest)
    /// `truth.json` and the generated `data.json`: keys sorted by the caller, every array
    /// element on its own line, the spacing Foundation's pretty printer used.
    public static let spacious = JSONLayout(
        keySeparator: " : ", inlineArrays: .never, spacedEmptyContainers: true, numbers: .trimmed, shortEscapes: true)

    func inlines(_ items: [JSONNode]) -> Bool {
        switch inlineArrays {
        case .scalars: return items.allSatisfy(\.isScalar)
        case .numbers: return items.allSatisfy { if case .number = $0 { true } else if case .null = $0 { true } else { false } }
        case .never: return false
        }
    }
}

/// A JSON string literal for `text`, with the escapes RFC 8259 §7 requires (quotes,
/// backslash, and control characters as `\n`, `\r`, `\t` or `\u00XX`). Every JSON writer in
/// scalefit spells strings through this one function.
public func jsonStringLiteral(_ text: String) -> String {
    var out = ""
    appendJSONString(text, to: &out, shortEscapes: false)
    return out
}

/// Appends the JSON string literal for `text`; `shortEscapes` spells U+0008 and U+000C as
/// `\b` and `\f`.
public func appendJSONString(_ text: String, to out: inout String, shortEscapes: Bool = false) {
    out += "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{8}" where shortEscapes: out += "\\b"
        case "\u{c}" where shortEscapes: out += "\\f"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    out += "\""
}

/// Appends the JSON spelling of `value` (`null` when it is not finite).
@inline(__always)
public func appendJSONNumber(_ value: Double, to out: inout String, spelling: JSONLayout.NumberSpelling = .shortest) {
    guard value.isFinite else { out += "null"; return }
    switch spelling {
    case .shortest:
        value.write(to: &out)
    case .integral:
        if value == value.rounded(), abs(value) < 1e15 { out += String(Int64(value)) } else { value.write(to: &out) }
    case .trimmed:
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        out += text
    }
}

/// The JSON spelling of `value` in its shortest round-trip form, or `null` for a missing or
/// non-finite value.
public func jsonNumber(_ value: Double?) -> String {
    guard let value else { return "null" }
    var out = ""
    appendJSONNumber(value, to: &out)
    return out
}

/// JSON Lines written as they are produced: one object a line, handed to `emit` in pieces
/// of about `pieceSize` bytes, so a table of any length is written in bounded memory. The
/// strings and numbers are spelled by the same functions as ``JSONNode``'s.
///
/// ```swift
/// var lines = JSONLines()
/// try lines.append(.object([("x", .number(1))]), emit: write)   // {"x": 1.0}
/// try lines.finish(emit: write)
/// ```
public struct JSONLines {
    /// The text not yet handed on. Hot loops append to it directly (with
    /// ``appendJSONNumber(_:to:spelling:)`` and keys escaped once) and then call ``endLine(emit:)``.
    public var pending = ""
    public let pieceSize: Int

    public init(pieceSize: Int = 1 << 20) { self.pieceSize = pieceSize }

    /// Appends `node` on one line (numbers in their shortest form).
    public mutating func append(_ node: JSONNode, emit: (String) throws -> Void) rethrows {
        pending += node.line()
        try endLine(emit: emit)
    }

    /// Ends the line being written; hands the pending text on once it passes `pieceSize`.
    @inline(__always)
    public mutating func endLine(emit: (String) throws -> Void) rethrows {
        pending += "\n"
        if pending.utf8.count >= pieceSize {
            try emit(pending)
            pending = ""
        }
    }

    /// Hands on what is left (`emit` is called once at the end even when nothing is).
    public mutating func finish(emit: (String) throws -> Void) rethrows {
        try emit(pending)
        pending = ""
    }
}
