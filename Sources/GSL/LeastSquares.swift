// GSL's nonlinear least squares (gsl_multifit_nlinear): the owner of the C objects.
//
// Everything GSL-shaped stays in here: the workspace, the fdf struct, the C callbacks and
// the status codes. What leaves this file is plain Swift: `[Double]`, enums and errors; the
// vocabulary (settings, statuses, errors) is in LeastSquaresTypes.swift. The views handed
// to user callbacks keep their storage private, so no pointer shows in the public interface.

internal import CGSL
import ScalefitCore

// MARK: - The solver

/// A reusable GSL workspace for problems of one shape (n residuals, p parameters).
///
/// Re-using it for many starts or bootstrap replicates avoids GSL's allocations. It is
/// not thread-safe: give each thread its own.
///
/// ```swift
/// let solver = try NonlinearLeastSquares(problem: problem, settings: .init())
/// let result = try solver.solve(from: [1, 1])
/// ```
public final class NonlinearLeastSquares {
    /// The problem; may be replaced by one of the same shape (e.g. a bootstrap resample).
    public var problem: LeastSquaresProblem {
        get { context.problem }
        set {
            precondition(
                newValue.residualCount == context.problem.residualCount
                    && newValue.parameterCount == context.problem.parameterCount,
                "a workspace serves one problem shape")
            context.problem = newValue
            configureCallbacks()
        }
    }
    public let settings: LeastSquaresSettings

    private let context: CallbackContext
    /// GSL's solver workspace, allocated by the first ``solve(from:weights:)``: a point
    /// judged by ``assess(at:weights:reason:iterations:)`` needs only `buffers`.
    @exclusivity(unchecked) private var workspace: UnsafeMutablePointer<gsl_multifit_nlinear_workspace>?
    private let fdf: UnsafeMutablePointer<gsl_multifit_nlinear_fdf>
    private let buffers: SolverBuffers

    /// - Throws: ``LeastSquaresError/badDimensions(residuals:parameters:)`` when n < p or p = 0,
    ///   ``LeastSquaresError/allocationFailed`` when GSL cannot allocate (at the first solve).
    public init(problem: LeastSquaresProblem, settings: LeastSquaresSettings = .init()) throws {
        GSLRuntime.prepare()
        let n = problem.residualCount, p = problem.parameterCount
        guard p > 0, n >= p else { throw LeastSquaresError.badDimensions(residuals: n, parameters: p) }
        self.settings = settings
        self.context = CallbackContext(problem: problem)
        self.buffers = SolverBuffers(residualCount: n, parameterCount: p)
        // GSL keeps a pointer to the fdf struct for the life of the workspace, so it
        // lives on the heap, owned here, never as an inout temporary.
        self.fdf = .allocate(capacity: 1)
        fdf.initialize(to: gsl_multifit_nlinear_fdf())
        configureCallbacks()
    }

    deinit {
        if let workspace { gsl_multifit_nlinear_free(workspace) }
        fdf.deinitialize(count: 1)
        fdf.deallocate()
    }

    /// GSL's workspace for this shape and these settings, allocated on first use.
    private func solverWorkspace() throws -> UnsafeMutablePointer<gsl_multifit_nlinear_workspace> {
        if let workspace { return workspace }
        var parameters = gsl_multifit_nlinear_default_parameters()
        switch settings.method {
        case .levenbergMarquardt: parameters.trs = cgsl_trs_lm()
        case .levenbergMarquardtAccelerated: parameters.trs = cgsl_trs_lmaccel()
        case .dogleg: parameters.trs = cgsl_trs_dogleg()
        case .doubleDogleg: parameters.trs = cgsl_trs_ddogleg()
        case .subspace2D: parameters.trs = cgsl_trs_subspace2D()
        }
        switch settings.scaling {
        case .more: parameters.scale = cgsl_scale_more()
        case .levenberg: parameters.scale = cgsl_scale_levenberg()
        case .marquardt: parameters.scale = cgsl_scale_marquardt()
        }
        switch settings.linearSolver {
        case .qr: parameters.solver = cgsl_solver_qr()
        case .cholesky: parameters.solver = cgsl_solver_cholesky()
        case .svd: parameters.solver = cgsl_solver_svd()
        }
        parameters.avmax = settings.accelerationRatioLimit
        guard let made = gsl_multifit_nlinear_alloc(
            cgsl_trust(), &parameters, context.problem.residualCount, context.problem.parameterCount)
        else { throw LeastSquaresError.allocationFailed }
        workspace = made
        return made
    }

