import GSL
import Foundation
import ScalefitCore

/// A heavy-tailed alternative to the power law, fitted by maximum likelihood on the same
/// tail x ≥ x_min (CSN 2009 §5, Table 2.1), normalised on that tail for discrete or
/// continuous data.
public enum TailAlternative: String, Sendable, CaseIterable, Codable {
    /// Lognormal: continuous density φ((ln x − μ)/σ)/(xσ) truncated at x_min; discrete data
    /// use the probability of [k, k+1), renormalised to k ≥ x_min.
    case lognormal
    /// Exponential: λe^(−λ(x − x_min)); discrete data use the geometric law (1 − e^(−λ))e^(−λ(k − x_min)).
    case exponential
    /// Stretched exponential (Weibull): survival exp(−(λx)^β + (λx_min)^β); discrete data use
    /// S(k) − S(k+1). Fitted as S = exp(−C((x/x_min)^β − 1)), C = (λx_min)^β, which stays
    /// well conditioned as β → 0 (where the family approaches a power law with α − 1 = Cβ).
    case stretchedExponential = "stretched_exponential"
    /// Power law with exponential cut-off: x^(−α)e^(−λx) / Σ or ∫ over x ≥ x_min. Nested
    /// with the power law (λ → 0), so its p-value comes from χ²₁ (CSN §5.3).
    case truncatedPowerLaw = "truncated_power_law"

    /// Parameter names, in the order of ``AlternativeComparison/parameters``.
    public var parameterNames: [String] {
        switch self {
        case .lognormal: ["mu", "sigma"]
        case .exponential: ["lambda"]
        case .stretchedExponential: ["lambda", "beta"]
        case .truncatedPowerLaw: ["alpha", "lambda"]
        }
    }
}

/// The likelihood-ratio test of the power law against one alternative.
public struct AlternativeComparison: Sendable, Hashable {
    /// Which of the two a conclusive test favours.
    public enum Verdict: String, Sendable, Hashable {
        case powerLaw = "power_law"
        case alternative
        /// |R| too small for its fluctuations (p ≥ 0.1, CSN's threshold).
        case inconclusive
    }

    public var alternative: TailAlternative
    /// The alternative's MLE parameters, named by ``TailAlternative/parameterNames``.
    public var parameters: [Double]
    /// Its log-likelihood on the tail.
    public var logLikelihood: Double
    /// R = Σ [ln p_PL(x_i) − ln p_alt(x_i)]: positive favours the power law.
    public var logLikelihoodRatio: Double
    /// Vuong's statistic R/(σ√n), σ the standard deviation of the pointwise differences.
    public var normalizedRatio: Double
    /// Two-sided p-value: erfc(|R|/(σ√(2n))) (Vuong), or the χ²₁ tail of 2|R| when nested.
    public var pValue: Double
    /// Whether the alternative contains the power law as a special case.
    public var nested: Bool
    /// The verdict at p < 0.1.
    public var favoured: Verdict
    /// Whether the alternative's optimiser converged.
    public var converged: Bool
}

/// Fits the alternatives and runs the likelihood-ratio tests.
enum AlternativeTests {
    /// The significance level below which the sign of R is trusted (CSN §5.1 use 0.1).
    static let threshold = 0.1

    static func compare(_ fit: PowerLawFit, sample: TailSample, against alternatives: [TailAlternative]) -> [AlternativeComparison] {
        let tail = TailData(sample: sample, xmin: fit.xmin)
        guard tail.n >= 2 else { return [] }
        let logZetaXmin = fit.kind == .discrete ? log(SpecialFunctions.hurwitzZeta(fit.alpha, fit.xmin) ?? .nan) : 0
        let powerLaw: [Double] = tail.values.map { x in
            switch fit.kind {
            case .discrete: DiscretePowerLaw.logDensity(x, alpha: fit.alpha, logZetaXmin: logZetaXmin)
            case .continuous: log((fit.alpha - 1) / fit.xmin) - fit.alpha * log(x / fit.xmin)
            }
        }
        return alternatives.map { alternative in
            let model = AlternativeModel(alternative: alternative, kind: fit.kind, tail: tail, powerLawAlpha: fit.alpha)
            let fitted = model.fit()
            let density = model.logDensity(fitted.parameters)
            let pointwise = tail.values.map(density)
            var r = 0.0
            for i in 0..<tail.values.count { r += Double(tail.counts[i]) * (powerLaw[i] - pointwise[i]) }
            var nested = false
            if alternative == .truncatedPowerLaw {
                nested = true
                // The cut-off law contains the power law: its maximum is at least as high.
                r = min(r, 0)
            }
            let mean = r / tail.n
            var variance = 0.0
            for i in 0..<tail.values.count {
                let d = powerLaw[i] - pointwise[i] - mean
                variance += Double(tail.counts[i]) * d * d
            }
            variance /= tail.n
            let sigma = variance.squareRoot()
            let normalized = sigma > 0 ? r / (sigma * tail.n.squareRoot()) : (r == 0 ? 0 : .nan)
            let p: Double
            if nested {
                p = SpecialFunctions.chiSquaredUpperTail(2 * abs(r), degreesOfFreedom: 1)
            } else {
                p = normalized.isFinite ? erfc(abs(normalized) / 2.0.squareRoot()) : .nan
            }
            let verdict: AlternativeComparison.Verdict =
                !(p < threshold) || r == 0 ? .inconclusive : (r > 0 ? .powerLaw : .alternative)
            return AlternativeComparison(
                alternative: alternative, parameters: fitted.reported, logLikelihood: fitted.logLikelihood,
                logLikelihoodRatio: r, normalizedRatio: normalized, pValue: p, nested: nested,
                favoured: verdict, converged: fitted.converged)
        }
    }
}

