import Foundation
import ScalefitCore

/// Iterated fitting of a multivariate Gaussian (docs/collapse-models.md §4.2, [CT]).
///
/// Truth N(0, σ²I_d). At t = 1 the model is fitted on n real points D_1; each model M_t
/// (sample mean, MLE covariance with divisor = sample size) produces n synthetic points S_t;
/// M_{t+1} is fitted on the workflow's training set. Metrics per iteration t = 1...T (mean
/// over replicates, with standard errors): `mean_squared_error` ‖μ̂_t − μ0‖²,
/// `determinant_ratio` det Σ̂_t / det Σ0 and `trace_ratio` tr Σ̂_t / tr Σ0.
///
/// Laws (docs/collapse-models.md §4.3): replace E tr Σ̂_t = dσ²(1 − 1/n)^t and
/// E‖μ̂_t − μ0‖² = dσ²(1 − (1 − 1/n)^t); accumulate E‖μ̂_t − μ0‖² ≤ (π²/6)·dσ²/n.
public struct GaussianSetting: Sendable, Hashable, Codable {
    public var dimension: Int
    public var sigma2: Double
    public var n: Int
    public var iterations: Int
    public var workflow: Workflow
    public var replicates: Int

    public init(dimension: Int, sigma2: Double = 1, n: Int, iterations: Int, workflow: Workflow, replicates: Int = 100) {
        self.dimension = dimension
        self.sigma2 = sigma2
        self.n = n
        self.iterations = iterations
        self.workflow = workflow
        self.replicates = replicates
    }

    public func validate() throws {
        try require(dimension >= 1 && dimension <= 200, "--d must be between 1 and 200")
        try require(sigma2.isFinite && sigma2 > 0, "--sigma2 must be > 0")
        try require(n >= 2 && n <= 1_000_000, "--n must be between 2 and 1e6")
        try require(iterations >= 1 && iterations <= 10_000, "--iterations must be between 1 and 1e4")
        try require(replicates >= 1 && replicates <= 1_000_000, "--replicates must be between 1 and 1e6")
        let work = Double(replicates) * Double(iterations) * Double(n) * Double(dimension * dimension)
            * (workflow == .accumulate ? Double(iterations) / 2 : 1)
        try require(work <= 2e10, "replicates·iterations·n·d² is too large (\(work)); lower one of them")
    }

    static let metricNames = ["mean_squared_error", "determinant_ratio", "trace_ratio"]

    func simulate(seed: UInt64) throws -> ReplicateAverages {
        try validate()
        let d = dimension
        var averages = ReplicateAverages(metrics: 3, steps: iterations)
        let sigma = sigma2.squareRoot()
        for r in 0..<replicates {
            let rng = try GSLRandom(seed: GSLRandom.subseed(seed, UInt64(r)))
            var latest = (0..<(n * d)).map { _ in rng.gaussian(sigma: sigma) }
            var pool = PointPool(dimension: d)
            pool.points = latest
            var rows = Array(repeating: [Double](repeating: 0, count: iterations), count: 3)
            for t in 0..<iterations {
                let training = t == 0 ? latest : pool.trainingSet(workflow, latest: latest, n: n, rng: rng)
                let (mean, covariance) = Self.fit(training, d)
                rows[0][t] = mean.reduce(0) { $0 + $1 * $1 }
                rows[1][t] = GSLLinearAlgebra.semidefiniteDeterminant(covariance, size: d) / pow(sigma2, Double(d))
                rows[2][t] = (0..<d).reduce(0) { $0 + covariance[$1 * d + $1] } / (Double(d) * sigma2)
                if t == iterations - 1 { break }
                let factor = try GSLLinearAlgebra.semidefiniteFactor(covariance, size: d)
                latest = Self.sample(n, mean: mean, factor: factor.factor, lowerTriangular: factor.lowerTriangular, d, rng: rng)
                if workflow != .replace { pool.points += latest }
            }
            averages.add(rows)
        }
        return averages
    }