    private func configureCallbacks() {
        let problem = context.problem
        fdf.pointee.f = residualTrampoline
        fdf.pointee.df = problem.jacobian == nil ? nil : jacobianTrampoline
        fdf.pointee.fvv = problem.secondDirectional == nil ? nil : secondDirectionalTrampoline
        fdf.pointee.n = problem.residualCount
        fdf.pointee.p = problem.parameterCount
        fdf.pointee.params = Unmanaged.passUnretained(context).toOpaque()
    }

    /// Minimises from `start`, with optional weights w_i ≥ 0 (1/σ_i²).
    ///
    /// - Returns: the result, whatever the status; check ``LeastSquaresResult/status``.
    /// - Throws: ``LeastSquaresError`` for bad starts or weights and non-finite residuals
    ///   at the start; any error a callback throws, unchanged.
    public func solve(from initial: [Double], weights: [Double]? = nil) throws -> LeastSquaresResult {
        let workspace = try solverWorkspace()
        var status = try initialize(workspace, at: initial, weights: weights)
        if status != GSL_SUCCESS {
            return finish(.gslError(code: status, message: GSLRuntime.message(for: status)), iterations: 0)
        }

        // Own iterate-and-test loop (the GSL driver drops errors raised inside callbacks).
        var info: Int32 = 0
        var iterations = 0
        while true {
            status = gsl_multifit_nlinear_iterate(workspace)
            if let error = context.error { throw error }
            if let what = context.nonFiniteDerivative { return finish(.nonFinite(what), iterations: iterations) }
            if status == GSL_ENOPROG && iterations == 0 {
                // No step lowers the cost: either the start is already stationary (e.g. an
                // exact fit) or the solver is stuck.
                if startIsStationary() { return finish(.converged(.smallGradient), iterations: iterations) }
                let stuck = finish(.converged(.smallStep), iterations: iterations, stepTolerance: 1e-7)
                return stuck.converged ? stuck : finish(.noProgress, iterations: iterations)
            }
            if status != GSL_SUCCESS && status != GSL_ENOPROG {
                return finish(mapStatus(status), iterations: iterations)
            }
            iterations += 1
            status = gsl_multifit_nlinear_test(
                settings.stepTolerance, settings.gradientTolerance, settings.costTolerance, &info, workspace)
            if status == GSL_SUCCESS {
                let reason: StopReason = info == 1 ? .smallStep : info == 2 ? .smallGradient : .smallCostChange
                return finish(.converged(reason), iterations: iterations)
            }
            if status != GSL_CONTINUE { return finish(mapStatus(status), iterations: iterations) }
            if iterations >= settings.maxIterations { return finish(.maxIterations, iterations: iterations) }
        }
    }

