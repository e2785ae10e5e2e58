import Testing
import RealModule
import ScalefitCore
@testable import Fit

/// Linear-space fits of separable laws go through variable projection; these tests hold its
/// answers to the full problem solved by GSL directly (same objective, same weights).
@Suite("Variable projection agrees with the full least-squares problem")
struct VariableProjectionTests {
    /// Minimises Σ w (L(x; p) − y)² over all of p with GSL's LM in natural parameters,
    /// starting from `start`.
    static func fullSolve(_ law: any ScalingLaw, _ series: Series, from start: [Double]) throws -> LeastSquaresResult {
        let x = series.x, x2 = series.x2, y = series.values, count = law.parameters.count
        let problem = LeastSquaresProblem(
            residualCount: x.count, parameterCount: count,
            residuals: { p, r in
                let values = p.array
                for i in 0..<x.count { r[i] = law.value(x[i], x2?[i] ?? .nan, parameters: values) - y[i] }
            },
            jacobian: { p, j in
                let values = p.array
                var g = [Double](repeating: 0, count: count)
                for i in 0..<x.count {
                    law.gradient(x[i], x2?[i] ?? .nan, parameters: values, into: &g)
                    for k in 0..<count { j[i, k] = g[k] }
                }
            })
        return try NonlinearLeastSquares(problem: problem).solve(from: start, weights: series.weights)
    }

    static func usesProjection<Law: ScalingLaw>(_ law: Law, _ series: Series, _ options: FitOptions) throws -> Bool {
        let data = try FitData(series: series, space: options.space, law: law)
        let map = try ParameterMap(law: law, fixed: options.fixed, tied: options.tied)
        return try StartRunner(law: law, data: data, map: map, options: options).usesProjection
    }

    static func noisy(_ law: any ScalingLaw, _ truth: [Double], x: [Double], x2: [Double]? = nil, seed: UInt64, weighted: Bool) -> Series {
        var rng = SeededRandom(seed: seed)
        let y = x.indices.map { i in law.value(x[i], x2?[i] ?? .nan, parameters: truth) * (1 + 0.01 * gaussian(&rng)) }
        var series = Series(run: law.name, metric: "loss", x: x, x2: x2, values: y)
        if weighted { series.weights = y.indices.map { 1 / (0.5 + Double($0 % 5)) } }
        return series
    }

    static var cases: [(String, any ScalingLaw, Series)] {
        var list: [(String, any ScalingLaw, Series)] = []
        for weighted in [false, true] {
            let tag = weighted ? " (weighted)" : ""
            list.append(("power" + tag, PowerLaw(), noisy(PowerLaw(), [40, 0.3], x: grid(1e3, 1e9, 20), seed: 1, weighted: weighted)))
            list.append(("saturating" + tag, SaturatingLaw(), noisy(SaturatingLaw(), [1.8, 400, 0.35], x: grid(1e3, 1e9, 20), seed: 2, weighted: weighted)))
            list.append(("broken1" + tag, BrokenPowerLaw(breaks: 1),
                         noisy(BrokenPowerLaw(breaks: 1), [0.5, 30, 0.2, 0.4, 1e5, 0.5], x: grid(1e2, 1e9, 40), seed: 3, weighted: weighted)))
            let data = FitEngineTests.chinchillaData(seed: 4)
            var chinchilla = noisy(ChinchillaLaw(), [1.82, 482, 2085, 0.348, 0.366], x: data.x, x2: data.x2, seed: 4, weighted: weighted)
            chinchilla.run = "chinchilla"
            list.append(("chinchilla" + tag, ChinchillaLaw(), chinchilla))
        }
        return list
    }

    @Test("the projected optimum is the full problem's: parameters to 1e-7, objective to 1e-10",
          arguments: 0..<8)
    func agreesWithFullProblem(_ index: Int) throws {
        let (name, law, series) = Self.cases[index]
        var options = FitOptions()
        options.space = .linear
        options.threads = 1
        if law is ChinchillaLaw { options.startLimit = 2 }  // the data-driven starts, not the grid
        // The fit goes through variable projection (not the full search this test compares with).
        #expect(try Self.usesProjection(law, series, options))
        let result = try law.fit(to: series, options: options)
        #expect(result.converged, "\(name): \(result.status)")
        // GSL's LM on the full problem from 1% away must come back to the same point.
        let start = result.values.map { $0 * 1.01 }
        let full = try Self.fullSolve(law, series, from: start)
        #expect(full.converged, "\(name): full solve \(full.status)")
        let objective = result.chiSquared
        #expect(abs(full.chiSquared - objective) <= 1e-10 * objective, "\(name): \(full.chiSquared) vs \(objective)")
        for (j, value) in result.values.enumerated() {
            let difference = abs(full.parameters[j] - value) / max(abs(value), 1e-12)
            #expect(difference <= 1e-7, "\(name): \(law.parameterNames[j]) \(value) vs \(full.parameters[j])")
        }
        // The projected path reports the reduced search's iterations; the full problem's
        // covariance is the one the intervals use.
        #expect(result.parameters.allSatisfy { $0.standardError != nil }, "\(name): \(result.parameters.map(\.note))")
    }

    @Test("each nonlinear parameter's gradient is its owning coefficient times the gradient with coefficients 1")
    func ownersScaleTheGradient() {
        let laws: [(any SeparableLaw, [Double])] = [
            (PowerLaw(), [40, 0.3]),
            (SaturatingLaw(), [1.8, 400, 0.35]),
            (ChinchillaLaw(), [1.82, 482, 2085, 0.348, 0.366]),
            (BrokenPowerLaw(breaks: 1), [0.5, 30, 0.2, 0.4, 1e5, 0.5]),
            (BrokenPowerLaw(breaks: 2), [0.5, 30, 0.2, 0.4, 1e4, 0.5, -0.3, 1e7, 0.8]),
            (BrokenPowerLaw(breaks: 3), [0.5, 30, 0.2, 0.4, 1e4, 0.5, -0.3, 1e6, 0.8, 0.2, 1e8, 0.3]),
        ]
        for (law, p) in laws {
            let count = law.parameters.count
            let nonlinear = (0..<count).filter { !law.linearParameters.contains($0) }
            #expect(law.nonlinearOwners.count == nonlinear.count, "\(law.name)")
            var unit = p
            for j in law.linearParameters { unit[j] = 1 }
            var g = [Double](repeating: 0, count: count), g1 = g
            for x in [1e3, 3.7e5, 2e8] {
                law.gradient(x, 5e9, parameters: p, into: &g)
                law.gradient(x, 5e9, parameters: unit, into: &g1)
                for (b, j) in nonlinear.enumerated() {
                    let owner = law.nonlinearOwners[b]
                    #expect(law.linearParameters.contains(owner), "\(law.name)")
                    let expected = p[owner] * g1[j]
                    #expect(abs(g[j] - expected) <= 1e-12 * max(abs(g[j]), 1e-300), "\(law.name) \(law.parameterNames[j]) at x = \(x): \(g[j]) vs \(expected)")
                }
            }
        }
    }
}