/// The tail as distinct values and counts.
struct TailData {
    var values: [Double]
    var counts: [Int]
    var n: Double
    var xmin: Double
    var mean: Double
    var meanLog: Double
    var sdLog: Double

    init(sample: TailSample, xmin: Double) {
        let start = sample.distinctValues.firstIndex { $0 >= xmin } ?? sample.distinctValues.count
        values = Array(sample.distinctValues[start...])
        counts = Array(sample.counts[start...])
        self.xmin = xmin
        n = Double(counts.reduce(0, +))
        var s = 0.0, sl = 0.0, sll = 0.0
        for (v, c) in zip(values, counts) {
            let w = Double(c), l = log(v)
            s += w * v; sl += w * l; sll += w * l * l
        }
        mean = s / max(n, 1)
        meanLog = sl / max(n, 1)
        sdLog = max(sll / max(n, 1) - meanLog * meanLog, 0).squareRoot()
    }
}

/// One alternative's log-density and its maximum-likelihood fit on a tail.
struct AlternativeModel {
    var alternative: TailAlternative
    var kind: TailKind
    var tail: TailData
    var powerLawAlpha: Double

    struct Fitted {
        var parameters: [Double]  // internal (unconstrained) parametrisation
        var reported: [Double]
        var logLikelihood: Double
        var converged: Bool
    }

    func fit() -> Fitted {
        switch alternative {
        case .exponential:
            let m = tail.mean - tail.xmin
            let lambda: Double
            switch kind {
            case .continuous: lambda = 1 / m
            case .discrete: lambda = log((1 + m) / m)  // e^(−λ) = m/(1+m)
            }
            let p = [log(lambda)]
            return Fitted(parameters: p, reported: [lambda], logLikelihood: logLikelihood(p), converged: m > 0)
        case .lognormal:
            let starts = [[tail.meanLog, log(max(tail.sdLog, 0.1))], [log(tail.xmin), log(max(2 * tail.sdLog, 0.5))], [0, log(max(tail.sdLog, 1) * 2)]]
            return best(starts: starts, steps: [0.5, 0.3]) { [$0[0], exp($0[1])] }
        case .stretchedExponential:
            let ratio = tail.xmin / tail.mean
            // Small β with Cβ = α − 1 starts near the power law, where heavy tails put the optimum.
            let a = max(powerLawAlpha - 1, 0.05)
            let starts = [[0.5 * log(ratio), log(0.5)], [0, log(0.2)]]
                + [0.05, 0.01, 0.002].map { [log(a / $0), log($0)] }
            // Reported as (λ, β) with λ = C^(1/β)/x_min (may overflow as β → 0: then null).
            return best(starts: starts, steps: [0.5, 0.3]) { [exp($0[0] / exp($0[1])) / tail.xmin, exp($0[1])] }
        case .truncatedPowerLaw:
            let starts = [[powerLawAlpha, log(1e-6 / tail.xmin)], [powerLawAlpha, log(1e-2 / tail.xmin)], [max(powerLawAlpha - 0.5, 0.5), log(0.1 / tail.xmin)]]
            return best(starts: starts, steps: [0.2, 1]) { [$0[0], exp($0[1])] }
        }
    }

    private func best(starts: [[Double]], steps: [Double], reported: ([Double]) -> [Double]) -> Fitted {
        var winner: Fitted?
        for start in starts {
            var outcome = GSLMinimizer.minimize({ -logLikelihood($0) }, start: start, stepSizes: steps, maxIterations: 400)
            // One restart from the end point guards against a collapsed simplex.
            if outcome.value < 1e299 {
                let again = GSLMinimizer.minimize({ -logLikelihood($0) }, start: outcome.point, stepSizes: steps.map { $0 / 4 }, maxIterations: 400)
                if again.value <= outcome.value { outcome = again }
            }
            let candidate = Fitted(
                parameters: outcome.point, reported: reported(outcome.point),
                logLikelihood: -outcome.value, converged: outcome.converged)
            if winner == nil || candidate.logLikelihood > winner!.logLikelihood { winner = candidate }
        }
        return winner!
    }

