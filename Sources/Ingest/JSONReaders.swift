import Foundation
import ScalefitCore

/// Turns JSON records (objects) into points: wide (`{"_step": 100, "train/loss": 6.8}`) or
/// long (`{"run": …, "metric": …, "x": …, "value": …}`).
struct RecordReader {
    let path: String
    let options: IngestOptions
    let collector: SeriesCollector
    let defaultRun: String
    private var seriesCache: [String: Int] = [:]

    static let bookkeeping: Set<String> = DelimitedReader.bookkeeping.union(["run", "metric", "wall_time", "x2"])

    init(path: String, options: IngestOptions, collector: SeriesCollector) {
        self.path = path
        self.options = options
        self.collector = collector
        self.defaultRun = Ingest.runName(for: path, options: options)
    }

    /// Adds one record; `error` builds a positioned error for a field.
    mutating func add(_ record: JSONValue, error: (String, String) -> InputError) throws {
        guard case .object(let members) = record else { throw error("", "expected a JSON object (one record)") }
        func value(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }
        func number(_ key: String) throws -> Double? {
            guard let item = value(key) else { return nil }
            switch item {
            case .null: return nil
            case .number(let x): return x
            case .string(let text):
                if let x = NumberParser.parse(text) ?? Quantity.parse(text) { return x }
                if NumberParser.isMissing(text) { return nil }
                throw error(key, "expected a number, found \"\(text)\"")
            default: throw error(key, "expected a number")
            }
        }
        let xKey: String
        if let name = options.xColumn, value(name) != nil || name.lowercased() != "tokens" || options.tokensPerStep == nil {
            xKey = name
        } else {
            xKey = DelimitedReader.xPreference.first { value($0) != nil } ?? "step"
        }
        guard let x = try number(xKey) else {
            if value(xKey) == nil && options.xColumn == nil && !members.contains(where: { DelimitedReader.xPreference.contains($0.key) }) {
                throw error("", "expected an x key (\(DelimitedReader.xPreference.prefix(6).joined(separator: ", ")), …) in the record; name it with --x")
            }
            collector.report.add(.missingX, path)
            return
        }
        let x2 = try options.x2Column.flatMap { try number($0) } ?? (try number("x2"))
        let wall = try number("_timestamp") ?? (try number("wall_time"))
        var groupLabels: [String: String] = [:]
        for key in options.groupColumns {
            switch value(key) {
            case .string(let text): groupLabels[key] = text
            case .number(let x): groupLabels[key] = NormalForm.number(x)
            case .bool(let b): groupLabels[key] = String(b)
            default: groupLabels[key] = ""
            }
        }
        let groupRun = options.groupColumns.isEmpty ? defaultRun : options.groupColumns.map { groupLabels[$0] ?? "" }.joined(separator: "/")
        if case .string(let metric)? = value("metric"), value("value") != nil {
            var run = options.run ?? defaultRun
            if case .string(let name)? = value("run") { run = options.run ?? name }
            var labels = groupLabels
            for member in members where !["run", "metric", "value", "x", "x2", "wall_time", xKey].contains(member.key) {
                switch member.value {
                case .string(let text): labels[member.key] = text
                case .number(let n): labels[member.key] = NormalForm.number(n)
                default: break
                }
            }
            guard let y = try number("value") else { return }
            let index = collector.index(run: run, metric: metric, labels: labels)
            collector.append(index, x: x, value: y, x2: x2, wallTime: wall)
            return
        }
        for member in members where member.key != xKey && !Self.bookkeeping.contains(member.key.lowercased())
            && !options.groupColumns.contains(member.key) && member.key != options.x2Column {
            if let y = options.yColumn, member.key != y { continue }
            let y: Double
            switch member.value {
            case .number(let n): y = n
            case .string(let text):
                guard let n = NumberParser.parse(text) else { continue }
                y = n
            default: continue  // null, media dicts ({"_type": …}), lists
            }
            let cacheKey = groupRun + "\u{1F}" + member.key
            let index: Int
            if let found = seriesCache[cacheKey] {
                index = found
            } else {
                index = collector.index(run: options.run ?? groupRun, metric: member.key, labels: groupLabels)
                seriesCache[cacheKey] = index
            }
            collector.append(index, x: x, value: y, x2: x2, wallTime: wall)
        }
    }
}

