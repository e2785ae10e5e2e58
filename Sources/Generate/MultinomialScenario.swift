import Foundation
import ScalefitCore

/// How real data enters a partially synthetic multinomial recursion.
public enum RealSample: String, CaseIterable, Sendable, Codable {
    /// A new real sample of size N every generation.
    case fresh
    /// One real sample of size N drawn once and reused.
    case fixed
}

/// Recursive estimation of a categorical distribution (docs/collapse-models.md §3, [HB]):
/// p⁽⁰⁾ = Zipf(β) on V outcomes (uniform when β = 0); each generation draws n synthetic
/// samples from p⁽ᵐ⁾ and, when N > 0, mixes in N real samples from p⁽⁰⁾:
/// p⁽ᵐ⁺¹⁾ = (N p̂_real + n p̂_syn)/(N + n).
///
/// Metrics per generation m = 0...M (mean over replicates): `collision_probability`
/// S_m = Σ_v (p_v⁽ᵐ⁾)², `entropy` (nats), `support_size`, `drift_l1` = ‖p⁽ᵐ⁾ − p⁽⁰⁾‖₁; with
/// their standard errors, and for the fully synthetic chain the closed form
/// S_m = 1 − (1 − 1/n)^m (1 − S_0) beside them.
public struct MultinomialSetting: Sendable, Hashable, Codable {
    public var vocabulary: Int
    public var beta: Double
    public var n: Int
    public var real: Int
    public var realSample: RealSample
    public var generations: Int
    public var replicates: Int

    public init(vocabulary: Int, beta: Double = 1.2, n: Int, real: Int = 0, realSample: RealSample = .fresh,
                generations: Int, replicates: Int = 100) {
        self.vocabulary = vocabulary
        self.beta = beta
        self.n = n
        self.real = real
        self.realSample = realSample
        self.generations = generations
        self.replicates = replicates
    }

    public func validate() throws {
        try require(vocabulary >= 2 && vocabulary <= 10_000_000, "--vocab must be between 2 and 1e7")
        try require(beta.isFinite && beta >= 0, "--beta must be ≥ 0 (0 = uniform)")
        try require(n >= 1 && n <= 1_000_000_000, "--n must be between 1 and 1e9")
        try require(real >= 0 && real <= 1_000_000_000, "--real must be between 0 and 1e9")
        try require(generations >= 1 && generations <= 100_000, "--generations must be between 1 and 1e5")
        try require(replicates >= 1 && replicates <= 1_000_000, "--replicates must be between 1 and 1e6")
        try require(Double(vocabulary) * Double(generations) * Double(replicates) <= 5e9, "V·M·replicates must be ≤ 5e9")
    }

    /// p⁽⁰⁾.
    public var initialDistribution: [Double] {
        let w = (1...vocabulary).map { beta == 0 ? 1 : pow(Double($0), -beta) }
        let total = w.reduce(0, +)
        return w.map { $0 / total }
    }

    static let metricNames = ["collision_probability", "entropy", "support_size", "drift_l1"]

    /// Means and standard errors per metric and generation.
    func simulate(seed: UInt64) throws -> ReplicateAverages {
        try validate()
        let p0 = initialDistribution
        var averages = ReplicateAverages(metrics: Self.metricNames.count, steps: generations + 1)
        for r in 0..<replicates {
            let rng = try GSLRandom(seed: GSLRandom.subseed(seed, UInt64(r)))
            var p = p0
            let fixedReal: [Int]? = real > 0 && realSample == .fixed ? rng.multinomial(trials: real, weights: p0) : nil
            var rows = Array(repeating: [Double](repeating: 0, count: generations + 1), count: Self.metricNames.count)
            for m in 0...generations {
                if m > 0 {
                    let synthetic = rng.multinomial(trials: n, weights: p)
                    if real > 0 {
                        let realCounts = fixedReal ?? rng.multinomial(trials: real, weights: p0)
                        let total = Double(n + real)
                        p = (0..<vocabulary).map { Double(synthetic[$0] + realCounts[$0]) / total }
                    } else {
                        p = synthetic.map { Double($0) / Double(n) }
                    }
                }
                var s = 0.0, h = 0.0, support = 0.0, drift = 0.0
                for v in 0..<vocabulary {
                    let x = p[v]
                    s += x * x
                    if x > 0 { h -= x * log(x); support += 1 }
                    drift += abs(x - p0[v])
                }
                rows[0][m] = s; rows[1][m] = h; rows[2][m] = support; rows[3][m] = drift
            }
            averages.add(rows)
        }
        return averages
    }

    public var runName: String {
        real == 0 ? "multinomial-full" : "multinomial-partial-\(realSample.rawValue)"
    }

    public func generate(seed: UInt64, toolVersion: String = GroundTruth.defaultToolVersion) throws -> GeneratedData {
        let averages = try simulate(seed: seed)
        let x = (0...generations).map(Double.init)
        var series: [Series] = []
        for (k, name) in Self.metricNames.enumerated() {
            series.append(Series(run: runName, metric: name, x: x, values: averages.mean(k)))
            if replicates > 1 {
                series.append(Series(run: runName, metric: name + "_stderr", x: x, values: averages.standardError(k)))
            }
        }
        let p0 = initialDistribution
        let s0 = p0.reduce(0) { $0 + $1 * $1 }
        var law: [String: TruthValue] = [
            "S0": .number(s0),
            "S_definition": "S_m = E[sum_v (p_v^(m))^2] (collision probability)",
        ]
        if real == 0 {
            law["S_m"] = "1 - (1 - 1/n)^m (1 - S_0)"
            law["S_rate"] = .number(1 - 1 / Double(n))
            series.append(Series(run: runName, metric: "collision_probability_closed_form", x: x,
                                 values: x.map { 1 - pow(1 - 1 / Double(n), $0) * (1 - s0) }))
        } else {
            let alpha = Double(n) / Double(n + real)
            law["alpha"] = .number(alpha)
            law["alpha_formula"] = "alpha = n/(N + n)"
            if realSample == .fresh {
                law["stationary_squared_deviation_approx"] = .number((1 - s0) / (Double(n + real) * (1 - alpha * alpha)))
                law["stationary_squared_deviation_formula"] = "E||p^(m) - p||^2 -> (1 - ||p||^2)/((N + n)(1 - alpha^2)) (DERIVED, fresh real data)"
            }
        }
        let truth = GroundTruth(
            scenario: "multinomial", reference: "docs/collapse-models.md §3 (How Bad is Training on Synthetic Data?, arXiv 2404.05090)",
            seed: seed,
            parameters: [
                "V": .integer(vocabulary), "beta": .number(beta), "n": .integer(n), "N": .integer(real),
                "real_sample": .text(realSample.rawValue), "generations": .integer(generations),
                "replicates": .integer(replicates),
            ],
            law: law, toolVersion: toolVersion)
        return GeneratedData(series: series, truth: truth)
    }
}
