import GSL
import Foundation
import ScalefitCore

/// How the hutter scenario turns a setting into numbers.
public enum HutterMode: String, CaseIterable, Sendable, Codable {
    /// The expectation E(T) = Σ_i p_i (1 − q_i)^T (``HutterExpectation``).
    case exact
    /// Seeded draws of T tokens; the value is the unseen test mass, averaged over replicates.
    case monteCarlo = "monte-carlo"
}

/// The "Hutter LLM" of docs/collapse-theory.md §1: test law Zipf(β) on ranks 1...N, a
/// memorising learner, and a training law that is clean, tail-cut at k, narrowed to β′, a
/// mix of a clean fraction π with the cut/narrowed part, or the output of G generations
/// each trained on T0 samples.
///
/// The training law is q = π·p + (1 − π)·a, where a is Zipf(β′ or β) on ranks 1...min(k, N)
/// (a = p when neither cut nor narrow is given, π = 0 when mix is not given). With
/// generations, q⁽⁰⁾ is that law and q⁽ᴳ⁾ is q⁽⁰⁾ restricted to the ranks that survived G
/// rounds of T0 draws.
public struct HutterSetting: Sendable, Hashable, Codable {
    public var beta: Double
    /// Support size N; `nil` for an unbounded support.
    public var ranks: Int?
    public var cut: Int?
    public var narrow: Double?
    /// The clean fraction π of a mixed stream.
    public var mix: Double?
    public var generations: Int
    public var t0: Int?
    public var mode: HutterMode
    /// The training sizes T at which the curve is evaluated.
    public var t: [Double]
    /// Monte Carlo replicates per T (mean and standard error are reported).
    public var replicates: Int
    /// Write the first `emitTokens` tokens of a training stream to `tokens.txt`.
    public var emitTokens: Int?
    /// Multiplicative measurement noise: each value is multiplied by exp(σ·z), z standard
    /// normal (seeded), so that log values carry Gaussian noise of standard deviation σ.
    /// 0 (the default) writes the expectation itself.
    public var noise: Double = 0

    public init(
        beta: Double, ranks: Int? = nil, cut: Int? = nil, narrow: Double? = nil, mix: Double? = nil,
        generations: Int = 0, t0: Int? = nil, mode: HutterMode = .exact, t: [Double],
        replicates: Int = 1, emitTokens: Int? = nil
    ) {
        self.beta = beta
        self.ranks = ranks
        self.cut = cut
        self.narrow = narrow
        self.mix = mix
        self.generations = generations
        self.t0 = t0
        self.mode = mode
        self.t = t
        self.replicates = replicates
        self.emitTokens = emitTokens
    }

    /// Checks every parameter's domain.
    public func validate() throws {
        try require(beta.isFinite && beta > 1, "--beta must be > 1 (a Zipf law needs β > 1), got \(beta)")
        if let ranks { try require(ranks >= 1 && ranks <= ZipfMath.rankLimit, "--ranks must be between 1 and 2^62, got \(ranks)") }
        if let cut {
            try require(cut >= 1, "--cut must be ≥ 1, got \(cut)")
            if let ranks { try require(cut < ranks, "--cut (\(cut)) must be below --ranks (\(ranks))") }
        }
        if let narrow { try require(narrow.isFinite && narrow > 1, "--narrow must be > 1, got \(narrow)") }
        if let mix {
            try require(mix > 0 && mix <= 1, "--mix must be in (0, 1], got \(mix)")
            try require(cut != nil || narrow != nil, "--mix mixes clean data with the part --cut/--narrow describes: give one of them")
        }
        try require(generations >= 0 && generations <= 1000, "--generations must be between 0 and 1000")
        if generations > 0 {
            guard let t0 else { throw GenerateError.invalidParameter("--generations needs --t0") }
            try require(t0 >= 1 && t0 <= 1_000_000_000_000, "--t0 must be between 1 and 1e12, got \(t0)")
        }
        try require(!t.isEmpty, "give at least one T (--t or --t-range)")
        for value in t {
            try require(value.isFinite && value >= 1 && value <= 1e18, "every T must be in [1, 1e18], got \(value)")
        }
        if mode == .monteCarlo {
            try require(t.allSatisfy { $0 <= 1e15 }, "monte-carlo needs T ≤ 1e15")
        }
        try require(replicates >= 1 && replicates <= 100_000, "--replicates must be between 1 and 100000")
        if let emitTokens { try require(emitTokens >= 1 && emitTokens <= 100_000_000, "--emit-tokens must be between 1 and 1e8") }
        try require(noise.isFinite && noise >= 0 && noise <= 1, "--noise must be in [0, 1], got \(noise)")
    }

