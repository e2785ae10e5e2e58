import Foundation
import Testing
import ScalefitCore
@testable import Ingest

/// `Ingest.summarize` (streaming, no points kept) against `Ingest.read(...).summary` (every
/// point kept, then cleaned up): the same figures, drop report and warnings, bit for bit.
@Suite("streamed summaries")
struct SummaryTests {
    static func same(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?): return x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN)
        default: return false
        }
    }

    static func expectSame(_ streamed: IngestSummary, _ full: IngestSummary, _ context: String) {
        #expect(streamed.series.count == full.series.count, "\(context): series count")
        for (s, f) in zip(streamed.series, full.series) {
            #expect(s.run == f.run && s.metric == f.metric && s.labels == f.labels, "\(context): names")
            #expect(s.count == f.count, "\(context): \(f.run)/\(f.metric) count \(s.count) vs \(f.count)")
            #expect(s.hasX2 == f.hasX2 && s.hasBand == f.hasBand, "\(context): \(f.run)/\(f.metric) x2 or band")
            for (name, a, b) in [("x first", s.xFirst, f.xFirst), ("x last", s.xLast, f.xLast), ("x min", s.xMin, f.xMin),
                                 ("x max", s.xMax, f.xMax), ("x2 min", s.x2Min, f.x2Min), ("x2 max", s.x2Max, f.x2Max),
                                 ("value first", s.valueFirst, f.valueFirst), ("value last", s.valueLast, f.valueLast),
                                 ("value min", s.valueMin, f.valueMin), ("value max", s.valueMax, f.valueMax)] {
                #expect(same(a, b), "\(context): \(f.run)/\(f.metric) \(name) \(String(describing: a)) vs \(String(describing: b))")
            }
        }
        #expect(streamed.report == full.report, "\(context): drop report")
        #expect(streamed.warnings == full.warnings, "\(context): warnings")
        #expect(streamed.sources == full.sources, "\(context): sources")
        #expect(streamed.jsonReport(toolVersion: "t") == full.jsonReport(toolVersion: "t"), "\(context): JSON")
    }

    static func temporaryFile(_ name: String, _ text: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalefit-summary-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test("every fixture, under every repeated-step policy, summarises as its full read does",
          arguments: FixtureTests.good)
    func fixtures(_ answer: String) throws {
        let stem = Support.fixtures.appendingPathComponent(String(answer.dropLast(".expected.csv".count)))
        let input = try #require(FixtureTests.input(for: stem))
        for policy in RepeatedStepPolicy.allCases {
            var options = try FixtureTests.options(for: stem)
            options.repeatedSteps = policy
            let full = try Ingest.read(paths: [input.path], options: options).summary
            let streamed = try Ingest.summarize(paths: [input.path], options: options)
            Self.expectSame(streamed, full, "\(answer) \(policy)")
        }
    }

    @Test("a log in step order is streamed; repeated steps follow the policy")
    func inOrder() throws {
        let path = try Self.temporaryFile("run.csv", """
            step,loss,acc
            1,4.0,0.1
            2,3.0,
            2,3.5,0.2
            2,2.5,0.25
            3,nan,0.3
            4,2.0,0.4
            5,1.0,
            """ + "\n")
        for policy in RepeatedStepPolicy.allCases {
            for minX in [nil, 2.0, 3.0] {
                var options = IngestOptions()
                options.repeatedSteps = policy
                options.minX = minX
                let streamed = try Ingest.summarize(paths: [path], options: options)
                #expect(streamed.streamed)
                Self.expectSame(streamed, try Ingest.read(paths: [path], options: options).summary, "\(policy) \(String(describing: minX))")
            }
        }
        var options = IngestOptions()
        options.repeatedSteps = .mean
        let loss = try #require(try Ingest.summarize(paths: [path], options: options).series.first { $0.metric == "loss" })
        // Steps 1, 2 (mean of 3.0, 3.5, 2.5 = 3.0), 4, 5: 3 is NaN.
        #expect(loss.count == 4 && loss.valueMin == 1.0 && loss.valueMax == 4.0 && loss.xLast == 5)
        options.repeatedSteps = .last
        options.tokensPerStep = 1000
        let last = try #require(try Ingest.summarize(paths: [path], options: options).series.first { $0.metric == "loss" })
        #expect(last.count == 4 && last.xFirst == 1000 && last.xLast == 5000 && last.valueFirst == 4.0)
    }

    @Test("a restart that goes back in steps falls back to keeping the points, with the same answer")
    func restart() throws {
        var text = "step,loss\n"
        for step in 0..<300_000 { text += "\(step),\(2 + 1 / Double(step + 1))\n" }
        for step in 250_000..<400_000 { text += "\(step),\(1 + 1 / Double(step + 1))\n" }
        let path = try Self.temporaryFile("resumed.csv", text)
        for policy in RepeatedStepPolicy.allCases {
            var options = IngestOptions()
            options.repeatedSteps = policy
            let streamed = try Ingest.summarize(paths: [path], options: options)
            #expect(!streamed.streamed)
            let full = try Ingest.read(paths: [path], options: options).summary
            Self.expectSame(streamed, full, "\(policy)")
            if policy == .last {
                #expect(full.series[0].count == 400_000 && full.report.count(.repeatedX) == 50_000)
                #expect(full.series[0].valueLast == 1 + 1 / 400_000.0)
            }
        }
    }

    @Test("a W&B panel export summarises with its bands and the warning about differing __MIN/__MAX")
    func wandbPanel() throws {
        var text = "\"Step\",\"a - loss\",\"a - loss__MIN\",\"a - loss__MAX\",\"b - loss\",\"b - loss__MIN\",\"b - loss__MAX\"\n"
        for step in 0..<600_000 {
            let b = step % 2 == 0 ? "\"\(Double(step) / 7)\",\"\(Double(step) / 7 - 1)\",\"\(Double(step) / 7)\"" : "\"\",\"\",\"\""
            text += "\"\(step)\",\"\(1 / Double(step + 1))\",\"\(1 / Double(step + 1))\",\"\(1 / Double(step + 1))\",\(b)\n"
        }
        let path = try Self.temporaryFile("panel.csv", text)
        let streamed = try Ingest.summarize(paths: [path], options: IngestOptions())
        #expect(streamed.streamed)
        #expect(streamed.series.map(\.count) == [600_000, 300_000] && streamed.series.allSatisfy(\.hasBand))
        #expect(streamed.warnings.contains { $0.contains("differ from each other at 300000 points") })
        Self.expectSame(streamed, try Ingest.read(paths: [path], options: IngestOptions()).summary, "panel")
    }

    @Test("two columns of one name are both kept; two __MIN columns of one series fall back with the same answer")
    func duplicateColumns() throws {
        let wide = try Self.temporaryFile("dup.csv", "step,loss,loss\n1,3,4\n2,2,5\n2,1,6\n3,0.5,7\n")
        let panel = try Self.temporaryFile("dup-panel.csv", """
            "Step","a - loss","a - loss__MIN","a - loss__MIN","a - loss__MAX"
            "1","2","1","1.5","3"
            "2","1","1","0.5","1"
            """ + "\n")
        for path in [wide, panel] {
            for policy in RepeatedStepPolicy.allCases {
                var options = IngestOptions()
                options.repeatedSteps = policy
                let streamed = try Ingest.summarize(paths: [path], options: options)
                // A repeated header name is renamed (`loss.1`, issue 22), so the wide file
                // streams with both columns; the panel's two __MIN columns still fall back.
                if path == wide {
                    #expect(streamed.streamed && streamed.series.map(\.metric) == ["loss", "loss.1"])
                } else {
                    #expect(!streamed.streamed)
                }
                Self.expectSame(streamed, try Ingest.read(paths: [path], options: options).summary, "\(path) \(policy)")
            }
        }
    }

    @Test("the SHA-256 is the same inline, on a second thread, and absent when not asked for")
    func digestModes() throws {
        var text = "step,loss\n"
        for step in 0..<50_000 { text += "\(step),\(Double(step) * 0.001)\n" }
        let path = try Self.temporaryFile("hash.csv", text)
        var digests: [DigestMode: String] = [:]
        for mode in DigestMode.allCases {
            var options = IngestOptions()
            options.digest = mode
            let source = try #require(try Ingest.read(paths: [path], options: options).sources.first)
            #expect(source.bytes == text.utf8.count)
            digests[mode] = source.sha256
        }
        #expect(digests[.none] == "")
        #expect(digests[.inline] == SHA256.hash(Array(text.utf8)).hex)
        #expect(digests[.concurrent] == digests[.inline])
    }
}
