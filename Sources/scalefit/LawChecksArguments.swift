import ArgumentParser
import Export
import Fit
import ScalefitCore

/// `fit --against NAME=VALUE,…` and `fit --rollout`: checks of a fitted law beyond the fit.
struct LawChecksArguments: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Test the data against these parameter values (e.g. E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28): likelihood-ratio and F tests; unnamed parameters are re-fitted.",
        valueName: "values"))
    var against: [String] = []

    @Flag(help: "Rollout backtest: fit on the smallest k rungs (equal x, or equal compute N·D for two-input laws), predict the next, for every k; errors and interval coverage.")
    var rollout = false

    /// One series' results.
    struct Outcome {
        var series: String
        var model: String
        var against: AgainstTest?
        var rollout: RolloutResult?
    }

    var isActive: Bool { !against.isEmpty || rollout }

    /// The checks on each fit (fits[i] is the fit of series[i]).
    func run(fits: [FitResult], series: [Series], options: FitOptions) throws -> [Outcome] {
        guard isActive else { return [] }
        let values = try against.isEmpty ? [] : AgainstTest.parse(against)
        return try zip(fits, series).map { fit, series in
            guard let law = LawCatalog.law(for: fit) else { throw FitError("\(series.name): no law \(fit.model)") }
            var outcome = Outcome(series: fit.series, model: fit.model)
            if !values.isEmpty && !fit.converged {
                // Never tested against an unconverged fit (its RSS is not the minimum); the
                // fit itself is reported as not converged and the command exits 1.
                warn("\(series.name): the fit did not converge; not tested --against")
            } else if !values.isEmpty {
                var testOptions = options
                testOptions.fixed = options.fixed.filter { name, _ in law.parameterNames.contains(name) }
                outcome.against = try AgainstTest.run(law: law, series: series, fit: fit, values: values, options: testOptions)
            }
            if rollout {
                outcome.rollout = try law.rollout(on: series, options: options)
            }
            return outcome
        }
    }

    /// The text printed after the fit table.
    static func text(_ outcomes: [Outcome]) -> String {
        var out = ""
        for o in outcomes {
            if let t = o.against {
                out += "\(o.series): \(o.model) against " + t.hypothesis.map { "\($0.name)=\(FitReport.number($0.value))" }.joined(separator: ", ") + "\n"
                out += "  \(t.constrained) parameter\(t.constrained == 1 ? "" : "s") held, \(t.pointCount) points: RSS \(FitReport.number(t.rssHypothesis)) vs \(FitReport.number(t.rssFull)) fitted\n"
                out += "  F = \(FitReport.number(t.fStatistic)) on (\(t.constrained), \(t.pointCount - t.freeParameters)) d.f., p = \(FitReport.number(t.fPValue)); "
                out += "likelihood ratio \(FitReport.number(t.likelihoodRatio)) (χ², \(t.constrained) d.f.), p = \(FitReport.number(t.likelihoodRatioPValue))\n"
                out += "  " + (t.rejectedAt5Percent ? "rejected at 5%: the data are not consistent with these values" : "not rejected at 5%: the data are consistent with these values") + "\n"
                if !t.restrictedConverged { out += "  warning: the re-fit under the hypothesis did not converge; its RSS may be too high\n" }
            }
            if let r = o.rollout {
                out += "\(o.series): \(o.model) rollout over \(r.rungs) rungs (by \(r.order)): fit on the smallest k, predict the next\n"
                out += "     k  rung        points  predicted   observed    log error   95% prediction interval  held\n"
                for step in r.steps {
                    guard step.converged else {
                        out += "  \(pad(String(step.k), 4))  \(pad(FitReport.number(step.rung), 10))  \(pad(String(step.trainingPoints), 6))  fit did not converge: not counted\n"
                        continue
                    }
                    for p in step.points {
                        let held = p.inPredictionInterval.map { $0 ? "yes" : "no" } ?? "-"
                        out += "  \(pad(String(step.k), 4))  \(pad(FitReport.number(step.rung), 10))  \(pad(String(step.trainingPoints), 6))  \(pad(FitReport.number(p.predicted), 10))  \(pad(FitReport.number(p.observed), 10))  \(pad(FitReport.number(p.logError), 10))  \(pad(FitReport.interval(p.predictionInterval), 23))  \(held)\n"
                    }
                }
                out += "  RMS log error \(FitReport.number(r.rmsle)); 95% prediction interval held \(percent(r.predictionCoverage)), confidence band \(percent(r.confidenceCoverage)) of the predicted points"
                out += r.unconverged > 0 ? "; \(r.unconverged) step\(r.unconverged == 1 ? "" : "s") did not converge (left out)\n" : "\n"
            }
        }
        return out
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    static func percent(_ value: Double?) -> String {
        value.map { String(Int(($0 * 100).rounded())) + "%" } ?? "-"
    }

    /// The document with `against` and `rollouts` added (only the keys that apply).
    static func adding(_ outcomes: [Outcome], to document: JSONNode) -> JSONNode {
        guard case .object(var members) = document, !outcomes.isEmpty else { return document }
        let tests = outcomes.compactMap { o in o.against.map { (o, $0) } }
        if !tests.isEmpty {
            members.append(("against", .array(tests.map { o, t in
                .object([
                    ("series", .string(o.series)), ("model", .string(o.model)),
                    ("hypothesis", .object(t.hypothesis.map { ($0.name, JSONNode.number($0.value)) })),
                    ("n_points", .integer(t.pointCount)), ("constrained", .integer(t.constrained)),
                    ("rss_fit", .finite(t.rssFull)), ("rss_hypothesis", .finite(t.rssHypothesis)),
                    ("f_statistic", .finite(t.fStatistic)), ("f_p_value", .finite(t.fPValue)),
                    ("likelihood_ratio", .finite(t.likelihoodRatio)), ("likelihood_ratio_p_value", .finite(t.likelihoodRatioPValue)),
                    ("rejected_at_5_percent", .bool(t.rejectedAt5Percent)), ("restricted_converged", .bool(t.restrictedConverged)),
                ])
            })))
        }
        let rollouts = outcomes.compactMap { o in o.rollout.map { (o, $0) } }
        if !rollouts.isEmpty {
            members.append(("rollouts", .array(rollouts.map { o, r in
                .object([
                    ("series", .string(o.series)), ("model", .string(o.model)), ("order", .string(r.order)),
                    ("rungs", .integer(r.rungs)),
                    ("steps", .array(r.steps.map { step in
                        .object([
                            ("k", .integer(step.k)), ("rung", .finite(step.rung)), ("training_points", .integer(step.trainingPoints)),
                            ("converged", .bool(step.converged)),
                            ("points", .array(step.points.map { p in
                                .object([
                                    ("x", .finite(p.x)), ("x2", .finite(p.x2)), ("observed", .finite(p.observed)),
                                    ("predicted", .finite(p.predicted)), ("log_error", .finite(p.logError)),
                                    ("confidence_band", .pair(p.confidenceBand)), ("prediction_interval", .pair(p.predictionInterval)),
                                    ("in_confidence_band", p.inConfidenceBand.map { .bool($0) } ?? .null),
                                    ("in_prediction_interval", p.inPredictionInterval.map { .bool($0) } ?? .null),
                                ])
                            })),
                        ])
                    })),
                    ("rmsle", .finite(r.rmsle)), ("prediction_interval_coverage", .finite(r.predictionCoverage)),
                    ("confidence_band_coverage", .finite(r.confidenceCoverage)), ("unconverged_steps", .integer(r.unconverged)),
                ])
            })))
        }
        return .object(members)
    }
}
