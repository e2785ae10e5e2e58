import Foundation
import ScalefitCore

/// Ridge regression on a mix of real and synthetic rows (docs/collapse-models.md §2, [SMC]).
///
/// Isotropic design x ~ N(0, I_d); real teacher w1* uniform on the unit sphere; synthetic
/// teacher w2* = w1* + Δ with ‖Δ‖² = c² in a random direction; n1 = round((1 − p2)n) real
/// rows y = xᵀw1* + ε and n2 = n − n1 synthetic rows y = xᵀw2* + ε, ε ~ N(0, σ²). The fit is
/// ŵ = (XᵀX/n + λI)⁻¹Xᵀy/n (GSL BLAS + Cholesky); with `projection` m the features are
/// z = Sᵀx with S_ij ~ N(0, 1/d) and ŵ = S v̂. Metric: `test_error` = ‖ŵ − w1*‖² (the
/// excess risk on real data), mean over replicates, with the isotropic ridgeless closed form
///
///     E_test ≃ σ²φ/(1−φ) + p2²c² + p1p2c²φ/(1−φ),  φ = d/n < 1
///
/// beside it when λ = 0 and there is no projection. Without projection the series
/// `test_error_conditional` also gives the error averaged analytically over the label noise
/// and the direction of Δ given each design (same mean, far smaller variance).
public struct RidgeSetting: Sendable, Hashable, Codable {
    public var dimension: Int
    public var p2: Double
    public var c2: Double
    public var sigma: Double
    public var lambda: Double
    public var projection: Int?
    public var sizes: [Int]
    public var replicates: Int

    public init(dimension: Int, p2: Double, c2: Double, sigma: Double = 1, lambda: Double = 0,
                projection: Int? = nil, sizes: [Int], replicates: Int = 20) {
        self.dimension = dimension
        self.p2 = p2
        self.c2 = c2
        self.sigma = sigma
        self.lambda = lambda
        self.projection = projection
        self.sizes = sizes
        self.replicates = replicates
    }

    public func validate() throws {
        try require(dimension >= 1 && dimension <= 2000, "--d must be between 1 and 2000")
        try require(p2 >= 0 && p2 <= 1, "--p2 must be in [0, 1]")
        try require(c2.isFinite && c2 >= 0, "--c2 must be ≥ 0")
        try require(sigma.isFinite && sigma >= 0, "--sigma must be ≥ 0")
        try require(lambda.isFinite && lambda >= 0, "--lambda must be ≥ 0")
        if let projection { try require(projection >= 1 && projection <= 2000, "--m must be between 1 and 2000") }
        try require(!sizes.isEmpty && sizes.allSatisfy { $0 >= 1 && $0 <= 200_000 }, "every n must be between 1 and 2e5")
        try require(replicates >= 1 && replicates <= 10_000, "--replicates must be between 1 and 1e4")
        let width = projection ?? dimension
        if lambda == 0 {
            try require(sizes.allSatisfy { $0 > width }, "with --lambda 0 every n must exceed the fitted width (\(width)); give --lambda > 0")
        }
        let work = Double(replicates) * sizes.reduce(0.0) { $0 + Double($1) } * Double(width) * Double(dimension + width)
        try require(work <= 5e11, "replicates·Σn·width·(d + width) is too large (\(work))")
    }

    /// The isotropic ridgeless closed form, or nil when it does not apply.
    public func closedForm(n: Int) -> Double? {
        guard lambda == 0, projection == nil, n > dimension else { return nil }
        let n2 = Double(n - Int((Double(n) * (1 - p2)).rounded())) / Double(n)
        let n1 = 1 - n2
        let phi = Double(dimension) / Double(n)
        let g = phi / (1 - phi)
        return sigma * sigma * g + n2 * n2 * c2 + n1 * n2 * c2 * g
    }

