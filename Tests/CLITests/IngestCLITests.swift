import Foundation
import Testing

/// `scalefit ingest` and `scalefit inspect` end to end: outputs, exit codes, and that
/// nothing is written when an input is bad (docs/design.md, "Exit status"; docs/design.md, "Bad input").
@Suite("scalefit ingest and inspect")
struct IngestCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalefit-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static let badInputs: [String] = {
        let folder = root.appendingPathComponent("fixtures/bad")
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return entries.filter { !$0.contains(".expected") && !$0.hasSuffix(".args") }.sorted()
    }()

    @Test("a bad input exits 2 with the exact error and writes no file", arguments: badInputs)
    func badInput(_ name: String) throws {
        let stem = (name as NSString).deletingPathExtension
        let expected = try String(contentsOf: Self.root.appendingPathComponent("fixtures/bad/\(stem).expected-error"), encoding: .utf8)
        var arguments = ["ingest", "fixtures/bad/\(name)"]
        if let args = try? String(contentsOf: Self.root.appendingPathComponent("fixtures/bad/\(stem).args"), encoding: .utf8) {
            for line in args.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                arguments += ["--\(parts[0])", parts[1]]
            }
        }
        let folder = try Self.temporaryFolder()
        let output = folder.appendingPathComponent("tidy.csv")
        let run = try CLI.run(arguments + ["-o", output.path], in: Self.root)
        #expect(run.status == 2)
        #expect(run.stderr == "scalefit: " + expected)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "a file was left behind")
    }

    @Test("a bad input leaves an existing output file as it was")
    func keepsOldOutput() throws {
        let folder = try Self.temporaryFolder()
        let output = folder.appendingPathComponent("tidy.csv")
        try Data("old\n".utf8).write(to: output)
        let run = try CLI.run(["ingest", "fixtures/bad/extra-cells.csv", "-o", output.path], in: Self.root)
        #expect(run.status == 2)
        #expect(try String(contentsOf: output, encoding: .utf8) == "old\n")
    }

    @Test("ingest writes the normal form (CSV) and JSON Lines")
    func ingest() throws {
        let folder = try Self.temporaryFolder()
        let csv = folder.appendingPathComponent("tidy.csv")
        let run = try CLI.run(["ingest", "fixtures/wandb-panel.csv", "-o", csv.path], in: Self.root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try String(contentsOf: csv, encoding: .utf8)
            == String(contentsOf: Self.root.appendingPathComponent("fixtures/wandb-panel.expected.csv"), encoding: .utf8))
        #expect(run.stderr.contains("dropped 1 from fixtures/wandb-panel.csv: truncated last row"))
        let jsonl = folder.appendingPathComponent("tidy.jsonl")
        let second = try CLI.run(["ingest", "fixtures/wandb-panel.csv", "-o", jsonl.path], in: Self.root)
        #expect(second.status == 0)
        let lines = try String(contentsOf: jsonl, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 7)
        #expect(lines.first == #"{"run": "base-160M - lr3e-4", "metric": "train/loss", "x": 0.0, "value": 10.99, "min": 10.99, "max": 10.99}"#)
    }

    @Test("standard input is read with -")
    func standardInput() throws {
        let run = try CLI.run(["ingest", "-"], stdin: Data("step,loss\n0,3.5\n10,3.0\n".utf8))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "run,metric,x,value\nstdin,loss,0.0,3.5\nstdin,loss,10.0,3.0\n")
    }

    @Test("inspect --json: inputs with SHA-256, series, what was dropped")
    func inspectJSON() throws {
        let run = try CLI.run(["inspect", "fixtures/sweep.csv", "--json"], in: Self.root)
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["schema_version"] as? Int == 1)
        let inputs = try #require(object["inputs"] as? [[String: Any]])
        #expect((inputs.first?["sha256"] as? String)?.count == 64)
        #expect(inputs.first?["format"] as? String == "sweep")
        let series = try #require(object["series"] as? [[String: Any]])
        #expect(series.first?["n_points"] as? Int == 4)
        #expect(object["dropped_total"] as? Int == 1)
    }

    @Test("inspect prints a table with the format and point counts")
    func inspectTable() throws {
        let run = try CLI.run(["inspect", "fixtures/run_base-160M-tag-train_loss.csv"], in: Self.root)
        #expect(run.status == 0)
        #expect(run.stdout.contains("tensorboard-csv"))
        #expect(run.stdout.contains("1 series, 3 points, 1 dropped"))
    }

    @Test("a column that is not there is a usage error (exit 2)")
    func unknownColumn() throws {
        let run = try CLI.run(["ingest", "fixtures/generic-wide.tsv", "--x", "nope"], in: Self.root)
        #expect(run.status == 2)
        #expect(run.stderr.contains("no column \"nope\""))
    }
}
