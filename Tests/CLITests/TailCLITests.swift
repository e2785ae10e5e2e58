import Foundation
import Testing

/// End-to-end tests of `scalefit tail`.
@Suite("scalefit tail")
struct TailCLITests {
    /// `<repo>/fixtures/reference-data/zipf-csn2009` (Clauset et al. 2009 data, PROVENANCE.md there).
    static let data = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/reference-data/zipf-csn2009")
    static let hasData = FileManager.default.fileExists(atPath: data.appendingPathComponent("words.txt").path)

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Clauset et al. 2009, Table 6.1: words x_min = 7, α = 1.95(2).
    @Test("words: table output", .enabled(if: hasData, "fixtures/reference-data/zipf-csn2009 is absent"))
    func wordsTable() throws {
        let run = try CLI.run(["tail", Self.data.appendingPathComponent("words.txt").path, "--compare", "exponential,truncated_power_law"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("x_min     = 7 "))
        #expect(run.stdout.contains("alpha     = 1.953"))
        #expect(run.stdout.contains("reported: alpha"))
        #expect(run.stdout.contains("zipf beta = 1.05"))
        #expect(run.stdout.contains("truncated_power_law"))
        #expect(!run.stdout.contains("lognormal"))
    }

    /// Clauset et al. 2009, Table 6.1: cities (thousands) x_min = 52.46, α = 2.37(8).
    @Test("cities --scale 1e-3 --json", .enabled(if: hasData, "fixtures/reference-data/zipf-csn2009 is absent"))
    func citiesJSON() throws {
        let run = try CLI.run(["tail", Self.data.appendingPathComponent("cities.txt").path, "--continuous", "--scale", "1e-3", "--compare", "none", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try Self.json(run.stdout)
        #expect(document["schema_version"] as? Int == 1)
        let fit = try #require(document["power_law"] as? [String: Any])
        #expect(abs((fit["xmin"] as? Double ?? 0) - 52.46) <= 0.005)
        #expect(abs((fit["alpha"] as? Double ?? 0) - 2.37) <= 0.08)
        #expect(fit["kind"] as? String == "continuous")
        let exponents = try #require(document["exponents"] as? [String: Any])
        #expect(exponents["reported"] as? String == "alpha")
        #expect((document["comparisons"] as? [Any])?.isEmpty == true)
    }

    /// Blackouts: no likelihood-ratio test is conclusive (every p > 0.1). The Python
    /// `powerlaw` 2.0.0 package gives the same p-values to three digits
    /// (benchmarks/tail/RESULTS.md, "Likelihood ratios").
    @Test("blackouts: all four likelihood-ratio tests in the JSON", .enabled(if: hasData, "fixtures/reference-data/zipf-csn2009 is absent"))
    func blackoutsComparisons() throws {
        let run = try CLI.run(["tail", Self.data.appendingPathComponent("blackouts.txt").path, "--continuous", "--scale", "1e-3", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let comparisons = try #require(try Self.json(run.stdout)["comparisons"] as? [[String: Any]])
        #expect(comparisons.map { $0["alternative"] as? String } == ["lognormal", "exponential", "stretched_exponential", "truncated_power_law"])
        #expect(comparisons.allSatisfy { $0["favoured"] as? String == "inconclusive" })
    }

    /// The frequency-table layout read from standard input; the answer is the same as for
    /// the expanded samples (x = 1 ×3, 2 ×2, 3, 5, 9 with x_min = 1 fixed).
    @Test("value,count from stdin equals raw samples")
    func tableFromStdin() throws {
        let table = try CLI.run(["tail", "-", "--xmin", "1", "--json"], stdin: Data("1,3\n2,2\n3,1\n5,1\n9,1\n".utf8))
        let samples = try CLI.run(["tail", "-", "--xmin", "1", "--json", "--format", "samples"], stdin: Data("1\n1\n1\n2\n2\n3\n5\n9\n".utf8))
        #expect(table.status == 0, "\(table.stderr)")
        #expect(samples.status == 0, "\(samples.stderr)")
        let a = try #require(try Self.json(table.stdout)["power_law"] as? [String: Any])
        let b = try #require(try Self.json(samples.stdout)["power_law"] as? [String: Any])
        #expect(a["alpha"] as? Double == b["alpha"] as? Double)
        #expect(a["n_tail"] as? Int == 8)
        #expect(table.stderr.contains("few_tail_points") || table.stderr.contains("only 8 points"))
    }

    @Test("bad input: file:line:column, caret, exit 2")
    func badInput() throws {
        let run = try CLI.run(["tail", "-"], stdin: Data("3\n4\n4x\n".utf8))
        #expect(run.status == 2)
        #expect(run.stderr.contains("-:3:1: error: expected a number, found \"4x\""))
        #expect(run.stderr.contains("    ^"))
    }

    @Test("usage errors exit 2")
    func usage() throws {
        #expect(try CLI.run(["tail", "-", "--discrete", "--continuous"], stdin: Data("1\n2\n".utf8)).status == 2)
        #expect(try CLI.run(["tail", "-", "--xmin", "zero"], stdin: Data("1\n2\n".utf8)).status == 2)
        #expect(try CLI.run(["tail", "-", "--cut", "10"], stdin: Data("1\n2\n".utf8)).status == 2)
        #expect(try CLI.run(["tail", "/no/such/file.txt"]).status == 2)
        #expect(try CLI.run(["tail", "-", "--compare", "gaussian"], stdin: Data("1\n2\n".utf8)).status == 2)
        #expect(try CLI.run(["tail", "-", "--xmin-range", "5"], stdin: Data("1\n2\n".utf8)).status == 2)
    }

    /// c = 1 − 1/β with β = 1/(α − 1) (docs/collapse-models.md §1.2 (a)); words: α ≈ 1.953 ⇒ c ≈ 0.047.
    @Test("--predict on words", .enabled(if: hasData, "fixtures/reference-data/zipf-csn2009 is absent"))
    func predict() throws {
        let run = try CLI.run(["tail", Self.data.appendingPathComponent("words.txt").path, "--predict", "--cut", "1000", "--t0", "1e6", "--compare", "none", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try Self.json(run.stdout)
        let prediction = try #require(document["prediction"] as? [String: Any])
        let c = try #require(prediction["c"] as? [String: Any])
        let fit = try #require(document["power_law"] as? [String: Any])
        let alpha = try #require(fit["alpha"] as? Double)
        #expect(abs((c["value"] as? Double ?? 0) - (2 - alpha)) < 1e-12)
        let cuts = try #require(prediction["cuts"] as? [[String: Any]])
        #expect(cuts.map { $0["source"] as? String } == ["k", "t0"])
    }

    /// Non-finite numbers are written as null and named in a warning (docs/design.md, output contract).
    @Test("non-finite values are null with a warning")
    func nonFinite() throws {
        // α's interval reaches below 1 for this tiny sample, so β's upper bound is +∞.
        let run = try CLI.run(["tail", "-", "--xmin", "1", "--continuous", "--json"], stdin: Data("1\n1.5\n20\n".utf8))
        #expect(run.status == 0, "\(run.stderr)")
        let document = try Self.json(run.stdout)
        let exponents = try #require(document["exponents"] as? [String: Any])
        let zipf = try #require(exponents["zipf_beta"] as? [String: Any])
        let interval = try #require(zipf["ci95"] as? [Any])
        #expect(interval.last is NSNull)
        let warnings = try #require(document["warnings"] as? [[String: Any]])
        #expect(warnings.contains { $0["code"] as? String == "non_finite" })
    }

    @Test("bootstrap output does not depend on --threads", .enabled(if: hasData, "fixtures/reference-data/zipf-csn2009 is absent"))
    func bootstrapThreads() throws {
        let path = Self.data.appendingPathComponent("blackouts.txt").path
        let one = try CLI.run(["tail", path, "--scale", "1e-3", "--continuous", "--bootstrap", "8", "--seed", "5", "--threads", "1", "--compare", "none", "--json"])
        let two = try CLI.run(["tail", path, "--scale", "1e-3", "--continuous", "--bootstrap", "8", "--seed", "5", "--threads", "2", "--compare", "none", "--json"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout == two.stdout)
        #expect(one.stdout.contains("\"gof_p\""))
    }
}
