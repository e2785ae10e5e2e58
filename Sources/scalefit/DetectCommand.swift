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
        abstract: "Classify each curve as scaling, saturating, collapsed, grokking or degrading, with breakpoints and evidence.",
        discussion: """
            Criteria (defaults in brackets): a segment is flat when |log–log slope| ≤ --plateau-slope [0.05];
            a plateau must last --min-plateau-decades [0.5] decades inside the data; scaling stops where the
            decreasing part falls below --stop-fraction [0.1] of the floor; a more complex law must lower AICc
            by more than --aicc-margin [4].
            Exit status: 0 healthy; 3 with --fail-on-collapse when a collapse or plateau is detected;
            1 a fit failed; 2 bad input or usage.
            """
    )

    @OptionGroup var input: IngestArguments

    @Option(help: "A clean curve to compare every synthetic curve with (any supported format).")
    var reference: String?

    @Option(help: "Analyse the curves as a family keyed by this label (e.g. generation, synthetic_fraction).")
    var by: String?

    @Option(help: "|log–log slope| at or below which a segment is flat.")
    var plateauSlope: Double = 0.05

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

    @Flag(help: "Exit with status 3 when a collapse or plateau is detected.")
    var failOnCollapse = false

    @Option(help: "Also draw each curve with its chosen fit, breakpoints and plateau into this SVG file.")
    var plot: String?

    @Flag(help: "Print one JSON document (schema_version 1).")
    var json = false

    func run() throws {
        var criteria = DetectionCriteria()
        guard plateauSlope > 0, minPlateauDecades >= 0, stopFraction > 0, stopFraction < 1, aiccMargin >= 0, holdout >= 0 else {
            throw UsageError("criteria must be positive (--stop-fraction in (0, 1))")
        }
        if let threads, threads < 1 { throw UsageError("--threads must be at least 1") }
        criteria.plateauSlope = plateauSlope
        criteria.minimumPlateauDecades = minPlateauDecades
        criteria.stopFraction = stopFraction
        criteria.aiccMargin = aiccMargin
        criteria.holdout = holdout
        let detector = CurveDetector(criteria: criteria, threads: threads)
        let ingested = try input.read()
        guard !ingested.series.isEmpty else { throw UsageError("no series found in \(input.paths.joined(separator: ", "))") }
        var inputs = ingested.sources.map { InputRecord(path: $0.path, sha256: $0.sha256) }

        var verdicts: [Verdict] = []
        var skipped = 0
        for series in ingested.series {
            // A series too short to judge is skipped with a warning; the others go on.
            guard series.count >= 4 else {
                warn("\(series.name): skipped: detection needs at least 4 points, got \(series.count)")
                skipped += 1
                continue
            }
            verdicts.append(try detector.verdict(on: series))
        }
        if verdicts.isEmpty { throw UsageError("no series has the 4 points detection needs (\(skipped) skipped)") }
        var references: [ReferenceComparison] = []
        if let reference {
            var referenceInput = try input.options()
            referenceInput.run = nil
            let clean = try Ingest.read(paths: [reference], options: referenceInput)
            inputs += clean.sources.map { InputRecord(path: $0.path, sha256: $0.sha256) }
            guard let cleanSeries = clean.series.first else { throw UsageError("\(reference): no series found") }
            for series in ingested.series { references.append(try detector.compare(series, toReference: cleanSeries)) }
        }
        var families: [FamilyAnalysis] = []
        if let by { families.append(try detector.family(ingested.series, by: by)) }

        if json {
            let document = DetectReport.json(
                verdicts: verdicts, references: references, families: families, inputs: inputs, criteria: criteria,
                toolVersion: ScalefitCommand.version)
            print(document.rendered())
        } else {
            print(DetectReport.text(verdicts: verdicts, references: references, families: families), terminator: "")
        }
        if let plot {
            let items = zip(ingested.series, verdicts).map { series, verdict in
                AnalysedSeries(series: series, band: nil, fit: verdict.fit, comparison: [], curve: [])
            }
            let markers = Dictionary(zip(ingested.series.map(\.name), verdicts.map(PlotMarker.markers(for:))), uniquingKeysWith: { a, _ in a })
            let picture = Analysis.plot(items, title: Analysis.title(paths: input.paths, items: items), xLabel: input.x, markers: markers)
            try AtomicWriter.write(SVGPlot.render(picture), to: plot)
        }
        if failOnCollapse && verdicts.contains(where: { $0.kind == .collapsed || $0.kind == .grokking }) {
            throw CollapseDetected(series: verdicts.filter { $0.kind == .collapsed || $0.kind == .grokking }.map(\.series))
        }
    }
}

/// `--fail-on-collapse` found a plateau: exit status 3.
struct CollapseDetected: Error, ExitStatusProviding, CustomStringConvertible {
    var series: [String]
    var exitStatus: ExitStatus { .collapseDetected }
    var description: String { "collapse or plateau detected in \(series.joined(separator: ", "))" }
}
