import Foundation
import ScalefitCore

/// The whole CSN procedure: fit, tests, views and warnings.
public enum TailAnalysis {
    /// The tail size below which CSN (§3.5, §4.1) find estimates and tests unreliable.
    public static let minimumReliableTail = 50
    /// The x_min below which the continuous approximation to discrete data is poor (CSN §3.3).
    public static let discreteApproximationThreshold = 6.0

    /// Runs the analysis.
    /// - Throws: ``TailError`` when no tail can be fitted.
    public static func run(_ sample: TailSample, options: TailOptions = TailOptions()) throws -> TailReport {
        let kind = options.kind ?? (sample.isIntegerValued ? .discrete : .continuous)
        let estimator = PowerLawEstimator(kind: kind, fixedXmin: options.xmin, searchRange: options.xminSearchRange)
        let fit = try estimator.fit(sample)
        var warnings: [TailWarning] = []

        if sample.droppedCount > 0 {
            warnings.append(.init(.droppedValues, "\(sample.droppedCount) observation(s) ≤ 0 or not finite were left out (a power-law tail lies in x > 0)"))
        }
        if fit.tailCount < minimumReliableTail {
            warnings.append(.init(.fewTailPoints, "only \(fit.tailCount) points at or above x_min; below about \(minimumReliableTail) the exponent and the tests are unreliable (Clauset et al. 2009, §3.5)"))
        }
        switch fit.xminPosition {
        case .lowerEdge:
            warnings.append(.init(.xminAtEdge, "x_min = \(format(fit.xmin)) is the smallest value searched: the power law may extend below the data, and x_min is not really determined"))
        case .upperEdge:
            warnings.append(.init(.xminAtEdge, "x_min = \(format(fit.xmin)) is the largest value searched: the tail is tiny and the fit meaningless"))
        case .fixed, .interior: break
        }
        if fit.xmin < discreteApproximationThreshold {
            if kind == .discrete {
                let table = TailTable(sample)
                let start = table.values.firstIndex { $0 >= fit.xmin } ?? 0
                let approximate = DiscretePowerLaw.approximateAlpha(tailCount: table.suffixCount[start], sumLog: table.suffixLog[start], xmin: fit.xmin)
                warnings.append(.init(.discreteApproximation, "x_min = \(format(fit.xmin)) < 6: the exact discrete MLE is used (α = \(format(fit.alpha))); the usual continuous approximation would give α = \(format(approximate)), off by \(format(abs(approximate - fit.alpha))) (Clauset et al. 2009, §3.3)"))
            } else if sample.isIntegerValued {
                warnings.append(.init(.discreteApproximation, "whole-number data fitted as continuous with x_min = \(format(fit.xmin)) < 6: the continuous approximation is biased here; use --discrete (Clauset et al. 2009, §3.3)"))
            }
        }
        if !fit.converged {
            warnings.append(.init(.notConverged, "the exponent's optimiser did not converge (α may sit at the search bound \(DiscretePowerLaw.alphaRange))"))
        }

        let comparisons = AlternativeTests.compare(fit, sample: sample, against: options.alternatives)
        for comparison in comparisons where !comparison.converged {
            warnings.append(.init(.notConverged, "the \(comparison.alternative.rawValue) fit did not converge (its likelihood may peak at the edge of the family, where it approaches a power law); its test is indicative only"))
        }

        var bootstrap: BootstrapResult?
        if options.bootstrapReplicates > 0 {
            let threads = options.threads ?? ProcessInfo.processInfo.activeProcessorCount
            bootstrap = TailBootstrap.run(
                fit: fit, sample: sample, estimator: estimator,
                replicates: options.bootstrapReplicates, seed: options.seed, threads: threads)
        }

        let zipf = ZipfView(fit: fit)
        var prediction: CollapsePrediction?
        if options.predict {
            prediction = CollapsePrediction(zipf: zipf, cut: options.cut, t0: options.t0)
            if prediction == nil {
                warnings.append(.init(.noPrediction, "β = 1/(α − 1) = \(format(zipf.beta)) ≤ 1 (α ≥ 2): a Zipf law with β ≤ 1 is not normalisable, so the collapse laws give no prediction"))
            }
        }
        return TailReport(
            options: options, fit: fit, zipf: zipf, bootstrap: bootstrap,
            comparisons: comparisons, prediction: prediction, warnings: warnings)
    }

    static func format(_ x: Double) -> String { String(format: "%.4g", x) }
}
