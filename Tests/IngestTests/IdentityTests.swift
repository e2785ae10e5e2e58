import Foundation
import Testing
import ScalefitCore
@testable import Ingest

/// Series identity (issue 16): logs written by the real client libraries
/// (scripts/fixtures/make_identity_fixtures.py: MLflow, Lightning's CSVLogger,
/// transformers' TrainerState, tensorboardX) read to the tables the script wrote from what
/// the clients report, bit for bit; two sources never fold into one series.
@Suite("series identity")
struct IdentityTests {
    static let folder = Support.fixtures.appendingPathComponent("clients/identity")
    static let cases: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).appendingPathComponent("paths").path)
    }.sorted()

    static func inputs(_ name: String) throws -> (paths: [String], options: IngestOptions) {
        let dir = folder.appendingPathComponent(name)
        let paths = try String(contentsOf: dir.appendingPathComponent("paths"), encoding: .utf8)
            .split(separator: "\n").map { dir.appendingPathComponent(String($0)).path }
        return (paths, try FixtureTests.options(for: dir.appendingPathComponent("options")))
    }

    /// The series in (run, metric) order, as the expected tables are written.
    static func sorted(_ series: [Series]) -> [Series] {
        series.enumerated().sorted { a, b in
            (a.element.run, a.element.metric, a.offset) < (b.element.run, b.element.metric, b.offset)
        }.map(\.element)
    }

    @Test("the client fixtures are all there")
    func present() {
        #expect(Set(Self.cases) == ["hf-checkpoints", "lightning-two-experiments", "mlflow-history-export", "mlflow-sweep",
                                    "sweep-several-d", "sweep-several-d-xnd", "tfevents-files"])
    }

    @Test("each client fixture reads to its expected table, or fails with its error", arguments: cases)
    func clientFixture(_ name: String) throws {
        let (paths, options) = try Self.inputs(name)
        let dir = Self.folder.appendingPathComponent(name)
        if let expected = try? String(contentsOf: dir.appendingPathComponent("expected.csv"), encoding: .utf8) {
            let result = try Ingest.read(paths: paths, options: options)
            #expect(NormalForm.csv(Self.sorted(result.series)) == expected)
            #expect(result.report.count(.repeatedX) == 0)
            // The streamed summary (inspect) names the same series.
            let summary = try Ingest.summarize(paths: paths, options: options)
            #expect(summary.series.map(\.run).sorted() == result.series.map(\.run).sorted())
        } else {
            let lines = try String(contentsOf: dir.appendingPathComponent("expected-error"), encoding: .utf8).split(separator: "\n")
            for read in [{ _ = try Ingest.read(paths: paths, options: options) }, { _ = try Ingest.summarize(paths: paths, options: options) }] {
                do {
                    try read()
                    Issue.record("\(name): expected an error")
                } catch let error as MisKeyed {
                    for line in lines { #expect(error.description.contains(line), "\(error.description)") }
                    #expect(error.exitStatus == .badInput)
                }
            }
        }
    }

    @Test("the same-named runs of two MLflow experiments stay two series (issue 16, item 1)")
    func mlflowSweep() throws {
        let (paths, options) = try Self.inputs("mlflow-sweep")
        let result = try Ingest.read(paths: paths, options: options)
        #expect(result.series.map(\.run).sorted() == ["lr-1e-3/70M", "lr-3e-4/70M"])
        #expect(result.series.allSatisfy { $0.count == 5 })
        #expect(result.report.total == 0)
    }

    @Test("one run's event files given one by one stay apart unless --stitch joins them")
    func eventFilesStitched() throws {
        var (paths, options) = try Self.inputs("tfevents-files")
        options.stitch = true
        let result = try Ingest.read(paths: paths, options: options)
        #expect(result.series.count == 1)
        // The restart at step 3 replaces the first file's steps 3 and 4 (tensorboardX float32 values).
        #expect(result.series[0].x == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(result.series[0].values[3] == Double(Float(1.31)))
        #expect(result.report.count(.supersededByResume) == 2)
    }

    @Test("a folder is walked: known logs read, the rest listed as skipped with a reason")
    func walk() throws {
        let (paths, options) = try Self.inputs("lightning-two-experiments")
        let result = try Ingest.read(paths: paths, options: options)
        #expect(result.sources.count == 2 && result.sources.allSatisfy { $0.format == .lightning && $0.root == paths[0] })
        let skipped = result.skipped.map { URL(fileURLWithPath: $0.path).lastPathComponent }
        #expect(skipped == ["hparams.yaml", "hparams.yaml"])
        #expect(result.skipped.allSatisfy { $0.reason == "a .yaml file, not a log format scalefit reads" })
    }

    static func folderWith(_ files: [String: String]) throws -> URL {
        let root = URL(fileURLWithPath: try Support.temporaryFile("x", "")).deletingLastPathComponent().appendingPathComponent("project")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return root
    }

    @Test("a bad file among good ones is reported and skipped; --strict stops at it")
    func badFileInFolder() throws {
        let root = try Self.folderWith(["a/metrics.csv": "step,loss\n1,2.5\n2,2.0\n", "b/metrics.csv": "step,loss\n1,2.6\n2,3,4\n",
                                        "notes.md": "hello\n"])
        let result = try Ingest.read(paths: [root.path], options: IngestOptions())
        #expect(result.series.map(\.run) == ["a"])
        let bad = try #require(result.skipped.first { $0.path.hasSuffix("b/metrics.csv") })
        #expect(bad.reason.hasPrefix("a bad file: ") && bad.reason.contains("expected 2 cells as in the header, found 3"))
        #expect(result.skipped.contains { $0.path.hasSuffix("notes.md") && $0.reason == "a .md file, not a log format scalefit reads" })
        var strict = IngestOptions()
        strict.strict = true
        #expect(throws: InputError.self) { try Ingest.read(paths: [root.path], options: strict) }
    }

    @Test("a symbolic link loop is walked once; the depth limit is reported")
    func loopsAndDepth() throws {
        let root = try Self.folderWith(["run/metrics.csv": "step,loss\n1,2.5\n2,2.0\n", "d1/d2/d3/deep.csv": "step,loss\n1,1\n2,0.5\n"])
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("run/loop").path, withDestinationPath: root.path)
        let result = try Ingest.read(paths: [root.path], options: IngestOptions())
        #expect(Set(result.series.map(\.run)) == ["run", "deep"])
        #expect(result.skipped.contains { $0.path.hasSuffix("run/loop") && $0.reason.hasPrefix("a link to a folder already walked") })
        var shallow = IngestOptions()
        shallow.maxDepth = 2
        let cut = try Ingest.read(paths: [root.path], options: shallow)
        #expect(cut.series.map(\.run) == ["run"])
        #expect(cut.skipped.contains { $0.path.hasSuffix("d1/d2") && $0.reason == "deeper than the walk's limit of 2 folders" })
    }

    @Test("the revisiting benchmark reads as its 20 curves with no flags (issue 16, item 2)")
    func revisiting() throws {
        let path = Support.fixtures.appendingPathComponent("reference-data/revisiting-benchmark/benchmark.lang.csv").path
        let result = try Ingest.read(paths: [path], options: IngestOptions())
        #expect(result.series.count == 20)
        #expect(Set(result.series.map(\.metric)) == ["Loss"])
        // Each curve's distinct (x, value) points, counted from the raw table: the LM curves
        // appear four times verbatim in the source (its PROVENANCE.md).
        let table = try Ingest.readTable(path: path)
        var distinct: [String: Set<String>] = [:]
        for row in table.rows { distinct["\(row[0])/\(row[1])/\(row[2])", default: []].insert("\(row[3])|\(row[4])") }
        #expect(Dictionary(uniqueKeysWithValues: result.series.map { ($0.run, $0.count) }) == distinct.mapValues(\.count))
        #expect(result.report.count(.repeatedX) == 0)
        #expect(result.report.count(.duplicatePoint) == table.rows.count - distinct.values.reduce(0) { $0 + $1.count })
        #expect(result.warnings.contains { $0.contains("\"Training\" holds only 0 and 1") })
    }

    @Test("a long table's key and run columns are found by name")
    func longTables() throws {
        for header in ["tag,value,step,run_id", "name,value,step,run", "metric_name,value,step,run_name"] {
            let path = try Support.temporaryFile("long.csv", header + "\nloss,2.5,1,a\nloss,2.4,1,b\nloss,2.0,2,a\nacc,0.5,1,a\n")
            let result = try Ingest.read(paths: [path], options: IngestOptions())
            #expect(result.series.map(\.name) == ["a/acc", "a/loss", "b/loss"], "\(header)")
        }
    }

    @Test("--metric repeats and takes globs; a pattern that matches nothing is an error")
    func metricPatterns() throws {
        let path = try Support.temporaryFile("m.csv", "step,train/loss,eval/loss,eval/acc,lr\n1,3,3.1,0.1,1e-3\n2,2,2.1,0.2,1e-3\n")
        var options = IngestOptions()
        options.metrics = ["eval/*", "lr"]
        #expect(try Ingest.read(paths: [path], options: options).series.map(\.metric) == ["eval/acc", "eval/loss", "lr"])
        #expect(try Ingest.summarize(paths: [path], options: options).series.map(\.metric) == ["eval/acc", "eval/loss", "lr"])
        options.metrics = ["train/*", "test/*"]
        #expect(throws: UsageError.self) { try Ingest.read(paths: [path], options: options) }
        #expect(MetricPattern.matches("eval/*", "eval/loss") && !MetricPattern.matches("eval/*", "train/eval/loss"))
        #expect(MetricPattern.matches("*loss", "train/loss") && MetricPattern.matches("l?", "lr") && !MetricPattern.matches("l?", "loss"))
    }

    @Test("many repeated x are an error naming the varying column; --repeated overrides; a restart is not")
    func misKeyed() throws {
        // Two curves keyed as one: the varying "model" column is long text (too many values
        // to be taken for runs), so the rows merge and the error names it.
        var text = "step,loss,model\n"
        for m in 0..<2 { for s in 1...6 { text += "\(s),\(Double(7 - s) + Double(m) / 10),model-\(m)-with-a-name-\(s)\n" } }
        let path = try Support.temporaryFile("merged.csv", text)
        do {
            _ = try Ingest.read(paths: [path], options: IngestOptions())
            Issue.record("expected MisKeyed")
        } catch let error as MisKeyed {
            #expect(error.description.contains("6 of 12 points repeat an x"))
            #expect(error.description.contains("--repeated last"))
        }
        var options = IngestOptions()
        options.repeatedSteps = .last
        #expect(try Ingest.read(paths: [path], options: options).report.count(.repeatedX) == 6)
        // fixtures/resumed.csv: one restart that re-logs a step is read as before.
        let resumed = try Ingest.read(paths: [Support.fixtures.appendingPathComponent("resumed.csv").path], options: IngestOptions())
        #expect(resumed.report.count(.repeatedX) == 2)
    }

    @Test("a repeated header name keeps both columns, with a warning (issue 22, item 4)")
    func duplicateHeader() throws {
        let path = try Support.temporaryFile("dup.csv", "step,loss,loss\n1,2.5,3.5\n2,2.0,3.0\n")
        let result = try Ingest.read(paths: [path], options: IngestOptions())
        #expect(result.series.map(\.metric) == ["loss", "loss.1"])
        #expect(result.series[1].values == [3.5, 3.0])
        #expect(result.warnings.contains { $0.hasSuffix("the header names \"loss\" more than once; column 3 is read as \"loss.1\"") })
        #expect(result.report.total == 0)
    }

    @Test("nothing readable is an error, not an empty success (issue 22, item 5)",
          arguments: [("header-only.csv", "step,loss\n", nil), ("text.csv", "a,b\nx,y\n", nil), ("blank.csv", "  \n\n \n", nil),
                      ("spaces.csv", "step loss\n1 2\n2 3\n", nil), ("empty.jsonl", "", "jsonl")] as [(String, String, String?)])
    func nothingReadable(_ name: String, _ text: String, _ format: String?) throws {
        let path = try Support.temporaryFile(name, text)
        var options = IngestOptions()
        options.format = format.flatMap(LogFormat.init(rawValue:))
        #expect(throws: InputError.self) { try Ingest.read(paths: [path], options: options) }
        #expect(throws: InputError.self) { try Ingest.summarize(paths: [path], options: options) }
    }
}
