import Foundation
import Testing

/// End-to-end tests of `scalefit generate`: files, determinism, exit status 2 on bad input.
@Suite("scalefit generate")
struct GenerateCLITests {
    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("scalefit-generate-\(UUID().uuidString)")
    }

    static func read(_ url: URL, _ name: String) throws -> Data {
        try Data(contentsOf: url.appendingPathComponent(name))
    }

    static let scenarios: [[String]] = [
        ["hutter", "--beta", "2", "--cut", "100", "--mix", "0.01", "--t-range", "1e2:1e12:9"],
        ["hutter", "--beta", "1.5", "--ranks", "1e5", "--mode", "monte-carlo", "--t", "1e3,1e4", "--replicates", "3", "--emit-tokens", "1000"],
        ["hutter", "--beta", "2", "--generations", "2", "--t0", "1e4", "--t", "1e3,1e5"],
        ["multinomial", "--vocab", "20", "--n", "30", "--generations", "10", "--replicates", "5"],
        ["gaussian", "--d", "2", "--n", "20", "--iterations", "5", "--workflow", "accumulate-subsample", "--replicates", "5"],
        ["kde", "--dataset", "circles", "--n", "30", "--iterations", "3", "--workflow", "replace", "--replicates", "2"],
        ["kde", "--dataset", "swiss-roll", "--n", "30", "--bandwidth", "0.5", "--iterations", "3", "--workflow", "accumulate", "--replicates", "2"],
        ["ridge", "--d", "10", "--p2", "0.2", "--c2", "1", "--n", "50,100", "--replicates", "3"],
    ]

    @Test("each scenario writes data.csv and truth.json, byte-identical for the same seed", arguments: scenarios)
    func deterministic(arguments: [String]) throws {
        let a = Self.temporaryFolder(), b = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        let first = try CLI.run(["generate"] + arguments + ["--seed", "7", "--out", a.path])
        let second = try CLI.run(["generate"] + arguments + ["--seed", "7", "--out", b.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(second.status == 0, "\(second.stderr)")
        for name in ["data.csv", "truth.json"] {
            let x = try Self.read(a, name), y = try Self.read(b, name)
            #expect(!x.isEmpty && x == y, "\(name) differs")
        }
        let csv = String(decoding: try Self.read(a, "data.csv"), as: UTF8.self)
        #expect(csv.hasPrefix("run,metric,x,value"))
        let truth = try JSONSerialization.jsonObject(with: try Self.read(a, "truth.json")) as? [String: Any]
        #expect(truth?["seed"] as? Int == 7)
        #expect(truth?["law"] is [String: Any])
    }

    @Test("--json writes data.json; --emit-tokens writes tokens.txt")
    func jsonAndTokens() throws {
        let dir = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try CLI.run(["generate", "hutter", "--beta", "2", "--t", "1e3", "--emit-tokens", "500", "--json", "--out", dir.path])
        #expect(run.status == 0, "\(run.stderr)")
        let tokens = String(decoding: try Self.read(dir, "tokens.txt"), as: UTF8.self).split(separator: "\n")
        #expect(tokens.count == 500 && tokens.allSatisfy { Int($0) ?? 0 >= 1 })
        #expect(try JSONSerialization.jsonObject(with: try Self.read(dir, "data.json")) is [String: Any])
    }

    @Test("zipf-sample prints one value per line, the same for the same seed")
    func zipfSample() throws {
        let a = try CLI.run(["generate", "zipf-sample", "--alpha", "2.5", "--xmin", "2", "--count", "100", "--seed", "3"])
        let b = try CLI.run(["generate", "zipf-sample", "--alpha", "2.5", "--xmin", "2", "--count", "100", "--seed", "3"])
        #expect(a.status == 0 && a.stdout == b.stdout)
        let values = a.stdout.split(separator: "\n").compactMap { Int($0) }
        #expect(values.count == 100 && values.allSatisfy { $0 >= 2 })
    }

    static let badArguments: [[String]] = [
        ["hutter", "--beta", "0.9", "--t", "1e3"],
        ["hutter", "--beta", "2", "--cut", "0", "--t", "1e3"],
        ["hutter", "--beta", "2", "--mix", "0.5", "--t", "1e3"],
        ["hutter", "--beta", "2", "--t", "1e3,abc"],
        ["hutter", "--beta", "2", "--t-range", "1e3:1e2:5"],
        ["hutter", "--beta", "2"],
        ["hutter", "--beta", "2", "--generations", "2", "--t", "1e3"],
        ["hutter", "--beta", "2", "--ranks", "ten", "--t", "1e3"],
        ["hutter", "--beta", "2", "--t", "1e3", "--mode", "guess"],
        ["ridge", "--d", "50", "--p2", "0.1", "--c2", "1", "--n", "40"],
        ["multinomial", "--vocab", "1", "--n", "10", "--generations", "5"],
        ["gaussian", "--d", "2", "--n", "1", "--iterations", "5", "--workflow", "replace"],
        ["kde", "--n", "10", "--bandwidth", "-1", "--iterations", "3", "--workflow", "replace"],
    ]

    @Test("bad parameters exit 2 and write nothing", arguments: badArguments)
    func badParameters(arguments: [String]) throws {
        let dir = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try CLI.run(["generate"] + arguments + ["--out", dir.path])
        #expect(run.status == 2, "status \(run.status): \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path))
    }
}
