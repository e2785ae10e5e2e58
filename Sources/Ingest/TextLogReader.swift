import Foundation
import ScalefitCore

/// Plain-text training logs: nanoGPT, build-nanogpt / llm.c (stdout and `main.log`),
/// Megatron-LM, OLMo and Hugging Face Trainer stdout dicts (docs/log-formats.md).
///
/// A line that a format's pattern recognises (its step prefix) but whose fields do not all
/// read (`train loss abc`, `val loss 2.9x`, bytes that are not UTF-8 after a value) keeps
/// the fields that did read and is counted (``DropReason/partialLine``), with its line
/// number in a warning: nothing is reduced silently.
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
           stepNumber(line[line.index(line.startIndex, offsetBy: 4)..<bar]) != nil {
            return .llmc
        }
        // llm.c's main.log: `s:12 trl:3.2810 …`, `s:12 tel:3.3012`
        if line.hasPrefix("s:"), let space = line.firstIndex(of: " "), Int(line[line.index(line.startIndex, offsetBy: 2)..<space]) != nil,
           line[space...].contains(":") {
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
        if let x = NumberParser.parse(text) { return x }
        // Thousands separators and a K/M/B/T suffix (`83,886,080`, `124M`), nothing else:
        // `2.9x` is not 2.9 (Quantity alone would drop the trailing word).
        var body = Substring(text)
        if let last = body.last, "KMBT".contains(last) { body = body.dropLast() }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && ($0.isNumber || ",_.eE+-".contains($0)) }) else { return nil }
        return Quantity.parse(text)
    }

    // MARK: Reading

    /// A field that a line's pattern announced but that did not read as a number.
    struct Partial: Error { var reason: String }

    /// A value token that must be a number whole (a unit as ``number(_:)`` allows, no trailing text).
    static func value(_ token: Substring, of name: String) throws -> Double {
        guard let x = number(token) else { throw Partial(reason: "\(name): expected a number, found \"\(token)\"") }
        return x
    }

    /// `step 12/5000` or `step 12`: the step (the part before `/`).
    static func stepNumber(_ text: Substring) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let step = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = step.first, step.count <= 2, let x = Double(first.trimmingCharacters(in: .whitespaces)) else { return nil }
        if step.count == 2, Int(step[1].trimmingCharacters(in: .whitespaces)) == nil { return nil }
        return x
    }

    /// llm.c's `main.log` names: `trl` train loss, `tel` validation loss, `eval` HellaSwag.
    static let mainLogNames = ["trl": "loss", "tel": "val_loss", "eval": "hellaswag"]

    static func read(source: ByteSource, format: LogFormat, options: IngestOptions, into collector: SeriesCollector) throws {
        let lines = try LineReader(source: source)
        let run = Ingest.runName(for: source.path, options: options)
        var cache: [String: Int] = [:]
        var labels: [String: String] = [:]
        var matched = 0
        var partialLines: [Int] = []
        var firstPartial = ""
        func add(_ metric: String, _ x: Double, _ value: Double) {
            if let y = options.yColumn, y != metric { return }
            let index: Int
            if let found = cache[metric] { index = found } else {
                index = collector.index(run: run, metric: metric, labels: labels)
                cache[metric] = index
            }
            collector.append(index, x: x, value: value)
        }
        func partial(_ reason: String) {
            if partialLines.isEmpty { firstPartial = "line \(lines.lineNumber): \(reason)" }
            partialLines.append(lines.lineNumber)
        }
        /// Runs `body` for one field; a field that does not read is noted, the line goes on.
        func field(_ body: () throws -> Void) {
            do { try body() } catch let failure as Partial { partial(failure.reason) } catch { partial("\(error)") }
        }
        var olmoStep: Double?
        var llmcStep: Double = 0  // the last `step N` printed: the x of llm.c's `val loss` lines
        var hfOrder = 0
        while let bytes = try lines.next() {
            let line = clean(String(decoding: bytes, as: UTF8.self))
            if line.isEmpty { continue }
            let partialBefore = partialLines.count
            defer {
                // One line counts once however many of its fields failed.
                if partialLines.count > partialBefore + 1 { partialLines.removeLast(partialLines.count - partialBefore - 1) }
            }
            switch format {
            case .nanogpt:
                // step 250: train loss 6.2031, val loss 6.2544 / iter 20: loss 8.1177, time 100.92ms, mfu 31.40%
                let lower = line.lowercased()
                guard lower.hasPrefix("step ") || lower.hasPrefix("iter "), let colon = line.firstIndex(of: ":"),
                      let x = Double(line[line.index(line.startIndex, offsetBy: 5)..<colon].trimmingCharacters(in: .whitespaces)) else { continue }
                matched += 1
                for part in line[line.index(after: colon)...].split(separator: ",") {
                    field {
                        let words = part.split(separator: " ")
                        guard words.count >= 2 else { throw Partial(reason: "expected \"<name> <number>\", found \"\(part.trimmingCharacters(in: .whitespaces))\"") }
                        var name = words.dropLast().joined(separator: "_")
                        let value = try value(words[words.count - 1], of: name)
                        if name == "time" { name = "time_ms" }
                        if name == "mfu" && value < 0 { return }  // -100% means "not measured yet"
                        add(name, x, value)
                    }
                }
            case .llmc:
                let words = line.split(separator: " ")
                if words.count == 3, let x = Double(words[0]), words[1].allSatisfy({ $0.isLetter || $0 == "_" }) {
                    // build-nanogpt's log.txt: `250 val 6.4410`
                    matched += 1
                    field { add(String(words[1]), x, try value(words[2], of: String(words[1]))) }
                    continue
                }
                if line.hasPrefix("s:"), let first = words.first, let x = Double(first.dropFirst(2)) {
                    // llm.c's main.log: `s:12 trl:3.2810 lr:0.000600 norm:0.41`
                    matched += 1
                    for pair in words.dropFirst() {
                        field {
                            guard let colon = pair.firstIndex(of: ":"), colon != pair.startIndex else {
                                throw Partial(reason: "expected \"<name>:<number>\", found \"\(pair)\"")
                            }
                            let key = String(pair[..<colon])
                            add(mainLogNames[key] ?? key, x, try value(pair[pair.index(after: colon)...], of: key))
                        }
                    }
                    continue
                }
                if line.hasPrefix("|") && line.hasSuffix("|") {
                    // llm.c's parameter table: `| num_parameters        | 124475904   |`
                    let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                    if cells.count == 2, cells[0] == "num_parameters", Int(cells[1]) != nil { labels["num_parameters"] = cells[1] }
                    continue
                }
                let lower = line.lowercased()
                if lower.hasPrefix("val loss ") {
                    // llm.c: `val loss 3.2810` at the step last printed (it runs before that step's update)
                    matched += 1
                    field { add("val_loss", llmcStep, try value(line.dropFirst("val loss ".count), of: "val loss")) }
                    continue
                }
                if lower.hasPrefix("hellaswag:"), let equals = line.firstIndex(of: "=") {
                    // llm.c: `HellaSwag: 2512/10042 = 0.250149`
                    matched += 1
                    field { add("hellaswag", llmcStep, try value(line[line.index(after: equals)...], of: "HellaSwag")) }
                    continue
                }
                let parts = line.split(separator: "|", omittingEmptySubsequences: false)
                guard let first = parts.first, first.lowercased().hasPrefix("step"),
                      let x = stepNumber(first.dropFirst(4)) else { continue }
                matched += 1
                llmcStep = x
                for part in parts.dropFirst() where !part.allSatisfy({ $0 == " " }) {
                    field { try llmcField(part, x: x, add: add) }
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
                for part in parts.dropFirst() where !part.allSatisfy({ $0 == " " }) {
                    field {
                        guard let colon = part.lastIndex(of: ":") else { throw Partial(reason: "expected \"<name>: <number>\", found \"\(part.trimmingCharacters(in: .whitespaces))\"") }
                        let name = part[..<colon].trimmingCharacters(in: .whitespaces)
                        guard !name.isEmpty else { throw Partial(reason: "a value without a name: \"\(part.trimmingCharacters(in: .whitespaces))\"") }
                        add(prefix + name, x, try value(part[part.index(after: colon)...], of: name))
                    }
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
                guard !name.isEmpty, !name.contains("[") else { continue }
                field { add(name, x, try value(line[line.index(after: equals)...], of: name)) }
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
                    switch member.value {
                    case .number(let value): add(member.key, x, value)
                    case .string(let text):
                        if let value = NumberParser.parse(text) { add(member.key, x, value) } else {
                            partial("\(member.key): expected a number, found \"\(text)\"")
                        }
                    default: break  // None, lists, dicts: not scalars
                    }
                }
            default:
                continue
            }
        }
        if matched == 0 {
            throw InputError(file: source.path, message: "no \(format.rawValue) log lines found (see log-formats in the Ingest guide for the shapes read)")
        }
        if !partialLines.isEmpty {
            collector.report.add(.partialLine, source.path, count: partialLines.count)
            let shown = partialLines.prefix(10).map(String.init).joined(separator: ", ") + (partialLines.count > 10 ? ", …" : "")
            collector.warn("\(source.path): \(partialLines.count) \(format.rawValue) line\(partialLines.count == 1 ? "" : "s") matched only partly (line\(partialLines.count == 1 ? "" : "s") \(shown)); the parts that did not read were skipped. First: \(firstPartial)")
        }
        if format == .hfStdout && options.xColumn == nil {
            collector.warn("\(source.path): Trainer stdout has no step; x is the epoch (use trainer_state.json for steps)")
        }
    }

    /// One `|`-separated field of a build-nanogpt or llm.c step line:
    /// `loss 3.28`, `norm: 0.41`, `dt 310.04ms`, `loss 3.281 (+0.05z)` (llm.c's z-score, kept
    /// as `loss_z`), `123.45 ms` (→ `time_ms`), `21.5% bf16 MFU` (→ `mfu`), `33000 tok/s`.
    static func llmcField(_ part: Substring, x: Double, add: (String, Double, Double) -> Void) throws {
        let words = part.replacingOccurrences(of: ":", with: " ").split(separator: " ")
        guard !words.isEmpty else { return }
        if number(words[0]) != nil, words.count >= 2 {
            // value first: `123.45 ms`, `21.5% bf16 MFU`, `33000 tok/s`
            let unit = words[words.count - 1].lowercased()
            add(unit == "ms" ? "time_ms" : unit, x, try value(words[0], of: unit))
            return
        }
        guard let k = words.firstIndex(where: { number($0) != nil }), k > 0 else {
            throw Partial(reason: "expected \"<name> <number>\", found \"\(part.trimmingCharacters(in: .whitespaces))\"")
        }
        var name = words[..<k].joined(separator: " ").lowercased()
        if words[k].hasSuffix("ms") { name += "_ms" }
        add(name, x, try value(words[k], of: name))
        let rest = words[(k + 1)...]
        guard !rest.isEmpty else { return }
        // llm.c's outlier z-score after the value: `(+1.25z)`, `(+nanz)` at the first steps.
        if rest.count == 1, let z = rest.first, z.hasPrefix("("), z.hasSuffix("z)") {
            add(name + "_z", x, try value(z.dropFirst().dropLast(2), of: name + " z-score"))
            return
        }
        throw Partial(reason: "\(name): unexpected \"\(rest.joined(separator: " "))\" after the value")
    }
}

extension StringProtocol {
    fileprivate func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
