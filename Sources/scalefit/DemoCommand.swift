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
/// 2024, "A Tale of Tails"), fits the matching collapse law to each, fits the saturating
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
        // 1. Generate: exact expectations (no sampling noise), so the demo is instant.
        let cut = HutterSetting(beta: 2, cut: 1000, t: logSpaced(1e2, 1e8, 19))
        let mixed = HutterSetting(beta: 2, cut: 1000, mix: 0.01, t: logSpaced(1e2, 1e10, 25))
        let cutData = try cut.generate(seed: 1, toolVersion: ScalefitCommand.version)
        let mixedData = try mixed.generate(seed: 1, toolVersion: ScalefitCommand.version)
        try cutData.write(to: folder + "/tail-cut")
        try mixedData.write(to: folder + "/mixed")
        print("scalefit demo: generated a tail-cut curve (β = 2, k = 1000) and a mixed curve (π = 0.01) into \(folder)/")

        // 2. Read them back as any log would be read, and fit.
        let ingested = try Ingest.read(paths: [folder + "/tail-cut/data.csv", folder + "/mixed/data.csv"], options: IngestOptions())
        var options = FitOptions()
        options.holdout = 0
        var items = try zip(ingested.series, ["tailcut", "mixing"]).enumerated().map { index, pair in
            try Analysis.run(series: [pair.0], bands: [ingested.bands[index]], model: pair.1, options: options)[0]
        }
        let real = try Analysis.run(series: [DemoData.nmtLearningCurve], bands: [nil], model: "saturating", options: options)[0]
        items.append(real)

        // The truth each fit should find, from truth.json.
        let truths = [cutData.truth, mixedData.truth]
        var notes: [String: [String]] = [:]
        for (item, truth) in zip(items, truths) {
            var plateau = "-"
            if case .number(let value) = truth.law["plateau"] { plateau = FitReport.number(value) }
            notes[item.series.name] = ["Generated with scalefit generate hutter (\(truth.reference)); true clean exponent c = 0.5 (β = 2), true plateau \(plateau)."]
        }
        notes[real.series.name] = ["Real data: \(DemoData.attribution)."]

        // 3. Detect: a verdict on each curve, with its breakpoints and plateau.
        let verdicts = Analysis.verdicts(for: items.map(\.series))
        let reportVerdicts = verdicts.mapValues(ReportVerdict.init)

        // 4. Plots, report and notebook.
        for (name, item) in zip(["tail-cut", "mixed", "nmt"], items) {
            let plot = Analysis.plot(
                [item], title: item.series.name + " — " + (item.fit?.model ?? ""), xLabel: name == "nmt" ? "examples seen" : "training samples T",
                markers: reportVerdicts.mapValues(\.markers))
            try AtomicWriter.write(SVGPlot.render(plot), to: "\(folder)/\(name).svg")
        }
        let document = Analysis.report(
            items, ingested: ingested, title: "scalefit demo: model collapse on generated data, and a real learning curve",
            xLabel: "x", options: [("models", .string("tailcut, mixing, saturating")), ("space", .string("log")), ("loss", .string("lsq"))],
            verdicts: reportVerdicts, notes: notes)
        try AtomicWriter.write(HTMLReport.render(document), to: folder + "/report.html")
        let entries = items.compactMap { item in item.fit.map { Notebook.Entry(series: item.series, fit: $0) } }
        try AtomicWriter.write(
            Notebook.render(
                title: "scalefit demo", entries: entries,
                inputs: ingested.sources.map { InputRecord(path: $0.path, sha256: $0.sha256) }, toolVersion: ScalefitCommand.version),
            to: folder + "/analysis.ipynb")

        // 5. Say what was found and where it is.
        for item in items {
            guard let fit = item.fit else { continue }
            if let verdict = verdicts[item.series.name] {
                let plateau = verdict.plateau.map { " plateau at \(FitReport.number($0.level)) from x = \(FitReport.number($0.fromX))" } ?? ""
                let breaks = verdict.breakpoints.map { FitReport.number($0.x) }.joined(separator: ", ")
                print("  \(item.series.name): verdict \(verdict.kind.rawValue)\(breaks.isEmpty ? "" : "; breakpoints at x = \(breaks)")\(plateau)")
            }
            let values = fit.parameters.map { "\($0.name) = \(FitReport.number($0.value))" }.joined(separator: ", ")
            print("  \(fit.series): \(fit.model) fit \(fit.status.isConverged ? "converged" : "did NOT converge"): \(values)")
            for d in fit.derived where ["c", "k", "plateau_start", "plateau_end"].contains(d.name) {
                print("      \(d.name) = \(FitReport.number(d.value))  (\(d.meaning))")
            }
        }
        print("wrote \(folder)/report.html (open it in a browser), plots \(folder)/*.svg and the notebook \(folder)/analysis.ipynb")
        print("next: scalefit report YOUR_LOGS --model auto --out report.html")
        if let failed = items.first(where: { $0.fit?.converged == false }) {
            throw DemoFailure(series: failed.series.name)
        }
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
