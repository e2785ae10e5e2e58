import ScalefitCore

// The pairs bootstrap of a fit: replicates resampled with a seeded generator (one stream
// per replicate, so that the result does not depend on the thread count), each refitted
// from the best estimate on a runner of the pool, then percentile intervals.

extension ScalingLaw {
    /// Pairs bootstrap: resample points with replacement, refit from the best estimate,
    /// and take the 2.5% and 97.5% percentiles of each parameter and derived quantity.
    func addBootstrap(
        to result: inout FitResult, data: FitData, map: ParameterMap, best: StartOutcome, options: FitOptions, threads: Int
    ) throws {
        let replicates = options.bootstrap, n = data.count, seed = options.seed
        // A replicate feeds a percentile, which does not need the main fit's 1e-12
        // tolerances; 1e-8 on the step and gradient saves the long crawl along the
        // flat valleys of poorly identified parameters.
        var loose = options
        loose.solver.stepTolerance = max(loose.solver.stepTolerance, 1e-8)
        loose.solver.gradientTolerance = max(loose.solver.gradientTolerance, 1e-8)
        loose.solver.computesCovariance = false
        let replicateOptions = loose
        let law = self
        let bestTheta = best.theta
        let derivedQuantities = derived
        let rows = parallelMap(
            count: replicates, threads: threads,
            makeState: { StartRunner.make(law: law, data: data, map: map, options: replicateOptions) },
            body: { runner, r -> [Double]? in
                var rng = SeededRandom(seed: seed, stream: UInt64(r))
                let indices = (0..<n).map { _ in Int.random(in: 0..<n, using: &rng) }
                runner.use(data.resampled(indices))
                guard let outcome = runner.run(from: bestTheta), outcome.status.isConverged else { return nil }
                let p = map.natural(outcome.theta)
                let extra = derivedQuantities.map { $0.value(p) ?? .nan }
                return p + extra
            },
            finish: { $0.recycle() })
        let good = rows.compactMap { $0 }
        result.bootstrapFailures = replicates - good.count
        result.bootstrapReplicates = good.map { Array($0.prefix(parameters.count)) }
        if good.count < replicates / 2 {
            result.warnings.append("\(replicates - good.count) of \(replicates) bootstrap refits failed; the intervals are unreliable")
        }
        guard good.count >= 10 else { return }
        func interval(_ column: Int) -> (Double, Double)? {
            let values = good.map { $0[column] }.filter { $0.isFinite }.sorted()
            guard values.count >= 10 else { return nil }
            return (percentile(values, 0.025), percentile(values, 0.975))
        }
        for j in result.parameters.indices where result.parameters[j].errorBar != .fixed {
            result.parameters[j].bootstrapCI95 = interval(j)
        }
        for d in result.derived.indices {
            result.derived[d].bootstrapCI95 = interval(parameters.count + d)
        }
        // Identification shows in the bootstrap too: a 95% interval wider than the estimate.
        for estimate in result.parameters where estimate.errorBar == .estimated && estimate.intervalProblem == nil {
            if let ci = estimate.bootstrapCI95, ci.1 - ci.0 > abs(estimate.value) {
                result.warnings.append("\(estimate.name) is poorly identified: its bootstrap 95% interval [\(format(ci.0)), \(format(ci.1))] is wider than the estimate \(format(estimate.value))")
            }
        }
    }
}