    /// Checks a start point and weights, and copies them into `buffers` (the point into
    /// `start`, the weights into `weights`); returns whether weights were given.
    private func load(_ initial: [Double], weights: [Double]?) throws -> Bool {
        let n = context.problem.residualCount, p = context.problem.parameterCount
        guard initial.count == p else {
            throw LeastSquaresError.badStart("expected \(p) start values, got \(initial.count)")
        }
        guard initial.allSatisfy(\.isFinite) else { throw LeastSquaresError.badStart("start values must be finite") }
        let start = buffers.start.pointee.data!
        for i in 0..<p { start[i] = initial[i] }
        context.reset()
        guard let weights else { return false }
        guard weights.count == n else { throw LeastSquaresError.badStart("expected \(n) weights, got \(weights.count)") }
        guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw LeastSquaresError.badStart("weights must be finite and non-negative")
        }
        let w = buffers.weights.pointee.data!
        for i in 0..<n { w[i] = weights[i] }
        return true
    }

    /// Loads `initial` (and the weights) into the workspace, which evaluates r and J there.
    private func initialize(
        _ workspace: UnsafeMutablePointer<gsl_multifit_nlinear_workspace>, at initial: [Double], weights: [Double]?
    ) throws -> Int32 {
        let weighted = try load(initial, weights: weights)
        fdf.pointee.nevalf = 0
        fdf.pointee.nevaldf = 0
        fdf.pointee.nevalfvv = 0
        let status = weighted
            ? gsl_multifit_nlinear_winit(buffers.start, buffers.weights, fdf, workspace)
            : gsl_multifit_nlinear_init(buffers.start, fdf, workspace)
        if let error = context.error { throw error }
        if let index = context.nonFiniteAtStart { throw LeastSquaresError.nonFiniteAtStart(index: index) }
        return status
    }

    /// Judges a point found by another search (variable projection) as if this solver had
    /// stopped there for `reason`: r and J are evaluated at `point` (weighted as GSL
    /// weights them, √w_i·r_i and √w_i·J_i), and the result carries the same checks as a
    /// solve's (full rank, a negligible Gauss–Newton step, else
    /// ``LeastSquaresStatus/notAtMinimum(reason:)``), the covariance and the condition number.
    /// Needs no GSL solver workspace when the problem has an analytic Jacobian.
    public func assess(at point: [Double], weights: [Double]? = nil, reason: StopReason, iterations: Int) throws -> LeastSquaresResult {
        guard context.problem.jacobian != nil else {
            let workspace = try solverWorkspace()
            let status = try initialize(workspace, at: point, weights: weights)
            if status != GSL_SUCCESS {
                return finish(.gslError(code: status, message: GSLRuntime.message(for: status)), iterations: 0)
            }
            return finish(.converged(reason), iterations: iterations)
        }
        let weighted = try load(point, weights: weights)
        let params = Unmanaged.passUnretained(context).toOpaque()
        let f = buffers.pointResiduals, jacobian = buffers.pointJacobian
        _ = residualTrampoline(UnsafePointer(buffers.start), params, f)
        if let error = context.error { throw error }
        if let index = context.nonFiniteAtStart { throw LeastSquaresError.nonFiniteAtStart(index: index) }
        _ = jacobianTrampoline(UnsafePointer(buffers.start), params, jacobian)
        if let error = context.error { throw error }
        if weighted {
            let n = context.problem.residualCount, p = context.problem.parameterCount
            let w = buffers.weights.pointee.data!, r = f.pointee.data!, j = jacobian.pointee.data!
            for i in 0..<n {
                let root = w[i].squareRoot()
                r[i] *= root
                for k in 0..<p { j[i &* p &+ k] *= root }
            }
        }
        let provisional: LeastSquaresStatus = context.nonFiniteDerivative.map { .nonFinite($0) } ?? .converged(reason)
        return finish(
            provisional, iterations: iterations, position: buffers.start, residuals: f, jacobian: jacobian,
            evaluations: (1, 1))
    }

    /// Whether the gradient Jᵀf at the current point passes GSL's scaled gradient test.
    private func startIsStationary() -> Bool {
        guard let workspace else { return false }
        let n = context.problem.residualCount, p = context.problem.parameterCount
        let x = gsl_multifit_nlinear_position(workspace)!.pointee
        let f = gsl_multifit_nlinear_residual(workspace)!.pointee
        let jacobian = gsl_multifit_nlinear_jac(workspace)!.pointee
        var cost = 0.0
        for i in 0..<n { cost += f.data[i * f.stride] * f.data[i * f.stride] }
        if cost == 0 { return true }
        var largest = 0.0
        for j in 0..<p {
            var g = 0.0
            for i in 0..<n { g += jacobian.data[i * jacobian.tda + j] * f.data[i * f.stride] }
            largest = max(largest, abs(g) * max(abs(x.data[j * x.stride]), 1))
        }
        return largest <= settings.gradientTolerance * max(0.5 * cost, 1)
    }

    private func mapStatus(_ status: Int32) -> LeastSquaresStatus {
        switch Int(status) {
        case Int(GSL_ETOLX): .toleranceUnreachable("step")
        case Int(GSL_ETOLF): .toleranceUnreachable("cost")
        case Int(GSL_ETOLG): .toleranceUnreachable("gradient")
        case Int(GSL_EMAXITER): .maxIterations
        case Int(GSL_ENOPROG): .noProgress
        default: .gslError(code: status, message: GSLRuntime.message(for: status))
        }
    }

    /// The result at the solver workspace's current point.
    private func finish(_ provisional: LeastSquaresStatus, iterations: Int, stepTolerance: Double = 1e-3) -> LeastSquaresResult {
        let workspace = workspace!
        return finish(
            provisional, iterations: iterations, stepTolerance: stepTolerance,
            position: gsl_multifit_nlinear_position(workspace)!, residuals: gsl_multifit_nlinear_residual(workspace)!,
            jacobian: gsl_multifit_nlinear_jac(workspace)!,
            evaluations: (Int(fdf.pointee.nevalf), Int(fdf.pointee.nevaldf)))
    }

    /// Copies the point out and refines the status.
    /// `stepTolerance` bounds the Gauss–Newton step |δ_j| ≤ tol·(|x_j| + 1) that a point
    /// reported as converged may still have.
    private func finish(
        _ provisional: LeastSquaresStatus, iterations: Int, stepTolerance: Double = 1e-3,
        position x: UnsafePointer<gsl_vector>, residuals f: UnsafePointer<gsl_vector>, jacobian: UnsafePointer<gsl_matrix>,
        evaluations: (residuals: Int, jacobians: Int)
    ) -> LeastSquaresResult {
        let n = context.problem.residualCount, p = context.problem.parameterCount
        let xs = x.pointee, fs = f.pointee
        let parameters = [Double](unsafeUninitializedCapacity: p) { buffer, count in
            for k in 0..<p { buffer[k] = xs.data[k &* xs.stride] }
            count = p
        }
        let residuals = [Double](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = fs.data[i &* fs.stride] }
            count = n
        }
        var chiSquared = 0.0
        for r in residuals { chiSquared += r * r }

        var status = provisional
        var covariance: [Double]? = nil
        var rank = 0
        var condition = Double.infinity

        let finite = parameters.allSatisfy(\.isFinite) && chiSquared.isFinite
        if !finite {
            status = .nonFinite("parameters or cost at the final point")
        } else if !settings.analyzesUnconverged && !status.isConverged {
            // Ranked, not reported: no singular values, no covariance.
        } else {
            // Singular values of √W·J = U·S·Vᵀ: rank, condition number, the Gauss–Newton
            // step, and the covariance (JᵀWJ)⁻¹ = V·S⁻²·Vᵀ when J has full rank. They come
            // from a Householder QR of J and the SVD of its p×p factor R = U_R·S·Vᵀ (then
            // U = Q·U_R): for n ≫ p that costs a fraction of GSL's SVD of J itself.
            let qr = buffers.svdMatrix, square = buffers.svdSquare, svdV = buffers.svdV, svdS = buffers.svdS
            if copyMatrix(jacobian, into: qr),
                gsl_linalg_QR_decomp(qr, buffers.tau) == GSL_SUCCESS,
                copyUpperTriangle(of: qr, into: square),
                gsl_linalg_SV_decomp(square, svdV, svdS, buffers.svdWork) == GSL_SUCCESS
            {
                let s = svdS.pointee.data!
                var largest = 0.0, smallest = Double.infinity
                for k in 0..<p { largest = max(largest, s[k]); smallest = min(smallest, s[k]) }
                let threshold = largest * Double(max(n, p)) * Double.ulpOfOne
                rank = 0
                for k in 0..<p where s[k] > threshold && s[k].isFinite { rank += 1 }
                condition = smallest > 0 ? largest / smallest : .infinity
                if case .converged(let reason) = status {
                    if rank < p {
                        status = .rankDeficient(rank: rank, reason: reason)
                    } else if gaussNewtonStepIsLarge(residuals: residuals, parameters: parameters, tolerance: stepTolerance) {
                        status = .notAtMinimum(reason: reason)
                    }
                }
                if settings.computesCovariance, rank == p {
                    let v = svdV.pointee.data!, tda = svdV.pointee.tda
                    var values = [Double](repeating: 0, count: p * p)
                    for a in 0..<p {
                        for b in 0...a {
                            var sum = 0.0
                            for k in 0..<p { sum += v[a &* tda &+ k] * v[b &* tda &+ k] / (s[k] * s[k]) }
                            values[a * p + b] = sum
                            values[b * p + a] = sum
                        }
                    }
                    if values.allSatisfy(\.isFinite) { covariance = values }
                }
            }
        }
        return LeastSquaresResult(
            parameters: parameters, residuals: residuals, chiSquared: chiSquared,
            covariance: covariance, jacobianRank: rank, conditionNumber: condition,
            iterations: iterations, residualEvaluations: evaluations.residuals,
            jacobianEvaluations: evaluations.jacobians, status: status,
            rejectedNonFiniteTrials: context.nonFiniteTrials)
    }

    /// J into the decomposition's buffer (GSL's matrix copy costs more per entry than the
    /// decomposition of a 3-column J does).
    private func copyMatrix(_ from: UnsafePointer<gsl_matrix>, into to: UnsafeMutablePointer<gsl_matrix>) -> Bool {
        let source = from.pointee, target = to.pointee
        guard source.size1 == target.size1, source.size2 == target.size2 else { return false }
        let rows = source.size1, columns = source.size2
        for row in 0..<rows {
            let a = source.data + row &* source.tda, b = target.data + row &* target.tda
            for column in 0..<columns { b[column] = a[column] }
        }
        return true
    }

    /// R (the upper triangle of GSL's packed QR) into a p×p matrix, zeros below.
    private func copyUpperTriangle(of qr: UnsafeMutablePointer<gsl_matrix>, into square: UnsafeMutablePointer<gsl_matrix>) -> Bool {
        let p = square.pointee.size1, from = qr.pointee, to = square.pointee
        for row in 0..<p {
            for column in 0..<p {
                to.data[row &* to.tda &+ column] = column >= row ? from.data[row &* from.tda &+ column] : 0
            }
        }
        return true
    }

    /// After the decompositions of ``finish``, `svdMatrix` and `tau` hold J's packed QR,
    /// `svdSquare` holds U_R, `svdV` holds V and `svdS` the singular values. The
    /// Gauss–Newton step is δ = −V·S⁻¹·Uᵀ·f with Uᵀf = U_Rᵀ·(Qᵀf); at a minimum it
    /// vanishes (Jᵀf = 0).
    private func gaussNewtonStepIsLarge(residuals f: [Double], parameters x: [Double], tolerance: Double) -> Bool {
        let n = f.count, p = x.count
        let v = buffers.svdV.pointee, s = buffers.svdS.pointee.data!, uR = buffers.svdSquare.pointee
        let rotated = buffers.rotated.pointee.data!
        for i in 0..<n { rotated[i] = f[i] }
        guard gsl_linalg_QR_QTvec(buffers.svdMatrix, buffers.tau, buffers.rotated) == GSL_SUCCESS else { return true }
        let coefficients = buffers.svdWork.pointee.data!  // free after the decomposition
        for k in 0..<p {
            coefficients[k] = 0
            guard s[k] > 0 else { continue }
            var dot = 0.0
            for j in 0..<p { dot += uR.data[j &* uR.tda &+ k] * rotated[j] }
            coefficients[k] = dot / s[k]
        }
        for j in 0..<p {
            var step = 0.0
            for k in 0..<p { step += v.data[j * v.tda + k] * coefficients[k] }
            if !(abs(step) <= tolerance * (abs(x[j]) + 1)) { return true }
        }
        return false
    }
}

