import Analysis
import ArgumentParser
import Export
import Fit
import Foundation
import Detect
import Generate
import Ingest
import ScalefitCore

/// `scalefit demo`: the whole pipeline on built-in data, end to end.
///
/// Generates two curves with known truth (a tail-cut curve that collapses onto a plateau,
/// and a clean/synthetic mixture that plateaus and then descends again: Dohmatob et al.
/// 2024, "A Tale of Tails"), fits the matching exact collapse law to each
/// (docs/collapse-theory.md) and checks every fitted value against truth.json, fits the saturating
/// law to a real NMT learning curve, gives Detect's verdict on each, and writes plots, an
/// HTML report and a notebook into one folder.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole pipeline on built-in data: generate, fit, plot, and write a report.",
        discussion: """
            Writes DIR/report.html (open it in a browser), DIR/*.svg, DIR/analysis.ipynb and the \
            generated data (DIR/tail-cut/data.csv, DIR/mixed/data.csv, each with truth.json).
            """)

    @Option(help: "The folder to write into (created if missing).")
    var out: String = "scalefit-demo"

    func run() throws {
        let folder = out.hasSuffix("/") ? String(out.dropLast()) : out
        // 1. Generate: the exact expectations with 1% seeded multiplicative noise (a real
        //    measurement is never exact; the intervals then have something to cover).
        var cut = HutterSetting(beta: 2, cut: 1000, t: logSpaced(1e2, 1e9, 30))
        var mixed = HutterSetting(beta: 2, cut: 1000, mix: 0.01, t: logSpaced(1e2, 1e11, 30))
        cut.noise = 0.01
        mixed.noise = 0.01
        let cutData = try cut.generate(seed: 1, toolVersion: ScalefitCommand.version)
        let mixedData = try mixed.generate(seed: 1, toolVersion: ScalefitCommand.version)
        // The demo's files appear whole or not at all: the data and truths first (they are read
        // back below, as any log is), the plots, report and notebook in one group at the end;
        // if anything fails in between, the data written are rolled back (DemoRollback).
        let dataFiles = try cutData.files(in: folder + "/tail-cut") + mixedData.files(in: folder + "/mixed")
        let rollback = DemoRollback(recording: dataFiles.map(\.path), folders: [folder, folder + "/tail-cut", folder + "/mixed"])
        try AtomicWriter.write(files: dataFiles)
        let unconverged: String?
        do {
            unconverged = try analyse(folder: folder)
        } catch {
            rollback.undo()
            throw error
        }
        // A fit that did not converge is reported (exit 1) with every file written.
        if let unconverged { throw DemoFailure(series: unconverged) }
    }

    /// Steps 2–5, on the data just written into `folder`; the series whose fit did not
    /// converge, if any.
    func analyse(folder: String) throws -> String? {
        print("scalefit demo: generated a tail-cut curve (β = 2, k = 1000) and a mixed curve (π = 0.01) into \(folder)/")

        // 2. Read them back as any log would be read, and fit.
        let ingested = try Ingest.read(paths: [folder + "/tail-cut/data.csv", folder + "/mixed/data.csv"], options: IngestOptions())
        var options = FitOptions()
        options.holdout = 0
        // Each generated curve with the law that generated it and the truth it should find
        // (read back from the truth.json just written, as `scalefit fit --truth` reads it),
        // and the real curve; each with the name of its plot.
        let generated = ingested.items
        let real = SeriesItem(id: SeriesID(generated.count), series: DemoData.nmtLearningCurve)
        let plan: [(item: SeriesItem, model: String, plot: String, truth: String?)] = [
            (generated[0], "tailcut", "tail-cut", folder + "/tail-cut/truth.json"),
            (generated[1], "mixing", "mixed", folder + "/mixed/truth.json"),
            (real, "saturating", "nmt", nil),
        ]
        var items: [AnalysedSeries] = []
        for step in plan {
            items += Fitting.fitEach([step.item], choice: try ModelChoice(parsing: step.model), options: options)
        }
        items.warnUnfitted()
        var truths: [SeriesID: TruthFile] = [:]
        for step in plan { if let path = step.truth { truths[step.item.id] = try TruthFile.load(path) } }
        let plotNames = Dictionary(uniqueKeysWithValues: plan.map { ($0.item.id, $0.plot) })

        // Whether each 95% interval holds the truth.
        var notes: [SeriesID: [String]] = [:]
        var truthLines: [SeriesID: [String]] = [:]
        var misses: [String] = []
        for item in items {
            guard let truth = truths[item.id], let fit = item.fit?.result else { continue }
            let checks = truth.checks(fit)
            let lines = checks.map { c in
                let estimate = fit.parameters.first { $0.name == c.name }.map { ($0.value, $0.ci95) }
                    ?? fit.derived.first { $0.name == c.name }.map { ($0.value ?? .nan, $0.ci95) }
                let shown = estimate.map { "fit \(FitReport.number($0.0)) 95% CI \(FitReport.interval($0.1))" } ?? ""
                return "\(c.name): true \(TruthFile.cell(c)); \(shown)"
            }
            misses += checks.filter(\.isMiss).map { "\(item.series.name) \($0.name)" }
            truthLines[item.id] = lines
            notes[item.id] = ["Generated with scalefit generate hutter (exact expectation, 1% multiplicative noise, seed 1); truth check against truth.json:"] + lines
        }
        notes[real.id] = ["Real data: \(DemoData.attribution)."]

        // 3. Detect: a verdict on each curve, with its breakpoints and plateau.
        let verdicts = Detection.verdicts(for: items.map(\.item), notice: warn)
        let reportVerdicts = verdicts.mapValues(ReportVerdict.init)

        // 4. Plots, report and notebook, written together.
        var outputs: [(path: String, data: Data)] = []
        for item in items {
            let name = plotNames[item.id]!
            let plot = Figures.plot(
                [item], title: item.series.name + " — " + (item.fit?.result.model ?? ""), xLabel: name == "nmt" ? "examples seen" : "training samples T",
                markers: reportVerdicts.mapValues(\.markers))
            outputs.append(("\(folder)/\(name).svg", Data(SVGPlot.render(plot).utf8)))
        }
        let document = Figures.report(
            items, ingested: ingested, title: "scalefit demo: model collapse on generated data, and a real learning curve",
            xLabel: "x", options: [("models", .string("tailcut, mixing, saturating")), ("space", .string("log")), ("loss", .string("lsq"))],
            verdicts: reportVerdicts, notes: notes)
        outputs.append((folder + "/report.html", Data(HTMLReport.render(document).utf8)))
        let entries = items.compactMap { item in item.fit.map { Notebook.Entry(series: item.series, fit: $0.result) } }
        let notebook = Notebook.render(
            title: "scalefit demo", entries: entries,
            inputs: ingested.sources.map { InputRecord(path: $0.path, sha256: $0.sha256) }, toolVersion: ScalefitCommand.version)
        outputs.append((folder + "/analysis.ipynb", Data(notebook.utf8)))
        try AtomicWriter.write(files: outputs)

        // 5. Say what was found and where it is.
        for item in items {
            guard let fit = item.fit?.result else { continue }
            if let verdict = verdicts[item.id] {
                let plateau = verdict.plateau.map { " plateau at \(FitReport.number($0.level)) from x = \(FitReport.number($0.fromX))" } ?? ""
                let breaks = verdict.breakpoints.map { FitReport.number($0.x) }.joined(separator: ", ")
                print("  \(item.series.name): verdict \(verdict.kind.rawValue)\(breaks.isEmpty ? "" : "; breakpoints at x = \(breaks)")\(plateau)")
            }
            let values = fit.parameters.map { "\($0.name) = \(FitReport.number($0.value))" }.joined(separator: ", ")
            print("  \(fit.series): \(fit.model) fit \(fit.status.isConverged ? "converged" : "did NOT converge"): \(values)")
            for d in fit.derived where ["plateau", "plateau_onset", "second_descent_onset"].contains(d.name) {
                print("      \(d.name) = \(FitReport.number(d.value)) 95% CI \(FitReport.interval(d.ci95))  (\(d.meaning))")
            }
            if let lines = truthLines[item.id] {
                print("    truth check (truth.json):")
                for line in lines { print("      \(line)") }
            }
        }
        print(misses.isEmpty
            ? "truth check: every true value lies inside its 95% interval"
            : "truth check: MISS — the truth lies outside the 95% interval for \(misses.joined(separator: ", "))")
        print("wrote \(folder)/report.html (open it in a browser), plots \(folder)/*.svg and the notebook \(folder)/analysis.ipynb")
        print("next: scalefit report YOUR_LOGS --model auto --out report.html")
        return items.first(where: { $0.fit?.result.converged == false })?.series.name
    }

    func logSpaced(_ from: Double, _ to: Double, _ count: Int) -> [Double] {
        (0..<count).map { Foundation.pow(10, Foundation.log10(from) + (Foundation.log10(to) - Foundation.log10(from)) * Double($0) / Double(count - 1)) }
    }
}

struct DemoFailure: Error, ExitStatusProviding, CustomStringConvertible {
    var series: String
    var exitStatus: ExitStatus { .failure }
    var description: String { "the demo fit did not converge for \(series)" }
}

/// What `scalefit demo` must undo when it fails after writing its data: each file put back
/// as it was (or removed, when the demo created it) and the folders it created removed
/// again (only when empty: nothing of the user's is deleted).
struct DemoRollback {
    private let previous: [(path: String, data: Data?)]
    private let created: [String]

    init(recording paths: [String], folders: [String]) {
        previous = paths.map { ($0, FileManager.default.contents(atPath: $0)) }
        var isFolder: ObjCBool = false
        created = folders.filter { !FileManager.default.fileExists(atPath: $0, isDirectory: &isFolder) }
    }

    func undo() {
        for file in previous {
            if let data = file.data {
                try? AtomicWriter.write(data, to: file.path)
            } else {
                unlink(file.path)
            }
        }
        // Innermost first.
        for folder in created.sorted(by: { $0.count > $1.count }) { rmdir(folder) }
    }
}
