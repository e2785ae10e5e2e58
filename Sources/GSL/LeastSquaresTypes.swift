// The vocabulary of GSL's nonlinear least squares: the settings a caller chooses (trust
// region, scaling, linear solver, tolerances), how a solve ended, and the errors that stop
// one. Plain Swift values with no C in them (the callback views wrap
// pointers GSL lends for one call); LeastSquares.swift maps them onto GSL.

import ScalefitCore

/// The trust-region subproblem GSL solves at each iteration (`gsl_multifit_nlinear_trs_*`).
///
/// scipy's `curve_fit(method="lm")` corresponds to ``levenbergMarquardt``; `method="trf"`
/// has no exact GSL counterpart (``dogleg`` is the closest in spirit).
public enum TrustRegionMethod: String, CaseIterable, Sendable, Codable {
    /// Levenberg–Marquardt (`trs_lm`).
    case levenbergMarquardt = "lm"
    /// Levenberg–Marquardt with geodesic acceleration (`trs_lmaccel`): the robust choice
    /// from poor starts when the second directional derivative is supplied.
    case levenbergMarquardtAccelerated = "lmaccel"
    /// Powell's dogleg (`trs_dogleg`).
    case dogleg
    /// Double dogleg (`trs_ddogleg`).
    case doubleDogleg = "ddogleg"
    /// Two-dimensional subspace (`trs_subspace2D`).
    case subspace2D = "subspace2d"
}

/// How GSL scales the parameters inside the trust region (`gsl_multifit_nlinear_scale_*`).
public enum ParameterScaling: String, CaseIterable, Sendable, Codable {
    /// Moré's rescaling (GSL's default, MINPACK's choice).
    case more
    /// No rescaling (D = I): slower from good starts, far more robust from bad ones.
    case levenberg
    /// Marquardt's scaling by the diagonal of JᵀJ.
    case marquardt
}

/// The linear solver for the trust-region steps (`gsl_multifit_nlinear_solver_*`).
public enum LinearSolverKind: String, CaseIterable, Sendable, Codable {
    case qr, cholesky, svd
}

/// Settings of one least-squares solve; the defaults suit 2–6 parameter scaling laws.
public struct LeastSquaresSettings: Sendable, Hashable, Codable {
    public var method: TrustRegionMethod
    public var scaling: ParameterScaling
    public var linearSolver: LinearSolverKind
    /// Step tolerance: stop when |δx_i| ≤ xtol·(|x_i| + xtol) for every i.
    public var stepTolerance: Double
    /// Gradient tolerance: GSL's scaled infinity-norm test of Jᵀf.
    public var gradientTolerance: Double
    /// The cost-change tolerance (GSL's `ftol`).
    public var costTolerance: Double
    /// The most iterations before giving up with ``LeastSquaresStatus/maxIterations``.
    public var maxIterations: Int
    /// The largest accepted |acceleration|/|velocity| ratio of `lmaccel` (GSL's `avmax`).
    public var accelerationRatioLimit: Double
    /// Whether a solve that stops without converging (out of iterations, no progress) still
    /// gets its singular values and covariance. A grid screen, which only ranks such
    /// points, turns this off.
    public var analyzesUnconverged: Bool = true
    /// Whether results carry the covariance (bootstrap replicates and the reduced problem
    /// of variable projection do not need it).
    public var computesCovariance: Bool = true

    public init(
        method: TrustRegionMethod = .levenbergMarquardt,
        scaling: ParameterScaling = .more,
        linearSolver: LinearSolverKind = .qr,
        stepTolerance: Double = 1e-12,
        gradientTolerance: Double = 1e-12,
        costTolerance: Double = 0,
        maxIterations: Int = 500,
        accelerationRatioLimit: Double = 0.75
    ) {
        self.method = method
        self.scaling = scaling
        self.linearSolver = linearSolver
        self.stepTolerance = stepTolerance
        self.gradientTolerance = gradientTolerance
        self.costTolerance = costTolerance
        self.maxIterations = maxIterations
        self.accelerationRatioLimit = accelerationRatioLimit
    }
}

/// Why a solve that converged stopped (GSL's `info` from `gsl_multifit_nlinear_test`).
public enum StopReason: String, Sendable, Codable {
    /// info = 1: the step became smaller than the step tolerance.
    case smallStep = "small_step"
    /// info = 2: the scaled gradient became smaller than the gradient tolerance.
    case smallGradient = "small_gradient"
    /// info = 3: the cost stopped changing.
    case smallCostChange = "small_cost_change"
}

