import Foundation
import Testing

/// The outputs of `fit`, `detect`, `report`, `plot` and `notebook` pinned byte for byte on a
/// few fixtures (issue 18): the analysis layer moved the workflow out of the commands, and
/// nothing a user sees may change with it.
///
/// The text and JSON outputs (standard output, standard error, exit status, the notebook)
/// are compared with `fixtures/golden/analysis/`, written by the commands as they were before
/// the move. Plots and reports are not pinned here (their look changes on purpose from time
/// to time); `SCALEFIT_GOLDEN_DUMP=FOLDER` writes every output, SVG and HTML included, into
/// FOLDER so that two builds can be compared with `diff -r`. `SCALEFIT_WRITE_GOLDEN=1`
/// rewrites the pinned files (only after checking that a change is meant).
@Suite("analysis layer: outputs pinned byte for byte", .serialized)
struct AnalysisGoldenTests {
    static let root = IngestCLITests.root
    static let golden = root.appendingPathComponent("fixtures/golden/analysis")
    static let revisiting = "fixtures/reference-data/revisiting-benchmark/benchmark.lang.csv"
    static let grouping = ["--x", "Seen Examples", "--y", "Loss", "--group", "Domain", "--group", "Model", "--group", "Training", "--group", "Task"]

    /// One command: its arguments (`$TMP` stands for a scratch folder) and the file it writes.
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var arguments: [String]
        /// The file the command writes under `$TMP`, if any.
        var output: String? = nil
        /// Whether that file is pinned (plots and reports are only dumped).
        var pinsOutput = false
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "fit-auto", arguments: ["fit", revisiting] + grouping + ["--series", "NMT/6*/1/*", "--model", "auto", "--holdout", "1"]),
        Case(name: "fit-auto-json-plot", arguments: ["fit", revisiting] + grouping
                + ["--series", "NMT/6*/1/*", "--model", "auto", "--holdout", "1", "--predict", "1e9,1e10", "--json", "--plot", "$TMP/fit-auto.svg"],
             output: "fit-auto.svg"),
        Case(name: "fit-law-plot", arguments: ["fit", revisiting] + grouping
                + ["--series", "NMT/*/1/*", "--model", "saturating", "--json", "--threads", "2", "--plot", "$TMP/fit-law.svg"],
             output: "fit-law.svg"),
        Case(name: "fit-law-threads", arguments: ["fit", revisiting] + grouping
                + ["--series", "NMT/*/1/*", "--model", "saturating", "--json", "--threads", "1"]),
        Case(name: "fit-refused", arguments: ["fit", revisiting] + grouping + ["--series", "NMT/28*", "--model", "auto", "--holdout", "1"]),
        Case(name: "fit-generations", arguments: ["fit", "$TMP/generations.csv", "--x", "generation", "--y", "floor", "--model", "generations"]),
        Case(name: "fit-two-inputs", arguments: ["fit", "fixtures/chinchilla-sweep/sweep.csv", "--x", "N,D", "--y", "loss", "--model", "chinchilla",
                                                 "--starts", "20", "--json", "--plot", "$TMP/chinchilla.svg"],
             output: "chinchilla.svg"),
        Case(name: "plot-panel", arguments: ["plot", "fixtures/wandb-panel.csv", "--model", "saturating", "--out", "$TMP/panel.svg"], output: "panel.svg"),
        Case(name: "plot-auto", arguments: ["plot", revisiting] + grouping + ["--series", "NMT/6*/1/*", "--model", "auto", "--out", "$TMP/plot.svg"],
             output: "plot.svg"),
        Case(name: "report", arguments: ["report", revisiting] + grouping + ["--series", "NMT/6*/1/*", "--holdout", "1", "--out", "$TMP/report.html"],
             output: "report.html"),
        Case(name: "notebook", arguments: ["notebook", revisiting] + grouping + ["--series", "NMT/6*/1/*", "--model", "saturating", "--out", "$TMP/analysis.ipynb"],
             output: "analysis.ipynb", pinsOutput: true),
        Case(name: "detect-json-plot", arguments: ["detect", "$TMP/two.csv", "--json", "--plot", "$TMP/detect.svg"], output: "detect.svg"),
        Case(name: "detect-text", arguments: ["detect", "$TMP/two.csv", "--threads", "1"]),
        Case(name: "detect-reference", arguments: ["detect", "$TMP/two.csv", "--reference", "$TMP/mixed/data.csv"]),
        // Five series on two threads: spread over the workers, one series each.
        Case(name: "detect-many", arguments: ["detect", revisiting] + grouping + ["--series", "NMT/*/1/*", "--threads", "2", "--json"]),
        Case(name: "detect-family", arguments: ["detect", revisiting] + grouping + ["--series", "NMT/6 Enc, 6 Dec/*", "--by", "Training"]),
        Case(name: "fit-auto-many", arguments: ["fit", revisiting] + grouping + ["--series", "NMT/*/1/*", "--model", "auto", "--holdout", "1", "--threads", "2", "--json"]),
        Case(name: "report-many", arguments: ["report", revisiting] + grouping + ["--series", "NMT/*/1/*", "--out", "$TMP/report-many.html"],
             output: "report-many.html"),
        Case(name: "demo", arguments: ["demo", "--out", "$TMP/demo"], output: "demo/report.html"),
    ]

    /// The scratch folder with the generated inputs: a Hutter curve behind a three-point
    /// series (skipped by detect), and floors over generations.
    static let scratch: URL = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalefit-golden-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let data = folder.appendingPathComponent("mixed")
        let generated = try! CLI.run(["generate", "hutter", "--beta", "2", "--cut", "1000", "--mix", "0.01", "--t-range", "1e2:1e10:25", "--out", data.path])
        precondition(generated.status == 0, generated.stderr)
        let text = try! String(contentsOf: data.appendingPathComponent("data.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        let labels = lines[1].split(separator: ",").dropFirst(4).joined(separator: ",")
        let short = [("10", "0.5"), ("100", "0.3"), ("1000", "0.2")].map { "a-short-run,test_error,\($0.0),\($0.1)," + labels }
        try! (([lines[0]] + short + lines.dropFirst()).joined(separator: "\n") + "\n")
            .write(to: folder.appendingPathComponent("two.csv"), atomically: true, encoding: .utf8)
        // floor = 1.2 + 0.15·g^0.8 with a fixed wobble, generations 0…7.
        var generations = "run,generation,floor\n"
        for g in 0..<8 {
            let wobble = [0.004, -0.003, 0.002, -0.004, 0.003, -0.002, 0.001, -0.001][g]
            generations += "chain,\(g),\(1.2 + 0.15 * Foundation.pow(Double(g), 0.8) + wobble)\n"
        }
        try! generations.write(to: folder.appendingPathComponent("generations.csv"), atomically: true, encoding: .utf8)
        return folder
    }()

    /// The text as pinned: the scratch folder as `$TMP`, the report's date as `$DATE`.
    static func normalised(_ text: String) -> String {
        var text = text.replacingOccurrences(of: scratch.path, with: "$TMP")
        if let range = text.range(of: #"on \d{4}-\d\d-\d\dT[0-9:]+Z"#, options: .regularExpression) {
            text.replaceSubrange(range, with: "on $DATE")
        }
        return text
    }

    @Test("fit --model auto and detect print the same with one thread and with two (five series: spread over the two workers)")
    func threadCounts() throws {
        for command in [["fit", "--model", "auto", "--holdout", "1"], ["detect"]] {
            let base = [command[0], Self.revisiting] + Self.grouping + ["--series", "NMT/*/1/*", "--json"] + command.dropFirst()
            let one = try CLI.run(base + ["--threads", "1"], in: Self.root)
            let two = try CLI.run(base + ["--threads", "2"], in: Self.root)
            #expect(one.status == 0 && two.status == 0, "\(command[0]): \(one.stderr)")
            #expect(one.stdout.contains("NMT/TEnc-LSTM/1/log_perplexity/Loss"))
            #expect(one.stdout == two.stdout, "\(command[0]): the output depends on the thread count")
            #expect(one.stderr == two.stderr)
        }
    }

    @Test("each command's output is what it was before the analysis layer", arguments: cases)
    func pinned(_ item: Case) throws {
        let arguments = item.arguments.map { $0.replacingOccurrences(of: "$TMP", with: Self.scratch.path) }
        let run = try CLI.run(arguments, in: Self.root)
        var outputs: [(String, String, Bool)] = [
            ("\(item.name).stdout", Self.normalised(run.stdout), true),
            ("\(item.name).stderr", Self.normalised(run.stderr), true),
            ("\(item.name).status", "\(run.status)\n", true),
        ]
        if let file = item.output {
            let url = Self.scratch.appendingPathComponent(file)
            let text = (try? String(contentsOf: url, encoding: .utf8)).map(Self.normalised) ?? "(not written)\n"
            try? FileManager.default.removeItem(at: url)
            outputs.append(("\(item.name).\(file.replacingOccurrences(of: "/", with: "-"))", text, item.pinsOutput))
        }
        let environment = ProcessInfo.processInfo.environment
        if let dump = environment["SCALEFIT_GOLDEN_DUMP"], !dump.isEmpty {
            let folder = URL(fileURLWithPath: dump)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, text, _) in outputs { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        }
        if environment["SCALEFIT_WRITE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.golden, withIntermediateDirectories: true)
            for (name, text, pinned) in outputs where pinned {
                try text.write(to: Self.golden.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
            return
        }
        for (name, text, pinned) in outputs where pinned {
            let expected = try String(contentsOf: Self.golden.appendingPathComponent(name), encoding: .utf8)
            #expect(text == expected, "\(name) differs from fixtures/golden/analysis/\(name)")
        }
    }
}