    /// The test law p.
    func testLaw() throws -> ZipfComponent { try ZipfComponent(weight: 1, exponent: beta, upper: ranks) }

    /// The training law q⁽⁰⁾ as Zipf components.
    func trainingLaw() throws -> [ZipfComponent] {
        if cut == nil && narrow == nil { return [try testLaw()] }
        let upper = cut.map { c in ranks.map { Swift.min(c, $0) } ?? c } ?? ranks
        let synthetic = try ZipfComponent(weight: 1 - (mix ?? 0), exponent: narrow ?? beta, upper: upper)
        guard let mix else { return [synthetic] }
        return [try ZipfComponent(weight: mix, exponent: beta, upper: ranks), synthetic]
    }

    /// The `run` name of the series, e.g. `hutter-b2-cut100-mix0.1`.
    public var runName: String {
        func compact(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : NormalForm.number(v) }
        var name = "hutter-b\(compact(beta))"
        if let ranks { name += "-n\(ranks)" }
        if let cut { name += "-cut\(cut)" }
        if let narrow { name += "-narrow\(compact(narrow))" }
        if let mix { name += "-mix\(compact(mix))" }
        if generations > 0, let t0 { name += "-gen\(generations)-t0_\(t0)" }
        if noise > 0 { name += "-noise\(NormalForm.number(noise))" }
        if cut == nil && narrow == nil && generations == 0 { name += "-clean" }
        return name
    }

    /// Generates the curve and its ground truth.
    public func generate(seed: UInt64, toolVersion: String = GroundTruth.defaultToolVersion) throws -> GeneratedData {
        try validate()
        let test = try testLaw()
        let training = try trainingLaw()
        var finite: FiniteTrainingLaw?
        if generations > 0, let t0 {
            let rng = try GSLRandom(seed: GSLRandom.subseed(seed, 0xfeed))
            finite = try FiniteTrainingLaw(base: training, test: test, generations: generations, t0: t0, rng: rng)
        }
        var values: [Double] = []
        var errors: [Double] = []
        switch mode {
        case .exact:
            if let finite {
                values = t.map(finite.expectedError)
            } else {
                let engine = try HutterExpectation(test: test, training: training, maxT: t.max()!)
                values = t.map(engine.expectedError)
            }
        case .monteCarlo:
            for (k, tv) in t.enumerated() {
                let draws = Int(tv.rounded())
                var samples: [Double] = []
                for r in 0..<replicates {
                    let rng = try GSLRandom(seed: GSLRandom.subseed(seed, UInt64(k) << 20 | UInt64(r)))
                    if let finite {
                        samples.append(finite.sampledError(draws, rng: rng))
                    } else {
                        let seen = try HutterMonteCarlo.seen(draws: draws, components: training, rng: rng)
                        samples.append(try seen.unseenMass(test: test))
                    }
                }
                let mean = samples.reduce(0, +) / Double(samples.count)
                values.append(mean)
                if samples.count > 1 {
                    let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(samples.count - 1)
                    errors.append((variance / Double(samples.count)).squareRoot())
                }
            }
        }
        if noise > 0 {
            let rng = try GSLRandom(seed: GSLRandom.subseed(seed, 0x0015e))
            values = values.map { $0 * exp(noise * rng.gaussian()) }
        }
        var labels = ["mode": mode.rawValue, "beta": NormalForm.number(beta), "generation": String(generations)]
        // The labels a family analysis groups by (`detect --by pi`, `--by generation`, …):
        // the synthetic fraction is the share of the stream that is not clean data.
        let synthetic = (cut == nil && narrow == nil) ? 0 : 1 - (mix ?? 0)
        labels["synthetic_fraction"] = NormalForm.number(synthetic)
        labels["pi"] = NormalForm.number(cut == nil && narrow == nil ? 1 : (mix ?? 0))
        if let cut { labels["k"] = String(cut) }
        if let narrow { labels["beta_prime"] = NormalForm.number(narrow) }
        if noise > 0 { labels["noise"] = NormalForm.number(noise) }
        var series = [Series(run: runName, metric: "test_error", x: t, values: values, labels: labels)]
        if !errors.isEmpty {
            series.append(Series(run: runName, metric: "test_error_stderr", x: t, values: errors, labels: labels))
        }
        var extra: [String: String] = [:]
        if let emitTokens {
            extra["tokens.txt"] = try TokenStream.text(
                count: emitTokens, components: training, finite: finite, seed: GSLRandom.subseed(seed, 0x70c))
        }
        let truth = GroundTruth(
            scenario: "hutter", reference: "docs/collapse-models.md §1.1–1.2 (Tale of Tails, arXiv 2402.07043)",
            seed: seed, parameters: parameters, law: try law(test: test, finite: finite), toolVersion: toolVersion)
        return GeneratedData(series: series, truth: truth, extraFiles: extra)
    }

