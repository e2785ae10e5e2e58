import Foundation
import Testing

/// End-to-end tests of the built `scalefit` binary: exit codes and output.
@Suite("scalefit command line")
struct CLITests {
    @Test("demo runs the pipeline: generated data with truth, fits, plots, report and notebook in --out")
    func demo() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalefit-demo-\(UUID().uuidString)")
        let run = try CLI.run(["demo", "--out", folder.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("converged"))
        #expect(run.stdout.contains(folder.path + "/report.html"))
        for file in ["report.html", "tail-cut.svg", "mixed.svg", "nmt.svg", "analysis.ipynb", "tail-cut/data.csv", "tail-cut/truth.json", "mixed/data.csv", "mixed/truth.json"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "missing \(file)")
        }
        let report = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(report.contains("tailcut") && report.contains("mixing") && report.contains("saturating"))
        // Detect's verdicts are in the report and on stdout, and its breakpoints on the plots
        // (which verdict is right is Detect's business, tested in DetectTests).
        #expect(report.components(separatedBy: "Verdict: <span class=\"verdict").count - 1 == 3)
        #expect(run.stdout.components(separatedBy: ": verdict ").count - 1 == 3)
        let mixed = try String(contentsOf: folder.appendingPathComponent("mixed.svg"), encoding: .utf8)
        #expect(mixed.contains("class=\"breakpoint\""))
    }

    @Test("an unknown option exits 2 (usage), not ArgumentParser's 64")
    func usage() throws {
        let run = try CLI.run(["--no-such-option"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("Unknown option"))
    }

    @Test("--help exits 0")
    func help() throws {
        let run = try CLI.run(["--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("USAGE"))
    }
}
