import GSL
import Foundation
import ScalefitCore

/// The expected test error of the memorising learner, E(T) = Σ_i p_i (1 − q_i)^T, for a
/// Zipf(β) test law p_i = A·i^(−β) on ranks 1, 2, … (A = 1/ζ(β)) and the training law q of
/// one collapse mechanism. The derivation and the accuracy argument are in
/// docs/collapse-theory.md; in short:
///
/// - ranks 1…``exactRanks`` are summed exactly, each term as p_i·exp(T·log1p(−q_i));
/// - beyond, every block of ranks where q_i = s·p_i (or q_i = A′·i^(−β′)) is replaced by the
///   integral from the block's first rank − ½ to its last rank + ½ (midpoint rule), which is
///   a difference of lower incomplete gamma functions:
///
///       ∫_a^b A x^(−β) e^(−λ x^(−β)) dx = (A/β)·λ^(−c)·[γ(c, λ a^(−β)) − γ(c, λ b^(−β))],
///       λ = T·s·A, c = 1 − 1/β;
///
/// - ranks that are never trained on (beyond a tail cut) are never learned: their mass is
///   A·ζ(β, k + 1).
///
/// The cut rank k is an integer in the model and a real number in a fit. Below
/// ``exactRanks`` the curve is interpolated linearly between the neighbouring integer cuts
/// (so it is continuous in k and exact at integers); above, the block integral runs to
/// k + ½ and the tail mass is A·ζ(β, k + 1), both smooth in k.
///
/// Measured against `scalefit generate hutter --mode exact` (whose sums are good to 1e-11):
/// relative error below 1e-4 for T = 1e1…1e9, β ∈ [1.2, 4], k ∈ [10, 1e5], π ∈ [1e-4, 0.5]
/// (Tests/FitTests/ExactCollapseLawTests.swift).
enum MemoriserCurve {
    /// Ranks summed term by term before the integral takes over.
    static let exactRanks = 1000
    /// log i for i = 1…exactRanks (index i − 1).
    static let logRank: [Double] = (1...exactRanks).map { Foundation.log(Double($0)) }

    /// The training law of a mechanism.
    enum Mechanism {
        /// q = p restricted to ranks ≤ k, renormalised (π = 0), or mixed with a clean fraction π:
        /// q_i = p_i·(π + (1 − π)/P_k) for i ≤ k and π·p_i beyond.
        case cut(k: Double, pi: Double)
        /// q = Zipf(β′) on every rank.
        case narrowed(betaPrime: Double)
    }

    /// 1/ζ(β), or nil outside GSL's domain.
    static func normaliser(_ beta: Double) -> Double? {
        guard beta > 1, let z = SpecialFunctions.riemannZeta(beta), z > 0 else { return nil }
        return 1 / z
    }

    /// ∫_lo^hi a·x^(−b) exp(−λ·x^(−g)) dx for 0 < lo < hi ≤ ∞, b > 1, g > 0 (substitution
    /// u = λ x^(−g)): (a/g)·λ^(−e)·[γ(e, λ lo^(−g)) − γ(e, λ hi^(−g))], e = (b − 1)/g.
    /// The difference is taken through Q where both arguments are large (no cancellation).
    static func blockIntegral(a: Double, b: Double, g: Double, lambda: Double, lo: Double, hi: Double) -> Double? {
        guard hi > lo else { return 0 }
        let e = (b - 1) / g
        guard let gammaE = SpecialFunctions.gamma(e) else { return nil }
        let uLo = lambda * Foundation.exp(-g * Foundation.log(lo))
        let uHi = hi.isInfinite ? 0 : lambda * Foundation.exp(-g * Foundation.log(hi))
        // For λ → 0 the block is barely learned: ∫ a x^(−b)(1 − λ x^(−g)) dx, error O(u²).
        if uLo < 1e-10 {
            func power(_ x: Double, _ r: Double) -> Double { x.isInfinite ? 0 : Foundation.exp(-r * Foundation.log(x)) }
            let mass = a * (power(lo, b - 1) - power(hi, b - 1)) / (b - 1)
            let learned = lambda * a * (power(lo, b + g - 1) - power(hi, b + g - 1)) / (b + g - 1)
            return mass - learned
        }
        let difference: Double
        if uHi > 1 {
            guard let qHi = SpecialFunctions.regularizedUpperGamma(e, uHi), let qLo = SpecialFunctions.regularizedUpperGamma(e, uLo) else { return nil }
            difference = qHi - qLo
        } else {
            guard let pLo = SpecialFunctions.regularizedLowerGamma(e, uLo) else { return nil }
            let pHi = uHi == 0 ? 0 : (SpecialFunctions.regularizedLowerGamma(e, uHi) ?? .nan)
            difference = pLo - pHi
        }
        let value = a / g * Foundation.exp(-e * Foundation.log(lambda)) * gammaE * difference
        return value.isFinite ? max(value, 0) : nil
    }

