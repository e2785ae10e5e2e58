import Foundation

/// Text measuring and line breaking for plots, without a font engine: widths are estimated
/// from per-character advances of DejaVu Sans (the first font the SVG asks for), slightly
/// generous so that estimated boxes contain the drawn ones. The browser test measures the
/// drawn boxes and checks that no two labels overlap.
public enum PlotText {
    /// Estimated advance width of `text` at `size` px.
    public static func width(_ text: String, size: Double) -> Double {
        var em = 0.0
        for c in text.unicodeScalars {
            switch c {
            case "i", "j", "l", "!", "|", "'", ".", ",", ":", ";": em += 0.30
            case " ", "(", ")", "[", "]", "f", "t", "r", "I", "/", "\\", "-": em += 0.42
            case "m", "w", "M", "W", "—", "…": em += 0.98
            case "0"..."9", "×", "≈", "=", "+", "<", ">", "−", "_", "#", "$", "?": em += 0.66
            case "A"..."Z": em += 0.72
            case "⁰"..."⁹", "¹", "²", "³", "⁻": em += 0.42
            default: em += c.value < 0x80 ? 0.62 : 0.8
            }
        }
        return em * size
    }

    /// `text` broken into lines no wider than `maxWidth`: after spaces, `/`, `,`, `_`, `-`
    /// and `)` where possible, inside a word only where one is longer than a line. Nothing is
    /// dropped: the lines joined give `text` back (spaces at the breaks excepted).
    public static func wrap(_ text: String, maxWidth: Double, size: Double) -> [String] {
        guard width(text, size: size) > maxWidth else { return [text] }
        // Pieces that end at a break opportunity.
        var pieces: [String] = []
        var current = ""
        let characters = Array(text)
        for (i, c) in characters.enumerated() {
            current.append(c)
            // Not inside a number: 2,000,000 and 1e-5 stay whole.
            let next = i + 1 < characters.count ? characters[i + 1] : " "
            if " /,_-)".contains(c) && !(c != " " && next.isNumber && current.dropLast().last?.isNumber == true) {
                pieces.append(current)
                current = ""
            }
        }
        if !current.isEmpty { pieces.append(current) }
        var lines: [String] = []
        var line = ""
        for piece in pieces {
            if width(line + piece.trimmingCharacters(in: .whitespaces), size: size) <= maxWidth {
                line += piece
                continue
            }
            if !line.isEmpty { lines.append(line.trimmingCharacters(in: .whitespaces)); line = "" }
            // A piece wider than a line is cut by characters.
            var rest = piece
            while width(rest.trimmingCharacters(in: .whitespaces), size: size) > maxWidth, rest.count > 1 {
                var cut = ""
                for c in rest {
                    if width(cut + String(c), size: size) > maxWidth, !cut.isEmpty { break }
                    cut.append(c)
                }
                lines.append(cut)
                rest = String(rest.dropFirst(cut.count))
            }
            line = rest
        }
        if !line.trimmingCharacters(in: .whitespaces).isEmpty { lines.append(line.trimmingCharacters(in: .whitespaces)) }
        return lines
    }

    /// `1,234,567`: a count with thousands separators.
    public static func count(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }
}

/// A rectangle in SVG pixels (y grows downwards).
struct PlotBox {
    var x0: Double, y0: Double, x1: Double, y1: Double

    func overlaps(_ other: PlotBox, gap: Double = 1) -> Bool {
        x0 < other.x1 + gap && other.x0 < x1 + gap && y0 < other.y1 + gap && other.y0 < y1 + gap
    }
}

/// Places labels so that none overlaps one placed before: each label offers positions in
/// order of preference, and takes the first that is free (or none: it is left out).
struct LabelPlacer {
    private(set) var placed: [PlotBox] = []

    mutating func reserve(_ box: PlotBox) { placed.append(box) }

    /// The first candidate box that overlaps nothing placed so far, now placed; nil if none.
    mutating func place(_ candidates: [PlotBox], within bounds: PlotBox? = nil) -> PlotBox? {
        for box in candidates {
            if let bounds, box.x0 < bounds.x0 || box.x1 > bounds.x1 || box.y0 < bounds.y0 || box.y1 > bounds.y1 { continue }
            if !placed.contains(where: { $0.overlaps(box) }) {
                placed.append(box)
                return box
            }
        }
        return nil
    }
}
