import ScalefitCore

/// A JSON document built in code, rendered with keys in the order given.
///
/// Numbers are plain JSON numbers in Swift's shortest round-trip form. A value that is not
/// finite (NaN, ±∞) is written as `null`; callers that emit one also add a line to the
/// document's `warnings` saying why (docs/design.md, "Output contract").
public indirect enum JSONNode: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case integer(Int)
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

    /// The text, indented by two spaces per level, ending without a newline.
    public func rendered(indent: Int = 0) -> String {
        var out = ""
        write(to: &out, indent: indent)
        return out
    }

    private func write(to out: inout String, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let v):
            if !v.isFinite { out += "null" }
            else if v == v.rounded(), abs(v) < 1e15 { out += String(Int64(v)) }
            else { out += "\(v)" }
        case .integer(let i): out += String(i)
        case .string(let s): JSONNode.escape(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            if items.allSatisfy({ $0.isScalar }) {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += ", " }
                    item.write(to: &out, indent: indent)
                }
                out += "]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                item.write(to: &out, indent: indent + 2)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (key, value)) in members.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                JSONNode.escape(key, into: &out)
                out += ": "
                value.write(to: &out, indent: indent + 2)
                out += i + 1 < members.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    static func escape(_ s: String, into out: inout String) {
        out += jsonStringLiteral(s)
    }
}