/// How a solve ended. Only ``converged(_:)`` means "here is a minimum".
public enum LeastSquaresStatus: Sendable, Equatable, CustomStringConvertible {
    /// The convergence test passed, the Jacobian has full rank, and the Gauss–Newton
    /// step from the final point is negligible.
    case converged(StopReason)
    /// The test passed, but the Jacobian at the final point is rank deficient: the
    /// parameters are not identified (`rank` of `parameterCount`).
    case rankDeficient(rank: Int, reason: StopReason)
    /// The solver stopped, but the Gauss–Newton step from the final point is still large:
    /// the cost keeps falling along some direction, so no minimum is in reach.
    case notAtMinimum(reason: StopReason)
    /// The iteration limit was reached.
    case maxIterations
    /// GSL found no step that lowers the cost on the first iteration (`GSL_ENOPROG`).
    case noProgress
    /// The tolerance cannot be reached in x, f or the gradient (`GSL_ETOLX/F/G`).
    case toleranceUnreachable(String)
    /// Residuals, Jacobian, parameters or cost were not finite.
    case nonFinite(String)
    /// Another GSL error, with GSL's message.
    case gslError(code: Int32, message: String)

    public var isConverged: Bool {
        if case .converged = self { return true }
        return false
    }

    /// A short machine-readable name (the `status` field of the JSON output).
    public var code: String {
        switch self {
        case .converged: "converged"
        case .rankDeficient: "rank_deficient"
        case .notAtMinimum: "not_at_minimum"
        case .maxIterations: "max_iterations"
        case .noProgress: "no_progress"
        case .toleranceUnreachable: "tolerance_unreachable"
        case .nonFinite: "non_finite"
        case .gslError: "gsl_error"
        }
    }

    public var description: String {
        switch self {
        case .converged(let reason): "converged (\(reason.rawValue))"
        case .rankDeficient(let rank, let reason):
            "stopped (\(reason.rawValue)) with a rank-deficient Jacobian (rank \(rank)): parameters not identified"
        case .notAtMinimum(let reason):
            "stopped (\(reason.rawValue)) but not at a minimum: the cost still falls along a direction"
        case .maxIterations: "iteration limit reached without convergence"
        case .noProgress: "no step lowered the cost on the first iteration"
        case .toleranceUnreachable(let what): "the \(what) tolerance cannot be reached"
        case .nonFinite(let what): "non-finite \(what)"
        case .gslError(let code, let message): "GSL error \(code): \(message)"
        }
    }
}

/// Errors that stop a solve before it can report a status.
public enum LeastSquaresError: Error, ExitStatusProviding, CustomStringConvertible, Equatable {
    /// Fewer residuals than parameters, or no parameters.
    case badDimensions(residuals: Int, parameters: Int)
    /// The start point or the weights have the wrong length or are not finite / positive.
    case badStart(String)
    /// The residuals at the start point are not finite.
    case nonFiniteAtStart(index: Int)
    /// GSL could not allocate its workspace.
    case allocationFailed

    public var exitStatus: ExitStatus { .failure }

    public var description: String {
        switch self {
        case .badDimensions(let n, let p):
            "a least-squares problem needs at least as many points as parameters (\(n) points, \(p) parameters)"
        case .badStart(let why): "bad start: \(why)"
        case .nonFiniteAtStart(let i): "the residual at point \(i) is not finite at the start point"
        case .allocationFailed: "GSL could not allocate the least-squares workspace"
        }
    }
}

// MARK: - What a callback sees and what a solve returns

/// Read-only view of the parameter vector handed to a callback (valid during the call).
public struct ParameterView {
    let base: UnsafePointer<Double>
    let stride: Int
    public let count: Int

    /// A view of `count` values `stride` apart from `base` (valid while that storage is).
    public init(base: UnsafePointer<Double>, stride: Int, count: Int) {
        self.base = base
        self.stride = stride
        self.count = count
    }

    @inline(__always)
    public subscript(index: Int) -> Double { base[index &* stride] }

    /// The values as an array (allocates; for set-up code, not hot loops).
    public var array: [Double] { (0..<count).map { self[$0] } }
}

/// Writable view of the residual vector filled by a callback (valid during the call).
/// Honours GSL's stride: with finite differences GSL passes a column of J here.
public struct ResidualView {
    let base: UnsafeMutablePointer<Double>
    let stride: Int
    public let count: Int

    @inline(__always)
    public subscript(index: Int) -> Double {
        get { base[index &* stride] }
        nonmutating set { base[index &* stride] = newValue }
    }
}

/// Writable view of the n×p Jacobian filled by a callback (valid during the call).
public struct JacobianView {
    let base: UnsafeMutablePointer<Double>
    let rowStride: Int
    public let rows: Int
    public let columns: Int

