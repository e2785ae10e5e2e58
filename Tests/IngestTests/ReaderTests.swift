import Foundation
import Testing
import ScalefitCore
@testable import Ingest

/// Behaviour of single readers and options, each tied to a quirk in
/// docs/log-formats.md (section numbers in the test names).
@Suite("readers and options")
struct ReaderTests {
    func read(_ name: String, _ text: String, _ configure: (inout IngestOptions) -> Void = { _ in }) throws -> IngestResult {
        var options = IngestOptions()
        configure(&options)
        return try Ingest.read(paths: [Support.temporaryFile(name, text)], options: options)
    }

    @Test("§1 W&B panel: the run is split from the metric on the last \" - \"; __MIN/__MAX become a band")
    func wandbBand() throws {
        let result = try read("export.csv", """
            "Step","a - b - loss","a - b - loss__MIN","a - b - loss__MAX"
            "0","3","2.5","3.5"
            "10","","",""
            "20","2","2","2"

            """)
        let series = try #require(result.series.first)
        #expect(series.run == "a - b" && series.metric == "loss")
        #expect(series.x == [0, 20] && series.values == [3, 2])
        #expect(result.bands == [Band(lower: [2.5, 2], upper: [3.5, 2])])
        #expect(result.warnings.contains { $0.contains("__MIN/__MAX differ") })
    }

    @Test("§6 trainer_state.json: bare NaN and Infinity are read, then dropped and counted")
    func trainerState() throws {
        let result = try read("trainer_state.json", """
            {"log_history": [{"grad_norm": NaN, "loss": 3.0, "step": 1}, {"grad_norm": -Infinity, "loss": 2.0, "step": 2}]}
            """)
        #expect(result.series.map(\.metric) == ["loss"])
        #expect(result.report.count(.nonFinite) == 2)
    }

    @Test("§4 a TensorBoard download of exactly 1000 rows is flagged as sampled")
    func reservoir() throws {
        var text = "Wall time,Step,Value\n"
        for step in 0..<1000 { text += "1716990000.0,\(step),\(1.0 / Double(step + 1))\n" }
        let result = try read("run_a-tag-loss.csv", text)
        #expect(result.series.first?.count == 1000)
        #expect(result.warnings.contains { $0.contains("1000-point sample") })
    }

    @Test("repeated steps: last (default), first, mean and keep", arguments: [
        (RepeatedStepPolicy.last, [1.0, 4.0]), (.first, [1.0, 2.0]), (.mean, [1.0, 3.0]), (.keep, [1.0, 2.0, 4.0]),
    ])
    func repeated(_ policy: RepeatedStepPolicy, _ expected: [Double]) throws {
        let result = try read("r.csv", "step,loss\n0,1\n10,2\n10,4\n") { $0.repeatedSteps = policy }
        #expect(result.series.first?.values == expected)
        #expect(result.report.count(.repeatedX) == (policy == .keep ? 0 : 1))
    }

    @Test("§3 --stitch joins a resumed run; the later run wins from its first step on")
    func stitch() throws {
        let first = try Support.temporaryFile("run1.csv", "step,loss\n0,5\n100,4\n200,3.5\n")
        let second = try Support.temporaryFile("run2.csv", "step,loss\n150,3.9\n250,3.2\n")
        var options = IngestOptions()
        options.stitch = true
        let result = try Ingest.read(paths: [first, second], options: options)
        let series = try #require(result.series.first)
        #expect(result.series.count == 1)
        #expect(series.run == "run1+run2")
        #expect(series.x == [0, 100, 150, 250] && series.values == [5, 4, 3.9, 3.2])
        #expect(result.report.count(.supersededByResume) == 1)
    }

    @Test("§11 C ≈ 6·N·D: N derived from C and D")
    func deriveN() throws {
        let result = try read("s.csv", "tokens,flops,loss\n1B,6e18,3.0\n") {
            $0.xColumn = "N"; $0.deriveFromCompute = true
        }
        #expect(result.series.first?.x == [1e9])
    }

    @Test("§11 PF-days and GFLOPs columns are scaled to FLOP")
    func computeUnits() throws {
        let result = try read("s.csv", "params,pf_days,loss\n1B,2,3.0\n") { $0.xColumn = "C" }
        #expect(result.series.first?.x == [2 * 8.64e19])
    }

    @Test("--x tokens with --tokens-per-step, and --min-x cuts the warm-up")
    func tokens() throws {
        let result = try read("t.csv", "step,loss\n0,9\n10,5\n20,4\n") {
            $0.xColumn = "tokens"; $0.tokensPerStep = 1024; $0.minX = 10_000
        }
        #expect(result.series.first?.x == [10240, 20480])
        #expect(result.report.count(.belowMinX) == 1)
    }

    @Test("--metric keeps one metric; an unknown metric is a usage error naming the ones found")
    func metric() throws {
        let kept = try read("m.csv", "step,a,b\n0,1,2\n") { $0.metric = "b" }
        #expect(kept.series.map(\.metric) == ["b"])
        #expect(throws: UsageError.self) { try read("m.csv", "step,a,b\n0,1,2\n") { $0.metric = "c" } }
    }

    @Test("standard input is not read twice (detection peeks)")
    func sources() throws {
        let result = try read("x.csv", "step,loss\n0,1\n")
        #expect(result.sources.first?.sha256 == SHA256.hash(Array("step,loss\n0,1\n".utf8)).hex)
        #expect(result.sources.first?.bytes == 14)
    }

    @Test("CRC-32C check value (RFC 3720 B.4) and a tfevents record whose payload fails its check")
    func tfrecord() throws {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        // An Event with step 7 and one simple_value "loss" = 2.5, framed by hand.
        var payload: [UInt8] = [0x10, 0x07, 0x2A]
        let value: [UInt8] = [0x0A, 0x04] + Array("loss".utf8) + [0x15] + withUnsafeBytes(of: Float(2.5).bitPattern.littleEndian, Array.init)
        let summary: [UInt8] = [0x0A, UInt8(value.count)] + value
        payload += [UInt8(summary.count)] + summary
        func frame(_ payload: [UInt8], corrupt: Bool) -> [UInt8] {
            let length = withUnsafeBytes(of: UInt64(payload.count).littleEndian, Array.init)
            let lengthCRC = withUnsafeBytes(of: CRC32C.masked(CRC32C.checksum(length)).littleEndian, Array.init)
            let payloadCRC = withUnsafeBytes(of: (CRC32C.masked(CRC32C.checksum(payload)) ^ (corrupt ? 1 : 0)).littleEndian, Array.init)
            return length + lengthCRC + payload + payloadCRC
        }
        let path = try Support.temporaryFile("events.out.tfevents.1.host", Data(frame(payload, corrupt: false) + frame(payload, corrupt: true)))
        let result = try Ingest.read(paths: [path], options: IngestOptions())
        #expect(result.series.first?.x == [7] && result.series.first?.values == [2.5])
        #expect(result.report.count(.badChecksum) == 1)
    }

    @Test("deeply nested JSON is an error, not a stack overflow")
    func deepJSON() throws {
        let text = String(repeating: "[", count: 100_000)
        #expect(throws: InputError.self) { try read("deep.json", text) }
    }
}
