import Analysis
import ArgumentParser
import Export
import Fit
import Foundation
import Ingest
import ScalefitCore

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
    @OptionGroup var fitting: FitFlags
    @OptionGroup var checks: LawChecksArguments

    @Option(name: .customLong("tie"), help: "Set one parameter equal to another, e.g. alpha=beta makes beta = alpha (repeatable).")
    var tie: [String] = []

    @Option(help: "At most this many starts (default: every start the law proposes).")
    var starts: Int?

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

    /// `fit` compares the laws that apply unless told otherwise.
    var model: String { fitting.model ?? "auto" }

    func run() throws {
        // Parse.
        let options = try fitOptions()
        let choice = try fitting.choice(model)!
        if failOnMiss && truth == nil { throw UsageError("--fail-on-miss needs --truth FILE") }
        let truthFile = try truth.map(TruthFile.load)
        // Only the JSON document names the inputs' SHA-256.
        let ingested = try input.read(digest: json ? .concurrent : .none)
        guard !ingested.series.isEmpty else { throw UsageError("no series found in \(input.paths.joined(separator: ", "))") }

        // Call: every series fitted, spread over the cores; the first that failed stops here.
        let analysed = Fitting.fitEach(ingested.items, choice: choice, options: options, progress: ProgressLine("fitting", total: ingested.items.count, quiet: input.quiet))
        let chosen = try analysed.fitsOrFirstFailure()
        let fits = chosen.map(\.result), comparison = chosen.flatMap(\.comparison)

        // --against and --rollout on each fit.
        let checked = try checks.run(fits: fits, series: analysed.map(\.series), options: options)

        // Render.
        if json {
            let inputs = ingested.sources.map { InputRecord(path: $0.path, sha256: $0.sha256) }
            var document = FitReport.json(
                fits: fits, comparison: comparison, inputs: inputs, options: optionRecord(options),
                toolVersion: ScalefitCommand.version, truth: truthFile)
            document = LawChecksArguments.adding(checked, to: document)
            print(document.rendered())
        } else {
            print(VisibleText.escaped(FitReport.table(fits, comparison: comparison, truth: truthFile)), terminator: "")
            print(VisibleText.escaped(LawChecksArguments.text(checked)), terminator: "")
        }
        if let plot {
            let picture = Figures.plot(analysed, title: Figures.title(paths: input.paths, items: analysed), xLabel: input.x ?? ingested.xColumn)
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

    /// The shared flags' options with `fit`'s own settings.
    func fitOptions() throws -> FitOptions {
        var options = try fitting.options(model: model)
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
        record.append(("model", .string(fitting.custom.law != nil ? "custom" : model)))
        record += fitting.custom.record()
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
