import Foundation
import ScalefitCore

/// Plain-text training logs: nanoGPT, build-nanogpt / llm.c, Megatron-LM, OLMo and
/// Hugging Face Trainer stdout dicts (shared/reference/log-formats.md §9).
///
/// Every line is cleaned first: ANSI colour codes, a `[date time]` prefix and a rank tag
/// (`1: `) are removed; lines from other code are ignored. Numbers may carry thousands
/// separators (`83,886,080`), units (`101.33ms`, `31.40%`) or an `a/b` pair (the first
/// is kept). Hand-written scanners, not regular expressions: the lines are simple, and a
/// 500 MB Megatron log then reads at disk speed.
enum TextLogReader {
    // MARK: Detection

    static func detect(lines: [String]) -> LogFormat? {
        var votes: [LogFormat: Int] = [:]
        for raw in lines {
            let line = clean(raw)
            if let format = lineFormat(line) { votes[format, default: 0] += 1 }
        }
        return votes.max { $0.value < $1.value || ($0.value == $1.value && $0.key.rawValue > $1.key.rawValue) }?.key
    }

    private static func lineFormat(_ line: Substring) -> LogFormat? {
        let lower = line.lowercased()
        if (lower.hasPrefix("step ") || lower.hasPrefix("iter ")), let colon = line.firstIndex(of: ":"),
           Int(line[line.index(line.startIndex, offsetBy: 5)..<colon].trimmingCharacters(in: .whitespaces)) != nil,
           !line[..<colon].contains("|") {
            return .nanogpt
        }
        if lower.hasPrefix("step"), let bar = line.firstIndex(of: "|"),
           Int(line[line.index(line.startIndex, offsetBy: 4)..<bar].trimmingCharacters(in: .whitespaces)) != nil {
            return .llmc
        }
        let words = line.split(separator: " ")
        if words.count == 3, Int(words[0]) != nil, words[1].allSatisfy({ $0.isLetter || $0 == "_" }), Double(words[2]) != nil {
            return .llmc
        }
        if line.contains("iteration") && line.contains("|") && (line.contains("/") || lower.contains("validation loss at")) {
            return .megatron
        }
        if line.contains("[step=") { return .olmo }
        if line.hasPrefix("{'") && line.hasSuffix("}") { return .hfStdout }
        return nil
    }

    /// The line without ANSI escapes, a leading `[timestamp]` and a rank tag.
    static func clean(_ raw: String) -> Substring {
        var text = raw
        if text.contains("\u{1B}") {
            var out = ""
            var escape = false
            for scalar in text.unicodeScalars {
                if escape {
                    if (scalar.value >= 0x40 && scalar.value <= 0x7E) && scalar != "[" { escape = false }
                    continue
                }
                if scalar == "\u{1B}" { escape = true; continue }
                out.unicodeScalars.append(scalar)
            }
            text = out
        }
        var line = Substring(text)
        while let first = line.first, first == " " || first == "\t" { line = line.dropFirst() }
        // A rank tag: "1: " (srun).
        if let colon = line.firstIndex(of: ":"), colon != line.startIndex, line[..<colon].allSatisfy(\.isNumber),
           line[line.index(after: colon)...].first == " " {
            line = line[line.index(after: colon)...].drop { $0 == " " }
        }
        // A timestamp prefix: "[2024-05-01 12:00:00] ".
        if line.first == "[", let close = line.firstIndex(of: "]"), line[line.index(after: line.startIndex)..<close].first?.isNumber == true,
           line[..<close].contains("-") || line[..<close].contains(":") {
            line = line[line.index(after: close)...].drop { $0 == " " }
        }
        while let last = line.last, last == " " || last == "\t" { line = line.dropLast() }
        return line
    }

    /// A number as logs print it: `7.812345E+00`, `83,886,080`, `101.33ms`, `31.40%`, `13100.0/13240.9`.
    static func number(_ text: Substring) -> Double? {
        var text = text.trimmingCharacters(in: .whitespaces)
        if let slash = text.firstIndex(of: "/") { text = String(text[..<slash]) }
        for unit in ["ms", "%", "s"] where text.hasSuffix(unit) {
            text = String(text.dropLast(unit.count))
            break
        }
        return NumberParser.parse(text) ?? Quantity.parse(text)
    }

    // MARK: Reading

