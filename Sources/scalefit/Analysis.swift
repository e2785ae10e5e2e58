import ArgumentParser
import Detect
import Export
import Fit
import Foundation
import Ingest
import ScalefitCore

/// Parsing of the fit flags that `fit`, `plot`, `report` and `notebook` share.
enum FitArgumentParsing {
    /// `lsq` or `huber:DELTA`.
    static func loss(_ text: String) throws -> FitLoss {
        guard let parsed = FitLoss(parsing: text) else {
            throw UsageError("--loss takes lsq or huber:DELTA with DELTA > 0, not \"\(text)\"")
        }
        return parsed
    }

    /// `NAME=VALUE` items.
    static func fixed(_ items: [String]) throws -> [String: Double] {
        var fixed: [String: Double] = [:]
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[1]), value.isFinite else {
                throw UsageError("--fix takes NAME=VALUE, e.g. E=1.7, not \"\(item)\"")
            }
            guard fixed[parts[0]] == nil else {
                throw UsageError("--fix \(parts[0]) is given twice (\(FitReport.number(fixed[parts[0]]!)) and \(FitReport.number(value))); give it once")
            }
            fixed[parts[0]] = value
        }
        return fixed
    }

    /// A fixed value must lie in its parameter's domain (`scalefit models` lists them):
    /// `--fix E=-1` would otherwise be "fitted" with a floor no law allows.
    static func checkFixedDomains(_ fixed: [String: Double], laws: [any ScalingLaw]) throws {
        for (name, value) in fixed.sorted(by: { $0.key < $1.key }) {
            for law in laws {
                guard let parameter = law.parameters.first(where: { $0.name == name }) else { continue }
                let inside: Bool
                switch parameter.domain {
                case .real: inside = value.isFinite
                case .positive: inside = value > 0
                case .nonNegative: inside = value >= 0
                case .interval(let lo, let hi): inside = value > lo && value < hi
                }
                guard inside else {
                    throw UsageError("--fix \(name)=\(FitReport.number(value)) is outside the domain of \(name) in \(law.name) (\(parameter.domain)); see scalefit models")
                }
            }
        }
    }

    /// Percentile intervals need replicates at both 2.5% and 97.5%: fewer than 10 give no
    /// interval at all, so they are refused instead of silently ignored.
    static func checkBootstrap(_ count: Int) throws {
        guard count >= 0 else { throw UsageError("--bootstrap must be ≥ 0") }
        guard count == 0 || count >= 10 else {
            throw UsageError("--bootstrap \(count): percentile intervals need at least 10 replicates (1000 is usual); give 0 for none")
        }
    }
}

/// The fit options shared by `plot`, `report` and `notebook` (a subset of `fit`'s).
struct FitArguments: ParsableArguments {
    @Option(help: "The law (see `scalefit models`), or auto to compare the laws that apply (the default of fit, report and notebook; plot draws only the data without it).")
    var model: String?

    @Option(name: .customLong("fix"), help: "Hold a parameter at a value, e.g. E=1.7 (repeatable).")
    var fix: [String] = []

    @Option(help: "lsq, or huber:DELTA.")
    var loss: String = "lsq"

    @Option(help: "Residual space: log (the default) or linear.")
    var space: ResidualSpace = .log

    @Option(help: "Hold out the K largest-x points of each series and check the extrapolation on them.")
    var holdout: Int = 0

    @Option(help: "Bootstrap replicates for percentile intervals (0: none).")
    var bootstrap: Int = 0

    @Option(help: "Seed of the bootstrap resampling.")
    var seed: UInt64 = 0

    func options() throws -> FitOptions {
        var options = FitOptions()
        options.space = space
        options.loss = try FitArgumentParsing.loss(loss)
        options.fixed = try FitArgumentParsing.fixed(fix)
        guard holdout >= 0 else { throw UsageError("--holdout must be ≥ 0") }
        try FitArgumentParsing.checkBootstrap(bootstrap)
        if let model { try FitArgumentParsing.checkFixedDomains(options.fixed, laws: model == "auto" ? LawCatalog.all : (try? Analysis.laws(for: model)) ?? []) }
        options.holdout = holdout
        options.bootstrap = bootstrap
        options.seed = seed
        return options
    }

