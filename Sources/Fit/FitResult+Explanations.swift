import ScalefitCore

extension FitResult {
    /// Makes every number of the result either finite or explained: a non-finite standard
    /// error or interval is dropped with a note on its parameter; any other non-finite value
    /// (and a missing AICc) gets a warning that says why. docs/design.md's output contract: "a
    /// value that is not finite is `null` with the reason in `warnings`".
    ///
    /// Found by the numerical torture of issue 9 (Tests/ReliabilityTests): values near
    /// 1e±300, x ≤ 0 at prediction points, and n = p fits produced NaN or ∞ without a word.
    mutating func explainNonFiniteValues() {
        func say(_ text: String) { if !warnings.contains(text) { warnings.append(text) } }
        let free = pointCount - degreesOfFreedom
        if !chiSquared.isFinite || !bic.isFinite || !(aicc?.isFinite ?? true) {
            say("the residual sum of squares is not finite (\(chiSquared)): the data are too large for \(space.rawValue) residuals; AICc, BIC and the error bars are not usable")
        }
        if !residualVariance.isFinite {
            if degreesOfFreedom <= 0 {
                say("no degrees of freedom left (\(pointCount) points, \(free) free parameters): no residual variance, standard errors or covariance intervals")
            } else {
                say("the residual variance is not finite (\(residualVariance))")
            }
        }
        if aicc == nil {
            say("AICc is undefined with \(pointCount) points and \(free) free parameters (it needs n > p + 1); compare this fit by BIC")
        }
        if !conditionNumber.isFinite && converged {
            say("the condition number is not finite: the Jacobian is singular at the optimum")
        }
        if !objective.isFinite { say("the objective is not finite (\(objective))") }
        for j in parameters.indices {
            let name = parameters[j].name
            if !parameters[j].value.isFinite {
                say("\(name) is not finite (\(parameters[j].value)): the fit ran to the edge of the floating-point range")
            }
            if let se = parameters[j].standardError, !se.isFinite {
                parameters[j].standardError = nil
                parameters[j].ci95 = nil
                if parameters[j].errorBar == .estimated { parameters[j].errorBar = .notFinite }
            }
            if let ci = parameters[j].ci95, !(ci.lower.isFinite && ci.upper.isFinite) {
                parameters[j].ci95 = nil
                if parameters[j].note == nil { parameters[j].intervalProblem = .notFinite }
            }
            if let ci = parameters[j].bootstrapCI95, !(ci.lower.isFinite && ci.upper.isFinite) {
                parameters[j].bootstrapCI95 = nil
                say("the bootstrap interval of \(name) is not finite; dropped")
            }
        }
        for d in derived.indices {
            if let ci = derived[d].bootstrapCI95, !(ci.lower.isFinite && ci.upper.isFinite) {
                derived[d].bootstrapCI95 = nil
                say("the bootstrap interval of \(derived[d].name) is not finite; dropped")
            }
        }
        for prediction in predictions {
            if !prediction.value.isFinite {
                say("prediction at x = \(prediction.x) is not finite (\(prediction.value)): outside the law's domain or beyond the floating-point range")
                continue
            }
            let bands = [prediction.confidenceBand, prediction.predictionInterval].compactMap { $0 }
            if bands.contains(where: { !($0.lower.isFinite && $0.upper.isFinite) }) {
                say("prediction at x = \(prediction.x): its confidence band or prediction interval is not finite")
            }
        }
        if let holdout, holdout.points.contains(where: { !$0.predicted.isFinite || !$0.logError.isFinite }) {
            say("the hold-out error is not finite (a prediction was not positive)")
        }
    }
}
