import ArgumentParser
import Export
import Fit
import Foundation
import Ingest
import ScalefitCore

extension ResidualSpace: ExpressibleByArgument {}
extension TrustRegionMethod: ExpressibleByArgument {}
extension IntervalMethod: ExpressibleByArgument {}
extension HoldoutOrder: ExpressibleByArgument {}

/// `scalefit fit`: fits a law (or picks the best one) to every series in the inputs.
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a scaling law to each series: estimates, intervals, AICc/BIC, extrapolation check.",
        discussion: """
            Examples:
              scalefit fit runs.csv --x N --y loss --model saturating
              scalefit fit sweep.csv --x N,D --y loss --model chinchilla --loss huber:1e-3 --bootstrap 1000
              scalefit fit curve.csv --model auto --holdout 2 --json
            Exit status: 0 every fit converged; 1 a fit did not converge; 2 bad input or usage.
            """
    )

    @OptionGroup var input: IngestArguments

    @Option(help: "The law (see `scalefit models`), `auto` (the default, as in report and notebook) to compare the laws that apply, or `generations`.")
    var model: String = "auto"

    @Option(name: .customLong("fix"), help: "Hold a parameter at a value, e.g. E=1.7 (repeatable).")
    var fix: [String] = []

    @Option(name: .customLong("tie"), help: "Set one parameter equal to another, e.g. alpha=beta makes beta = alpha (repeatable).")
    var tie: [String] = []

    @Option(help: "lsq, or huber:DELTA (the Huber loss with threshold DELTA, summed over points).")
    var loss: String = "lsq"

    @Option(help: "Residual space: log (relative errors, the default) or linear.")
    var space: ResidualSpace = .log

    @Option(help: "At most this many starts (default: every start the law proposes).")
    var starts: Int?

    @Option(help: "Bootstrap replicates for percentile intervals (0: none).")
    var bootstrap: Int = 0

    @Option(help: "Seed of the bootstrap resampling.")
    var seed: UInt64 = 0

    @Option(help: "Hold out the K largest-x points of each series (for two-input laws the K largest compute C = 6·N·D) and report the extrapolation error.")
    var holdout: Int = 0

    @Option(help: "What \"largest\" means for --holdout: auto (compute for two-input laws, else x), x, or compute.")
    var holdoutBy: HoldoutOrder = .automatic

    @Option(parsing: .upToNextOption, help: "Predict at these x values (N:D pairs for two-input laws), with bands: `--predict 1e9,1e10`, `--predict 1e9 1e10` or repeated.")
    var predict: [String] = []

    @Option(help: "95% intervals: wald (on log/logit of a bounded parameter, mapped back) or profile (profile likelihood, as lmfit's conf_interval).")
    var intervals: IntervalMethod = .wald

    @Option(help: "Worker threads (default: all cores). Results do not depend on it.")
    var threads: Int?

    @Option(help: "The GSL trust-region method.")
    var method: TrustRegionMethod = .levenbergMarquardt

    @Flag(help: "Print one JSON document (schema_version 1) instead of tables.")
    var json = false

    @Option(help: "Also draw the data, the fits with their 95% bands and the residuals into this SVG file.")
    var plot: String?

    @Option(help: "A truth.json written by `scalefit generate`: show each named parameter's true value and whether its 95% interval holds it.")
    var truth: String?

    @Flag(help: "With --truth: exit 1 when any true value lies outside its 95% interval (or has none).")
    var failOnMiss = false

    func run() throws {
        let options = try fitOptions()
        let laws = try selectedLaws()
        if failOnMiss && truth == nil { throw UsageError("--fail-on-miss needs --truth FILE") }
        let truthFile = try truth.map(TruthFile.load)
        // Only the JSON document names the inputs' SHA-256.
        let ingested = try input.read(digest: json ? .concurrent : .none)
        guard !ingested.series.isEmpty else { throw UsageError("no series found in \(input.paths.joined(separator: ", "))") }

        var fits: [FitResult] = []
        var comparison: [FitResult] = []
        var curves: [[Prediction]] = []
        // One law: every series fitted at once, spread over the cores (in input order).
        let plotting = plot != nil, base = options
        let single = laws.count == 1
            ? laws[0].fitEach(ingested.series, options: { LawCatalog.options(for: laws[0], plotting ? FitPlotting.addingCurve(to: base, for: $0) : base) }, threads: options.threads)
            : []
        for (index, series) in ingested.series.enumerated() {
            // With --plot, the fit also predicts on the curve grid (split off again below).
            let options = plot == nil ? options : FitPlotting.addingCurve(to: options, for: series)
            if laws.count == 1 {
                let fit = try single[index].get()
                let refit = fit.converged ? nil : try LawCatalog.refitAtBounds(laws[0], fit, series, options: LawCatalog.options(for: laws[0], options))
                fits.append(refit ?? fit)
                continue
            }
            let candidates = model == "auto"
                ? LawCatalog.candidates(inputCount: series.x2 == nil ? 1 : 2, pointCount: series.count - options.holdout)
                : laws
            let (ranked, skipped) = LawCatalog.compare(candidates, on: series, options: options)
            for (law, reason) in skipped { warn("\(series.name): \(law) skipped: \(reason)") }
            guard var best = ranked.first else {
                throw FitError("\(series.name): none of the laws could be fitted", exitStatus: Analysis.refusalStatus(candidates, series, options))
            }
            best.selection = LawCatalog.selectionNote(ranked)
            fits.append(best)
            comparison += ranked
        }
        if plot != nil {
            let requested = options.predictX.count
            curves = fits.map { FitPlotting.splitCurve(from: $0, requested: requested).curve }
            fits = fits.map { FitPlotting.splitCurve(from: $0, requested: requested).fit }
            comparison = comparison.map { FitPlotting.splitCurve(from: $0, requested: requested).fit }
        }

        if json {
            let inputs = ingested.sources.map { InputRecord(path: $0.path, sha256: $0.sha256) }
            let document = FitReport.json(
                fits: fits, comparison: comparison, inputs: inputs, options: optionRecord(options),
                toolVersion: ScalefitCommand.version, truth: truthFile)
            print(document.rendered())
        } else {
            print(VisibleText.escaped(FitReport.table(fits, comparison: comparison, truth: truthFile)), terminator: "")
        }
        if let plot {
            let items = ingested.series.indices.map { i in
                AnalysedSeries(series: ingested.series[i], band: ingested.bands[i], fit: fits[i], comparison: [], curve: curves[i])
            }
            let picture = Analysis.plot(items, title: Analysis.title(paths: input.paths, items: items), xLabel: input.x)
            try AtomicWriter.write(SVGPlot.render(picture), to: plot)
        }
        let failed = fits.filter { !$0.converged }
        if !failed.isEmpty {
            throw FitFailure(series: failed.map(\.series))
        }
        if failOnMiss, let truthFile {
            let misses = fits.flatMap { fit in truthFile.checks(fit).filter(\.isMiss).map { "\(fit.series) \($0.name)" } }
            if !misses.isEmpty { throw TruthMiss(names: misses) }
        }
    }

    func selectedLaws() throws -> [any ScalingLaw] {
        switch model {
        case "auto": return LawCatalog.all  // narrowed per series
        case "generations": return GenerationLaw.Form.allCases.map { GenerationLaw($0) }
        default:
            guard let law = LawCatalog.law(named: model) else {
                let names = LawCatalog.all.map(\.name) + LawCatalog.groups.keys.sorted()
                throw UsageError("unknown model \"\(model)\"; choose one of \(names.joined(separator: ", "))")
            }
            return [law]
        }
    }

    func fitOptions() throws -> FitOptions {
        var options = FitOptions()
        options.space = space
        options.loss = try FitArgumentParsing.loss(loss)
        options.fixed = try FitArgumentParsing.fixed(fix)
        for item in tie {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[0] != parts[1] else {
                throw UsageError("--tie takes SOURCE=TARGET, e.g. alpha=beta, not \"\(item)\"")
            }
            // `--tie alpha=beta`: beta follows alpha.
            options.tied[parts[1]] = parts[0]
        }
        if let starts, starts < 1 { throw UsageError("--starts must be at least 1") }
        options.startLimit = starts
        try FitArgumentParsing.checkBootstrap(bootstrap)
        try FitArgumentParsing.checkFixedDomains(options.fixed, laws: (try? selectedLaws()) ?? [])
        options.bootstrap = bootstrap
        options.seed = seed
        guard holdout >= 0 else { throw UsageError("--holdout must be ≥ 0") }
        options.holdout = holdout
        options.holdoutBy = holdoutBy
        if let threads, threads < 1 { throw UsageError("--threads must be at least 1") }
        options.threads = threads
        options.solver.method = method
        options.intervals = intervals
        for item in ListArgument.split(predict) {
            let parts = item.split(separator: ":").map { Double($0) }
            guard !parts.isEmpty, parts.count <= 2, parts.allSatisfy({ $0 != nil && $0!.isFinite }) else {
                throw UsageError("--predict takes numbers (or N:D pairs), not \"\(item)\"")
            }
            options.predictX.append(parts[0]!)
            if parts.count == 2 { options.predictX2.append(parts[1]!) }
        }
        return options
    }

    func optionRecord(_ options: FitOptions) -> [(String, JSONNode)] {
        let fixed: [(String, JSONNode)] = options.fixed.sorted { $0.key < $1.key }.map { ($0.key, JSONNode.number($0.value)) }
        let tied: [(String, JSONNode)] = options.tied.sorted { $0.key < $1.key }.map { ($0.key, JSONNode.string($0.value)) }
        var record: [(String, JSONNode)] = []
        record.append(("model", .string(model)))
        record.append(("space", .string(options.space.rawValue)))
        record.append(("loss", .string(options.loss.description)))
        record.append(("fix", .object(fixed)))
        record.append(("tie", .object(tied)))
        record.append(("starts", options.startLimit.map { JSONNode.integer($0) } ?? .null))
        record.append(("bootstrap", .integer(options.bootstrap)))
        record.append(("seed", .integer(Int(truncatingIfNeeded: options.seed))))
        record.append(("holdout", .integer(options.holdout)))
        record.append(("holdout_by", .string(options.holdoutBy.rawValue)))
        record.append(("predict", .array(options.predictX.map { JSONNode.number($0) })))
        record.append(("method", .string(options.solver.method.rawValue)))
        record.append(("intervals", .string(options.intervals.rawValue)))
        record.append(("x", input.x.map { JSONNode.string($0) } ?? .null))
        record.append(("y", input.y.map { JSONNode.string($0) } ?? .null))
        record.append(("group", .array(input.group.map { JSONNode.string($0) })))
        return record
    }
}

/// A fit that ran but did not converge: exit status 1, after the results are printed.
struct TruthMiss: Error, ExitStatusProviding, CustomStringConvertible {
    var names: [String]
    var exitStatus: ExitStatus { .failure }
    var description: String { "the truth lies outside the 95% interval for \(names.joined(separator: ", "))" }
}

struct FitFailure: Error, ExitStatusProviding, CustomStringConvertible {
    var series: [String]
    var exitStatus: ExitStatus { .failure }
    var description: String { "the fit did not converge for \(series.joined(separator: ", "))" }
}

func warn(_ message: String) {
    FileHandle.standardError.write(Data(VisibleText.escaped("warning: \(message)\n").utf8))
}
