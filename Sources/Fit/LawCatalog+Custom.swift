import ScalefitCore

extension LawCatalog {
    /// The law of a fit result: the zoo's law of that name, or for `custom` the user's
    /// law rebuilt from the formula and the domains the fit used.
    public static func law(for fit: FitResult) -> (any ScalingLaw)? {
        guard fit.model == "custom" else { return law(named: fit.model) }
        let domains = fit.parameterDomains ?? fit.parameters.map { _ in ParameterDomain.real }
        return try? CustomLaw(formula: fit.formula, domains: domains)
    }
}

extension ComputeOptimal {
    /// (N*, D*, L*) of a law that gives its exact slope along the budget: the coarse scan of
    /// ``numericOptimum(_:_:compute:)`` brackets the minimum, then bisection on the sign of
    /// the slope N·∂L/∂N − D·∂L/∂D (exact derivatives) narrows it to the last bits of ln N.
    /// Falls back to the golden section when the slope does not change sign in the bracket.
    public static func slopeOptimum(_ law: any BudgetSlopeLaw, _ p: [Double], compute: Double) -> (n: Double, d: Double, loss: Double)? {
        guard law.inputCount == 2, compute > flopsPerParameterToken else { return nil }
        let c = Double.log(compute / flopsPerParameterToken)
        func loss(_ u: Double) -> Double { law.value(Double.exp(u), Double.exp(c - u), parameters: p) }
        func slope(_ u: Double) -> Double { law.budgetSlope(n: Double.exp(u), d: Double.exp(c - u), parameters: p) }
        guard var (lo, hi) = bracket(c, loss) else { return nil }
        guard slope(lo) < 0, slope(hi) > 0 else { return numericOptimum(law, p, compute: compute) }
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            guard mid > lo, mid < hi else { break }
            let s = slope(mid)
            guard s.isFinite else { return numericOptimum(law, p, compute: compute) }
            if s < 0 { lo = mid } else if s > 0 { hi = mid } else { lo = mid; hi = mid; break }
        }
        let u = 0.5 * (lo + hi)
        return (Double.exp(u), Double.exp(c - u), loss(u))
    }
}
