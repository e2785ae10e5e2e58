import Foundation
import ScalefitCore

/// A table of text cells: the header and the rows of a delimited file.
public struct Table: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]
    public init(header: [String], rows: [[String]]) { self.header = header; self.rows = rows }

    /// The index of the column named `name` (exact match first, then ignoring case).
    public func column(_ name: String) -> Int? {
        header.firstIndex(of: name) ?? header.firstIndex { $0.lowercased() == name.lowercased() }
    }
}

/// Reading training logs into ``ScalefitCore/Series``: the entry point of every command.
public enum Ingest {
    /// Reads every path and returns the series in normal form, what was dropped, and
    /// where each input came from.
    ///
    /// Each path is a file, a folder (an MLflow `mlruns` tree, a folder of tfevents files,
    /// a Trainer output folder) or `-` for standard input. The format is detected from the
    /// content unless `options.format` says otherwise.
    /// - Throws: ``ScalefitCore/InputError`` (file, line, column, caret) for bad input;
    ///   ``ScalefitCore/UsageError`` for options that do not fit the data (e.g. `--x`
    ///   naming a column the file lacks).
    public static func read(paths: [String], options: IngestOptions) throws -> IngestResult {
        guard !paths.isEmpty else { throw UsageError("no input: give at least one file, folder or - for standard input") }
        let collector = SeriesCollector(options: options)
        let (sources, skipped) = try readAll(paths: paths, options: options, into: collector)
        let (series, bands) = try collector.finish(options: options)
        if series.isEmpty { throw noSeries(paths: paths, sources: sources, skipped: skipped, report: collector.report) }
        var result = IngestResult(series: series, bands: bands, report: collector.report, sources: sources,
                                  warnings: collector.warnings, skipped: skipped)
        // The x column's name, when every input was a table that named it alike (and not the
        // normal form's own "x"): plots label their axis with it.
        if let first = collector.xColumns.first, collector.xColumns.count == sources.count,
           collector.xColumns.allSatisfy({ $0 == first }), first.lowercased() != "x" {
            result.xColumn = first
        }
        return result
    }

    /// What ``read(paths:options:)`` would find, summarised per series (count, x range,
    /// first, last, min and max value), with memory that does not grow with the input.
    ///
    /// Points are folded into running figures as they stream. That is exact while each
    /// series' points arrive in x order (a log as written); the first point out of order
    /// (a restart that goes back in steps, rows shuffled) makes it read the inputs again
    /// keeping the points, as ``read(paths:options:)`` does, so the answer is the same
    /// either way. Standard input (which cannot be read twice) and `stitch` always keep
    /// the points. ``IngestSummary/streamed`` tells which way it went.
    public static func summarize(paths: [String], options: IngestOptions) throws -> IngestSummary {
        guard !paths.isEmpty else { throw UsageError("no input: give at least one file, folder or - for standard input") }
        if options.stitch || paths.contains("-") { return try read(paths: paths, options: options).summary }
        let collector = SeriesCollector(options: options, summaryMode: true)
        let sources: [SourceInfo], skipped: [SkippedInput]
        do {
            (sources, skipped) = try readAll(paths: paths, options: options, into: collector)
        } catch is NeedsPoints {
            return try read(paths: paths, options: options).summary
        }
        let series = try collector.finishSummary(options: options)
        if series.isEmpty { throw noSeries(paths: paths, sources: sources, skipped: skipped, report: collector.report) }
        return IngestSummary(series: series, report: collector.report, sources: sources, warnings: collector.warnings,
                             streamed: true, skipped: skipped)
    }