    func simulate(seed: UInt64) throws -> ReplicateAverages {
        try validate()
        let d = dimension
        var averages = ReplicateAverages(metrics: 2, steps: sizes.count)
        for r in 0..<replicates {
            var row = [Double](repeating: 0, count: sizes.count)
            var conditional = row
            for (k, n) in sizes.enumerated() {
                let rng = try GSLRandom(seed: GSLRandom.subseed(seed, UInt64(r) << 20 | UInt64(k)))
                var w1 = (0..<d).map { _ in rng.gaussian() }
                let norm1 = w1.reduce(0) { $0 + $1 * $1 }.squareRoot()
                w1 = w1.map { $0 / norm1 }
                var delta = (0..<d).map { _ in rng.gaussian() }
                let normDelta = delta.reduce(0) { $0 + $1 * $1 }.squareRoot()
                delta = delta.map { $0 / normDelta * c2.squareRoot() }
                let n1 = Int((Double(n) * (1 - p2)).rounded())
                var x = [Double](repeating: 0, count: n * d)
                var y = [Double](repeating: 0, count: n)
                for i in 0..<n {
                    var dot = 0.0
                    for j in 0..<d {
                        let v = rng.gaussian()
                        x[i * d + j] = v
                        dot += v * (i < n1 ? w1[j] : w1[j] + delta[j])
                    }
                    y[i] = dot + rng.gaussian(sigma: sigma)
                }
                var design = DenseMatrix(rows: n, columns: d, entries: x)
                var projectionMatrix: DenseMatrix?
                if let m = projection {
                    let s = DenseMatrix(rows: d, columns: m, entries: (0..<(d * m)).map { _ in rng.gaussian(sigma: 1 / Double(d).squareRoot()) })
                    projectionMatrix = s
                    design = try GSLLinearAlgebra.multiply(design, s)
                }
                let fitted = try GSLLinearAlgebra.ridge(design: design, targets: y, lambda: lambda)
                var w = fitted
                if let s = projectionMatrix {
                    w = try GSLLinearAlgebra.multiply(s, DenseMatrix(rows: s.columns, columns: 1, entries: fitted)).entries
                }
                row[k] = zip(w, w1).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                if projection == nil {
                    conditional[k] = try GSLLinearAlgebra.ridgeConditionalRisk(
                        design: design, syntheticFrom: n1, lambda: lambda, sigma: sigma, c2: c2, teacher: w1)
                }
            }
            averages.add([row, conditional])
        }
        return averages
    }

    public var runName: String {
        "ridge-d\(dimension)-p2_\(NormalForm.number(p2))" + (projection.map { "-m\($0)" } ?? "")
    }

    public func generate(seed: UInt64, toolVersion: String = GroundTruth.defaultToolVersion) throws -> GeneratedData {
        let averages = try simulate(seed: seed)
        let x = sizes.map(Double.init)
        // The label a family analysis groups by (`detect --by synthetic_fraction`).
        let labels = ["synthetic_fraction": NormalForm.number(p2)]
        var series = [Series(run: runName, metric: "test_error", x: x, values: averages.mean(0), labels: labels)]
        if replicates > 1 {
            series.append(Series(run: runName, metric: "test_error_stderr", x: x, values: averages.standardError(0), labels: labels))
        }
        if projection == nil {
            series.append(Series(run: runName, metric: "test_error_conditional", x: x, values: averages.mean(1), labels: labels))
        }
        let closed = sizes.map(closedForm)
        if closed.allSatisfy({ $0 != nil }) {
            series.append(Series(run: runName, metric: "test_error_closed_form", x: x, values: closed.map { $0! }, labels: labels))
        }
        var law: [String: TruthValue] = [
            "test_error": "E||w_hat - w1*||^2 (Sigma = I)",
            "closed_form": "sigma^2 phi/(1-phi) + p2^2 c^2 + p1 p2 c^2 phi/(1-phi), phi = d/n (isotropic, ridgeless, DERIVED)",
            "floor": .number(p2 * p2 * c2),
            "floor_formula": "p2^2 c^2 (strong collapse floor as n -> infinity)",
        ]
        if projection != nil || lambda > 0 { law["closed_form_applies"] = "no: simulation only (projection or lambda > 0)" }
        var parameters: [String: TruthValue] = [
            "d": .integer(dimension), "p2": .number(p2), "c2": .number(c2), "sigma": .number(sigma),
            "lambda": .number(lambda), "n": .numbers(x), "replicates": .integer(replicates),
        ]
        parameters["m"] = projection.map { .integer($0) } ?? .null
        let truth = GroundTruth(
            scenario: "ridge", reference: "docs/collapse-models.md §2 (Strong Model Collapse, arXiv 2410.04840)",
            seed: seed, parameters: parameters, law: law, toolVersion: toolVersion)
        return GeneratedData(series: series, truth: truth)
    }
}
