import ScalefitCore

/// Text renderings of an ``IngestResult``: the `--json` report of `inspect` and `ingest`,
/// and the JSON Lines form of the series (`ingest -o tidy.jsonl`).
///
/// JSON numbers are plain JSON numbers in Swift's shortest round-trip form; a value that
/// is not finite is written as `null` (JSON has no NaN), with the reason in the drop report.
extension IngestResult {
    /// `{"schema_version": 1, "tool": {…}, "inputs": [{"path", "sha256", "format", "bytes"}],
    /// "series": [{"run", "metric", "labels", "n_points", "x_min", "x_max", "x2_min", "x2_max",
    /// "value_first", "value_last", "value_min", "value_max", "band"}], "dropped": [{"reason",
    /// "scope", "count"}], "dropped_total", "warnings": […], "skipped": [{"path", "reason"}]}`.
    public func jsonReport(toolName: String = "scalefit", toolVersion: String, options: [String: String] = [:]) -> String {
        summary.jsonReport(toolName: toolName, toolVersion: toolVersion, options: options)
    }

    /// One JSON object per point: `run`, `metric`, `x`, `value`, then `x2`, `wall_time`,
    /// `min`/`max` (a W&B band) when present, then the labels.
    public func jsonLines() -> String {
        var all = ""
        writeJSONLines { all += $0 }
        return all
    }

    /// ``jsonLines()`` handed to `emit` in pieces of about 1 MiB (see
    /// ``ScalefitCore/AtomicWriter/write(to:producing:)``).
    public func writeJSONLines(_ emit: (String) throws -> Void) rethrows {
        var out = ""
        for (k, s) in series.enumerated() {
            // The series' own text, escaped once rather than on every point.
            let head = "{\"run\": \(JSONText.string(s.run)), \"metric\": \(JSONText.string(s.metric)), \"x\": "
            let labels = s.labels.sorted { $0.key < $1.key }.map { ", \(JSONText.string($0.key)): \(JSONText.string($0.value))" }.joined()
            let band = k < bands.count ? bands[k] : nil
            for i in 0..<s.count {
                out += head
                JSONText.appendNumber(s.x[i], to: &out)
                out += ", \"value\": "
                JSONText.appendNumber(s.values[i], to: &out)
                if let x2 = s.x2 { out += ", \"x2\": "; JSONText.appendNumber(x2[i], to: &out) }
                if let wall = s.wallTimes, i < wall.count { out += ", \"wall_time\": "; JSONText.appendNumber(wall[i], to: &out) }
                if let band, band.lower[i].isFinite || band.upper[i].isFinite {
                    out += ", \"min\": "
                    JSONText.appendNumber(band.lower[i], to: &out)
                    out += ", \"max\": "
                    JSONText.appendNumber(band.upper[i], to: &out)
                }
                out += labels
                out += "}\n"
                if out.utf8.count >= 1 << 20 {
                    try emit(out)
                    out = ""
                }
            }
        }
        try emit(out)
    }
}

/// JSON spellings of strings and numbers.
public enum JSONText {
    /// A JSON string literal with the escapes RFC 8259 §7 requires.
    public static func string(_ text: String) -> String { jsonStringLiteral(text) }

    /// A JSON number, or `null` for a missing or non-finite value.
    public static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        return "\(value)"
    }

    /// Appends ``number(_:)``'s spelling of `value` without making a string for it.
    @inline(__always)
    static func appendNumber(_ value: Double, to out: inout String) {
        if value.isFinite { value.write(to: &out) } else { out += "null" }
    }
}

extension IngestSummary {
    /// The `--json` report of `inspect` and `ingest` (see ``IngestResult/jsonReport(toolName:toolVersion:options:)``).
    public func jsonReport(toolName: String = "scalefit", toolVersion: String, options: [String: String] = [:]) -> String {
        var out = "{\n  \"schema_version\": 1,\n"
        out += "  \"tool\": {\"name\": \(JSONText.string(toolName)), \"version\": \(JSONText.string(toolVersion))},\n"
        out += "  \"inputs\": [" + sources.map {
            "\n    {\"path\": \(JSONText.string($0.path)), \"sha256\": \(JSONText.string($0.sha256)), \"format\": \(JSONText.string($0.format.rawValue)), \"bytes\": \($0.bytes)}"
        }.joined(separator: ",") + (sources.isEmpty ? "],\n" : "\n  ],\n")
        out += "  \"options\": {" + options.sorted { $0.key < $1.key }.map { "\(JSONText.string($0.key)): \(JSONText.string($0.value))" }.joined(separator: ", ") + "},\n"
        var items: [String] = []
        for s in series {
            var fields = [
                "\"run\": \(JSONText.string(s.run))", "\"metric\": \(JSONText.string(s.metric))",
                "\"labels\": {" + s.labels.sorted { $0.key < $1.key }.map { "\(JSONText.string($0.key)): \(JSONText.string($0.value))" }.joined(separator: ", ") + "}",
                "\"n_points\": \(s.count)",
                "\"x_min\": \(JSONText.number(s.xMin))", "\"x_max\": \(JSONText.number(s.xMax))",
            ]
            if s.hasX2 {
                fields += ["\"x2_min\": \(JSONText.number(s.x2Min))", "\"x2_max\": \(JSONText.number(s.x2Max))"]
            }
            fields += [
                "\"value_first\": \(JSONText.number(s.valueFirst))", "\"value_last\": \(JSONText.number(s.valueLast))",
                "\"value_min\": \(JSONText.number(s.valueMin))", "\"value_max\": \(JSONText.number(s.valueMax))",
                "\"band\": \(s.hasBand ? "true" : "false")",
            ]
            items.append("\n    {" + fields.joined(separator: ", ") + "}")
        }
        out += "  \"series\": [" + items.joined(separator: ",") + (items.isEmpty ? "],\n" : "\n  ],\n")
        out += "  \"dropped\": [" + report.entries.map {
            "\n    {\"reason\": \(JSONText.string($0.reason.rawValue)), \"scope\": \(JSONText.string($0.scope)), \"count\": \($0.count)}"
        }.joined(separator: ",") + (report.entries.isEmpty ? "],\n" : "\n  ],\n")
        out += "  \"dropped_total\": \(report.total),\n"
        out += "  \"warnings\": [" + warnings.map { "\n    " + JSONText.string($0) }.joined(separator: ",") + (warnings.isEmpty ? "],\n" : "\n  ],\n")
        out += "  \"skipped\": [" + skipped.map {
            "\n    {\"path\": \(JSONText.string($0.path)), \"reason\": \(JSONText.string($0.reason))}"
        }.joined(separator: ",") + (skipped.isEmpty ? "]\n" : "\n  ]\n")
        return out + "}\n"
    }

}
