import RealModule
import ScalefitCore

/// A quantity with its 95% intervals: from the covariance (delta method) and from the
/// bootstrap replicates (percentiles), each nil when not available.
public struct IntervalEstimate: Sendable {
    public var value: Double
    public var ci95: (lower: Double, upper: Double)?
    public var bootstrapCI95: (lower: Double, upper: Double)?

    public init(value: Double, ci95: (lower: Double, upper: Double)? = nil, bootstrapCI95: (lower: Double, upper: Double)? = nil) {
        self.value = value
        self.ci95 = ci95
        self.bootstrapCI95 = bootstrapCI95
    }
}

/// The compute-optimal model size N*, data D*, tokens per parameter D*/N* and loss for one
/// compute budget C = 6·N·D.
public struct ComputeAllocation: Sendable {
    public var compute: Double
    public var n: IntervalEstimate
    public var d: IntervalEstimate
    public var tokensPerParameter: IntervalEstimate
    public var loss: IntervalEstimate
}

/// A smaller model trained longer than compute-optimal: at budget C with D = r·N (r given
/// tokens per parameter), its size, loss, and the compute it needs to reach the
/// compute-optimal loss of C.
public struct Overtraining: Sendable {
    public var compute: Double
    public var tokensPerParameter: Double
    public var n: Double
    public var d: Double
    /// Loss of the over-trained model at budget C, with the fit's confidence band (delta method).
    public var loss: IntervalEstimate
    /// The compute-optimal loss at the same budget.
    public var optimalLoss: Double
    /// C′/C − 1, where C′ is the budget at which the over-trained shape (D = r·N) reaches
    /// the compute-optimal loss of C (nil when it never does), with bootstrap interval.
    public var extraCompute: IntervalEstimate?
}

/// Compute-optimal allocation from a two-input law L(N, D) under C = 6·N·D.
///
/// For `chinchilla` (L = E + A·N^(−α) + B·D^(−β)) the optimum has a closed form (Hoffmann
/// et al. 2022, eq. 4): N* = G·(C/6)^(β/(α+β)), D* = G⁻¹·(C/6)^(α/(α+β)),
/// G = (αA/(βB))^(1/(α+β)); its delta-method intervals use the analytic gradient of ln N*
/// (and the envelope theorem for L*: at the optimum ∂L/∂N along the budget line is 0, so
/// ∂L*/∂p is ∂L/∂p at (N*, D*) — the confidence band of the fit there). Other two-input laws
/// are minimised numerically along ln N on the budget line (golden section), with bootstrap
/// intervals only.
public enum ComputeOptimal {
    /// FLOP per parameter per token (C = 6·N·D: forward and backward pass, Kaplan et al. 2020).
    public static let flopsPerParameterToken = 6.0

    /// (N*, D*, L*) of chinchilla parameters [E, A, B, α, β] by the closed form; nil when
    /// the law has no finite optimum (A, B, α or β not positive).
    public static func chinchillaOptimum(_ p: [Double], compute: Double) -> (n: Double, d: Double, loss: Double)? {
        let e = p[0], a = p[1], b = p[2], alpha = p[3], beta = p[4]
        guard a > 0, b > 0, alpha > 0, beta > 0, compute > 0 else { return nil }
        let s = alpha + beta
        let logG = (Double.log(alpha * a) - Double.log(beta * b)) / s
        let c = Double.log(compute / flopsPerParameterToken)
        let logN = logG + beta / s * c
        let n = Double.exp(logN), d = Double.exp(c - logN)
        let loss = e + a * Double.exp(-alpha * logN) + b * Double.exp(-beta * (c - logN))
        return (n, d, loss)
    }

    /// ∂ln N*/∂p for chinchilla parameters [E, A, B, α, β] at budget C.
    public static func chinchillaLogNGradient(_ p: [Double], compute: Double) -> [Double] {
        let a = p[1], b = p[2], alpha = p[3], beta = p[4]
        let s = alpha + beta
        let u = Double.log(alpha * a) - Double.log(beta * b)
        let c = Double.log(compute / flopsPerParameterToken)
        return [
            0, 1 / (s * a), -1 / (s * b),
            1 / (s * alpha) - u / (s * s) - beta * c / (s * s),
            -1 / (s * beta) - u / (s * s) + alpha * c / (s * s),
        ]
    }