/// The vectors and matrices of one solver that GSL's workspace does not hold: the start
/// point, the weights, r and J at a judged point, and the QR and singular value decompositions.
/// GSL headers over storage owned here: three allocations in all, whatever the shape.
private final class SolverBuffers {
    let start, weights, pointResiduals, svdS, svdWork, tau, rotated: UnsafeMutablePointer<gsl_vector>
    let pointJacobian, svdMatrix, svdV, svdSquare: UnsafeMutablePointer<gsl_matrix>
    private let vectors: UnsafeMutablePointer<gsl_vector>
    private let matrices: UnsafeMutablePointer<gsl_matrix>
    private let storage: UnsafeMutablePointer<Double>

    init(residualCount n: Int, parameterCount p: Int) {
        let vectorSizes = [p, n, n, p, p, p, n]
        let matrixShapes = [(n, p), (n, p), (p, p), (p, p)]
        storage = .allocate(capacity: vectorSizes.reduce(0, +) + matrixShapes.reduce(0) { $0 + $1.0 * $1.1 })
        vectors = .allocate(capacity: vectorSizes.count)
        matrices = .allocate(capacity: matrixShapes.count)
        var next = storage
        for (index, size) in vectorSizes.enumerated() {
            (vectors + index).initialize(to: gsl_vector(size: size, stride: 1, data: next, block: nil, owner: 0))
            next += size
        }
        for (index, shape) in matrixShapes.enumerated() {
            (matrices + index).initialize(
                to: gsl_matrix(size1: shape.0, size2: shape.1, tda: shape.1, data: next, block: nil, owner: 0))
            next += shape.0 * shape.1
        }
        start = vectors
        weights = vectors + 1
        pointResiduals = vectors + 2
        svdS = vectors + 3
        svdWork = vectors + 4
        tau = vectors + 5
        rotated = vectors + 6
        pointJacobian = matrices
        svdMatrix = matrices + 1
        svdV = matrices + 2
        svdSquare = matrices + 3
    }