    /// Sample mean and MLE covariance (divisor = number of rows).
    static func fit(_ x: [Double], _ d: Int) -> ([Double], [Double]) {
        let rows = x.count / d
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<rows { for j in 0..<d { mean[j] += x[i * d + j] } }
        for j in 0..<d { mean[j] /= Double(rows) }
        var c = [Double](repeating: 0, count: d * d)
        for i in 0..<rows {
            for j in 0..<d {
                let a = x[i * d + j] - mean[j]
                for k in 0...j { c[j * d + k] += a * (x[i * d + k] - mean[k]) }
            }
        }
        for j in 0..<d {
            for k in 0...j {
                c[j * d + k] /= Double(rows)
                c[k * d + j] = c[j * d + k]
            }
        }
        return (mean, c)
    }

    /// n draws from N(mean, L Lᵀ); `lowerTriangular` says L has zeros above its diagonal.
    static func sample(_ n: Int, mean: [Double], factor l: [Double], lowerTriangular: Bool, _ d: Int, rng: GSLRandom) -> [Double] {
        var out = [Double](repeating: 0, count: n * d)
        var z = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d { z[j] = rng.gaussian() }
            for j in 0..<d {
                var s = mean[j]
                for k in 0...(lowerTriangular ? j : d - 1) { s += l[j * d + k] * z[k] }
                out[i * d + j] = s
            }
        }
        return out
    }

    public var runName: String { "gaussian-\(workflow.rawValue)" }

    public func generate(seed: UInt64, toolVersion: String = GroundTruth.defaultToolVersion) throws -> GeneratedData {
        let averages = try simulate(seed: seed)
        let x = (1...iterations).map(Double.init)
        var series: [Series] = []
        let labels = ["workflow": workflow.rawValue]
        for (k, name) in Self.metricNames.enumerated() {
            series.append(Series(run: runName, metric: name, x: x, values: averages.mean(k), labels: labels))
            if replicates > 1 {
                series.append(Series(run: runName, metric: name + "_stderr", x: x, values: averages.standardError(k), labels: labels))
            }
        }
        let d = Double(dimension), rate = 1 - 1 / Double(n)
        var law: [String: TruthValue] = [:]
        switch workflow {
        case .replace:
            law["trace"] = "E tr(Sigma_t) = d sigma^2 (1 - 1/n)^t"
            law["mean_squared_error"] = "E ||mu_t - mu_0||^2 = d sigma^2 (1 - (1 - 1/n)^t)"
            law["rate"] = .number(rate)
            series.append(Series(run: runName, metric: "trace_ratio_closed_form", x: x, values: x.map { pow(rate, $0) }, labels: labels))
            series.append(Series(run: runName, metric: "mean_squared_error_closed_form", x: x,
                                 values: x.map { d * sigma2 * (1 - pow(rate, $0)) }, labels: labels))
        case .accumulate:
            law["mean_squared_error_bound"] = .number(Double.pi * Double.pi / 6 * d * sigma2 / Double(n))
            law["mean_squared_error"] = "E ||mu_t - mu_0||^2 ~ (d sigma^2/n) sum_{i<=t} 1/i^2 <= (pi^2/6) d sigma^2/n"
        case .accumulateSubsample:
            law["mean_squared_error"] = "bounded, between replace and accumulate (docs/collapse-models.md §4.3, simulation only)"
        }
        law["first_iteration_mean_squared_error"] = .number(d * sigma2 / Double(n))
        let truth = GroundTruth(
            scenario: "gaussian", reference: "docs/collapse-models.md §4.2–4.3 (Collapse or Thrive?, arXiv 2410.16713)",
            seed: seed,
            parameters: [
                "d": .integer(dimension), "sigma2": .number(sigma2), "n": .integer(n),
                "iterations": .integer(iterations), "workflow": .text(workflow.rawValue), "replicates": .integer(replicates),
            ],
            law: law, toolVersion: toolVersion)
        return GeneratedData(series: series, truth: truth)
    }
}