    @inline(__always)
    public subscript(row: Int, column: Int) -> Double {
        get { base[row &* rowStride &+ column] }
        nonmutating set { base[row &* rowStride &+ column] = newValue }
    }
}

/// A least-squares problem: minimise Σ_i w_i r_i(θ)² over θ.
public struct LeastSquaresProblem {
    /// Computes r(θ) into the view. May throw; the error stops the solve and is rethrown.
    public typealias Residuals = (ParameterView, ResidualView) throws -> Void
    /// Computes J_ij = ∂r_i/∂θ_j into the view.
    public typealias Jacobian = (ParameterView, JacobianView) throws -> Void
    /// Computes the second directional derivative Σ_jk v_j v_k ∂²r_i/∂θ_j∂θ_k (for lmaccel).
    public typealias SecondDirectional = (ParameterView, ParameterView, ResidualView) throws -> Void

    public var residualCount: Int
    public var parameterCount: Int
    public var residuals: Residuals
    /// The analytic Jacobian; `nil` lets GSL use forward differences.
    public var jacobian: Jacobian?
    /// The analytic second directional derivative; `nil` lets GSL use finite differences.
    public var secondDirectional: SecondDirectional?

    public init(
        residualCount: Int, parameterCount: Int, residuals: @escaping Residuals,
        jacobian: Jacobian? = nil, secondDirectional: SecondDirectional? = nil
    ) {
        self.residualCount = residualCount
        self.parameterCount = parameterCount
        self.residuals = residuals
        self.jacobian = jacobian
        self.secondDirectional = secondDirectional
    }
}

/// Everything a solve produced, copied out of GSL's workspace.
public struct LeastSquaresResult: Sendable {
    /// The final parameters θ̂.
    public var parameters: [Double]
    /// The weighted residuals √w_i·r_i(θ̂).
    public var residuals: [Double]
    /// χ² = Σ_i w_i r_i(θ̂)² (scipy's `2·cost`).
    public var chiSquared: Double
    /// (JᵀWJ)⁻¹ at θ̂, unscaled by the residual variance (`gsl_multifit_nlinear_covar`);
    /// row-major p×p, or `nil` when not finite.
    public var covariance: [Double]?
    /// The numerical rank of √W·J at θ̂.
    public var jacobianRank: Int
    /// The 2-norm condition number of √W·J at θ̂ (∞ when singular).
    public var conditionNumber: Double
    /// Iterations taken.
    public var iterations: Int
    /// Residual and Jacobian evaluations.
    public var residualEvaluations: Int
    public var jacobianEvaluations: Int
    /// How the solve ended.
    public var status: LeastSquaresStatus
    /// Trial points whose residuals were not finite (rejected as steps).
    public var rejectedNonFiniteTrials: Int

    public init(
        parameters: [Double], residuals: [Double], chiSquared: Double, covariance: [Double]?,
        jacobianRank: Int, conditionNumber: Double, iterations: Int, residualEvaluations: Int,
        jacobianEvaluations: Int, status: LeastSquaresStatus, rejectedNonFiniteTrials: Int
    ) {
        self.parameters = parameters
        self.residuals = residuals
        self.chiSquared = chiSquared
        self.covariance = covariance
        self.jacobianRank = jacobianRank
        self.conditionNumber = conditionNumber
        self.iterations = iterations
        self.residualEvaluations = residualEvaluations
        self.jacobianEvaluations = jacobianEvaluations
        self.status = status
        self.rejectedNonFiniteTrials = rejectedNonFiniteTrials
    }

    public var converged: Bool { status.isConverged }
    public var parameterCount: Int { parameters.count }

    /// The covariance entry (i, j).
    public func covariance(_ i: Int, _ j: Int) -> Double? {
        covariance.map { $0[i * parameters.count + j] }
    }
}

extension LeastSquaresProblem {
    /// Evaluates r(θ) and, when `jacobian` is given, J(θ) (row-major, n × p) outside a GSL
    /// solve, for searches of scalefit's own that GSL has no method for (the Huber polish).
    public func evaluate(at theta: [Double], residuals: UnsafeMutablePointer<Double>, jacobian: UnsafeMutablePointer<Double>?) throws {
        try theta.withUnsafeBufferPointer { buffer in
            let view = ParameterView(base: buffer.baseAddress!, stride: 1, count: buffer.count)
            try self.residuals(view, ResidualView(base: residuals, stride: 1, count: residualCount))
            if let jacobian, let compute = self.jacobian {
                try compute(view, JacobianView(base: jacobian, rowStride: parameterCount, rows: residualCount, columns: parameterCount))
            }
        }
    }
}
