import Foundation
import Testing
import ScalefitCore
@testable import Ingest

/// The one-pass row scan (`CSVTokenizer.scanPlainRow`, on by default) against the general
/// path (`IngestOptions.plainRows = false`): the same series bit for bit, the same bands,
/// drop report, warnings and errors, on seeded random files full of the cells that must
/// leave the scan (text, quotes, doubled quotes, line breaks in quotes, missing-value
/// spellings, spaces, CRLF, repeated headers, blank lines, short rows) and big enough that
/// rows straddle the tokenizer's buffer refills.
@Suite("plain-row scan")
struct PlainRowTests {
    typealias SplitMix64 = PropertyTests.SplitMix64

    /// A cell: mostly numbers in the spellings loggers print, sometimes something else.
    static func cell(_ rng: inout SplitMix64, quoteAll: Bool, oddity: Double) -> String {
        func number(_ rng: inout SplitMix64) -> String {
            switch Int.random(in: 0..<14, using: &rng) {
            case 0: return "\(Int.random(in: 0...99_999_999_999, using: &rng))"
            case 1: return String(format: "%.6f", Double.random(in: 0...20, using: &rng))
            case 2: return String(format: "%.6e", Double.random(in: -1e-3...1e-3, using: &rng))
            case 3:  // Python's repr, 17 digits
                return "\(Double.random(in: -1e6...1e6, using: &rng) * pow(10, Double(Int.random(in: -30...30, using: &rng))))"
            case 4: return String(format: "%.5f", Double.random(in: 0...2, using: &rng))
            case 5: return "-\(Int.random(in: 0...9, using: &rng)).\(Int.random(in: 0...999, using: &rng))"
            case 6: return "\(Int.random(in: 0...9, using: &rng))."
            case 7: return ".\(Int.random(in: 0...99, using: &rng))"
            case 8: return "\(Int.random(in: 1...9, using: &rng))E\(Int.random(in: -5...5, using: &rng))"
            case 9: return "12345678901234567890123"  // more than 19 digits
            case 10: return "0.000000000000000000000000123456789"
            case 11: return "1e-320"  // subnormal
            case 12: return "1e400"  // overflow
            default: return "123456789.987654321"
            }
        }
        let odd = ["", "", "", "nan", "NaN", "inf", "-Infinity", "NA", "null", "None", "-", "n/a", " 1.5", "2.5 ",
                   "+3", "1e", "1.2.3", "12abc", "text", "1,5", "x\"y", "5\"", "1e12345", "--1", "."]
        var text: String
        if Double.random(in: 0..<1, using: &rng) < oddity {
            text = odd.randomElement(using: &rng)!
        } else {
            text = number(&rng)
        }
        let quoted = quoteAll || text.contains(",") || text.contains("\"") || Int.random(in: 0..<20, using: &rng) == 0
        if quoted {
            if Double.random(in: 0..<1, using: &rng) < oddity / 4 { text += "\n2" }  // a line break inside quotes
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }

    /// A wide log: `columns` columns (the first the step), `rows` rows, with the odd row.
    static func wideFile(seed: UInt64, rows: Int, columns: Int, oddity: Double, quoteAll: Bool) -> String {
        var rng = SplitMix64(seed: seed)
        let names = (1..<columns).map { "m\($0)" }
        let header = (["step"] + names).map { quoteAll ? "\"\($0)\"" : $0 }.joined(separator: ",")
        var lines = [header]
        // Some columns start late (a metric logged from some step on) or log every few
        // steps (an eval loss), as Lightning's and W&B's sparse rows do.
        let starts = (1..<columns).map { _ in Int.random(in: 0..<3, using: &rng) == 0 ? Int.random(in: 0...max(rows / 2, 1), using: &rng) : 0 }
        let periods = (1..<columns).map { _ in Int.random(in: 0..<3, using: &rng) == 0 ? Int.random(in: 2...10, using: &rng) : 1 }
        for step in 0..<rows {
            let roll = Double.random(in: 0..<1, using: &rng)
            if roll < oddity / 20 { lines.append(header); continue }
            if roll < oddity / 10 { lines.append(""); continue }
            var cells = [quoteAll ? "\"\(step)\"" : "\(step)"]
            for c in 1..<columns {
                let logged = step >= starts[c - 1] && step % periods[c - 1] == 0
                cells.append(logged ? cell(&rng, quoteAll: quoteAll, oddity: oddity) : quoteAll ? "\"\"" : "")
            }
            lines.append(cells.joined(separator: ","))
        }
        let end = Int.random(in: 0..<3, using: &rng) == 0 ? "\r\n" : "\n"
        var text = lines.joined(separator: end)
        if Int.random(in: 0..<2, using: &rng) == 0 { text += end }
        return text
    }

    /// A W&B panel export: three runs, each with `__MIN`/`__MAX`, every cell quoted, sparse.
    static func panelFile(seed: UInt64, rows: Int, oddity: Double) -> String {
        var rng = SplitMix64(seed: seed)
        let runs = ["tiny-70M", "base - lr3e-4", "big"]
        var header = ["\"Step\""]
        for run in runs { header += ["\"\(run) - train/loss\"", "\"\(run) - train/loss__MIN\"", "\"\(run) - train/loss__MAX\""] }
        var lines = [header.joined(separator: ",")]
        for step in 0..<rows {
            var cells = ["\"\(step)\""]
            for k in runs.indices {
                if step % (k + 1) == 0 {
                    let value = Double.random(in: 2...11, using: &rng)
                    let differ = Int.random(in: 0..<4, using: &rng) == 0
                    cells += ["\"\(value)\"", "\"\(differ ? value - 0.01 : value)\"", "\"\(differ ? value + 0.01 : value)\""]
                    if Double.random(in: 0..<1, using: &rng) < oddity {
                        cells[cells.count - 1 - Int.random(in: 0..<3, using: &rng)] = cell(&rng, quoteAll: true, oddity: 1)
                    }
                } else {
                    cells += ["\"\"", "\"\"", "\"\""]
                }
            }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func sameDoubles(_ a: [Double]?, _ b: [Double]?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    /// Reads `path` with and without the scan, in full and as a summary, and expects the
    /// same answers (or the same error).
    static func expectSameReads(_ path: String, _ context: String, options base: IngestOptions = IngestOptions()) throws {
        var general = base
        general.plainRows = false
        let scanned = Result { try Ingest.read(paths: [path], options: base) }
        let plain = Result { try Ingest.read(paths: [path], options: general) }
        switch (scanned, plain) {
        case let (.success(a), .success(b)):
            #expect(a.series.count == b.series.count, "\(context): series count")
            for (s, t) in zip(a.series, b.series) {
                #expect(s.run == t.run && s.metric == t.metric && s.labels == t.labels, "\(context): names \(s.run)/\(s.metric)")
                #expect(sameDoubles(s.x, t.x) && sameDoubles(s.values, t.values) && sameDoubles(s.x2, t.x2)
                        && sameDoubles(s.wallTimes, t.wallTimes), "\(context): points of \(s.run)/\(s.metric)")
            }
            #expect(a.bands.count == b.bands.count, "\(context): bands")
            for (u, v) in zip(a.bands, b.bands) {
                #expect(sameDoubles(u?.lower, v?.lower) && sameDoubles(u?.upper, v?.upper), "\(context): band")
            }
            #expect(a.report == b.report, "\(context): drop report")
            #expect(a.warnings == b.warnings, "\(context): warnings")
        case let (.failure(e), .failure(f)):
            #expect("\(e)" == "\(f)", "\(context): errors differ")
        default:
            Issue.record("\(context): one read failed and the other did not: \(scanned) vs \(plain)")
        }
        let streamed = Result { try Ingest.summarize(paths: [path], options: base) }
        let streamedGeneral = Result { try Ingest.summarize(paths: [path], options: general) }
        switch (streamed, streamedGeneral) {
        case let (.success(a), .success(b)):
            SummaryTests.expectSame(a, b, context + " (summary)")
            #expect(a.streamed == b.streamed, "\(context): streamed")
        case let (.failure(e), .failure(f)):
            #expect("\(e)" == "\(f)", "\(context): summary errors differ")
        default:
            Issue.record("\(context): one summary failed and the other did not")
        }
    }

    @Test("clean wide logs, small and past several buffer refills", arguments: [(1, 50), (2, 3_000), (3, 60_000)])
    func clean(_ seed: Int, _ rows: Int) throws {
        let path = try Support.temporaryFile("clean.csv", Self.wideFile(seed: UInt64(seed), rows: rows, columns: 6,
                                                                          oddity: 0, quoteAll: false))
        try Self.expectSameReads(path, "clean \(seed)")
    }

    @Test("wide logs with odd cells, rows and line ends", arguments: 1...24)
    func odd(_ seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed) &* 7919)
        let rows = [20, 400, 40_000][seed % 3]
        let oddity = [0.002, 0.02, 0.2][seed % 4 % 3]
        let columns = Int.random(in: 2...9, using: &rng)
        let text = Self.wideFile(seed: UInt64(seed), rows: rows, columns: columns, oddity: oddity, quoteAll: seed % 5 == 0)
        let path = try Support.temporaryFile("odd.csv", text)
        try Self.expectSameReads(path, "odd \(seed)")
        var options = IngestOptions()
        options.repeatedSteps = [.first, .mean, .keep][seed % 3]
        options.minX = seed % 2 == 0 ? Double(rows / 3) : nil
        options.tokensPerStep = seed % 4 == 1 ? 2048 : nil
        try Self.expectSameReads(path, "odd \(seed) with options", options: options)
    }

    @Test("W&B panel exports with bands and odd cells", arguments: 1...8)
    func panel(_ seed: Int) throws {
        let text = Self.panelFile(seed: UInt64(seed), rows: [30, 30_000][seed % 2], oddity: [0, 0.01, 0.1][seed % 3])
        let path = try Support.temporaryFile("panel.csv", text)
        try Self.expectSameReads(path, "panel \(seed)")
    }

    @Test("every fixture reads the same with and without the scan", arguments: FixtureTests.good)
    func fixtures(_ answer: String) throws {
        let stem = Support.fixtures.appendingPathComponent(String(answer.dropLast(".expected.csv".count)))
        let input = try #require(FixtureTests.input(for: stem))
        try Self.expectSameReads(input.path, answer, options: try FixtureTests.options(for: stem))
    }

    @Test("the scan reads numbers as Record.double does, at every cell end", arguments: 1...4)
    func numbers(_ seed: Int) throws {
        // One column of values in every spelling, then a wall-clock column that full reads
        // keep: a value and its cell end are checked at every position in the buffer.
        var rng = SplitMix64(seed: UInt64(seed) &+ 99)
        var lines = ["step,value,wall_time"]
        for step in 0..<20_000 {
            lines.append("\(step),\(Self.cell(&rng, quoteAll: seed == 4, oddity: 0.05)),\(1_700_000_000 + step).25")
        }
        let path = try Support.temporaryFile("numbers.csv", lines.joined(separator: "\n") + "\n")
        try Self.expectSameReads(path, "numbers \(seed)")
    }
}