    /// The options as they appear in reports and JSON.
    func record(_ options: FitOptions) -> [(String, JSONNode)] {
        [
            ("model", model.map { JSONNode.string($0) } ?? .null),
            ("space", .string(options.space.rawValue)), ("loss", .string(options.loss.description)),
            ("fix", .object(options.fixed.sorted { $0.key < $1.key }.map { ($0.key, JSONNode.number($0.value)) })),
            ("holdout", .integer(options.holdout)), ("bootstrap", .integer(options.bootstrap)),
            ("seed", .integer(Int(truncatingIfNeeded: options.seed))),
        ]
    }
}

/// One series after fitting: what the plot, report and notebook need.
struct AnalysedSeries {
    var series: Series
    var band: Band?
    /// The chosen fit (nil when no model was asked for).
    var fit: FitResult?
    /// Every law compared, best first (with `--model auto`).
    var comparison: [FitResult]
    /// Predictions on the curve grid, with confidence bands.
    var curve: [Prediction]
    /// Why there is no fit, as an exit status (nil when fitted or not asked to fit).
    var refusal: ExitStatus? = nil
}

/// Fitting for the commands that draw or export: the same law selection as `fit`, plus the
/// curve grid the plots need.
enum Analysis {
    /// The laws `model` names (`auto`: the candidates for each series, chosen later).
    static func laws(for model: String) throws -> [any ScalingLaw] {
        switch model {
        case "auto": return []
        case "generations": return GenerationLaw.Form.allCases.map { GenerationLaw($0) }
        default:
            guard let law = LawCatalog.law(named: model) else {
                let names = LawCatalog.all.map(\.name) + LawCatalog.groups.keys.sorted()
                throw UsageError("unknown model \"\(model)\"; choose one of \(names.joined(separator: ", "))")
            }
            return [law]
        }
    }

    /// Fits `model` (nil: no fit) to every series, with curve predictions for plotting.
    /// A series the law cannot take (too few points, x ≤ 0 …) is kept without a fit, with a
    /// warning on stderr: a plot or report of the rest is still worth having.
    static func run(series list: [Series], bands: [Band?], model: String?, options: FitOptions) throws -> [AnalysedSeries] {
        let chosen = try model.map(laws(for:))
        return list.enumerated().map { index, series in
            do {
                return try analyse(series, band: index < bands.count ? bands[index] : nil, model: model, chosen: chosen, options: options)
            } catch {
                warn("\(series.name): not fitted: \(error)")
                return AnalysedSeries(series: series, band: index < bands.count ? bands[index] : nil, fit: nil, comparison: [], curve: [],
                                      refusal: (error as? any ExitStatusProviding)?.exitStatus ?? .failure)
            }
        }
    }

    private static func analyse(
        _ series: Series, band: Band?, model: String?, chosen: [any ScalingLaw]?, options: FitOptions
    ) throws -> AnalysedSeries {
        guard let model, let chosen else { return AnalysedSeries(series: series, band: band, fit: nil, comparison: [], curve: []) }
        let extended = FitPlotting.addingCurve(to: options, for: series)
        if chosen.count == 1 {
            let (fit, curve) = FitPlotting.splitCurve(from: try chosen[0].fit(to: series, options: LawCatalog.options(for: chosen[0], extended)), requested: options.predictX.count)
            return AnalysedSeries(series: series, band: band, fit: fit, comparison: [], curve: curve)
        }
        let candidates = model == "auto"
            ? LawCatalog.candidates(inputCount: series.x2 == nil ? 1 : 2, pointCount: series.count - options.holdout)
            : chosen
        let (ranked, skipped) = LawCatalog.compare(candidates, on: series, options: extended)
        for (law, reason) in skipped { warn("\(series.name): \(law) skipped: \(reason)") }
        guard var best = ranked.first else {
            throw FitError("\(series.name): none of the laws could be fitted", exitStatus: refusalStatus(candidates, series, extended))
        }
        best.selection = LawCatalog.selectionNote(ranked)
        let (fit, curve) = FitPlotting.splitCurve(from: best, requested: options.predictX.count)
        let comparison = ranked.map { FitPlotting.splitCurve(from: $0, requested: options.predictX.count).fit }
        return AnalysedSeries(series: series, band: band, fit: fit, comparison: comparison, curve: curve)
    }

