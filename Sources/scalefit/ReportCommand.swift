import Analysis
import ArgumentParser
import Export
import Foundation
import ScalefitCore

/// `scalefit report FILE... --out report.html`: one self-contained HTML file.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML report: plots, fit tables, verdicts, options and provenance.",
        discussion: """
            The file has no scripts and loads nothing: plots are inline SVG. Inputs are listed with \
            their SHA-256 and the tool's version, so the report says exactly what it was made from.
            Example:
              scalefit report runs.csv --model auto --holdout 2 --out report.html
            """)

    @OptionGroup var input: IngestArguments
    @OptionGroup var fitting: FitFlags

    @Option(help: "The HTML file to write.")
    var out: String

    @Option(help: "The report's title (default: the input names).")
    var title: String?

    @Flag(help: "Leave out Detect's verdicts (scaling, saturating, collapsed, grokking, degrading).")
    var noVerdicts = false

    func run() throws {
        let model = fitting.model ?? "auto"
        let options = try fitting.options(model: model)
        let choice = try fitting.choice(model)
        let ingested = try input.read()
        guard !ingested.series.isEmpty else { throw UsageError("no series found in \(input.paths.joined(separator: ", "))") }
        let items = Fitting.fitEach(ingested.items, choice: choice, options: options, progress: ProgressLine("fitting", total: ingested.items.count, quiet: input.quiet))
        items.warnUnfitted()
        let verdicts = noVerdicts ? [:] : Detection.verdicts(
            for: ingested.items, progress: ProgressLine("judging", total: ingested.items.count, quiet: input.quiet), notice: warn).mapValues(ReportVerdict.init)
        let heading = title ?? "scalefit report: " + Figures.inputNames(input.paths)
        let document = Figures.report(
            items, ingested: ingested, title: heading, xLabel: input.x ?? ingested.xColumn, options: fitting.record(options, model: model), verdicts: verdicts)
        try AtomicWriter.write(HTMLReport.render(document), to: out)
        FileHandle.standardError.write(Data("scalefit: wrote \(out)\n".utf8))
    }
}
