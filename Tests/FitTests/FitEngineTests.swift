import Testing
import RealModule
import ScalefitCore
@testable import Fit

/// Standard normal draws (Box–Muller) from a seeded stream.
func gaussian(_ rng: inout SeededRandom) -> Double {
    let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
    return (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
}

func grid(_ lo: Double, _ hi: Double, _ count: Int) -> [Double] { LawCase.grid(lo, hi, count) }

@Suite("Fit engine: uncertainty, robustness, multi-start")
struct FitEngineTests {
    /// Calibration (lmfit tests/test_covariance_matrix.py style): the 95% covariance interval
    /// for α of a saturating law must cover the truth in 90–99% of 200 seeded replicates.
    @Test("covariance intervals are calibrated: α covered in 90–99% of 200 replicates")
    func calibration() throws {
        let law = SaturatingLaw(), truth = [0.5, 10.0, 0.3]
        let x = grid(1e3, 1e9, 20)
        var covered = 0, fitted = 0
        var options = FitOptions()
        options.threads = 1
        options.startLimit = 3
        for replicate in 0..<200 {
            var rng = SeededRandom(seed: 2024, stream: UInt64(replicate))
            let y = x.map { law.value($0, .nan, parameters: truth) * Double.exp(0.01 * gaussian(&rng)) }
            let result = try law.fit(to: Series(run: "r", metric: "loss", x: x, values: y), options: options)
            guard result.converged, let ci = result.parameter("alpha")?.ci95 else { continue }
            fitted += 1
            if ci.lower <= truth[2] && truth[2] <= ci.upper { covered += 1 }
        }
        #expect(fitted == 200)
        let rate = Double(covered) / 200
        print("calibration: α covered in \(covered) of 200 replicates (\(rate * 100)%)")
        #expect(rate >= 0.90 && rate <= 0.99, "coverage \(rate)")
    }

    /// The Huber objective Σ ρ_δ(r_i), minimised directly by Nelder–Mead (test-only code),
    /// must agree with the IRLS result.
    @Test("the Huber fit reaches the minimum of the summed Huber objective")
    func huberMatchesDirectMinimisation() throws {
        let law = SaturatingLaw(), truth = [1.0, 30.0, 0.4]
        let x = grid(1e2, 1e8, 25)
        var rng = SeededRandom(seed: 7)
        var y = x.map { law.value($0, .nan, parameters: truth) * Double.exp(0.02 * gaussian(&rng)) }
        y[5] *= 1.5; y[12] *= 0.6; y[20] *= 1.3  // outliers
        let delta = 0.01
        var options = FitOptions()
        options.loss = .huber(delta)
        let series = Series(run: "h", metric: "loss", x: x, values: y)
        let result = try law.fit(to: series, options: options)
        #expect(result.converged)
        func objective(_ theta: [Double]) -> Double {
            let p = [Double.exp(theta[0]), Double.exp(theta[1]), Double.exp(theta[2])]
            return x.indices.reduce(0) { $0 + huber(Double.log(law.value(x[$1], .nan, parameters: p)) - Double.log(y[$1]), delta) }
        }
        let irlsTheta = result.values.map { Double.log($0) }
        let direct = nelderMead(objective, from: irlsTheta.map { $0 + 0.1 }, iterations: 20000)
        let irlsObjective = objective(irlsTheta), directObjective = objective(direct)
        #expect(result.objective.isApproximatelyEqual(to: irlsObjective, relativeTolerance: 1e-9))
        #expect(irlsObjective <= directObjective * (1 + 1e-9), "IRLS \(irlsObjective) vs direct \(directObjective)")
        #expect(directObjective.isApproximatelyEqual(to: irlsObjective, relativeTolerance: 1e-6))
        for j in 0..<3 {
            #expect(Double.exp(direct[j]).isApproximatelyEqual(to: result.values[j], relativeTolerance: 1e-3))
        }
        // Least squares is pulled by the outliers; Huber is not (α closer to the truth).
        let plain = try law.fit(to: series, options: FitOptions())
        #expect(abs(result.values[2] - 0.4) < abs(plain.values[2] - 0.4))
    }

    /// Chinchilla: E = 1.82, A = 482, B = 2085, α = 0.348, β = 0.366 (Besiroglu et al. 2024's
    /// re-fit), 240 points over Chinchilla's N and D range, 2% noise.
    static func chinchillaData(seed: UInt64) -> Series {
        let law = ChinchillaLaw(), truth = [1.82, 482, 2085, 0.348, 0.366]
        var rng = SeededRandom(seed: seed)
        var n: [Double] = [], d: [Double] = [], y: [Double] = []
        for a in grid(7e7, 1.6e10, 12) {
            for b in grid(5e9, 5e11, 20) {
                n.append(a)
                d.append(b)
                y.append(law.value(a, b, parameters: truth) * Double.exp(0.02 * gaussian(&rng)))
            }
        }
        return Series(run: "chinchilla", metric: "loss", x: n, x2: d, values: y)
    }

    @Test("Chinchilla: Epoch's 4,500-start grid beats the truth's objective; bootstrap covers the truth")
    func chinchillaGrid() throws {
        let truth = [1.82, 482, 2085, 0.348, 0.366]
        let series = Self.chinchillaData(seed: 11)
        var options = FitOptions()
        options.bootstrap = 200
        options.seed = 5
        let result = try ChinchillaLaw().fit(to: series, options: options)
        #expect(result.starts.tried >= 4500)
        #expect(result.converged)
        let truthObjective = zip(series.x.indices, series.values).reduce(0.0) { sum, pair in
            let r = Double.log(ChinchillaLaw().value(series.x[pair.0], series.x2![pair.0], parameters: truth)) - Double.log(pair.1)
            return sum + r * r
        }
        #expect(result.objective <= truthObjective)
        for (j, estimate) in result.parameters.enumerated() {
            let ci = try #require(estimate.bootstrapCI95, "\(estimate.name) has no bootstrap interval")
            #expect(ci.lower <= truth[j] && truth[j] <= ci.upper, "\(estimate.name): \(ci) vs \(truth[j])")
        }
        // B is poorly identified by this design, and the result says so.
        print("chinchilla: starts \(result.starts), B interval \(result.parameters[2].bootstrapCI95!), warnings \(result.warnings)")
        #expect(result.warnings.contains { $0.hasPrefix("B is poorly identified") })
    }

    @Test("variable projection: the 5-parameter Chinchilla problem is ill-conditioned, the projected one is not")
    func variableProjectionConditioning() throws {
        let series = Self.chinchillaData(seed: 11)
        let law = ChinchillaLaw()
        // The full problem in natural parameters (E, A, B, α, β), linear residuals, at the fit.
        let projected = try law.projectedFit(to: series, from: [0, 0, 0, 0.3, 0.3])
        #expect(projected.status.isConverged, "\(projected.status)")
        let x = series.x, d = series.x2!, y = series.values
        let full = LeastSquaresProblem(
            residualCount: x.count, parameterCount: 5,
            residuals: { p, r in for i in 0..<x.count { r[i] = law.value(x[i], d[i], parameters: p.array) - y[i] } },
            jacobian: { p, j in
                var g = [Double](repeating: 0, count: 5)
                for i in 0..<x.count {
                    law.gradient(x[i], d[i], parameters: p.array, into: &g)
                    for k in 0..<5 { j[i, k] = g[k] }
                }
            })
        let solver = try NonlinearLeastSquares(problem: full)
        let polished = try solver.solve(from: projected.parameters)
        print("condition numbers: full \(polished.conditionNumber), projected \(projected.reducedConditionNumber)")
        // cond(J) squared is the condition number of the normal matrix JᵀJ that a
        // Gauss–Newton or quasi-Newton search works with.
        #expect(polished.conditionNumber > 1e6)
        #expect(polished.conditionNumber * polished.conditionNumber > 1e11)
        #expect(projected.reducedConditionNumber < 1e5)
        for k in 0..<5 {
            #expect(polished.parameters[k].isApproximatelyEqual(to: projected.parameters[k], relativeTolerance: 1e-4))
        }
    }

    @Test("results are identical whatever the thread count")
    func threadIndependence() throws {
        let series = Self.chinchillaData(seed: 3)
        var one = FitOptions(), two = FitOptions()
        one.threads = 1; two.threads = 2
        one.startLimit = 300; two.startLimit = 300
        one.bootstrap = 40; two.bootstrap = 40
        let a = try ChinchillaLaw().fit(to: series, options: one)
        let b = try ChinchillaLaw().fit(to: series, options: two)
        #expect(a.values == b.values)
        #expect(a.objective == b.objective)
        #expect(a.parameters.map { $0.bootstrapCI95?.lower } == b.parameters.map { $0.bootstrapCI95?.lower })
        #expect(a.starts.reachedBest == b.starts.reachedBest)
    }

    @Test("fixed and tied parameters are honoured")
    func fixAndTie() throws {
        let law = SaturatingLaw()
        let x = grid(1e3, 1e9, 15)
        let y = x.map { law.value($0, .nan, parameters: [1.7, 50, 0.3]) }
        var options = FitOptions()
        options.fixed = ["E": 1.7]
        let result = try law.fit(to: Series(run: "f", metric: "l", x: x, values: y), options: options)
        #expect(result.parameter("E")?.value == 1.7)
        #expect(result.parameter("E")?.note == "fixed")
        #expect(result.parameter("alpha")!.value.isApproximatelyEqual(to: 0.3, relativeTolerance: 1e-8))
        options.fixed = ["F": 1]
        #expect(throws: FitError.self) { try law.fit(to: Series(run: "f", metric: "l", x: x, values: y), options: options) }
    }

    @Test("bad data: non-positive values in log space, x ≤ 0, too few points")
    func badData() {
        let law = SaturatingLaw()
        #expect(throws: FitError.self) { try law.fit(to: Series(run: "b", metric: "l", x: [1, 2, 3, 4], values: [1, 0, 1, 1])) }
        // x ≤ 0 has no logarithm: such points are left out with a count (issue 16, item 5);
        // a series with none left, or too few, is still refused.
        #expect(throws: FitError.self) { try law.fit(to: Series(run: "b", metric: "l", x: [0, -2, 0, -4], values: [1, 1, 1, 1])) }
        #expect(throws: FitError.self) { try law.fit(to: Series(run: "b", metric: "l", x: [0, 2, 3], values: [1, 1, 1])) }
        let dropped = try? law.fit(to: Series(run: "b", metric: "l", x: [0, 2, 3, 4, 8], values: [9, 2.5, 2.2, 2.1, 2]))
        #expect(dropped?.warnings.contains { $0.hasPrefix("dropped 1 point with x ≤ 0") && $0.contains("--min-x 2") } == true)
        #expect(throws: FitError.self) { try law.fit(to: Series(run: "b", metric: "l", x: [1, 2], values: [1, 0.5])) }
        #expect(throws: FitError.self) { try law.fit(to: Series(run: "b", metric: "l", x: [1, 2, .nan], values: [1, 0.5, 0.2])) }
    }

    @Test("predictions carry a confidence band inside a wider prediction interval")
    func predictionBands() throws {
        let law = SaturatingLaw(), truth = [0.5, 10.0, 0.3]
        let x = grid(1e3, 1e8, 20)
        var rng = SeededRandom(seed: 9)
        let y = x.map { law.value($0, .nan, parameters: truth) * Double.exp(0.01 * gaussian(&rng)) }
        var options = FitOptions()
        options.predictX = [1e9, 1e10]
        let result = try law.fit(to: Series(run: "p", metric: "l", x: x, values: y), options: options)
        #expect(result.predictions.count == 2)
        for prediction in result.predictions {
            let band = try #require(prediction.confidenceBand), interval = try #require(prediction.predictionInterval)
            #expect(interval.lower < band.lower && band.lower < prediction.value && prediction.value < band.upper && band.upper < interval.upper)
        }
        // Extrapolating further widens the band.
        let w0 = result.predictions[0].confidenceBand!, w1 = result.predictions[1].confidenceBand!
        #expect(w1.upper / w1.lower > w0.upper / w0.lower)
    }
}

/// Nelder–Mead simplex (test-only reference minimiser; Nelder & Mead 1965 coefficients).
func nelderMead(_ f: ([Double]) -> Double, from start: [Double], iterations: Int) -> [Double] {
    let n = start.count
    var simplex = [start] + (0..<n).map { i -> [Double] in var p = start; p[i] += 0.05 * max(abs(p[i]), 1); return p }
    var values = simplex.map(f)
    for _ in 0..<iterations {
        let order = values.indices.sorted { values[$0] < values[$1] }
        simplex = order.map { simplex[$0] }
        values = order.map { values[$0] }
        if abs(values[n] - values[0]) <= 1e-15 * abs(values[0]) { break }
        let centroid = (0..<n).map { j in simplex[0..<n].reduce(0) { $0 + $1[j] } / Double(n) }
        func along(_ t: Double) -> [Double] { (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) } }
        let reflected = along(-1), fr = f(reflected)
        if fr < values[0] {
            let expanded = along(-2), fe = f(expanded)
            if fe < fr { simplex[n] = expanded; values[n] = fe } else { simplex[n] = reflected; values[n] = fr }
        } else if fr < values[n - 1] {
            simplex[n] = reflected; values[n] = fr
        } else {
            let contracted = fr < values[n] ? along(-0.5) : along(0.5), fc = f(contracted)
            if fc < min(fr, values[n]) {
                simplex[n] = contracted; values[n] = fc
            } else {
                for i in 1...n {
                    simplex[i] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[i][$0] - simplex[0][$0]) }
                    values[i] = f(simplex[i])
                }
            }
        }
    }
    return simplex[values.indices.min { values[$0] < values[$1] }!]
}
