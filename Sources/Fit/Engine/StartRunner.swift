import RealModule
import ScalefitCore

// One worker's solver for a fit: the problem, GSL's trust-region solver, the
// variable-projection shortcut for separable laws, the Levenberg retry and the Huber
// polish. Runners are kept between fits of the same shape (RunnerPool.swift).

/// The outcome of one start.
struct StartOutcome: Sendable {
    var theta: [Double]
    var objective: Double
    var chiSquared: Double
    var status: LeastSquaresStatus
    var iterations: Int
    var covariance: [Double]?
    var conditionNumber: Double
    var residuals: [Double]
    var robustWeights: [Double]?
}

/// Runs the solves of one fit (a start, a refinement, a bootstrap replicate) on a
/// workspace it owns. One per thread.
final class StartRunner<Law: ScalingLaw> {
    let law: Law
    let map: ParameterMap
    let options: FitOptions
    let solver: NonlinearLeastSquares
    /// The same problem with Levenberg scaling, for solves the primary settings do not finish.
    private var fallback: NonlinearLeastSquares?
    /// Variable projection, for separable laws fitted in linear space with every parameter free.
    private var projection: VariableProjection<Law>?
    /// The untransformed residuals, for the Huber polish.
    private var rawProblem: LeastSquaresProblem?
    private(set) var data: FitData
    /// Where the problems above read their data.
    private var caches: [EvaluationCache] = []

    init(law: Law, data: FitData, map: ParameterMap, options: FitOptions) throws {
        self.law = law
        self.map = map
        self.options = options
        self.data = data
        let primary = makeProblem(law: law, data: data, map: map, space: options.space, loss: options.loss)
        solver = try NonlinearLeastSquares(problem: primary.problem, settings: options.solver)
        caches.append(primary.cache)
        if case .huber = options.loss {
            let raw = makeProblem(law: law, data: data, map: map, space: options.space)
            rawProblem = raw.problem
            caches.append(raw.cache)
        }
        if options.space == .linear, options.loss == .leastSquares, options.fixed.isEmpty, options.tied.isEmpty,
           let separable = law as? any SeparableLaw, (1...3).contains(separable.linearParameters.count) {
            // θ to 1e-10 is ample: the coefficients are exact given θ, and the full problem
            // then checks that no Gauss–Newton step is left.
            var reduced = options.solver
            reduced.stepTolerance = max(reduced.stepTolerance, 1e-10)
            reduced.gradientTolerance = max(reduced.gradientTolerance, 1e-10)
            reduced.computesCovariance = false
            projection = try VariableProjection(
                law: law, linear: separable.linearParameters, owners: separable.nonlinearOwners, data: data, settings: reduced)
        }
    }

    /// Swaps in data of the same size (a bootstrap resample, or the next fit of the same
    /// shape: see ``make(law:data:map:options:)``).
    func use(_ newData: FitData) {
        data = newData
        for cache in caches { cache.use(newData) }
        projection?.use(newData)
    }

    /// Whether solves go through variable projection first.
    var usesProjection: Bool { projection != nil }

    /// Whether this runner screens a grid: a projected search that runs out of iterations
    /// is reported as it stands instead of starting the full search over.
    var screening = false

    /// Whether a solve that does not converge is tried again with Levenberg scaling. A
    /// multi-start search covers poor starts with its grid instead.
    var retries = true

    /// The primary solve, and the Levenberg-scaled one when the primary did not converge.
    /// With variable projection, the projected optimum is judged by the full problem
    /// (``NonlinearLeastSquares/assess(at:weights:reason:iterations:)``: full rank, no
    /// Gauss–Newton step left) and kept if it passes; otherwise the full search runs.
    private func solve(from theta0: [Double], weights: [Double]?) throws -> LeastSquaresResult {
        if case .huber(let delta) = options.loss, let rawProblem,
           let polished = try huberNewton(rawProblem, from: theta0, delta: delta, weights: weights),
           let assessed = try? solver.assess(at: polished.theta, weights: weights, reason: .smallStep, iterations: polished.iterations),
           assessed.converged {
            return assessed
        }
        if let projection, let found = try? projection.solve(fromFull: theta0, weights: nil) {
            let theta = map.unconstrained(found.parameters)
            if case .converged(let reason) = found.result.status {
                if theta.allSatisfy(\.isFinite),
                   let assessed = try? solver.assess(at: theta, weights: weights, reason: reason, iterations: found.result.iterations),
                   assessed.converged {
                    return assessed
                }
            } else if screening, theta.allSatisfy(\.isFinite),
                      var assessed = try? solver.assess(at: theta, weights: weights, reason: .smallStep, iterations: found.result.iterations) {
                // A screened start keeps the projected point it reached (status and all).
                assessed.status = found.result.status
                return assessed
            }
        }
        let first = try solver.solve(from: theta0, weights: weights)
        guard retries, !first.converged, options.solver.scaling != .levenberg else { return first }
        if fallback == nil {
            var settings = options.solver
            settings.scaling = .levenberg
            let made = makeProblem(law: law, data: data, map: map, space: options.space, loss: options.loss)
            fallback = try NonlinearLeastSquares(problem: made.problem, settings: settings)
            caches.append(made.cache)
        }
        let second = try fallback!.solve(from: theta0, weights: weights)
        if second.converged || !(first.chiSquared <= second.chiSquared) { return second }
        return first
    }

    /// One solve from θ₀ (least squares, or the Huber objective through transformed
    /// residuals), and its outcome; nil if it failed or is not finite.
    func run(from theta0: [Double]) -> StartOutcome? {
        do {
            let result = try solve(from: theta0, weights: data.weights)
            guard case .huber(let delta) = options.loss else {
                return outcome(result, objective: result.chiSquared, robustWeights: nil)
            }
            let raw = rawResiduals(result)
            let objective = raw.indices.reduce(0.0) { sum, i in
                let w = data.weights?[i] ?? 1
                return sum + w * huber(raw[i], delta)
            }
            // The weights ψ(r)/r = min(1, δ/|r|) each point effectively has at the optimum.
            let robust = raw.map { abs($0) <= delta ? 1.0 : delta / abs($0) }
            return outcome(result, objective: objective, robustWeights: robust, raw: raw)
        } catch {
            return nil
        }
    }

    /// Unweighted residuals r_i (the solver's are √w·r).
    private func rawResiduals(_ result: LeastSquaresResult) -> [Double] {
        let p = map.natural(result.parameters)
        return data.x.indices.map { i in
            let v = law.value(data.x[i], data.x2?[i] ?? .nan, parameters: p)
            return options.space == .log ? Double.log(v) - data.logY[i] : v - data.y[i]
        }
    }

    private func outcome(_ result: LeastSquaresResult, objective: Double, robustWeights: [Double]?, raw: [Double]? = nil) -> StartOutcome? {
        guard result.parameters.allSatisfy({ $0.isFinite }), objective.isFinite else { return nil }
        return StartOutcome(
            theta: result.parameters, objective: objective, chiSquared: result.chiSquared,
            status: result.status, iterations: result.iterations, covariance: result.covariance,
            conditionNumber: result.conditionNumber,
            residuals: raw ?? (options.loss == .leastSquares && data.weights == nil ? result.residuals : rawResiduals(result)),
            robustWeights: robustWeights)
    }
}