    static func read(source: ByteSource, format: LogFormat, options: IngestOptions, into collector: SeriesCollector) throws {
        let lines = try LineReader(source: source)
        let run = Ingest.runName(for: source.path, options: options)
        var cache: [String: Int] = [:]
        var matched = 0
        func add(_ metric: String, _ x: Double, _ value: Double) {
            if let y = options.yColumn, y != metric { return }
            let index: Int
            if let found = cache[metric] { index = found } else {
                index = collector.index(run: run, metric: metric)
                cache[metric] = index
            }
            collector.append(index, x: x, value: value)
        }
        var olmoStep: Double?
        var hfOrder = 0
        while let bytes = try lines.next() {
            let line = clean(String(decoding: bytes, as: UTF8.self))
            if line.isEmpty { continue }
            switch format {
            case .nanogpt:
                // step 250: train loss 6.2031, val loss 6.2544 / iter 20: loss 8.1177, time 100.92ms, mfu 31.40%
                let lower = line.lowercased()
                guard lower.hasPrefix("step ") || lower.hasPrefix("iter "), let colon = line.firstIndex(of: ":"),
                      let x = Double(line[line.index(line.startIndex, offsetBy: 5)..<colon].trimmingCharacters(in: .whitespaces)) else { continue }
                let isEval = lower.hasPrefix("step")
                matched += 1
                for field in line[line.index(after: colon)...].split(separator: ",") {
                    let words = field.split(separator: " ")
                    guard words.count >= 2, let value = number(words[words.count - 1]) else { continue }
                    var name = words.dropLast().joined(separator: "_")
                    if name == "time" { name = "time_ms" }
                    if name == "mfu" && value < 0 { continue }  // -100% means "not measured yet"
                    add(isEval ? name : name, x, value)
                }
            case .llmc:
                let words = line.split(separator: " ")
                if words.count == 3, let x = Double(words[0]), let value = number(words[2]),
                   words[1].allSatisfy({ $0.isLetter || $0 == "_" }) {
                    matched += 1
                    add(String(words[1]), x, value)
                    continue
                }
                let parts = line.split(separator: "|")
                guard let first = parts.first, first.lowercased().hasPrefix("step"),
                      let x = Double(first.dropFirst(4).trimmingCharacters(in: .whitespaces)) else { continue }
                matched += 1
                for part in parts.dropFirst() {
                    let pair = part.replacingOccurrences(of: ":", with: " ").split(separator: " ")
                    guard pair.count >= 2, let value = number(pair[pair.count - 1]) else { continue }
                    var name = pair.dropLast().joined(separator: " ").lowercased()
                    if pair[pair.count - 1].hasSuffix("ms") { name += "_ms" }
                    add(name, x, value)
                }
            case .megatron:
                let parts = line.split(separator: "|")
                guard let first = parts.first else { continue }
                let head = first.trimmingCharacters(in: .whitespaces)
                var prefix = ""
                var x: Double?
                if head.hasPrefix("iteration") {
                    let rest = head.dropFirst("iteration".count)
                    let step = rest.split(separator: "/").first.map { $0.trimmingCharacters(in: .whitespaces) }
                    x = step.flatMap { Double($0) }
                } else if head.lowercased().hasPrefix("validation loss at iteration") {
                    let rest = head.dropFirst("validation loss at iteration".count).trimmingCharacters(in: .whitespaces)
                    let words = rest.split(separator: " ")
                    x = words.first.flatMap { Double($0) }
                    prefix = "validation/"
                    if words.count > 1 { prefix += words.dropFirst().joined(separator: " ").trimmingCharacters(in: CharacterSet(charactersIn: "[]")) + "/" }
                } else if head.lowercased().contains("validation loss at iteration") {
                    continue
                }
                guard let x else { continue }
                matched += 1
                for part in parts.dropFirst() {
                    guard let colon = part.lastIndex(of: ":") else { continue }
                    let name = part[..<colon].trimmingCharacters(in: .whitespaces)
                    guard !name.isEmpty, let value = number(part[part.index(after: colon)...]) else { continue }
                    add(prefix + name, x, value)
                }
            case .olmo:
                if let open = line.range(of: "[step=") {
                    let rest = line[open.upperBound...]
                    let digits = rest.prefix { $0.isNumber }
                    olmoStep = Double(digits)
                    matched += 1
                    continue
                }
                guard let x = olmoStep, let equals = line.firstIndex(of: "="), !line.contains(" ") || line.firstIndex(of: " ")! > equals else { continue }
                let name = String(line[..<equals])
                guard !name.isEmpty, !name.contains("["), let value = number(line[line.index(after: equals)...]) else { continue }
                add(name, x, value)
            case .hfStdout:
                guard line.hasPrefix("{"), line.hasSuffix("}") else { continue }
                var parser = JSONParser(bytes: Array(line.utf8), file: source.path, pythonLiterals: true, lineOffset: lines.lineNumber - 1)
                let entry = try parser.parseDocument()
                guard case .object(let members) = entry else { continue }
                matched += 1
                hfOrder += 1
                if entry["train_runtime"] != nil { continue }
                let xKey = options.xColumn ?? (entry["step"] != nil ? "step" : entry["epoch"] != nil ? "epoch" : "")
                let x = xKey.isEmpty ? Double(hfOrder) : entry[xKey]?.number
                guard let x else { collector.report.add(.missingX, source.path); continue }
                for member in members where member.key != xKey && member.key != "epoch" && member.key != "step" {
                    if let value = member.value.number { add(member.key, x, value) }
                }
            default:
                continue
            }
        }
        if matched == 0 {
            throw InputError(file: source.path, message: "no \(format.rawValue) log lines found (see log-formats in the Ingest guide for the shapes read)")
        }
        if format == .hfStdout && options.xColumn == nil {
            collector.warn("\(source.path): Trainer stdout has no step; x is the epoch (use trainer_state.json for steps)")
        }
    }
}

extension StringProtocol {
    fileprivate func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