    deinit {
        vectors.deallocate()
        matrices.deallocate()
        storage.deallocate()
    }
}

// MARK: - Callback plumbing

/// What the C callbacks reach through GSL's `void *params`: the problem, and the first
/// error or non-finite value they met. The callbacks capture nothing.
private final class CallbackContext {
    // Read and written only by the solve that owns this context, on its thread: no
    // dynamic exclusivity checks in the callbacks.
    @exclusivity(unchecked) var problem: LeastSquaresProblem
    @exclusivity(unchecked) var error: (any Error)?
    @exclusivity(unchecked) var nonFiniteAtStart: Int?
    @exclusivity(unchecked) var nonFiniteDerivative: String?
    @exclusivity(unchecked) var nonFiniteTrials = 0
    @exclusivity(unchecked) var residualCalls = 0

    init(problem: LeastSquaresProblem) { self.problem = problem }

    func reset() {
        error = nil
        nonFiniteAtStart = nil
        nonFiniteDerivative = nil
        nonFiniteTrials = 0
        residualCalls = 0
    }
}

/// A residual so large that the trust region rejects the step, standing in for a
/// non-finite value at a trial point (never at an accepted point: those lower the cost).
private let rejectionResidual = 1e150

private func residualTrampoline(
    _ x: UnsafePointer<gsl_vector>?, _ params: UnsafeMutableRawPointer?, _ f: UnsafeMutablePointer<gsl_vector>?
) -> Int32 {
    let context = Unmanaged<CallbackContext>.fromOpaque(params!).takeUnretainedValue()
    let xv = x!.pointee, fv = f!.pointee
    let parameters = ParameterView(base: UnsafePointer(xv.data), stride: xv.stride, count: xv.size)
    let out = ResidualView(base: fv.data, stride: fv.stride, count: fv.size)
    context.residualCalls += 1
    do {
        try context.problem.residuals(parameters, out)
    } catch {
        context.error = error
        return Int32(GSL_EBADFUNC)
    }
    for i in 0..<out.count where !out[i].isFinite {
        if context.residualCalls == 1 {
            context.nonFiniteAtStart = i
            return Int32(GSL_EBADFUNC)
        }
        out[i] = rejectionResidual
        context.nonFiniteTrials += 1
    }
    return Int32(GSL_SUCCESS)
}