    /// The bracket [u_{k−1}, u_{k+1}] around the lowest of 401 evenly spaced u = ln N on
    /// [0, c] (c = ln(C/6)); nil when no loss there is finite or the lowest is at an end.
    static func bracket(_ c: Double, _ loss: (Double) -> Double) -> (lo: Double, hi: Double)? {
        let steps = 400
        var bestK = 0, bestL = Double.infinity
        for k in 0...steps {
            let l = loss(c * Double(k) / Double(steps))
            if l.isFinite && l < bestL { bestL = l; bestK = k }
        }
        guard bestL.isFinite, bestK > 0, bestK < steps else { return nil }
        return (c * Double(bestK - 1) / Double(steps), c * Double(bestK + 1) / Double(steps))
    }

    /// (N*, D*, L*) of any two-input law by golden-section search on ln N along the budget
    /// line, over N ∈ [1, C/6]; nil when the loss is not finite there or the minimum lies at
    /// an end (no interior optimum).
    public static func numericOptimum(_ law: any ScalingLaw, _ p: [Double], compute: Double) -> (n: Double, d: Double, loss: Double)? {
        guard law.inputCount == 2, compute > flopsPerParameterToken else { return nil }
        let c = Double.log(compute / flopsPerParameterToken)
        func loss(_ u: Double) -> Double { law.value(Double.exp(u), Double.exp(c - u), parameters: p) }
        // Coarse scan for the bracket, then golden section inside it.
        guard var (lo, hi) = bracket(c, loss) else { return nil }
        let ratio = (5.0.squareRoot() - 1) / 2
        var x1 = hi - ratio * (hi - lo), x2 = lo + ratio * (hi - lo)
        var f1 = loss(x1), f2 = loss(x2)
        for _ in 0..<200 where hi - lo > 1e-15 * max(1, abs(lo)) {
            if f1 <= f2 {
                hi = x2; x2 = x1; f2 = f1
                x1 = hi - ratio * (hi - lo); f1 = loss(x1)
            } else {
                lo = x1; x1 = x2; f1 = f2
                x2 = lo + ratio * (hi - lo); f2 = loss(x2)
            }
        }
        let u = 0.5 * (lo + hi)
        return (Double.exp(u), Double.exp(c - u), loss(u))
    }

    /// The optimum of the fitted law's parameters `p` (closed form for chinchilla).
    public static func optimum(_ law: any ScalingLaw, _ p: [Double], compute: Double) -> (n: Double, d: Double, loss: Double)? {
        if law is ChinchillaLaw { return chinchillaOptimum(p, compute: compute) }
        if let sloped = law as? any BudgetSlopeLaw { return slopeOptimum(sloped, p, compute: compute) }
        return numericOptimum(law, p, compute: compute)
    }

    /// Whether the intervals of ``allocate(_:compute:)`` include a delta-method one (only
    /// the closed form has an analytic gradient).
    public static func hasDeltaMethod(_ law: any ScalingLaw) -> Bool { law is ChinchillaLaw }