    /// One plot of every analysed series: a single curve, or a family on a colour scale.
    static func plot(_ items: [AnalysedSeries], title: String, xLabel: String?, markers: [String: [PlotMarker]] = [:]) -> Plot {
        let family = FitPlotting.family(of: items.map(\.series))
        let metrics = Set(items.map(\.series.metric))
        let layers = items.enumerated().map { index, item in
            var layer = FitPlotting.layer(
                series: item.series, bandLower: item.band?.lower, bandUpper: item.band?.upper, fit: item.fit,
                curve: item.curve, familyValue: family?.values[index], markers: markers[item.series.name] ?? [])
            // One metric on the y axis: the legend needs only the run.
            if metrics.count == 1 { layer.name = item.series.run }
            return layer
        }
        let yLabel = metrics.count == 1 ? (metrics.first!.isEmpty ? "value" : metrics.first!) : "value"
        let space = items.compactMap(\.fit).first?.space ?? .log
        // Two-input laws (--x N,D): the plot's axis is the first input.
        let axisName = xLabel.map { String($0.split(separator: ",").first ?? Substring($0)) } ?? "x"
        return Plot(
            title: title, xLabel: axisName, yLabel: yLabel, layers: layers, familyLabel: family?.key,
            residualsInLogSpace: space == .log)
    }

    /// The exit status when no law could be fitted: 2 when every law refused the input as
    /// bad (too few points, x ≤ 0 …), 1 otherwise. Only reached when every law already
    /// failed, and a refusal comes before any fitting, so asking again costs little.
    static func refusalStatus(_ laws: [any ScalingLaw], _ series: Series, _ options: FitOptions) -> ExitStatus {
        var allBad = !laws.isEmpty
        for law in laws {
            var lawOptions = options
            let names = Set(law.parameterNames)
            lawOptions.fixed = options.fixed.filter { names.contains($0.key) }
            lawOptions.tied = options.tied.filter { names.contains($0.key) && names.contains($0.value) }
            lawOptions.bootstrap = 0
            do { _ = try law.fit(to: series, options: lawOptions); allBad = false } catch let error as any ExitStatusProviding {
                if error.exitStatus != .badInput { allBad = false }
            } catch { allBad = false }
        }
        return allBad ? .badInput : .failure
    }

    /// A title for a plot of these inputs: the file name, or the series' name.
    static func title(paths: [String], items: [AnalysedSeries]) -> String {
        let model = items.compactMap(\.fit).first.map { " — \($0.model)" } ?? ""
        if items.count == 1 { return items[0].series.name + model }
        return inputNames(paths) + model
    }

    /// The inputs in a few words: file names, or `N series` when they say little.
    static func inputNames(_ paths: [String]) -> String {
        let names = paths.map { URL(fileURLWithPath: $0).lastPathComponent }
        if Set(names).count < names.count || names.count > 3 { return "\(paths.count) inputs" }
        return names.joined(separator: ", ")
    }
}

extension Analysis {
    /// The report document: an overview plot of a family, then one section per series.
    static func report(
        _ items: [AnalysedSeries], ingested: IngestResult, title: String, xLabel: String?, options: [(String, JSONNode)],
        verdicts: [String: ReportVerdict] = [:], notes: [String: [String]] = [:]
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
            var single = plot([item], title: item.series.name + (item.fit.map { " — \($0.model)" } ?? ""), xLabel: xLabel, markers: markers)
            single.identifier = "series\(index + 1)"
            sections.append(ReportSection(
                heading: item.series.name, svg: SVGPlot.render(single), fits: item.fit.map { [$0] } ?? [],
                comparison: item.comparison, verdict: verdicts[item.series.name], notes: notes[item.series.name] ?? []))
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

extension Analysis {
    /// Detect's verdict on every series that has enough points, by series name; a series the
    /// detector cannot take is reported on stderr and left without a verdict.
    static func verdicts(for list: [Series]) -> [String: Verdict] {
        let detector = CurveDetector()
        var verdicts: [String: Verdict] = [:]
        for series in list {
            do {
                verdicts[series.name] = try detector.verdict(on: series)
            } catch {
                warn("\(series.name): no verdict: \(error)")
            }
        }
        return verdicts
    }
}
