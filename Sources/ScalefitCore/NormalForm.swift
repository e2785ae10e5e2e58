/// The normal form of a set of series as CSV (docs/design.md, "Output contract"):
/// `run,metric,x,value`, then `x2` when any series has a second input, `wall_time` when any
/// has wall times, then one column per extra label key, sorted by name.
///
/// Numbers are written in Swift's shortest round-trip form (`0.1`, `1e-05`, `2500000000.0`),
/// so reading them back gives the same `Double`. Cells are quoted as RFC 4180 requires.
public enum NormalForm {
    /// The fixed leading columns.
    public static let leadingColumns = ["run", "metric", "x", "value"]

    /// The CSV text for `series`, with a header and `\n` line ends.
    public static func csv(_ series: [Series]) -> String {
        var out = ""
        writeCSV(series) { out += $0 }
        return out
    }

    /// ``csv(_:)`` handed to `emit` in pieces of about 1 MiB, so that a large table need
    /// not be held whole (see ``AtomicWriter/write(to:producing:)``).
    public static func writeCSV(_ series: [Series], _ emit: (String) throws -> Void) rethrows {
        let hasX2 = series.contains { $0.x2 != nil }
        let hasWallTime = series.contains { $0.wallTimes != nil }
        let labels = labelColumns(Set(series.flatMap { $0.labels.keys }))
        let labelKeys = labels.map(\.key)
        var header = leadingColumns
        if hasX2 { header.append("x2") }
        if hasWallTime { header.append("wall_time") }
        header += labels.map(\.column)
        var out = header.map(csvCell).joined(separator: ",") + "\n"
        // The text cells of a series are the same on every row: quoted once, then each row
        // appends its numbers between them (building and joining a row of strings per point
        // took 2.6 µs a point).
        for s in series {
            let prefix = csvCell(s.run) + "," + csvCell(s.metric) + ","
            let labelCells = labelKeys.map { "," + csvCell(s.labels[$0] ?? "") }.joined()
            let wallTimes = s.wallTimes.flatMap { $0.count == s.count ? $0 : nil }
            for i in 0..<s.count {
                out += prefix
                appendNumber(s.x[i], to: &out)
                out += ","
                appendNumber(s.values[i], to: &out)
                if hasX2 {
                    out += ","
                    if let x2 = s.x2 { appendNumber(x2[i], to: &out) }
                }
                if hasWallTime {
                    out += ","
                    if let wallTimes { appendNumber(wallTimes[i], to: &out) }
                }
                out += labelCells
                out += "\n"
                if out.utf8.count >= 1 << 20 {
                    try emit(out)
                    out = ""
                    out.reserveCapacity(1 << 20 + 4096)
                }
            }
        }
        try emit(out)
    }

    /// Column names the reader of the normal form gives a meaning (compared in lower case):
    /// a label of one of these names would be read back as that column.
    static let reservedColumns: Set<String> = ["run", "metric", "x", "value", "x2", "wall_time", "timestamp"]

    /// The label keys with the header name each is written under, in header order: a key
    /// that is a reserved column name (a `run` label from a table grouped by its `run`
    /// column) is written as `run.1` (`.2`, … if that is taken), as the CSV reader names a
    /// repeated header; the columns are sorted by the name as written, so a table written
    /// from its own read writes back byte-identical.
    static func labelColumns(_ keys: Set<String>) -> [(key: String, column: String)] {
        var taken = Set(keys.map { $0.lowercased() }).union(reservedColumns)
        var pairs: [(key: String, column: String)] = []
        for key in keys.sorted() {
            guard reservedColumns.contains(key.lowercased()) else { pairs.append((key, key)); continue }
            var n = 1
            while taken.contains("\(key).\(n)".lowercased()) { n += 1 }
            let column = "\(key).\(n)"
            taken.insert(column.lowercased())
            pairs.append((key, column))
        }
        func shown(_ text: String) -> String { VisibleText.escaped(text, keeping: "\t\n\r") }
        return pairs.sorted { shown($0.column) < shown($1.column) }
    }

    /// Appends ``number(_:)``'s spelling of `value` without making a string for it.
    @inline(__always)
    static func appendNumber(_ value: Double, to out: inout String) {
        if value.isFinite { value.write(to: &out) } else { out += number(value) }
    }

    /// A number as written in the normal form: shortest round-trip decimal; non-finite
    /// values are written as `nan`, `inf`, `-inf`.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return "\(value)"
    }

    /// A CSV cell, quoted when it holds a comma, quote, CR or LF (or leading/trailing space).
    /// Control characters other than tab, CR and LF are written as `\xHH` (``VisibleText``):
    /// a NUL would make the file binary, an escape sequence would drive a terminal that
    /// shows it. Such a cell reads back as its escaped text, which writes back unchanged.
    public static func csvCell(_ raw: String) -> String {
        let text = VisibleText.escaped(raw, keeping: "\t\n\r")
        let needsQuotes = text.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\t" }
            || text.first == " " || text.last == " "
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