    /// The allocation at each budget. Throws when the law has not two inputs or the fit has
    /// no finite optimum.
    public static func allocate(_ fitted: FittedLaw, compute budgets: [Double]) throws -> [ComputeAllocation] {
        let law = fitted.law
        guard law.inputCount == 2 else {
            throw FitError("\(law.name) has one input; a compute-optimal allocation needs a law of N and D (chinchilla, kaplan, data-constrained, a custom law of N and D)")
        }
        let t = fitted.t95
        return try budgets.map { compute in
            guard compute > 0, compute.isFinite else { throw FitError("a compute budget must be a positive number of FLOP, not \(compute)") }
            guard let best = optimum(law, fitted.values, compute: compute) else {
                throw FitError("\(law.name) with these estimates has no compute-optimal allocation at C = \(compute) (the loss does not have an interior minimum along C = 6·N·D)")
            }
            var n = IntervalEstimate(value: best.n), d = IntervalEstimate(value: best.d)
            var ratio = IntervalEstimate(value: best.d / best.n), loss = IntervalEstimate(value: best.loss)
            // ∂ln N*/∂p: the closed form's for chinchilla, the implicit function theorem on the
            // exact slope for laws that give it (custom laws).
            let logNGradient: [Double]? = hasDeltaMethod(law)
                ? chinchillaLogNGradient(fitted.values, compute: compute)
                : (law as? any BudgetSlopeLaw)?.logOptimumGradient(n: best.n, d: best.d, parameters: fitted.values)
            if let g = logNGradient, let covariance = fitted.covariance, t.isFinite {
                var variance = 0.0
                for k in g.indices { for l in g.indices { variance += g[k] * covariance[k][l] * g[l] } }
                let se = max(variance, 0).squareRoot()
                n.ci95 = (best.n * Double.exp(-t * se), best.n * Double.exp(t * se))
                d.ci95 = (best.d * Double.exp(-t * se), best.d * Double.exp(t * se))
                ratio.ci95 = (ratio.value * Double.exp(-2 * t * se), ratio.value * Double.exp(2 * t * se))
                loss.ci95 = fitted.predict(x: best.n, x2: best.d).confidenceBand
            }
            if let replicates = fitted.bootstrapReplicates {
                let draws = replicates.compactMap { optimum(law, $0, compute: compute) }
                    .filter { $0.n.isFinite && $0.d.isFinite && $0.loss.isFinite }
                if draws.count >= 10 {
                    n.bootstrapCI95 = percentileInterval(draws.map(\.n))
                    d.bootstrapCI95 = percentileInterval(draws.map(\.d))
                    ratio.bootstrapCI95 = percentileInterval(draws.map { $0.d / $0.n })
                    loss.bootstrapCI95 = percentileInterval(draws.map(\.loss))
                }
            }
            return ComputeAllocation(compute: compute, n: n, d: d, tokensPerParameter: ratio, loss: loss)
        }
    }

    /// A model trained at `tokensPerParameter` tokens per parameter with budget C, against
    /// the compute-optimal model of the same budget.
    public static func overtraining(_ fitted: FittedLaw, compute: Double, tokensPerParameter r: Double) throws -> Overtraining {
        let law = fitted.law
        guard law.inputCount == 2 else { throw FitError("\(law.name) has one input; over-training needs a law of N and D") }
        guard r > 0, r.isFinite else { throw FitError("tokens per parameter must be positive, not \(r)") }
        guard let best = optimum(law, fitted.values, compute: compute) else {
            throw FitError("\(law.name) with these estimates has no compute-optimal allocation at C = \(compute)")
        }
        let n = (compute / (flopsPerParameterToken * r)).squareRoot(), d = r * n
        let prediction = fitted.predict(x: n, x2: d)
        let loss = IntervalEstimate(value: prediction.value, ci95: prediction.confidenceBand)
        func extra(_ p: [Double], target: Double) -> Double? {
            // L along D = r·N falls with C; find C′ ≥ C where it reaches `target`.
            func lossAt(_ logC: Double) -> Double {
                let nn = Double.exp(0.5 * (logC - Double.log(flopsPerParameterToken * r)))
                return law.value(nn, r * nn, parameters: p)
            }
            var lo = Double.log(compute), hi = lo
            guard lossAt(lo) >= target else { return 0 }
            var tries = 0
            repeat { hi += 2; tries += 1 } while lossAt(hi) > target && tries < 40
            guard lossAt(hi) <= target else { return nil }
            for _ in 0..<200 where hi - lo > 1e-14 * abs(hi) {
                let mid = 0.5 * (lo + hi)
                if lossAt(mid) > target { lo = mid } else { hi = mid }
            }
            return Double.exp(0.5 * (lo + hi) - Double.log(compute)) - 1
        }
        var overhead: IntervalEstimate? = extra(fitted.values, target: best.loss).map { IntervalEstimate(value: $0) }
        if overhead != nil, let replicates = fitted.bootstrapReplicates {
            let draws = replicates.compactMap { p -> Double? in
                guard let o = optimum(law, p, compute: compute) else { return nil }
                return extra(p, target: o.loss)
            }
            if draws.count >= 10 { overhead?.bootstrapCI95 = percentileInterval(draws) }
        }
        return Overtraining(
            compute: compute, tokensPerParameter: r, n: n, d: d, loss: loss, optimalLoss: best.loss, extraCompute: overhead)
    }

    static func percentileInterval(_ values: [Double]) -> (lower: Double, upper: Double) {
        let sorted = values.sorted()
        return (percentile(sorted, 0.025), percentile(sorted, 0.975))
    }
}
