import Analysis
import ArgumentParser
import Export
import Foundation
import ScalefitCore

/// `scalefit plot FILE... [--model M] --out out.svg`: the data, and the fit when a model is named.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw series (and, with --model, their fits, bands and residuals) as an SVG file.",
        discussion: """
            Log–log axes when every value is positive; several series are drawn as a family on a \
            colour scale (by their generation or synthetic_fraction label when they carry one).
            Examples:
              scalefit plot runs.csv --out runs.svg
              scalefit plot curve.csv --model saturating --holdout 2 --out fit.svg
            """)

    @OptionGroup var input: IngestArguments
    @OptionGroup var fitting: FitFlags

    @Option(help: "The SVG file to write.")
    var out: String

    func run() throws {
        let options = try fitting.options(model: fitting.model)
        let choice = try FitFlags.choice(fitting.model)
        let ingested = try input.read()
        guard !ingested.series.isEmpty else { throw UsageError("no series found in \(input.paths.joined(separator: ", "))") }
        let items = Fitting.fitEach(ingested.items, choice: choice, options: options)
        items.warnUnfitted()
        let plot = Figures.plot(items, title: Figures.title(paths: input.paths, items: items), xLabel: input.x)
        try AtomicWriter.write(SVGPlot.render(plot), to: out)
        FileHandle.standardError.write(Data("scalefit: wrote \(out)\n".utf8))
    }
}
