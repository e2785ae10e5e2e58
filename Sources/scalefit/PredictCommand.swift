import ArgumentParser
import Export
import Fit
import Foundation
import ScalefitCore

/// `scalefit predict FIT.json --at X …`: predictions with both bands from a saved fit,
/// without the data.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict from a saved fit (`scalefit fit … --json > FIT.json`): the value and both 95% bands.",
        discussion: """
            The numbers are the ones `scalefit fit --predict` gives for the same points: the
            confidence band of the mean curve (delta method on the saved covariance) and the
            prediction interval for a new run (adding the residual variance), with Student's t.
            Examples:
              scalefit predict fit.json --at 1e9 --at 1e10
              scalefit predict chinchilla-fit.json --at 7e10:1.4e12 --json
            Exit status: 0 success; 1 the saved fit did not converge; 2 bad input or usage.
            """
    )

    @Argument(help: "A `scalefit fit --json` document (`-` for standard input).")
    var fitFile: String

    @Option(name: .customLong("at"), parsing: .upToNextOption, help: "Where to predict: x, or N:D for two-input laws (repeatable).")
    var at: [String] = []

    @Option(help: "Only the fit of this series (default: every fit in the file).")
    var series: String?

    @Flag(help: "Print one JSON document instead of a table.")
    var json = false

    func run() throws {
        let points = try Self.parsePoints(at, option: "--at")
        guard !points.isEmpty else { throw UsageError("give at least one point with --at X (or --at N:D)") }
        let fits = try SavedFitReader.select(SavedFitReader.read(fitFile), series: series, file: fitFile)
        var rows: [(SavedFit, Prediction)] = []
        for fit in fits {
            for point in points {
                if fit.fitted.law.inputCount == 2 && point.x2 == nil {
                    throw UsageError("\(fit.model) takes two inputs: give --at N:D, not \(FitReport.number(point.x))")
                }
                if fit.fitted.law.inputCount == 1 && point.x2 != nil {
                    throw UsageError("\(fit.model) takes one input: give --at X, not an N:D pair")
                }
                rows.append((fit, fit.fitted.predict(x: point.x, x2: point.x2)))
            }
        }
        if json {
            let document = JSONNode.object([
                ("schema_version", .integer(1)),
                ("tool", .object([("name", .string("scalefit")), ("version", .string(ScalefitCommand.version))])),
                ("fit_file", .string(fitFile)),
                ("predictions", .array(rows.map { fit, p in
                    .object([
                        ("x", .finite(p.x)), ("x2", .finite(p.x2)), ("value", .finite(p.value)),
                        ("confidence_band", .pair(p.confidenceBand)), ("prediction_interval", .pair(p.predictionInterval)),
                        ("series", .string(fit.series)), ("model", .string(fit.model)),
                    ])
                })),
            ])
            print(document.rendered())
        } else {
            for (fit, p) in rows {
                let at = "x = \(FitReport.number(p.x))" + (p.x2.map { ", x2 = \(FitReport.number($0))" } ?? "")
                print("\(fit.series) (\(fit.model)) \(at): \(FitReport.number(p.value)); 95% confidence band (mean curve) \(Self.interval(p.confidenceBand)); 95% prediction interval (a new run) \(Self.interval(p.predictionInterval))")
            }
        }
    }

    static func interval(_ pair: (Double, Double)?) -> String {
        pair.map { "[\(FitReport.number($0.0)), \(FitReport.number($0.1))]" } ?? "-"
    }

    /// `X` or `N:D` items, as `fit --predict` reads them.
    static func parsePoints(_ items: [String], option: String) throws -> [(x: Double, x2: Double?)] {
        try items.map { item in
            let parts = item.split(separator: ":", omittingEmptySubsequences: false).map { Double($0) }
            guard !parts.isEmpty, parts.count <= 2, parts.allSatisfy({ $0 != nil && $0!.isFinite }) else {
                throw UsageError("\(option) takes numbers (or N:D pairs), not \"\(item)\"")
            }
            return (parts[0]!, parts.count == 2 ? parts[1]! : nil)
        }
    }
}