private func jacobianTrampoline(
    _ x: UnsafePointer<gsl_vector>?, _ params: UnsafeMutableRawPointer?, _ J: UnsafeMutablePointer<gsl_matrix>?
) -> Int32 {
    let context = Unmanaged<CallbackContext>.fromOpaque(params!).takeUnretainedValue()
    let xv = x!.pointee, jm = J!.pointee
    let parameters = ParameterView(base: UnsafePointer(xv.data), stride: xv.stride, count: xv.size)
    let out = JacobianView(base: jm.data, rowStride: jm.tda, rows: jm.size1, columns: jm.size2)
    do {
        try context.problem.jacobian!(parameters, out)
    } catch {
        context.error = error
        return Int32(GSL_EBADFUNC)
    }
    // x·0 is 0 for finite x and NaN otherwise: one sum checks every entry.
    var probe = 0.0
    for i in 0..<out.rows {
        let row = jm.data + i &* jm.tda
        for j in 0..<out.columns { probe += row[j] * 0 }
    }
    if probe.isFinite { return Int32(GSL_SUCCESS) }
    for i in 0..<out.rows {
        for j in 0..<out.columns where !out[i, j].isFinite {
            context.nonFiniteDerivative = "Jacobian entry (\(i), \(j))"
            return Int32(GSL_EBADFUNC)
        }
    }
    return Int32(GSL_SUCCESS)
}

private func secondDirectionalTrampoline(
    _ x: UnsafePointer<gsl_vector>?, _ v: UnsafePointer<gsl_vector>?, _ params: UnsafeMutableRawPointer?,
    _ fvv: UnsafeMutablePointer<gsl_vector>?
) -> Int32 {
    let context = Unmanaged<CallbackContext>.fromOpaque(params!).takeUnretainedValue()
    let xv = x!.pointee, vv = v!.pointee, out = fvv!.pointee
    let parameters = ParameterView(base: UnsafePointer(xv.data), stride: xv.stride, count: xv.size)
    let velocity = ParameterView(base: UnsafePointer(vv.data), stride: vv.stride, count: vv.size)
    let result = ResidualView(base: out.data, stride: out.stride, count: out.size)
    do {
        try context.problem.secondDirectional!(parameters, velocity, result)
    } catch {
        context.error = error
        return Int32(GSL_EBADFUNC)
    }
    // A non-finite acceleration is replaced by a huge one, so that lmaccel rejects it
    // (|a|/|v| > avmax) instead of stepping to NaN.
    for i in 0..<result.count where !result[i].isFinite { result[i] = rejectionResidual }
    return Int32(GSL_SUCCESS)
}