/// One object per line (W&B `wandb-history.jsonl`, pandas `to_json(lines=True)`, long form).
enum JSONLinesReader {
    static func read(source: ByteSource, options: IngestOptions, into collector: SeriesCollector) throws {
        let lines = try LineReader(source: source)
        var records = RecordReader(path: source.path, options: options, collector: collector)
        while let line = try lines.next() {
            if line.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            var parser = JSONParser(bytes: line, file: source.path, lineOffset: lines.lineNumber - 1)
            let record = try parser.parseDocument()
            let number = lines.lineNumber
            try records.add(record) { field, message in
                InputError(file: source.path, line: number, column: 1, field: field.isEmpty ? nil : field, message: message,
                           sourceLine: String(decoding: line, as: UTF8.self))
            }
        }
    }
}

/// Whole JSON documents: TensorBoard's JSON download, Hugging Face `trainer_state.json`,
/// and an array of records.
enum JSONDocumentReader {
    static func read(source: ByteSource, format: LogFormat, options: IngestOptions, into collector: SeriesCollector) throws {
        let bytes = try source.readAll()
        var parser = JSONParser(bytes: bytes, file: source.path)
        let document = try parser.parseDocument()
        let path = source.path
        func error(_ field: String, _ message: String) -> InputError {
            InputError(file: path, field: field.isEmpty ? nil : field, message: message)
        }
        switch format {
        case .tensorboardJSON:
            guard case .array(let rows) = document else { throw error("", "expected an array of [wall_time, step, value]") }
            let (run, tag) = DelimitedReader.tensorboardNames(path: path, options: options)
            let index = collector.index(run: run, metric: tag)
            for (k, row) in rows.enumerated() {
                guard case .array(let cells) = row, cells.count == 3,
                      let wall = cells[0].number, let step = cells[1].number, let value = cells[2].number else {
                    throw error("[\(k)]", "expected [wall_time, step, value] (three numbers)")
                }
                collector.append(index, x: step, value: value, wallTime: wall)
            }
            if rows.count == 1000 {
                collector.warn("\(path): exactly 1000 points: TensorBoard keeps a 1000-point sample per tag by default; relaunch it with --samples_per_plugin=scalars=0 to export every point")
            }
        case .trainerState:
            try readTrainerState(document, path: path, options: options, into: collector)
        default:
            if document["log_history"] != nil {
                try readTrainerState(document, path: path, options: options, into: collector)
                return
            }
            guard case .array(let rows) = document else {
                throw error("", "expected an array of records, a trainer_state.json, or one object per line (JSONL)")
            }
            var records = RecordReader(path: path, options: options, collector: collector)
            for (k, row) in rows.enumerated() {
                try records.add(row) { field, message in error(field.isEmpty ? "[\(k)]" : "[\(k)].\(field)", message) }
            }
        }
    }

    /// `log_history` entries: training logs (`loss`, `grad_norm`, `learning_rate`),
    /// evaluations (`eval_*`) and the final summary (`train_loss`, `train_runtime`, …),
    /// which is left out: its `train_loss` is a whole-run mean, not a point on the curve.
    static func readTrainerState(_ document: JSONValue, path: String, options: IngestOptions, into collector: SeriesCollector) throws {
        guard case .array(let entries)? = document["log_history"] else {
            throw InputError(file: path, field: "log_history", message: "expected an array of log entries")
        }
        let run = Ingest.runName(for: path, options: options)
        let skipped: Set<String> = ["step", "epoch", "total_flos", "train_runtime", "train_samples_per_second",
                                    "train_steps_per_second", "train_loss", "num_input_tokens_seen"]
        var summaries = 0
        for (k, entry) in entries.enumerated() {
            guard case .object(let members) = entry else {
                throw InputError(file: path, field: "log_history[\(k)]", message: "expected an object")
            }
            if entry["train_runtime"] != nil { summaries += 1; continue }
            let xKey: String
            switch options.xColumn?.lowercased() {
            case nil, "step": xKey = "step"
            case "tokens": xKey = options.tokensPerStep == nil ? "num_input_tokens_seen" : "step"
            case let other?: xKey = other
            }
            guard let xValue = entry[xKey] else {
                throw InputError(file: path, field: "log_history[\(k)].\(xKey)", message: "expected a number, found nothing")
            }
            guard let x = xValue.number else {
                throw InputError(file: path, field: "log_history[\(k)].\(xKey)", message: "expected a number")
            }
            for member in members where !skipped.contains(member.key) && member.key != xKey {
                if let y = options.yColumn, member.key != y { continue }
                guard case .number(let value) = member.value else { continue }
                collector.append(collector.index(run: run, metric: member.key), x: x, value: value)
            }
        }
        if summaries > 0 && options.metric == nil {
            collector.warn("\(path): left out the run summary (train_loss is the whole-run mean, not a point on the curve)")
        }
    }
}
