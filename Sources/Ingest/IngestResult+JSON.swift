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
        var lines = JSONLines()
        for (k, s) in series.enumerated() {
            // The series' own text, escaped once rather than on every point.
            let head = "{\"run\": " + jsonStringLiteral(s.run) + ", \"metric\": " + jsonStringLiteral(s.metric) + ", \"x\": "
            let labels = s.labels.sorted { $0.key < $1.key }.map { ", " + jsonStringLiteral($0.key) + ": " + jsonStringLiteral($0.value) }.joined()
            let band = k < bands.count ? bands[k] : nil
            for i in 0..<s.count {
                lines.pending += head
                appendJSONNumber(s.x[i], to: &lines.pending)
                lines.pending += ", \"value\": "
                appendJSONNumber(s.values[i], to: &lines.pending)
                if let x2 = s.x2 { lines.pending += ", \"x2\": "; appendJSONNumber(x2[i], to: &lines.pending) }
                if let wall = s.wallTimes, i < wall.count { lines.pending += ", \"wall_time\": "; appendJSONNumber(wall[i], to: &lines.pending) }
                if let band, band.lower[i].isFinite || band.upper[i].isFinite {
                    lines.pending += ", \"min\": "
                    appendJSONNumber(band.lower[i], to: &lines.pending)
                    lines.pending += ", \"max\": "
                    appendJSONNumber(band.upper[i], to: &lines.pending)
                }
                lines.pending += labels
                lines.pending += "}"
                try lines.endLine(emit: emit)
            }
        }
        try lines.finish(emit: emit)
    }
}

extension IngestSummary {
    /// The `--json` report of `inspect` and `ingest` (see ``IngestResult/jsonReport(toolName:toolVersion:options:)``).
    public func jsonReport(toolName: String = "scalefit", toolVersion: String, options: [String: String] = [:]) -> String {
        func number(_ value: Double?) -> JSONNode { value.map(JSONNode.number) ?? .null }
        func strings(_ table: [String: String]) -> JSONNode {
            .object(table.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
        }
        let inputs: [JSONNode] = sources.map {
            .object([("path", .string($0.path)), ("sha256", .string($0.sha256)), ("format", .string($0.format.rawValue)), ("bytes", .integer($0.bytes))])
        }
        let records: [JSONNode] = series.map { s in
            var fields: [(String, JSONNode)] = [
                ("run", .string(s.run)), ("metric", .string(s.metric)), ("labels", strings(s.labels)),
                ("n_points", .integer(s.count)), ("x_min", number(s.xMin)), ("x_max", number(s.xMax)),
            ]
            if s.hasX2 { fields += [("x2_min", number(s.x2Min)), ("x2_max", number(s.x2Max))] }
            fields += [
                ("value_first", number(s.valueFirst)), ("value_last", number(s.valueLast)),
                ("value_min", number(s.valueMin)), ("value_max", number(s.valueMax)), ("band", .bool(s.hasBand)),
            ]
            return .object(fields)
        }
        let document: JSONNode = .object([
            ("schema_version", .integer(1)),
            ("tool", .object([("name", .string(toolName)), ("version", .string(toolVersion))])),
            ("inputs", .array(inputs)),
            ("options", strings(options)),
            ("series", .array(records)),
            ("dropped", .array(report.entries.map {
                .object([("reason", .string($0.reason.rawValue)), ("scope", .string($0.scope)), ("count", .integer($0.count))])
            })),
            ("dropped_total", .integer(report.total)),
            ("warnings", .array(warnings.map(JSONNode.string))),
            ("skipped", .array(skipped.map { .object([("path", .string($0.path)), ("reason", .string($0.reason))]) })),
        ])
        return document.rendered(layout: .oneRecordPerLine) + "\n"
    }
}
