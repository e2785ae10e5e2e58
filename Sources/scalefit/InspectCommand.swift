import ArgumentParser
import Foundation
import Ingest
import ScalefitCore

/// `scalefit inspect PATH... [--json]`: what is in the logs before fitting them.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show the detected format, runs, metrics, x ranges, point counts and warnings of training logs.")

    @OptionGroup var input: IngestArguments

    @Flag(help: "Print one JSON document (schema_version 1) instead of a table.")
    var json = false

    func run() throws {
        // Streamed: memory does not grow with the file. The SHA-256 costs as much CPU as
        // the parse, so it is computed only for --json, whose "inputs" carry it.
        let result = try input.summarize(digest: json ? .concurrent : .none)
        if json {
            FileHandle.standardOutput.write(Data(result.jsonReport(toolVersion: ScalefitCommand.version, options: input.summary).utf8))
            return
        }
        var out = ""
        // The inputs as a tree: each folder named, then what was read in it and what was skipped.
        var roots: [String] = []
        for source in result.sources { if let root = source.root, !roots.contains(root) { roots.append(root) } }
        for skip in result.skipped { if let root = input.paths.first(where: { skip.path.hasPrefix($0) }), !roots.contains(root) { roots.append(root) } }
        func relative(_ path: String, _ root: String) -> String {
            String(path.dropFirst(root.count).drop { $0 == "/" })
        }
        for source in result.sources where source.root == nil {
            out += "\(source.path): \(source.format.rawValue), \(source.bytes) bytes"
            out += source.sha256.isEmpty ? "\n" : ", sha256 \(source.sha256)\n"
        }
        for root in roots {
            let read = result.sources.filter { $0.root == root }
            let skipped = result.skipped.filter { $0.path.hasPrefix(root) }
            out += "\(root)/ (folder: \(read.count) read, \(skipped.count) skipped)\n"
            for source in read {
                out += "  \(Terminal.visible(relative(source.path, root))): \(source.format.rawValue), \(source.bytes) bytes"
                out += source.sha256.isEmpty ? "\n" : ", sha256 \(source.sha256)\n"
            }
            for skip in skipped { out += "  skipped \(Terminal.visible(relative(skip.path, root))): \(skip.reason)\n" }
        }
        let header = ["run", "metric", "points", "x from", "x to", "first", "last", "min"]
        var rows: [[String]] = []
        for s in result.series {
            var metric = s.metric
            if s.hasBand { metric += " (min/max band)" }
            rows.append([s.run, metric, "\(s.count)", short(s.xFirst), short(s.xLast), short(s.valueFirst),
                         short(s.valueLast), short(s.valueMin)])
        }
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, cell in
                c >= 2 ? String(repeating: " ", count: widths[c] - cell.count) + cell : cell + String(repeating: " ", count: widths[c] - cell.count)
            }.joined(separator: "  ")
        }
        out += "\n" + line(header) + "\n"
        for row in rows { out += line(row) + "\n" }
        out += "\n\(result.series.count) series, \(result.series.reduce(0) { $0 + $1.count }) points, \(result.report.total) dropped, \(result.warnings.count) warnings\n"
        FileHandle.standardOutput.write(Data(VisibleText.escaped(out).utf8))
    }

    /// Text from a log shown on a terminal: control characters as visible escapes.
    enum Terminal {
        static func visible(_ text: String) -> String {
            guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
            return String(text.unicodeScalars.map { s in
                s.value < 0x20 || s.value == 0x7F ? "\\x" + String(format: "%02x", s.value) : String(s)
            }.joined())
        }
    }

    private func short(_ value: Double?) -> String {
        guard let value else { return "-" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.6g", value)
    }
}
