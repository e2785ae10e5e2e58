import RealModule
import ScalefitCore

// From the best start to a FitResult: the covariance on the natural scale, each
// parameter's estimate with its error bar and interval, the warnings a reader needs
// (identification, correlation, a fragile optimum, no convergence), the information
// criteria and the derived quantities with their delta-method intervals.

extension ScalingLaw {
    /// The result of a fit whose best start is `best`. `pointCount` and `weights` are the
    /// data's (a long series passes its own: its streaming solve keeps no residuals).
    func buildResult(
        series: Series, pointCount n: Int, weights: [Double]?, map: ParameterMap, best: StartOutcome, starts: StartSummary,
        options: FitOptions
    ) -> FitResult {
        let p = map.freeCount
        let natural = map.natural(best.theta)
        let dof = n - p
        let variance = dof > 0 ? best.chiSquared / Double(dof) : .nan
        let t = studentT95(degreesOfFreedom: dof)
        let covariance = naturalCovariance(best, map: map, variance: variance)
        var warnings: [FitNote] = []
        let estimates = parameterEstimates(
            natural: natural, best: best, map: map, covariance: covariance, variance: variance, dof: dof, t: t, warnings: &warnings)
        if let covariance {
            addCorrelationWarnings(covariance, map: map, natural: natural, series: series, to: &warnings)
        }
        addSearchWarnings(starts, best: best, to: &warnings)
        let rss = residualSumOfSquares(best, count: n, weights: weights)
        let criteria = InformationCriteria(rss: rss, pointCount: n, freeCount: p)
        var derivedEstimates = derived.map { quantity in
            DerivedEstimate(name: quantity.name, meaning: quantity.meaning, value: quantity.value(natural).flatMap { $0.isFinite ? $0 : nil })
        }
        let fullCovariance = covariance.map { lawOrderCovariance($0, map: map) }
        if let fullCovariance { addDeltaIntervals(to: &derivedEstimates, at: natural, covariance: fullCovariance, t: t) }
        var result = FitResult(
            series: series.name, model: name, formula: formula, pointCount: n, status: best.status,
            objective: best.objective, chiSquared: rss, residualVariance: variance, degreesOfFreedom: dof,
            aicc: criteria.aicc, bic: criteria.bic, parameters: estimates, derived: derivedEstimates, starts: starts,
            iterations: best.iterations, conditionNumber: best.conditionNumber, covariance: fullCovariance,
            bootstrapFailures: nil,
            holdout: nil, predictions: [], notes: warnings, space: options.space, loss: options.loss)
        result.parameterDomains = parameters.map(\.domain)
        return result
    }

    /// Covariance of the free natural parameters, D·C_θ·D·s² with D = dp/dθ (row-major,
    /// free × free); nil without a θ covariance or a residual variance.
    @inline(__always)
    private func naturalCovariance(_ best: StartOutcome, map: ParameterMap, variance: Double) -> [Double]? {
        guard let c = best.covariance, variance.isFinite else { return nil }
        let p = map.freeCount
        let derivatives = (0..<p).map { map.domains[$0].derivative(best.theta[$0]) }
        var cov = c
        for k in 0..<p {
            for l in 0..<p { cov[k * p + l] = c[k * p + l] * derivatives[k] * derivatives[l] * variance }
        }
        return cov
    }

    /// Each parameter's estimate, error bar and 95% interval, in law order; the warnings
    /// about single parameters (poorly identified, a floor indistinguishable from 0) are
    /// appended to `warnings` in the same order.
    @inline(__always)
    private func parameterEstimates(
        natural: [Double], best: StartOutcome, map: ParameterMap, covariance: [Double]?, variance: Double, dof: Int, t: Double,
        warnings: inout [FitNote]
    ) -> [ParameterEstimate] {
        let p = map.freeCount
        let parameters = self.parameters
        var estimates: [ParameterEstimate] = []
        estimates.reserveCapacity(parameters.count)
        for (j, parameter) in parameters.enumerated() {
            var estimate = ParameterEstimate(name: parameter.name, value: natural[j])
            switch map.slots[j] {
            case .fixed:
                estimate.errorBar = .fixed
            case .tied(let source):
                estimate.errorBar = .tied(to: parameters[source].name)
                if case .free(let k) = map.slots[source], let covariance {
                    estimate.standardError = covariance[k * p + k].squareRoot()
                }
            case .free(let k):
                if map.domains[k].isAtBound(best.theta[k]) {
                    estimate.errorBar = .atBound(parameter.domain)
                } else if let covariance {
                    estimate.standardError = covariance[k * p + k].squareRoot()
                } else if dof <= 0 {
                    estimate.errorBar = .noDegreesOfFreedom
                } else {
                    estimate.errorBar = .singular
                }
            }
            if let se = estimate.standardError, se.isFinite, t.isFinite {
                estimate.ci95Method = .wald
                estimate.ci95 = (estimate.value - t * se, estimate.value + t * se)
                if let k = map.freeIndex(of: j), let c = best.covariance?[k * p + k],
                   let wald = map.domains[k].waldInterval(theta: best.theta[k], thetaStandardError: (c * variance).squareRoot(), t: t) {
                    estimate.ci95 = wald.interval
                    estimate.ci95Method = wald.source
                }
                if abs(se) > abs(estimate.value) && estimate.errorBar == .estimated {
                    warnings.append(.poorlyIdentified(parameter.name, standardError: se, value: estimate.value))
                }
            }
            if parameter.role == .floor, estimate.errorBar != .fixed, floorReachesZero(estimate, t: t) {
                warnings.append(.text("the floor \(parameter.name) is indistinguishable from 0"))
            }
            estimates.append(estimate)
        }
        return estimates
    }

