import Analysis
import ArgumentParser
import Detect
import Export
import Fit
import Foundation
import Ingest
import ScalefitCore

/// `scalefit detect`: has scaling stopped, where, and how sure are we?
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Classify each curve as scaling, saturating, plateaued, grokking or degrading (collapsed with --reference or --by), with breakpoints and evidence.",
        discussion: """
            Criteria (defaults in brackets): a segment is flat when its |log–log slope| is at most --flat-ratio
            [0.1] of the curve's steepest descent (or within the noise of that); a plateau must last
            --min-plateau-decades [0.5] decades inside the data; scaling stops where the decreasing part falls
            below --stop-fraction [0.1] of the floor; the simplest converged law is kept unless a more complex
            one lowers AICc by more than --aicc-margin [4].
            One curve can show a plateau (plateaued) but not whether it is an irreducible floor or model
            collapse: a plateau is called collapsed only when --reference shows the clean curve descending
            where this one stops, or when --by shows the floor rising along the family.
            Exit status: 0 healthy; 3 with --fail-on-collapse when a curve is collapsed, plateaued or grokking;
            1 a fit failed; 2 bad input or usage.
            """
    )

    @OptionGroup var input: IngestArguments

    @Option(help: "A clean curve to compare every synthetic curve with (any supported format).")
    var reference: String?

    @Option(help: "Analyse the curves as a family keyed by this label (e.g. generation, synthetic_fraction).")
    var by: String?

    @Option(help: "A segment is flat when its |log–log slope| is at most this fraction of the curve's steepest descent.")
    var flatRatio: Double = 0.1

    @Option(help: "Shortest plateau, in decades of x inside the data.")
    var minPlateauDecades: Double = 0.5

    @Option(help: "Scaling stops where the decreasing part falls below this fraction of the floor.")
    var stopFraction: Double = 0.1

    @Option(help: "AICc improvement a more complex law needs to be chosen.")
    var aiccMargin: Double = 4

    @Option(help: "Points held out to report each law's extrapolation error in the evidence.")
    var holdout: Int = 2

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Flag(help: "Exit with status 3 when a curve is collapsed, plateaued or grokking.")
    var failOnCollapse = false

    @Option(help: "Also draw each curve with its chosen fit, breakpoints and plateau into this SVG file.")
    var plot: String?

    @Flag(help: "Print one JSON document (schema_version 1).")
    var json = false

    func run() throws {
        // Parse.
        let detector = try CurveDetector(criteria: criteria(), threads: threads)
        let ingested = try input.read()
        guard !ingested.series.isEmpty else { throw UsageError("no series found in \(input.paths.joined(separator: ", "))") }
        var inputs = ingested.sources.map { InputRecord(path: $0.path, sha256: $0.sha256) }

        // Call: a verdict on every series long enough (spread over the cores), then the
        // collapse that a clean reference or the family establishes.
        var detection = try Detection.judge(
            ingested.items, detector: detector, progress: ProgressLine("judging", total: ingested.items.count, quiet: input.quiet), notice: warn)
        var clean: Series? = nil
        if let reference {
            var referenceInput = try input.options()
            referenceInput.run = nil
            let read = try Ingest.read(paths: [reference], options: referenceInput)
            inputs += read.sources.map { InputRecord(path: $0.path, sha256: $0.sha256) }
            guard let first = read.series.first else { throw UsageError("\(reference): no series found") }
            clean = first
        }
        try detection.establish(reference: clean, family: by)
        let verdicts = detection.verdicts

        // Render.
        if json {
            let document = DetectReport.json(
                verdicts: verdicts, references: detection.references, families: detection.families, inputs: inputs,
                criteria: detector.criteria, toolVersion: ScalefitCommand.version)
            print(document.rendered())
        } else {
            print(VisibleText.escaped(DetectReport.text(verdicts: verdicts, references: detection.references, families: detection.families)), terminator: "")
        }
        if let plot {
            // Each curve with its own verdict: the verdict travels with its series.
            let items = detection.judged.map { AnalysedSeries(item: $0.item, fit: $0.fit) }
            let markers = Dictionary(uniqueKeysWithValues: detection.judged.map { ($0.id, PlotMarker.markers(for: $0.verdict)) })
            let picture = Figures.plot(
                items, title: Figures.title(paths: input.paths, items: items), xLabel: input.x ?? ingested.xColumn, markers: markers, confidenceBands: false)
            try AtomicWriter.write(SVGPlot.render(picture), to: plot)
        }
        let stopped: Set<VerdictKind> = [.collapsed, .plateaued, .grokking]
        if failOnCollapse && verdicts.contains(where: { stopped.contains($0.kind) }) {
            throw CollapseDetected(series: verdicts.filter { stopped.contains($0.kind) }.map(\.series))
        }
    }

    /// The criteria the flags set.
    func criteria() throws -> DetectionCriteria {
        guard flatRatio > 0, flatRatio < 1, minPlateauDecades >= 0, stopFraction > 0, stopFraction < 1, aiccMargin >= 0, holdout >= 0 else {
            throw UsageError("criteria must be positive (--flat-ratio and --stop-fraction in (0, 1))")
        }
        if let threads, threads < 1 { throw UsageError("--threads must be at least 1") }
        var criteria = DetectionCriteria()
        criteria.flatRatio = flatRatio
        criteria.minimumPlateauDecades = minPlateauDecades
        criteria.stopFraction = stopFraction
        criteria.aiccMargin = aiccMargin
        criteria.holdout = holdout
        return criteria
    }
}

/// `--fail-on-collapse` found a plateau: exit status 3.
struct CollapseDetected: Error, ExitStatusProviding, CustomStringConvertible {
    var series: [String]
    var exitStatus: ExitStatus { .collapseDetected }
    var description: String { "collapse or plateau detected in \(series.joined(separator: ", "))" }
}