    /// Reads every input (files, and what the folders hold) into `collector`: each file or
    /// run folder is its own source, so series of different inputs are never merged.
    private static func readAll(paths: [String], options: IngestOptions, into collector: SeriesCollector) throws
        -> (sources: [SourceInfo], skipped: [SkippedInput]) {
        collector.metricFilter = options.metrics
        var (items, skipped) = try FolderWalk.expand(paths, options: options)
        var sources: [SourceInfo] = []
        for (k, item) in items.enumerated() {
            collector.source = k
            collector.sourcePaths[k] = item.path
            collector.origin = origin(of: item)
            // A file's name tells it from another file of the same run (a run's event
            // files given one by one) where nothing above it does.
            collector.identity = item.folderFormat == nil && item.path != "-" ? URL(fileURLWithPath: item.path).lastPathComponent : ""
            do {
                sources.append(try readOne(item: item, options: options, into: collector))
            } catch let error as InputError where item.root != nil && !options.strict {
                skipped.append(SkippedInput(path: item.path, reason: "a bad file: \(error.description)"))
            } catch let error as UsageError where item.root != nil && !options.strict {
                skipped.append(SkippedInput(path: item.path, reason: error.message))
            }
            if collector.summaryMode && collector.needsPoints { throw NeedsPoints() }
        }
        for pattern in options.metrics where !collector.seenMetrics.contains(where: { MetricPattern.matches(pattern, $0) }) {
            let known = collector.seenMetrics.sorted()
            throw UsageError("no series has the metric \"\(pattern)\"; found: \(known.joined(separator: ", "))")
        }
        return (sources, skipped)
    }

    /// The folders above an input, outermost first, without the `checkpoint-N` folder a
    /// Trainer state sits in: what tells two runs of one name apart (see
    /// ``SeriesCollector/uniqueNames(_:)``).
    static func origin(of item: FolderWalk.Item) -> [String] {
        if item.path == "-" { return [] }
        let url = URL(fileURLWithPath: item.path).standardizedFileURL
        var folders = (item.folderFormat == nil ? url.deletingLastPathComponent() : url.deletingLastPathComponent()).pathComponents
        if folders.first == "/" { folders.removeFirst() }
        while let last = folders.last, isCheckpointFolder(last) { folders.removeLast() }
        return folders
    }

    static func isCheckpointFolder(_ name: String) -> Bool {
        name.hasPrefix("checkpoint-") && !name.dropFirst("checkpoint-".count).isEmpty
            && name.dropFirst("checkpoint-".count).allSatisfy(\.isNumber)
    }

    /// The error for a read that found no series at all (a header-only file, no numeric
    /// column, a delimiter that matches nothing): nothing is written, exit status 2.
    static func noSeries(paths: [String], sources: [SourceInfo], skipped: [SkippedInput], report: DropReport) -> InputError {
        var message = "no series found"
        if sources.count == 1, let only = sources.first {
            message += " (read as \(only.format.rawValue))"
        }
        message += ": nothing to write"
        if report.total > 0 { message += "; dropped: " + report.lines.prefix(3).joined(separator: "; ") }
        if !skipped.isEmpty { message += "; skipped: " + skipped.prefix(3).map { "\($0.path) (\($0.reason))" }.joined(separator: "; ") }
        message += ". A table needs a header and at least one row with a numeric x and a numeric value; inspect shows what was found"
        return InputError(file: paths.count == 1 ? paths[0] : paths.joined(separator: ", "), message: message)
    }

    /// Thrown by a reader in summary mode once a point came out of x order: the caller
    /// reads again keeping the points.
    struct NeedsPoints: Error {}

    /// Reads a delimited file (CSV, TSV, any delimiter sniffed from the first line) as text cells.
    ///
    /// The first non-blank record is the header; blank lines are skipped.
    /// - Throws: ``ScalefitCore/InputError`` for an unterminated quote, or a row with more
    ///   or fewer cells than the header.
    public static func readTable(path: String, delimiter: UInt8? = nil) throws -> Table {
        let tokenizer = try CSVTokenizer(source: ByteSource(path: path), delimiter: delimiter)
        var header: [String]?
        var rows: [[String]] = []
        while try tokenizer.next() {
            if tokenizer.isBlank { continue }
            guard let header else {
                header = tokenizer.strings()
                continue
            }
            if tokenizer.count != header.count {
                throw tokenizer.errorAtRecord("expected \(header.count) cells as in the header, found \(tokenizer.count)")
            }
            rows.append(tokenizer.strings())
        }
        guard let header else { throw InputError(file: path, line: 1, column: 1, message: "the file is empty; expected a header line") }
        return Table(header: header, rows: rows)
    }