    func logLikelihood(_ p: [Double]) -> Double {
        let density = logDensity(p)
        var sum = 0.0
        for (v, c) in zip(tail.values, tail.counts) {
            let l = density(v)
            guard l.isFinite else { return -.infinity }
            sum += Double(c) * l
        }
        return sum
    }

    /// log p(x) in the internal parametrisation.
    func logDensity(_ x: Double, _ p: [Double]) -> Double { logDensity(p)(x) }

    /// x ↦ log p(x) for parameters `p`, with the normaliser computed once.
    func logDensity(_ p: [Double]) -> (Double) -> Double {
        let xmin = tail.xmin
        switch (alternative, kind) {
        case (.exponential, .continuous):
            let lambda = exp(p[0])
            return { x in log(lambda) - lambda * (x - xmin) }
        case (.exponential, .discrete):
            let lambda = exp(p[0])
            let logNorm = log(-expm1(-lambda))
            return { x in logNorm - lambda * (x - xmin) }
        case (.lognormal, .continuous):
            let mu = p[0], sigma = exp(p[1])
            let constant = -log(sigma) - 0.5 * log(2 * Double.pi) - SpecialFunctions.logNormalUpperTail((log(xmin) - mu) / sigma)
            return { x in
                let z = (log(x) - mu) / sigma
                return -log(x) - 0.5 * z * z + constant
            }
        case (.lognormal, .discrete):
            let mu = p[0], sigma = exp(p[1])
            let logNorm = SpecialFunctions.logNormalUpperTail((log(xmin) - mu) / sigma)
            return { x in
                Self.logNormalProbability(between: (log(x) - mu) / sigma, and: (log(x + 1) - mu) / sigma) - logNorm
            }
        case (.stretchedExponential, .continuous):
            let c = exp(p[0]), beta = exp(p[1])
            let constant = p[0] + p[1] - log(xmin)
            return { x in
                let u = log(x / xmin)
                return constant + (beta - 1) * u - c * expm1(beta * u)
            }
        case (.stretchedExponential, .discrete):
            let c = exp(p[0]), beta = exp(p[1])
            return { x in
                let u = log(x / xmin)
                let step = exp(beta * u) * expm1(beta * log1p(1 / x))  // u_{k+1}^β − u_k^β
                return -c * expm1(beta * u) + log(-expm1(-c * step))
            }
        case (.truncatedPowerLaw, .continuous):
            let alpha = p[0], lambda = exp(p[1])
            // ∫_{x_min}^∞ t^(−α) e^(−λt) dt = λ^(α−1) Γ(1 − α, λ x_min)
            guard let logGammaTail = SpecialFunctions.logUpperIncompleteGamma(1 - alpha, lambda * xmin) else { return { _ in .nan } }
            let logNorm = (alpha - 1) * log(lambda) + logGammaTail
            return { x in -alpha * log(x) - lambda * x - logNorm }
        case (.truncatedPowerLaw, .discrete):
            let alpha = p[0], lambda = exp(p[1])
            let logNorm = Self.logDiscreteCutoffNormaliser(alpha: alpha, lambda: lambda, xmin: xmin)
            return { x in -alpha * log(x) - lambda * x - logNorm }
        }
    }

    /// log P(a < Z ≤ b) for a standard normal Z, accurate in both tails.
    static func logNormalProbability(between a: Double, and b: Double) -> Double {
        if a >= 0 || a + b >= 0 {
            // Upper side: Q(a) − Q(b).
            let qa = SpecialFunctions.logNormalUpperTail(a), qb = SpecialFunctions.logNormalUpperTail(b)
            return qa + log(-expm1(qb - qa))
        } else {
            // Lower side: P(b) − P(a) = Q(−b) − Q(−a).
            let qb = SpecialFunctions.logNormalUpperTail(-b), qa = SpecialFunctions.logNormalUpperTail(-a)
            return qb + log(-expm1(qa - qb))
        }
    }

    /// log Σ_{k ≥ x_min} k^(−α) e^(−λk): 200 terms summed directly, the rest by
    /// Euler–Maclaurin, ∫_M^∞ f + f(M)/2 − f'(M)/12, with the integral λ^(α−1)Γ(1−α, λM).
    static func logDiscreteCutoffNormaliser(alpha: Double, lambda: Double, xmin: Double) -> Double {
        func logTerm(_ k: Double) -> Double { -alpha * log(k) - lambda * k }
        let reference = logTerm(xmin)
        var sum = 0.0
        var k = xmin
        let direct = 200
        for _ in 0..<direct {
            let t = exp(logTerm(k) - reference)
            sum += t
            if t < 1e-18 * sum { return reference + log(sum) }
            k += 1
        }
        let m = k
        guard let logIntegral = SpecialFunctions.logUpperIncompleteGamma(1 - alpha, lambda * m) else { return .nan }
        let integral = exp((alpha - 1) * log(lambda) + logIntegral - reference)
        let fm = exp(logTerm(m) - reference)
        let derivative = fm * (-alpha / m - lambda)
        sum += integral + fm / 2 - derivative / 12
        return reference + log(sum)
    }
}
