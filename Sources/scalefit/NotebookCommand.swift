import Analysis
import ArgumentParser
import Export
import Fit
import Foundation
import ScalefitCore

/// `scalefit notebook FILE... --out analysis.ipynb`: a Jupyter notebook that re-fits and re-plots.
struct NotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Write a Jupyter notebook with the data, the fit, and numpy/scipy/matplotlib code that re-fits and checks it.",
        discussion: """
            The notebook (nbformat 4) embeds the data and scalefit's estimates, re-fits the same law \
            in the same residual space with scipy.optimize.least_squares, re-plots with matplotlib, \
            and ends with a cell asserting that both agree within 1e-3 relative.
            Example:
              scalefit notebook runs.csv --model saturating --out analysis.ipynb
            """)

    @OptionGroup var input: IngestArguments
    @OptionGroup var fitting: FitFlags

    @Option(help: "The .ipynb file to write.")
    var out: String

    @Option(help: "The notebook's title.")
    var title: String?

    @Option(help: "A markdown file placed under the title (e.g. the paper a figure reproduces).")
    var introduction: String?

    @Option(help: "A Python file with matplotlib code for an extra figure cell (it sees SERIES and REFITS).")
    var figure: String?

    func run() throws {
        let model = fitting.model ?? "auto"
        let options = try fitting.options(model: model)
        let choice = try fitting.choice(model)
        let ingested = try input.read()
        guard !ingested.series.isEmpty else { throw UsageError("no series found in \(input.paths.joined(separator: ", "))") }
        let items = Fitting.fitEach(ingested.items, choice: choice, options: options, progress: ProgressLine("fitting", total: ingested.items.count, quiet: input.quiet))
        items.warnUnfitted()
        let entries = items.compactMap { item in item.fit.map { Notebook.Entry(series: item.series, fit: $0.result) } }
        guard !entries.isEmpty else {
            // Like `fit` on the same data: 2 when every series was refused as bad input.
            let bad = items.allSatisfy { $0.refusal == .badInput }
            throw FitError("no series could be fitted; nothing to put in a notebook", exitStatus: bad ? .badInput : .failure)
        }
        let text = Notebook.render(
            title: title ?? "scalefit analysis: " + Figures.inputNames(input.paths), entries: entries,
            inputs: ingested.sources.map { InputRecord(path: $0.path, sha256: $0.sha256) }, toolVersion: ScalefitCommand.version,
            introduction: try introduction.map(Self.text(of:)) ?? "", figure: try figure.map(Self.text(of:)))
        try AtomicWriter.write(text, to: out)
        FileHandle.standardError.write(Data("scalefit: wrote \(out)\n".utf8))
    }

    static func text(of path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw UsageError("cannot read \(path)") }
        return String(decoding: data, as: UTF8.self)
    }
}
