import ArgumentParser
import Export
import Fit
import Foundation
import ScalefitCore

/// `scalefit optimal FIT.json --compute C …`: compute-optimal N*, D*, tokens per parameter
/// and loss from a saved fit of L(N, D), and the cost of over-training.
struct OptimalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimal",
        abstract: "Compute-optimal model size, data, tokens per parameter and loss for budgets C = 6·N·D, from a saved fit.",
        discussion: """
            For chinchilla fits the optimum is the closed form of Hoffmann et al. 2022 (eq. 4),
            with delta-method 95% intervals from the saved covariance; other laws of N and D are
            minimised numerically along the budget line. With a bootstrap in the fit
            (`fit --bootstrap B`), percentile intervals over the replicates come too.
            --tokens-per-parameter R adds, for each budget, a smaller model trained on R tokens per
            parameter: its loss and the extra compute it needs to reach the compute-optimal loss.
            Examples:
              scalefit optimal fit.json --compute 1e21 1e24
              scalefit optimal fit.json --compute 1e23 --tokens-per-parameter 100 --json
            Exit status: 0 success; 1 the saved fit did not converge; 2 bad input or usage.
            """
    )

    @Argument(help: "A `scalefit fit --json` document of a law of N and D (`-` for standard input).")
    var fitFile: String

    @Option(parsing: .upToNextOption, help: "Compute budgets in FLOP (C = 6·N·D).")
    var compute: [Double] = []

    @Option(name: .customLong("tokens-per-parameter"), parsing: .upToNextOption, help: "Over-training: tokens per parameter of a smaller model trained longer.")
    var tokensPerParameter: [Double] = []

    @Option(help: "The fit of this series (needed when the file holds several).")
    var series: String?

    @Flag(help: "Print one JSON document instead of a table.")
    var json = false

    func run() throws {
        guard !compute.isEmpty else { throw UsageError("give at least one budget with --compute C (FLOP)") }
        if let bad = compute.first(where: { !($0 > 0 && $0.isFinite) }) {
            throw UsageError("--compute takes positive numbers of FLOP, not \(bad)")
        }
        if let bad = tokensPerParameter.first(where: { !($0 > 0 && $0.isFinite) }) {
            throw UsageError("--tokens-per-parameter takes positive numbers, not \(bad)")
        }
        let fits = try SavedFitReader.select(SavedFitReader.read(fitFile), series: series, file: fitFile)
        guard fits.count == 1, let fit = fits.first else {
            throw UsageError("\(fitFile) holds \(fits.count) fits; choose one with --series (\(fits.map(\.series).joined(separator: ", ")))")
        }
        let allocations = try ComputeOptimal.allocate(fit.fitted, compute: compute)
        let overtraining = try compute.flatMap { c in
            try tokensPerParameter.map { r in try ComputeOptimal.overtraining(fit.fitted, compute: c, tokensPerParameter: r) }
        }
        let implicit = fit.fitted.law is any BudgetSlopeLaw
        let delta = (ComputeOptimal.hasDeltaMethod(fit.fitted.law) || implicit) && fit.fitted.covariance != nil
            && allocations.contains { $0.n.ci95 != nil }
        let method = (delta
            ? "ci95: delta method on the fit's covariance (ln N*, ln D*, ln(D*/N*) symmetric; loss as the fit's confidence band)" + (implicit ? " with ∂ln N*/∂p by the implicit function theorem on the exact slope along the budget" : "") + ", Student's t with \(fit.fitted.degreesOfFreedom) degrees of freedom"
            : "ci95: none (no delta method for this law: the optimum is found numerically)")
            + (fit.fitted.bootstrapReplicates != nil
                ? "; bootstrap_ci95: percentiles over the fit's \(fit.fitted.bootstrapReplicates!.count) bootstrap replicates"
                : "; bootstrap_ci95: none (fit with --bootstrap B for it)")
        if json {
            func estimate(_ e: IntervalEstimate) -> JSONNode {
                .object([("value", .finite(e.value)), ("ci95", .pair(e.ci95)), ("bootstrap_ci95", .pair(e.bootstrapCI95))])
            }
            var members: [(String, JSONNode)] = [
                ("schema_version", .integer(1)),
                ("tool", .object([("name", .string("scalefit")), ("version", .string(ScalefitCommand.version))])),
                ("fit_file", .string(fitFile)), ("series", .string(fit.series)), ("model", .string(fit.model)),
                ("compute_model", .string("C = 6·N·D")),
                ("method", .string(ComputeOptimal.hasDeltaMethod(fit.fitted.law) ? "closed form (Hoffmann et al. 2022, eq. 4)" : implicit ? "bisection on the exact slope along C = 6·N·D" : "numerical minimisation along C = 6·N·D")),
                ("intervals", .string(method)),
                ("allocations", .array(allocations.map { a in
                    .object([
                        ("compute", .finite(a.compute)), ("N", estimate(a.n)), ("D", estimate(a.d)),
                        ("tokens_per_parameter", estimate(a.tokensPerParameter)), ("loss", estimate(a.loss)),
                    ])
                })),
            ]
            if !overtraining.isEmpty {
                members.append(("overtraining", .array(overtraining.map { o in
                    .object([
                        ("compute", .finite(o.compute)), ("tokens_per_parameter", .finite(o.tokensPerParameter)),
                        ("N", .finite(o.n)), ("D", .finite(o.d)), ("loss", estimate(o.loss)),
                        ("optimal_loss", .finite(o.optimalLoss)),
                        ("extra_compute", o.extraCompute.map(estimate) ?? .null),
                    ])
                })))
            }
            print(JSONNode.object(members).rendered())
            return
        }
        let n = FitReport.number
        print("\(fit.series) (\(fit.model)): compute-optimal allocation under C = 6·N·D")
        print("  intervals: \(method)")
        for a in allocations {
            print("  C = \(n(a.compute)) FLOP")
            for (label, e) in [("N*", a.n), ("D*", a.d), ("D*/N*", a.tokensPerParameter), ("loss", a.loss)] {
                print("    \(label.padding(toLength: 6, withPad: " ", startingAt: 0)) \(n(e.value))  95% CI \(PredictCommand.interval(e.ci95))  bootstrap 95% CI \(PredictCommand.interval(e.bootstrapCI95))")
            }
        }
        for o in overtraining {
            let extra = o.extraCompute.map { "\(n(100 * $0.value))% more compute to reach the optimal loss" + ($0.bootstrapCI95.map { " (bootstrap 95% CI [\(n(100 * $0.lower))%, \(n(100 * $0.upper))%])" } ?? "") } ?? "never reaches the optimal loss"
            print("  over-training at C = \(n(o.compute)), \(n(o.tokensPerParameter)) tokens per parameter: N = \(n(o.n)), D = \(n(o.d)), loss \(n(o.loss.value)) (95% CI \(PredictCommand.interval(o.loss.ci95))) vs optimal \(n(o.optimalLoss)); \(extra)")
        }
    }
}
