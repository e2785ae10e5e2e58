import Foundation
import Testing

@Suite("scalefit plot, fit --plot and report")
struct ExportCLITests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalefit-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("plot --model writes an SVG with the fit, its band and the residual panel")
    func plot() throws {
        let file = try FitCLITests.writeCurve()
        let svg = file.deletingLastPathComponent().appendingPathComponent("plot.svg")
        let run = try CLI.run(["plot", file.path, "--x", "n", "--y", "loss", "--model", "saturating", "--holdout", "2", "--out", svg.path])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try String(contentsOf: svg, encoding: .utf8)
        #expect(text.hasPrefix("<svg"))
        for part in ["class=\"fit\"", "class=\"extrapolation\"", "class=\"confidence-band\"", "class=\"held-out\"", "ln(data / fit)"] {
            #expect(text.contains(part), "missing \(part)")
        }
    }

    @Test("without --x the axis is named after the table's x column (step), not \"x\"; the normal form keeps \"x\"")
    func axisNamedAfterColumn() throws {
        let folder = try ExportCLITests.folder()
        let csv = folder.appendingPathComponent("steps.csv")
        try "step,loss\n100,3.0\n200,2.6\n400,2.3\n800,2.1\n1600,1.95\n3200,1.85\n6400,1.79\n".write(to: csv, atomically: true, encoding: .utf8)
        let svg = folder.appendingPathComponent("steps.svg")
        let run = try CLI.run(["plot", csv.path, "--model", "saturating", "--out", svg.path])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try String(contentsOf: svg, encoding: .utf8)
        #expect(text.contains(">step (optimizer steps)<"))
        // Read back from the normal form, whose x column is literally "x": no name to give.
        let tidy = folder.appendingPathComponent("tidy.csv")
        #expect(try CLI.run(["ingest", csv.path, "-o", tidy.path]).status == 0)
        let again = try CLI.run(["plot", tidy.path, "--model", "saturating", "--out", svg.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!(try String(contentsOf: svg, encoding: .utf8)).contains("optimizer steps"))
    }

    @Test("detect --plot draws the chosen law with the verdict's breakpoints and plateau")
    func detectPlot() throws {
        let folder = try ExportCLITests.folder()
        let data = folder.appendingPathComponent("mixed")
        let generated = try CLI.run(["generate", "hutter", "--beta", "2", "--cut", "1000", "--mix", "0.01", "--t-range", "1e2:1e10:25", "--out", data.path])
        #expect(generated.status == 0, "\(generated.stderr)")
        let svg = folder.appendingPathComponent("detect.svg")
        let run = try CLI.run(["detect", data.appendingPathComponent("data.csv").path, "--json", "--plot", svg.path])
        #expect(run.status == 0, "\(run.stderr)")
        // The plot shows exactly what the verdict says: its breakpoints, and its plateau if any.
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let verdict = try #require((document["verdicts"] as? [[String: Any]])?.first)
        let breakpoints = try #require(verdict["breakpoints"] as? [Any])
        let text = try String(contentsOf: svg, encoding: .utf8)
        #expect(text.components(separatedBy: "class=\"breakpoint\"").count - 1 == breakpoints.count)
        #expect(text.contains("class=\"plateau\"") == !(verdict["plateau"] is NSNull))
        #expect(text.contains("class=\"fit\""))
    }

    @Test("detect --plot pairs each curve with its own verdict when a short series before it is skipped")
    func detectPlotAfterSkip() throws {
        let folder = try ExportCLITests.folder()
        let data = folder.appendingPathComponent("mixed")
        let generated = try CLI.run(["generate", "hutter", "--beta", "2", "--cut", "1000", "--mix", "0.01", "--t-range", "1e2:1e10:25", "--out", data.path])
        #expect(generated.status == 0, "\(generated.stderr)")
        // A three-point series first (skipped: detection needs 4), then the generated curve.
        var text = try String(contentsOf: data.appendingPathComponent("data.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        // The short run's rows copy the generated rows' label columns (run, metric, x, value first).
        let header = lines[0].split(separator: ",").map(String.init)
        #expect(Array(header.prefix(4)) == ["run", "metric", "x", "value"])
        let labels = lines[1].split(separator: ",").dropFirst(4).joined(separator: ",")
        let short = [("10", "0.5"), ("100", "0.3"), ("1000", "0.2")].map { "a-short-run,test_error,\($0.0),\($0.1)," + labels }
        text = ([lines[0]] + short + lines.dropFirst()).joined(separator: "\n") + "\n"
        let csv = folder.appendingPathComponent("two.csv")
        try text.write(to: csv, atomically: true, encoding: .utf8)
        let svg = folder.appendingPathComponent("detect.svg")
        let run = try CLI.run(["detect", csv.path, "--json", "--plot", svg.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("skipped"))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let verdicts = try #require(document["verdicts"] as? [[String: Any]])
        #expect(verdicts.count == 1)
        #expect((verdicts.first?["series"] as? String)?.hasPrefix("hutter") == true)
        let breakpoints = try #require(verdicts.first?["breakpoints"] as? [Any])
        #expect(!breakpoints.isEmpty)
        // The plot draws the judged curve with its verdict's markers (it drew the skipped
        // series with the next one's fit, and no markers, when verdicts were paired by position).
        let picture = try String(contentsOf: svg, encoding: .utf8)
        #expect(picture.components(separatedBy: "class=\"breakpoint\"").count - 1 == breakpoints.count)
        #expect(!picture.contains("a-short-run"))
    }

    @Test("a W&B panel: min/max bands drawn; a series that starts at x = 0 is fitted without that point (issue 16, item 5)")
    func wandbBands() throws {
        let fixture = JSONSchemaTests.root.appendingPathComponent("fixtures/wandb-panel.csv")
        let svg = try ExportCLITests.folder().appendingPathComponent("wandb.svg")
        let run = try CLI.run(["plot", fixture.path, "--model", "saturating", "--out", svg.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("not fitted"))
        let text = try String(contentsOf: svg, encoding: .utf8)
        #expect(text.contains("class=\"minmax-band\""))
        // Before issue 16 the x = 0 point stopped the fit ("not fitted"); now it is left out
        // with a count and the --min-x hint, and the curve is drawn.
        #expect(text.contains("class=\"fit\""))
    }

    @Test("plot without a model draws the data only")
    func dataOnly() throws {
        let file = try FitCLITests.writeCurve()
        let svg = file.deletingLastPathComponent().appendingPathComponent("data.svg")
        let run = try CLI.run(["plot", file.path, "--x", "n", "--y", "loss", "--out", svg.path])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try String(contentsOf: svg, encoding: .utf8)
        #expect(text.components(separatedBy: "class=\"data\"").count - 1 == 12)
        #expect(!text.contains("class=\"fit\""))
    }

    @Test("fit --plot writes the plot and keeps the JSON free of the curve's predictions")
    func fitPlot() throws {
        let file = try FitCLITests.writeCurve()
        let svg = file.deletingLastPathComponent().appendingPathComponent("fit.svg")
        let run = try CLI.run(["fit", file.path, "--x", "n", "--y", "loss", "--model", "saturating", "--json", "--predict", "1e9", "--plot", svg.path])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let fit = try #require((object["fits"] as? [[String: Any]])?.first)
        #expect((fit["predictions"] as? [Any])?.count == 1)
        #expect(FileManager.default.fileExists(atPath: svg.path))
    }

    @Test("a bad input writes no plot and exits 2")
    func badInput() throws {
        let folder = try Self.folder()
        let svg = folder.appendingPathComponent("never.svg")
        let run = try CLI.run(["plot", folder.appendingPathComponent("missing.csv").path, "--out", svg.path])
        #expect(run.status == 2)
        #expect(!FileManager.default.fileExists(atPath: svg.path))
    }

    @Test("report: one self-contained HTML file with inline SVG, fit tables and provenance")
    func report() throws {
        let file = try FitCLITests.writeCurve()
        let html = file.deletingLastPathComponent().appendingPathComponent("report.html")
        let run = try CLI.run(["report", file.path, "--x", "n", "--y", "loss", "--model", "saturating", "--out", html.path])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try String(contentsOf: html, encoding: .utf8)
        #expect(text.hasPrefix("<!DOCTYPE html>"))
        #expect(text.contains("<svg"))
        #expect(text.contains("<table class=\"parameters\">"))
        #expect(text.contains("scalefit 0.1.0"))
        // The input's SHA-256, as `shasum -a 256` would print it.
        let digest = try #require(try Self.sha256(of: file))
        #expect(text.contains(digest))
        // Self-contained: no scripts, nothing fetched.
        #expect(!text.contains("<script"))
        #expect(!text.contains("src="))
        #expect(!text.contains("href=\"http"))
    }

    /// SHA-256 from the system's `sha256sum`, an independent implementation.
    static func sha256(of file: URL) throws -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init)
    }
}

@Suite("scalefit notebook")
struct NotebookCLITests {
    @Test("notebook writes an nbformat-4 notebook with the fit's law and estimates")
    func notebook() throws {
        let file = try FitCLITests.writeCurve()
        let path = file.deletingLastPathComponent().appendingPathComponent("analysis.ipynb")
        let run = try CLI.run(["notebook", file.path, "--x", "n", "--y", "loss", "--model", "saturating", "--out", path.path])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any])
        #expect(object["nbformat"] as? Int == 4)
        let text = try String(contentsOf: path, encoding: .utf8)
        #expect(text.contains("def law_saturating"))
        #expect(!text.contains(file.deletingLastPathComponent().path))
    }
}
