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
            Log–log axes when every value is positive. A family (series with a generation or \
            synthetic_fraction label) or up to four series share one panel, each named in the legend; \
            more series are drawn one panel each on shared axes. A two-input law (--x N,D) is drawn \
            against N at the data's fixed D or compute budgets, with the compute-optimal frontier.
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
        let choice = try fitting.choice(fitting.model)
        let ingested = try input.read()
        guard !ingested.series.isEmpty else { throw UsageError("no series found in \(input.paths.joined(separator: ", "))") }
        let items = Fitting.fitEach(ingested.items, choice: choice, options: options, progress: ProgressLine("fitting", total: ingested.items.count, quiet: input.quiet))
        items.warnUnfitted()
        let plot = Figures.plot(items, title: Figures.title(paths: input.paths, items: items), xLabel: input.x ?? ingested.xColumn)
        try AtomicWriter.write(SVGPlot.render(plot), to: out)
        FileHandle.standardError.write(Data("scalefit: wrote \(out)\n".utf8))
    }
}
