/// Names in logs are data, not markup: a metric called `lo\u{1B}[31mss` must not colour a
/// terminal, break an SVG or put a NUL into a CSV. Every text output spells control
/// characters through this one function.
public enum VisibleText {
    /// Whether `scalar` is shown as an escape: C0 controls (U+0000–U+001F) other than those
    /// in `keeping`, DEL, C1 controls (U+0080–U+009F), and U+FFFE/U+FFFF (which XML forbids).
    @inline(__always)
    static func needsEscape(_ scalar: Unicode.Scalar, keeping: String) -> Bool {
        let v = scalar.value
        if v < 0x20 { return !keeping.unicodeScalars.contains(scalar) }
        return (v >= 0x7F && v <= 0x9F) || v == 0xFFFE || v == 0xFFFF
    }

    /// `text` with each such character written as `\xHH` (`\u{FFFE}` above U+00FF), e.g.
    /// `lo\x1b[31mss`. Text without any comes back unchanged (no copy).
    /// - Parameter keeping: control characters left as they are (default: tab and line feed,
    ///   which a terminal shows harmlessly).
    public static func escaped(_ text: String, keeping: String = "\t\n") -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, keeping: keeping) }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if needsEscape(scalar, keeping: keeping) {
                let hex = String(scalar.value, radix: 16)
                out += scalar.value <= 0xFF ? "\\x" + (hex.count < 2 ? "0" : "") + hex : "\\u{" + hex.uppercased() + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