    /// The parameters under docs/collapse-models.md's names (§0): β, N, k, β′ (`beta_prime`),
    /// π (`pi`), the number of generations n (`generations`), T0 and the T grid.
    var parameters: [String: TruthValue] {
        var p: [String: TruthValue] = [
            "beta": .number(beta), "N": ranks.map { .integer($0) } ?? "inf",
            "mode": .text(mode.rawValue), "T": .numbers(t), "generations": .integer(generations),
        ]
        p["k"] = cut.map { .integer($0) } ?? .null
        p["beta_prime"] = narrow.map { .number($0) } ?? .null
        p["pi"] = mix.map { .number($0) } ?? .null
        p["T0"] = t0.map { .integer($0) } ?? .null
        if mode == .monteCarlo { p["replicates"] = .integer(replicates) }
        if let emitTokens { p["emit_tokens"] = .integer(emitTokens) }
        if noise > 0 { p["noise"] = .number(noise) }
        return p
    }

    func law(test: ZipfComponent, finite: FiniteTrainingLaw?) throws -> [String: TruthValue] {
        let a = test.coefficient
        var law: [String: TruthValue] = [
            "expected_error": "E(T) = sum_i p_i (1 - q_i)^T",
            "p": "p_i = A i^-beta on ranks 1..N",
            "A": .number(a),
            "c": .number(1 - 1 / beta),
            "clean_exponent": "E_clean(T) ~ T^-c, c = 1 - 1/beta",
            "exact_error_bound": "relative error < 1e-11 (head summed exactly, tail by Euler-Maclaurin; checked against brute force at N = 1e6)",
        ]
        if let g = SpecialFunctions.logGamma(1 - 1 / beta) {
            law["clean_asymptotic_constant"] = .number(exp(log(a) / beta) / beta * exp(g))
        }
        var q = "q = p"
        if cut != nil || narrow != nil {
            let part = "Zipf(\(NormalForm.number(narrow ?? beta))) on ranks 1..\(cut.map(String.init) ?? ranks.map(String.init) ?? "inf")"
            q = mix.map { "q = \(NormalForm.number($0)) p + \(NormalForm.number(1 - $0)) * \(part)" } ?? "q = \(part)"
        }
        if let cut {
            let plateau = try test.tailMass(after: cut)
            law["plateau"] = .number(plateau)
            law["plateau_formula"] = "sum_{i>k} p_i = A (zeta(beta, k+1) - zeta(beta, N+1))"
            let onset = exp(beta * log(Double(cut))) / a
            law["plateau_onset"] = .number(onset)
            if let mix {
                law["second_descent_onset"] = .number(onset / mix)
                law["beyond_second_descent"] = "E(T) -> E_clean(pi T)"
            }
        }
        if let narrow {
            law["narrowed_exponent"] = .number((beta - 1) / narrow)
            law["narrowed_law"] = "E(T) ~ T^-((beta - 1)/beta')"
        }
        if let finite, let t0 {
            q = "q^(G): q^(0) (\(q)) restricted to the ranks seen in every one of G rounds of T0 draws, renormalised"
            law["realised_floor"] = .number(finite.floor)
            law["realised_support_size"] = .integer(finite.support.count)
            law["expected_floor_approx"] = .number(try approximateFloor(test: test, t0: t0))
            law["expected_floor_formula"] = "sum_i p_i [1 - (1 - exp(-T0 p_i))^G] (survival argument, docs/collapse-models.md §1.2(e))"
            law["exact_conditional_on"] = "the realised generator chain (seeded): E(T) = floor + sum_{i in S} p_i (1 - q_i)^T"
        }
        law["q"] = .text(q)
        return law
    }

    /// Σ_i p_i [1 − (1 − e^(−T0 p_i))^G], summed until x = T0·p_i < 1e-5; beyond, the term is
    /// p_i(1 − x) for G = 1 (added analytically through ζ(2β, ·)) and p_i(1 − O(x^G)) otherwise,
    /// so the truncation error is below 1e-10 relative.
    func approximateFloor(test: ZipfComponent, t0: Int) throws -> Double {
        var s = 0.0
        var i = 1
        let limit = test.upper ?? Int.max
        while i <= limit && i <= 100_000_000 {
            let p = test.mass(i)
            if Double(t0) * p < 1e-5 { break }
            s += p * (1 - pow(-expm1(-Double(t0) * p), Double(generations)))
            i += 1
        }
        var rest = try test.tailMass(after: i - 1)
        if generations == 1 && i <= limit {
            let a = test.coefficient
            rest -= Double(t0) * a * a * (try ZipfMath.powerSum(2 * beta, from: i, through: test.upper))
        }
        return s + rest
    }
}
