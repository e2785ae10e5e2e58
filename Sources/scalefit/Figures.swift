import Analysis
import Export
import Fit
import Foundation
import Ingest
import ScalefitCore

/// The render step the drawing commands share: analysed series into a plot or a report.
enum Figures {
    /// One plot of every analysed series: a single curve, or a family on a colour scale.
    /// `confidenceBands: false` draws each fit's law alone (detect's plot).
    static func plot(
        _ items: [AnalysedSeries], title: String, xLabel: String?, markers: [SeriesID: [PlotMarker]] = [:], confidenceBands: Bool = true
    ) -> Plot {
        let family = FitPlotting.family(of: items.map(\.series))
        let metrics = Set(items.map(\.series.metric))
        let layers = items.enumerated().map { index, item in
            var layer = FitPlotting.layer(
                series: item.series, bandLower: item.item.band?.lower, bandUpper: item.item.band?.upper, fit: item.fit,
                confidenceBand: confidenceBands, familyValue: family?.values[index], markers: markers[item.id] ?? [])
            // One metric on the y axis: the legend needs only the run.
            if metrics.count == 1 { layer.name = item.series.run }
            return layer
        }
        let yLabel = PlotLabels.valueAxis(metrics: items.map(\.series.metric))
        let space = items.compactMap(\.fit).first?.result.space ?? .log
        // Two-input laws (--x N,D): the plot's axis is the first input.
        let axisName = PlotLabels.inputAxis(column: xLabel.map { String($0.split(separator: ",").first ?? Substring($0)) })
        return Plot(
            title: title, xLabel: axisName, yLabel: yLabel, layers: layers, familyLabel: family?.key,
            residualsInLogSpace: space == .log)
    }

    /// A title for a plot of these inputs: the file name, or the series' name.
    static func title(paths: [String], items: [AnalysedSeries]) -> String {
        let model = PlotLabels.lawSuffix(items.compactMap(\.fit).map(\.result.model))
        if items.count == 1 { return items[0].series.name + model }
        return inputNames(paths) + model
    }

    /// The inputs in a few words: file names, or `N series` when they say little.
    static func inputNames(_ paths: [String]) -> String {
        let names = paths.map { URL(fileURLWithPath: $0).lastPathComponent }
        if Set(names).count < names.count || names.count > 3 { return "\(paths.count) inputs" }
        return names.joined(separator: ", ")
    }

    /// The report document: an overview plot of a family, then one section per series.
    static func report(
        _ items: [AnalysedSeries], ingested: IngestResult, title: String, xLabel: String?, options: [(String, JSONNode)],
        verdicts: [SeriesID: ReportVerdict] = [:], notes: [SeriesID: [String]] = [:]
    ) -> ReportDocument {
        var sections: [ReportSection] = []
        let markers = verdicts.mapValues(\.markers)
        // An overview only where the curves share a y axis (a family, or runs of one metric).
        if items.count > 1, Set(items.map(\.series.metric)).count == 1 {
            var overview = plot(items, title: "All series", xLabel: xLabel, markers: markers)
            overview.identifier = "overview"
            sections.append(ReportSection(heading: "All series", svg: SVGPlot.render(overview)))
        }
        for (index, item) in items.enumerated() {
            var single = plot([item], title: item.series.name + (item.fit.map { " — \($0.result.model)" } ?? ""), xLabel: xLabel, markers: markers)
            single.identifier = "series\(index + 1)"
            sections.append(ReportSection(
                heading: item.series.name, svg: SVGPlot.render(single), fits: item.fit.map { [$0.result] } ?? [],
                comparison: item.fit?.comparison ?? [], verdict: verdicts[item.id], notes: notes[item.id] ?? []))
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return ReportDocument(
            title: title, toolVersion: ScalefitCommand.version, createdAt: formatter.string(from: Date()),
            inputs: ingested.sources.map { (path: $0.path, format: $0.format.rawValue, bytes: $0.bytes, sha256: $0.sha256) },
            options: options.map { ($0.0, $0.1.rendered()) },
            commandLine: ShellQuote.command(["scalefit"] + CommandLine.arguments.dropFirst()),
            sections: sections, notes: ingested.warnings + ingested.report.lines)
    }
}

extension Array where Element == AnalysedSeries {
    /// Shows on standard error, in input order, each law skipped and each series left
    /// without a fit (`plot`, `report`, `notebook` and `demo` go on with the rest).
    func warnUnfitted() {
        for item in self {
            item.skipWarnings.forEach(warn)
            if let failure = item.failure { warn("\(item.series.name): not fitted: \(failure)") }
        }
    }

    /// The fits, in input order, after showing each law skipped; the first failure (in
    /// input order) stops here, as `fit` needs every series fitted.
    func fitsOrFirstFailure() throws -> [SeriesFit] {
        try map { item in
            item.skipWarnings.forEach(warn)
            if let failure = item.failure { throw failure }
            return item.fit!
        }
    }
}

func warn(_ message: String) {
    FileHandle.standardError.write(Data(VisibleText.escaped("warning: \(message)\n").utf8))
}
