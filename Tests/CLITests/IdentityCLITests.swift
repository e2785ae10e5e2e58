import Foundation
import Testing

/// Issue 16 and 22 end to end: folders walked and shown as a tree, nothing readable is an
/// error that writes nothing, step 0 no longer stops a fit.
@Suite("scalefit: series identity, folders, empty inputs")
struct IdentityCLITests {
    static let root = IngestCLITests.root

    @Test("ingest -o on an input with no series exits 2 and writes nothing (issue 22, item 5)")
    func nothingReadable() throws {
        let folder = try IngestCLITests.temporaryFolder()
        let input = folder.appendingPathComponent("header-only.csv")
        try Data("step,loss\n".utf8).write(to: input)
        let output = folder.appendingPathComponent("tidy.csv")
        let run = try CLI.run(["ingest", input.path, "-o", output.path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("no series found (read as csv): nothing to write"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test("inspect shows the tree it walked: files read, and what was skipped with the reason")
    func inspectTree() throws {
        let run = try CLI.run(["inspect", "fixtures/clients/identity/lightning-two-experiments/logs"], in: Self.root)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("fixtures/clients/identity/lightning-two-experiments/logs/ (folder: 2 read, 2 skipped)"))
        #expect(lines.contains { $0.hasPrefix("  exp_a/version_0/metrics.csv: lightning, ") })
        #expect(lines.contains("  skipped exp_b/version_0/hparams.yaml: a .yaml file, not a log format scalefit reads"))
        #expect(lines.contains { $0.hasPrefix("exp_a/version_0  train_loss") })
        let json = try CLI.run(["inspect", "--json", "fixtures/clients/identity/lightning-two-experiments/logs"], in: Self.root)
        #expect(json.stdout.contains("\"skipped\": ["))
    }

    @Test("the revisiting benchmark needs no flags: 20 curves")
    func revisiting() throws {
        let run = try CLI.run(["inspect", "fixtures/reference-data/revisiting-benchmark/benchmark.lang.csv"], in: Self.root)
        #expect(run.status == 0)
        #expect(run.stdout.contains("\n20 series, 712 points, 687 dropped"))
    }

    @Test("a log that starts at step 0 is fitted: the point is dropped with a count and the --min-x hint (issue 16, item 5)")
    func stepZero() throws {
        let folder = try IngestCLITests.temporaryFolder()
        let input = folder.appendingPathComponent("run.csv")
        // loss = 2 + 10 x^-0.5 at x = 100 … 1600, and a step-0 row.
        var text = "step,loss\n0,9.9\n"
        for x in [100.0, 200, 400, 800, 1600, 3200] { text += "\(Int(x)),\(2 + 10 / x.squareRoot())\n" }
        try Data(text.utf8).write(to: input)
        for model in ["saturating", "auto"] {
            let run = try CLI.run(["fit", input.path, "--model", model, "--json"])
            #expect(run.status == 0, "\(model): \(run.stderr)")
            #expect(!run.stderr.contains("≤ 0; scaling laws need positive inputs"))
            #expect(run.stdout.contains("dropped 1 point with x ≤ 0 (x ≤ 0 in log space: no logarithm); --min-x 100 drops them before the fit"))
        }
    }
}
