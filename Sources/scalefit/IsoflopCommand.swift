import ArgumentParser
import Export
import Fit
import Foundation
import ScalefitCore

/// `scalefit isoflop SWEEP --x N,C --y loss`: Hoffmann et al. 2022's Approach 2.
struct IsoflopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "isoflop",
        abstract: "Iso-FLOP analysis (Hoffmann et al. 2022, Approach 2): the optimal N per compute budget and N*(C), D*(C) as power laws.",
        discussion: """
            --x names two columns: the model size N and the compute budget C (rows with the same C
            form one iso-FLOP curve). Per budget, a parabola of the loss in ln N gives N* with a
            delta-method 95% interval; curves that are flat, not convex, or whose minimum lies
            outside the sampled N are flagged and left out. Then ln N* and ln D* = ln(C/6) − ln N*
            are fitted linearly in ln C: the exponents come with Student's t intervals.
            Examples:
              scalefit isoflop fixtures/chinchilla-sweep/sweep.csv --x N,C --y loss
              scalefit isoflop sweep.csv --x N,C --y loss --json
            Exit status: 0 success; 1 fewer than 3 budgets with a well-defined optimum; 2 bad input or usage.
            """
    )

    @OptionGroup var input: IngestArguments

    @Flag(help: "Print one JSON document instead of a table.")
    var json = false

    func run() throws {
        guard let x = input.x, x.split(separator: ",").count == 2 else {
            throw UsageError("isoflop needs --x N,C: the model-size column and the compute-budget column")
        }
        let ingested = try input.read()
        guard !ingested.series.isEmpty else { throw UsageError("no series found in \(input.paths.joined(separator: ", "))") }
        var results: [(String, IsoFLOPAnalysis)] = []
        for series in ingested.series {
            guard let compute = series.x2 else { throw UsageError("\(series.name): no compute column (give --x N,C)") }
            results.append((series.name, try IsoFLOP.analyse(compute: compute, n: series.x, loss: series.values)))
        }
        if json {
            func estimate(_ e: IntervalEstimate) -> JSONNode { .object([("value", .finite(e.value)), ("ci95", .pair(e.ci95))]) }
            func law(_ l: IsoFLOPPowerLaw?) -> JSONNode {
                guard let l else { return .null }
                return .object([
                    ("exponent", .finite(l.exponent.value)), ("ci95", .pair(l.exponent.ci95)),
                    ("stderr", .finite(l.exponentStandardError)), ("log_coefficient", .finite(l.logCoefficient)),
                ])
            }
            let document = JSONNode.object([
                ("schema_version", .integer(1)),
                ("tool", .object([("name", .string("scalefit")), ("version", .string(ScalefitCommand.version))])),
                ("inputs", .array(ingested.sources.map { .object([("path", .string($0.path)), ("sha256", .string($0.sha256))]) })),
                ("method", .string("Approach 2 of Hoffmann et al. 2022: per budget a least-squares parabola of the loss in ln N (N* with a delta-method 95% interval, t with n - 3 degrees of freedom); then ordinary least squares of ln N* and ln D* on ln C (t with budgets - 2 degrees of freedom); D* = C/(6 N*)")),
                ("analyses", .array(results.map { name, a in
                    .object([
                        ("series", .string(name)),
                        ("budgets", .array(a.budgets.map { b in
                            .object([
                                ("compute", .finite(b.compute)), ("n_points", .integer(b.pointCount)),
                                ("curvature", .finite(b.curvature)), ("curvature_stderr", .finite(b.curvatureStandardError)),
                                ("N", estimate(b.n)), ("D", .finite(b.compute / ComputeOptimal.flopsPerParameterToken / b.n.value)),
                                ("loss_at_optimum", .finite(b.lossAtOptimum)),
                                ("flag", b.flag.map { JSONNode.string($0) } ?? .null),
                            ])
                        })),
                        ("N_exponent", law(a.n)), ("D_exponent", law(a.d)),
                        ("warnings", .array(a.warnings.map { .string($0) })),
                    ])
                })),
            ])
            print(document.rendered())
        } else {
            let n = FitReport.number
            for (name, a) in results {
                print("\(name): iso-FLOP analysis (Hoffmann et al. 2022, Approach 2)")
                for b in a.budgets {
                    print("  C = \(n(b.compute)): \(b.pointCount) points, N* = \(n(b.n.value)) 95% CI \(PredictCommand.interval(b.n.ci95)), loss \(n(b.lossAtOptimum)), curvature \(n(b.curvature)) ± \(n(b.curvatureStandardError))\(b.flag.map { "  FLAGGED: \($0)" } ?? "")")
                }
                if let l = a.n { print("  N*(C) ∝ C^\(n(l.exponent.value))  95% CI \(PredictCommand.interval(l.exponent.ci95))") }
                if let l = a.d { print("  D*(C) ∝ C^\(n(l.exponent.value))  95% CI \(PredictCommand.interval(l.exponent.ci95))") }
                for w in a.warnings { print("  warning: \(w)") }
            }
        }
        if results.contains(where: { $0.1.n == nil }) {
            throw FitError("fewer than 3 budgets with a well-defined optimum: no N*(C) power law", exitStatus: .failure)
        }
    }
}