    /// Whether a floor is indistinguishable from 0: at its bound, or a symmetric interval
    /// value ± t·se would reach 0.
    @inline(__always)
    private func floorReachesZero(_ estimate: ParameterEstimate, t: Double) -> Bool {
        if case .atBound = estimate.errorBar { return true }
        return estimate.standardError.map { estimate.value - t * $0 <= 0 } ?? false
    }

    /// Pairs of free parameters whose correlation exceeds 0.95 in absolute value. For a law
    /// of A·x^(−α) terms the scale is first moved to the data's centre (see
    /// ``centredCovariance``): A is the value at x = 1, usually far outside the data.
    @inline(__always)
    private func addCorrelationWarnings(
        _ covariance: [Double], map: ParameterMap, natural: [Double], series: Series, to warnings: inout [FitNote]
    ) {
        let p = map.freeCount
        var cov = covariance
        if let centred = self as? any CentredScaleLaw {
            cov = centredCovariance(
                cov, free: p,
                freeIndexOf: { j in if case .free(let k) = map.slots[j] { k } else { nil } },
                natural: natural, pairs: centred.scaleExponentPairs,
                meanLogInput: { input in
                    let xs = input == 0 ? series.x : series.x2
                    guard let xs else { return nil }
                    let logs = xs.lazy.filter { $0 > 0 }.map { Double.log($0) }
                    let count = logs.count
                    return count == 0 ? nil : logs.reduce(0, +) / Double(count)
                })
        }
        let parameters = self.parameters
        for k in 0..<p {
            for l in (k + 1)..<max(k + 1, p) {
                let denominator = (cov[k * p + k] * cov[l * p + l]).squareRoot()
                guard denominator > 0 else { continue }
                let rho = cov[k * p + l] / denominator
                if abs(rho) > 0.95 {
                    let a = parameters[map.freeIndices[k]].name, b = parameters[map.freeIndices[l]].name
                    warnings.append(.correlated(a, b, rho))
                }
            }
        }
    }

    /// What the search says about the optimum: fragile (one start reached it) or not converged.
    @inline(__always)
    private func addSearchWarnings(_ starts: StartSummary, best: StartOutcome, to warnings: inout [FitNote]) {
        if starts.tried > 1 && starts.reachedBest <= 1 {
            let of = starts.continued == nil ? "\(starts.tried) starts" : "\(starts.converged) converged starts (of \(starts.tried) screened)"
            warnings.append(.text("only one of \(of) reached the best objective: the optimum may be fragile"))
        }
        if !best.status.isConverged {
            warnings.append(.text("the fit did not converge: \(best.status)"))
        }
    }

    /// Σ w_i r_i² of the residuals in the fit's space (a long series' streaming solve keeps
    /// no residuals: its χ² is that sum).
    @inline(__always)
    private func residualSumOfSquares(_ best: StartOutcome, count n: Int, weights: [Double]?) -> Double {
        var rss = 0.0
        if best.residuals.isEmpty {
            rss = best.chiSquared
        } else if let w = weights {
            for i in 0..<n { rss += w[i] * best.residuals[i] * best.residuals[i] }
        } else {
            for r in best.residuals { rss += r * r }
        }
        return rss
    }

    /// The covariance of every parameter in law order: fixed ones have zero rows, tied ones
    /// copy their source's.
    @inline(__always)
    private func lawOrderCovariance(_ covariance: [Double], map: ParameterMap) -> [[Double]] {
        let p = map.freeCount
        let indices = parameters.indices
        return indices.map { a in
            indices.map { b in
                guard let k = map.freeIndex(of: a), let l = map.freeIndex(of: b) else { return 0 }
                return covariance[k * p + l]
            }
        }
    }
}

/// AICc and BIC from the weighted residual sum of squares (Gaussian errors of unknown
/// variance: n·ln(RSS/n) + penalty).
struct InformationCriteria {
    var aicc: Double?
    var bic: Double

    @inline(__always)
    init(rss: Double, pointCount n: Int, freeCount p: Int) {
        let nd = Double(n), kd = Double(p)
        let logLikelihoodTerm = nd * Double.log(max(rss, 1e-300) / nd)
        let aic = logLikelihoodTerm + 2 * kd
        aicc = n - p - 1 > 0 ? aic + 2 * kd * (kd + 1) / (nd - kd - 1) : nil
        bic = logLikelihoodTerm + kd * Double.log(nd)
    }
}

extension ParameterMap {
    /// The free parameter that law parameter j is or copies (a tie's source); nil when fixed.
    @inline(__always)
    func freeIndex(of j: Int) -> Int? {
        switch slots[j] {
        case .free(let k): return k
        case .tied(let s): if case .free(let k) = slots[s] { return k } else { return nil }
        case .fixed: return nil
        }
    }
}