    /// The format of the file or folder at `path`, as ``read(paths:options:)`` would detect it.
    public static func detectFormat(path: String) throws -> LogFormat {
        if isFolder(path) { return try detectFolder(path) }
        let source = try ByteSource(path: path)
        return try detect(head: source.peek(64 * 1024), path: path)
    }

    // MARK: Dispatch

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return path != "-" && FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func readOne(item: FolderWalk.Item, options: IngestOptions, into collector: SeriesCollector) throws -> SourceInfo {
        var info = try readOne(path: item.path, folderFormat: item.folderFormat, options: options, into: collector)
        info.root = item.root
        return info
    }

    private static func readOne(path: String, folderFormat: LogFormat? = nil, options: IngestOptions, into collector: SeriesCollector) throws -> SourceInfo {
        if isFolder(path) {
            let format = try folderFormat ?? options.format ?? detectFolder(path)
            switch format {
            case .mlflow: return try MLflowReader.read(folder: ProjectStores.mlruns(in: path) ?? path, options: options, into: collector)
            case .mlflowDB, .wandbOffline: return try ProjectStores.read(folder: path, format: format, options: options, into: collector)
            case .tfevents: return try TFEventsReader.read(folder: path, options: options, into: collector)
            case .trainerState:
                let file = try trainerStateFile(in: path)
                var info = try readOne(path: file, options: options, into: collector)
                info.path = path
                return info
            default:
                throw InputError(file: path, message: "is a folder; --format \(format.rawValue) reads a file")
            }
        }
        let source = try ByteSource(path: path, digest: options.digest)
        let head = try source.peek(64 * 1024)
        let format = try options.format ?? detect(head: head, path: path)
        if let forced = options.format, !LogFormat.binary.contains(forced) {
            try BinaryFormats.requireText(head: head, path: path, format: forced)
        }
        switch format {
        case .csv, .wandbPanel, .wandbRuns, .wandbHistory, .tensorboardCSV, .lightning, .sweep:
            try DelimitedReader.read(source: source, format: format, options: options, into: collector)
        case .json, .tensorboardJSON, .trainerState:
            try JSONDocumentReader.read(source: source, format: format, options: options, into: collector)
        case .jsonl:
            try JSONLinesReader.read(source: source, options: options, into: collector)
        case .tfevents:
            try TFEventsReader.read(source: source, run: runName(for: path, options: options), options: options, into: collector)
        case .nanogpt, .llmc, .megatron, .olmo, .hfStdout:
            try TextLogReader.read(source: source, format: format, options: options, into: collector)
        case .mlflowDB:
            try MLflowSQLiteReader.read(source: source, options: options, into: collector)
        case .wandbOffline:
            try WandbOfflineReader.read(source: source, options: options, into: collector)
        case .mlflow:
            throw InputError(file: path, message: "--format mlflow reads a folder (mlruns/ or one experiment or run in it), not a file")
        }
        let digest = try source.finish()
        return SourceInfo(path: path, format: format, sha256: digest, bytes: source.byteCount)
    }

    /// The run name a file gives: its name without extension, or its folder's name when
    /// the file has a generic name (`metrics.csv` in `version_3/` is run `version_3`).
    static func runName(for path: String, options: IngestOptions) -> String {
        if let run = options.run { return run }
        if path == "-" { return "stdin" }
        let url = URL(fileURLWithPath: path)
        var stem = url.deletingPathExtension().lastPathComponent
        if stem.hasSuffix(".csv") || stem.hasSuffix(".json") { stem = URL(fileURLWithPath: stem).deletingPathExtension().lastPathComponent }
        let generic: Set<String> = ["metrics", "log", "logs", "train", "history", "trainer_state", "output", "stdout", "events", "scalars", "data", "results"]
        if generic.contains(stem.lowercased()) || stem.hasPrefix("events.out.tfevents") {
            // A Trainer's checkpoint-N/trainer_state.json names its output folder's run.
            var folder = url.deletingLastPathComponent()
            if isCheckpointFolder(folder.lastPathComponent) { folder = folder.deletingLastPathComponent() }
            let parent = folder.lastPathComponent
            if !parent.isEmpty && parent != "." && parent != "/" && parent != ".." { return parent }
        }
        return stem
    }

