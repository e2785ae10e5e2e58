import Foundation
import Testing
import ScalefitCore
@testable import Ingest

/// Properties over seeded random series (SplitMix64, so every failure replays).
@Suite("properties")
struct PropertyTests {
    /// The seeded generator of ScalefitCore (SplitMix64).
    typealias SplitMix64 = SeededRandom

    static func randomSeries(seed: UInt64) -> [Series] {
        var rng = SplitMix64(seed: seed)
        var out: [Series] = []
        let names = ["a", "b - c", "run, with comma", "quote\"d", "ünï"]
        for k in 0..<Int.random(in: 1...4, using: &rng) {
            let n = Int.random(in: 1...30, using: &rng)
            let xs = Set((0..<n).map { _ in Double(Int.random(in: 0...100_000, using: &rng)) * 0.5 }).sorted()
            let values = xs.map { _ in Double.random(in: -1e6...1e6, using: &rng) * pow(10, Double(Int.random(in: -12...12, using: &rng))) }
            let labels: [String: String] = k % 2 == 0 ? ["generation": "\(k)"] : [:]
            out.append(Series(run: names[k], metric: "m\(k)", x: xs, values: values, labels: labels))
        }
        return out
    }

    @Test("export → ingest round-trips: NormalForm.csv read back gives the same series", arguments: 1...40)
    func roundTrip(_ seed: Int) throws {
        let series = Self.randomSeries(seed: UInt64(seed))
        let path = try Support.temporaryFile("tidy.csv", NormalForm.csv(series))
        let back = try Ingest.read(paths: [path], options: IngestOptions()).series
        func key(_ s: Series) -> String { s.run + "\u{1F}" + s.metric }
        let expected = series.map { s -> Series in
            var s = s
            // Every series carries every label column in the CSV; empty cells are no label.
            s.labels = s.labels.filter { !$0.value.isEmpty }
            return s
        }.sorted { key($0) < key($1) }
        #expect(back.sorted { key($0) < key($1) } == expected)
    }

    @Test("the normal form goes out in pieces of about 1 MiB that join to the whole table")
    func streamedTable() throws {
        let n = 120_000
        let series = [Series(run: "a, b", metric: "loss", x: (0..<n).map { Double($0) }, values: (0..<n).map { 1 / Double($0 + 1) },
                             labels: ["seed": "1"])]
        var pieces: [String] = []
        NormalForm.writeCSV(series) { pieces.append($0) }
        #expect(pieces.count > 1)
        #expect(pieces.dropLast().allSatisfy { $0.utf8.count >= 1 << 20 && $0.utf8.count < (1 << 20) + 200 })
        #expect(pieces.joined() == NormalForm.csv(series))
        let result = IngestResult(series: series, bands: [nil], report: DropReport(), sources: [], warnings: [])
        var lines: [String] = []
        result.writeJSONLines { lines.append($0) }
        #expect(lines.count > 1 && lines.joined() == result.jsonLines())
        let path = try Support.temporaryFile("tidy.csv", pieces.joined())
        #expect(try Ingest.read(paths: [path], options: IngestOptions()).series == series)
    }

    @Test("JSON Lines export round-trips too", arguments: 1...10)
    func roundTripJSONL(_ seed: Int) throws {
        let series = Self.randomSeries(seed: UInt64(seed) + 1000)
        let result = IngestResult(series: series, bands: series.map { _ in nil }, report: DropReport(), sources: [], warnings: [])
        let path = try Support.temporaryFile("tidy.jsonl", result.jsonLines())
        let back = try Ingest.read(paths: [path], options: IngestOptions()).series
        func key(_ s: Series) -> String { s.run + "\u{1F}" + s.metric }
        #expect(back.sorted { key($0) < key($1) } == series.sorted { key($0) < key($1) })
    }

    @Test("row order does not change the result", arguments: 1...20)
    func rowOrder(_ seed: Int) throws {
        let csv = NormalForm.csv(Self.randomSeries(seed: UInt64(seed) + 5000))
        var lines = csv.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let header = lines.removeFirst()
        var rng = SplitMix64(seed: UInt64(seed))
        lines.shuffle(using: &rng)
        let original = try Ingest.read(paths: [Support.temporaryFile("a.csv", csv)], options: IngestOptions()).series
        let shuffled = try Ingest.read(paths: [Support.temporaryFile("a.csv", ([header] + lines).joined(separator: "\n") + "\n")], options: IngestOptions()).series
        #expect(original == shuffled)
    }

    @Test("\"1.3B\" is 1.3e9 wherever it appears: a sweep cell, with a space, in lower case")
    func billions() throws {
        let path = try Support.temporaryFile("s.csv", "params,loss\n1.3B,3.0\n1.3 b,2.0\n")
        var options = IngestOptions()
        options.repeatedSteps = .keep
        let result = try Ingest.read(paths: [path], options: options)
        #expect(result.series.first?.x == [1.3e9, 1.3e9])
    }
}