    /// E(T) at every t in `ts` (values written into `out`), or false when a special function
    /// failed. Cuts below ``exactRanks`` interpolate between integer cuts.
    static func evaluate(beta: Double, _ mechanism: Mechanism, at ts: [Double], into out: inout [Double]) -> Bool {
        guard beta > 1, beta < 50, let a = normaliser(beta) else { return false }
        switch mechanism {
        case .narrowed(let betaPrime):
            guard betaPrime > 1, betaPrime < 100, let a2 = normaliser(betaPrime) else { return false }
            return narrowed(beta: beta, a: a, betaPrime: betaPrime, a2: a2, ts: ts, out: &out)
        case .cut(let k, let pi):
            guard k.isFinite, k >= 0, pi >= 0, pi <= 1 else { return false }
            if k >= Double(exactRanks) {
                return cut(beta: beta, a: a, k: k, integerCut: nil, pi: pi, ts: ts, out: &out)
            }
            let lower = k.rounded(.down), w = k - lower
            guard cut(beta: beta, a: a, k: lower, integerCut: Int(lower), pi: pi, ts: ts, out: &out) else { return false }
            if w == 0 { return true }
            var upper = [Double](repeating: 0, count: ts.count)
            guard cut(beta: beta, a: a, k: lower + 1, integerCut: Int(lower) + 1, pi: pi, ts: ts, out: &upper) else { return false }
            for j in ts.indices { out[j] = (1 - w) * out[j] + w * upper[j] }
            return true
        }
    }

    /// The unseen mass beyond the cut, Σ_{i>k} p_i = A·ζ(β, k + 1), interpolated linearly
    /// between integer cuts below ``exactRanks`` exactly as the curve is.
    static func tailMass(beta: Double, k: Double) -> Double? {
        guard let a = normaliser(beta), k >= 0 else { return nil }
        if k >= Double(exactRanks) { return SpecialFunctions.hurwitzZeta(beta, k + 1).map { a * $0 } }
        let lower = k.rounded(.down), w = k - lower
        guard let z0 = SpecialFunctions.hurwitzZeta(beta, lower + 1), let z1 = SpecialFunctions.hurwitzZeta(beta, lower + 2) else { return nil }
        return a * ((1 - w) * z0 + w * z1)
    }

    private static func cut(beta: Double, a: Double, k: Double, integerCut: Int?, pi: Double, ts: [Double], out: inout [Double]) -> Bool {
        guard let zTail = SpecialFunctions.hurwitzZeta(beta, k + 1) else { return false }
        let tailMass = a * zTail
        let inside = 1 - tailMass  // P_k
        guard inside > 0 else {
            for j in ts.indices { out[j] = 1 }
            return true
        }
        let s1 = pi + (1 - pi) / inside
        let m = exactRanks
        let headEnd = integerCut.map { min($0, m) } ?? m  // ranks 1...headEnd carry s1
        // Exact ranks: p_i and log1p(−q_i).
        var p = [Double](repeating: 0, count: m), l = [Double](repeating: 0, count: m)
        let exactEnd = pi > 0 ? m : headEnd
        for i in 0..<exactEnd {
            let pi_ = a * Foundation.exp(-beta * logRank[i])
            p[i] = pi_
            l[i] = Foundation.log1p(-(i < headEnd ? s1 : pi) * pi_)
        }
        for (j, t) in ts.enumerated() {
            var e = 0.0
            for i in 0..<exactEnd {
                let x = t * l[i]
                if x > -745 { e += p[i] * Foundation.exp(x) }
            }
            if integerCut == nil {
                // Real k ≥ exactRanks: the cut block from m + ½ to k + ½ by the integral.
                guard let block = blockIntegral(a: a, b: beta, g: beta, lambda: t * s1 * a, lo: Double(m) + 0.5, hi: k + 0.5) else { return false }
                e += block
                if pi > 0 {
                    guard let rest = blockIntegral(a: a, b: beta, g: beta, lambda: t * pi * a, lo: k + 0.5, hi: .infinity) else { return false }
                    e += rest
                } else {
                    e += tailMass
                }
            } else if pi > 0 {
                guard let rest = blockIntegral(a: a, b: beta, g: beta, lambda: t * pi * a, lo: Double(m) + 0.5, hi: .infinity) else { return false }
                e += rest
            } else {
                e += tailMass
            }
            out[j] = e
        }
        return true
    }

    private static func narrowed(beta: Double, a: Double, betaPrime: Double, a2: Double, ts: [Double], out: inout [Double]) -> Bool {
        let m = exactRanks
        var p = [Double](repeating: 0, count: m), l = [Double](repeating: 0, count: m)
        for i in 0..<m {
            p[i] = a * Foundation.exp(-beta * logRank[i])
            l[i] = Foundation.log1p(-a2 * Foundation.exp(-betaPrime * logRank[i]))
        }
        for (j, t) in ts.enumerated() {
            var e = 0.0
            for i in 0..<m {
                let x = t * l[i]
                if x > -745 { e += p[i] * Foundation.exp(x) }
            }
            guard let rest = blockIntegral(a: a, b: beta, g: betaPrime, lambda: t * a2, lo: Double(m) + 0.5, hi: .infinity) else { return false }
            out[j] = e + rest
        }
        return true
    }
}
