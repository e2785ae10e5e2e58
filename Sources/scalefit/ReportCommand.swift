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
    @OptionGroup var fitting: FitArguments

    @Option(help: "The HTML file to write.")
    var out: String

    @Option(help: "The report's title (default: the input names).")
    var title: String?

    @Flag(help: "Leave out Detect's verdicts (scaling, saturating, collapsed, grokking, degrading).")
    var noVerdicts = false

    func run() throws {
        var fitting = fitting
        if fitting.model == nil { fitting.model = "auto" }
        let options = try fitting.options()
        let ingested = try input.read()
        guard !ingested.series.isEmpty else { throw UsageError("no series found in \(input.paths.joined(separator: ", "))") }
        let items = try Analysis.run(series: ingested.series, bands: ingested.bands, model: fitting.model, options: options, law: try fitting.custom.customLaw())
        let heading = title ?? "scalefit report: " + Analysis.inputNames(input.paths)
        let verdicts = noVerdicts ? [:] : Analysis.verdicts(for: ingested.series).mapValues(ReportVerdict.init)
        let document = Analysis.report(
            items, ingested: ingested, title: heading, xLabel: input.x, options: fitting.record(options), verdicts: verdicts)
        try AtomicWriter.write(HTMLReport.render(document), to: out)
        FileHandle.standardError.write(Data("scalefit: wrote \(out)\n".utf8))
    }
}