    // MARK: Detection

    private static func detectFolder(_ path: String) throws -> LogFormat {
        let manager = FileManager.default
        let entries = (try? manager.contentsOfDirectory(atPath: path)) ?? []
        if entries.contains("trainer_state.json") { return .trainerState }
        if MLflowReader.looksLikeStore(path) { return .mlflow }
        if let walker = manager.enumerator(atPath: path) {
            for case let entry as String in walker where URL(fileURLWithPath: entry).lastPathComponent.contains("tfevents") {
                return .tfevents
            }
        }
        if entries.contains(where: { $0.hasPrefix("checkpoint-") }) { return .trainerState }
        if let format = ProjectStores.find(in: path) { return format }
        throw InputError(file: path, message: "a folder with no logs scalefit knows: expected an MLflow mlruns tree or mlflow.db, W&B offline runs (wandb/), tfevents files or trainer_state.json")
    }

    private static func trainerStateFile(in folder: String) throws -> String {
        let top = (folder as NSString).appendingPathComponent("trainer_state.json")
        if FileManager.default.fileExists(atPath: top) { return top }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let best = entries.compactMap { name -> (Int, String)? in
            guard name.hasPrefix("checkpoint-"), let step = Int(name.dropFirst("checkpoint-".count)) else { return nil }
            let file = ((folder as NSString).appendingPathComponent(name) as NSString).appendingPathComponent("trainer_state.json")
            return FileManager.default.fileExists(atPath: file) ? (step, file) : nil
        }.max { $0.0 < $1.0 }
        guard let best else { throw InputError(file: folder, message: "no trainer_state.json in this folder or its checkpoint-* folders") }
        return best.1
    }

    /// The format of a file from its first bytes (and its name, for tfevents).
    static func detect(head: [UInt8], path: String) throws -> LogFormat {
        let name = URL(fileURLWithPath: path).lastPathComponent
        if name.contains("tfevents") || TFEventsReader.looksLikeRecord(head) { return .tfevents }
        if let binary = try BinaryFormats.classify(head: head, path: path) { return binary }
        var body = head[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            throw InputError(file: path, line: 1, column: 1, message: "the file is UTF-16; save it as UTF-8")
        }
        if head.isEmpty { throw InputError(file: path, message: "the file is empty") }
        if let zero = head.prefix(8192).firstIndex(of: 0) {
            throw InputError(file: path, message: "expected text, found binary data (a NUL byte at byte \(zero)); tfevents files need \"tfevents\" in their name or --format tfevents")
        }
        let text = String(decoding: body, as: UTF8.self)
        let firstNonSpace = text.first { !$0.isWhitespace }
        if firstNonSpace == "[" {
            let afterBracket = text.drop { $0 != "[" }.dropFirst().first { !$0.isWhitespace }
            if afterBracket == "[" { return .tensorboardJSON }
            if afterBracket == "{" || afterBracket == "]" { return .json }
        }
        // Split on the bytes, not on Characters (which paid grapheme breaking on all 64 KiB:
        // 10 ms a file); line breaks are never part of a larger cluster, so the lines are the same.
        var lines = body.split(omittingEmptySubsequences: true) { $0 == 10 || $0 == 13 }.map { String(decoding: $0, as: UTF8.self) }
        if head.count == 64 * 1024, lines.count > 1 { lines.removeLast() }  // maybe cut short
        if firstNonSpace == "{" {
            if text.contains("\"log_history\"") { return .trainerState }
            if lines.first?.hasPrefix("{'") == true { return .hfStdout }
            let objectLines = lines.filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("{") && $0.trimmingCharacters(in: .whitespaces).hasSuffix("}") }
            return objectLines.count >= 1 && objectLines.count == lines.count ? .jsonl : .json
        }
        if let logFormat = TextLogReader.detect(lines: Array(lines.prefix(200))) { return logFormat }
        return DelimitedReader.detect(head: Array(body), path: path)
    }
}
