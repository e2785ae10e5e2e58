import RealModule
import ScalefitCore

/// A law whose value is linear in some of its coefficients: L = Σ_k c_k·φ_k(x; θ), with
/// c_k ≥ 0 (E, A, B) and θ the exponents. Such laws can be fitted by variable projection:
/// the coefficients are solved exactly for each θ, and only θ is searched.
///
/// The basis φ_k is read off the law's own gradient (∂L/∂c_k = φ_k), so a conforming law
/// declares only which parameters enter linearly.
public protocol SeparableLaw: ScalingLaw {
    /// Indices (into ``ScalingLaw/parameters``) of the coefficients that enter linearly
    /// (at most three).
    var linearParameters: [Int] { get }
    /// For each other parameter, in law order, the coefficient (a law parameter index) that
    /// multiplies every term it enters, so that ∂L/∂p_j = c·∂L/∂p_j evaluated with every
    /// coefficient 1. Kaufman's Jacobian then reuses the basis evaluation.
    var nonlinearOwners: [Int] { get }
}

extension PowerLaw: SeparableLaw {
    public var linearParameters: [Int] { [0] }
    public var nonlinearOwners: [Int] { [0] }
}

extension SaturatingLaw: SeparableLaw {
    public var linearParameters: [Int] { [0, 1] }
    public var nonlinearOwners: [Int] { [1] }
}

extension ChinchillaLaw: SeparableLaw {
    public var linearParameters: [Int] { [0, 1, 2] }
    /// α scales with A, β with B.
    public var nonlinearOwners: [Int] { [1, 2] }
}

extension BrokenPowerLaw: SeparableLaw {
    public var linearParameters: [Int] { [0, 1] }
    /// Every exponent, location and sharpness lives in the A term.
    public var nonlinearOwners: [Int] { [Int](repeating: 1, count: parameters.count - 2) }
}

/// Variable projection (Golub & Pereyra 1973) for linear-space least squares: for each θ
/// (the nonlinear parameters, in their unconstrained form), the coefficients c ≥ 0 solve a
/// small non-negative least-squares problem exactly, and GSL searches θ alone on the
/// projected residual √W(Φ(θ)c(θ) − y) with Kaufman's Jacobian P⊥·∂(Φc)/∂θ.
///
/// For the saturating law this turns a 3-parameter search into a 1-parameter one; for
/// Chinchilla it removes the ill-conditioning between E, A and B (see the conditioning test).
final class VariableProjection<Law: ScalingLaw> {
    let law: Law
    /// Law parameter indices of the linear coefficients and of the nonlinear parameters.
    let linear: [Int]
    let nonlinear: [Int]
    let nonlinearDomains: [ParameterDomain]
    /// For each nonlinear parameter, the position in `linear` of the coefficient scaling it.
    let ownerSlots: [Int]
    @exclusivity(unchecked) private(set) var inputs: LawInputs
    @exclusivity(unchecked) private(set) var y: [Double]
    @exclusivity(unchecked) private(set) var rootWeights: [Double]?
    let n: Int
    let parameterCount: Int
    let settings: LeastSquaresSettings
    /// GSL's search over θ, made on first use (one-exponent laws seldom need it).
    private var reducedSolver: NonlinearLeastSquares?
    private let state: ProjectionState

    /// - Precondition: `linear` has 1 to 3 entries, `law` is linear in them, and `owners`
    ///   names the coefficient scaling each other parameter (``SeparableLaw/nonlinearOwners``).
    init(law: Law, linear: [Int], owners: [Int], data: FitData, settings: LeastSquaresSettings) throws {
        self.law = law
        self.linear = linear
        let all = law.parameters
        nonlinear = all.indices.filter { !linear.contains($0) }
        nonlinearDomains = nonlinear.map { all[$0].domain }
        precondition(owners.count == nonlinear.count && owners.allSatisfy(linear.contains), "an owning coefficient for each nonlinear parameter")
        ownerSlots = owners.map { linear.firstIndex(of: $0)! }
        inputs = data.inputs
        y = data.y
        rootWeights = data.weights.map { $0.map { $0.squareRoot() } }
        n = data.count
        parameterCount = all.count
        self.settings = settings
        state = ProjectionState(pointCount: n, parameterCount: all.count, linearCount: linear.count, nonlinearCount: nonlinear.count)
        guard n >= nonlinear.count, !nonlinear.isEmpty else {
            throw LeastSquaresError.badDimensions(residuals: n, parameters: nonlinear.count)
        }
    }

    /// The GSL solver of the reduced problem.
    private func solver() throws -> NonlinearLeastSquares {
        if let reducedSolver { return reducedSolver }
        let made = try NonlinearLeastSquares(problem: makeReducedProblem(), settings: settings)
        reducedSolver = made
        return made
    }

    /// Swaps in data of the same size (a bootstrap resample).
    func use(_ data: FitData) {
        inputs = data.inputs
        y = data.y
        rootWeights = data.weights.map { $0.map { $0.squareRoot() } }
        plainWeightsReady = false
        state.valid = false
        // The reduced problem reads the data through `self`: nothing to rebuild.
    }

    /// Whether `state.rootW` and `state.target` hold the data's own weights (no extra ones).
    @exclusivity(unchecked) private var plainWeightsReady = false

    /// Fills √w_i (the data's weight times the extra one) and √w_i·y_i, once per solve.
    private func prepareWeights(_ extra: [Double]?) {
        if extra == nil && plainWeightsReady { return }
        let s = state
        for i in 0..<n {
            var w = rootWeights?[i] ?? 1
            if let extra { w *= extra[i].squareRoot() }
            s.rootW[i] = w
            s.target[i] = w * y[i]
        }
        plainWeightsReady = extra == nil
        s.valid = false
    }

    /// The full natural parameter vector at the nonlinear θ (coefficients solved), or nil
    /// when the basis is not finite there.
    func parameters(atNonlinear theta: [Double], extraWeights: [Double]? = nil) -> [Double]? {
        prepareWeights(extraWeights)
        guard project(theta.withUnsafeBufferPointer { ParameterView(array: $0) }) else { return nil }
        return state.fullParameters
    }

    /// Minimises over θ from the nonlinear entries of `start` (a full unconstrained vector
    /// in law order), with optional weights (which multiply the data's own).
    func solve(fromFull start: [Double], weights: [Double]?) throws -> (parameters: [Double], result: LeastSquaresResult)? {
        let theta0 = nonlinear.indices.map { start[nonlinear[$0]] }
        prepareWeights(weights)
        state.valid = false
        if nonlinear.count == 1, let found = scalarSearch(from: theta0[0]) {
            return found
        }
        state.valid = false
        let result = try solver().solve(from: theta0)
        guard result.parameters.allSatisfy(\.isFinite), let p = parameters(atNonlinear: result.parameters, extraWeights: weights) else {
            return nil
        }
        return (p, result)
    }

    /// With one nonlinear parameter (power, saturating) the projected problem is a 1-D
    /// least-squares problem, where GSL's trust-region machinery costs more than the whole
    /// search: Newton steps on θ using the exact gradient Jᵀr (Kaufman's Jacobian gives it
    /// exactly) with the secant curvature (Gauss–Newton's JᵀJ at the first step or when the
    /// secant is not positive), and step halving until the objective does not rise. Stops when the step is below the solver's step tolerance. Returns nil
    /// (and GSL's search runs instead) if it cannot descend or runs out of iterations; the
    /// point it returns is judged by GSL on the full problem as any projected point is.
    private func scalarSearch(from theta0: Double) -> (parameters: [Double], result: LeastSquaresResult)? {
        let s = state
        var theta = theta0
        func at(_ t: Double) -> Bool {
            var value = t
            return withUnsafePointer(to: &value) { project(ParameterView(base: $0, stride: 1, count: 1)) }
        }
        func objective() -> Double {
            var sum = 0.0
            for i in 0..<n { sum += s.residual[i] * s.residual[i] }
            return sum
        }
        guard at(theta) else { return nil }
        var f = objective()
        let count = parameterCount, j = nonlinear[0], domain = nonlinearDomains[0], owner = ownerSlots[0]
        var evaluations = 1
        var previous: (Double, Double)? = nil
        for iteration in 1...settings.maxIterations {
            // Kaufman's Jacobian column at θ: P⊥·√W·∂(Φc)/∂θ, from the basis evaluation
            // (coefficients 1) scaled by the owning coefficient.
            let columnScale = domain.derivative(theta) * s.c[owner]
            for i in 0..<n { s.work[i] = s.rootW[i] * s.gradients[i &* count &+ j] * columnScale }
            s.projectOut(n: n)
            var g = 0.0, h = 0.0
            for i in 0..<n { g += s.work[i] * s.residual[i]; h += s.work[i] * s.work[i] }
            guard h > 0, h.isFinite, g.isFinite else { return nil }
            // The secant slope of the (exact) gradient, when it is positive, is the true
            // curvature that Gauss–Newton's h misses for a nonzero residual: superlinear
            // instead of linear convergence.
            if let (previousTheta, previousG) = previous, theta != previousTheta {
                let secant = (g - previousG) / (theta - previousTheta)
                if secant > 0 && secant.isFinite { h = secant }
            }
            previous = (theta, g)
            let step = -g / h
            if abs(step) <= settings.stepTolerance * (abs(theta) + settings.stepTolerance) {
                return finish(theta, iterations: iteration, evaluations: evaluations, reason: .smallStep)
            }
            var scale = 1.0, accepted = false
            for _ in 0..<40 {
                let candidate = theta + scale * step
                evaluations += 1
                if at(candidate) {
                    let fc = objective()
                    if fc <= f {
                        theta = candidate
                        f = fc
                        accepted = true
                        break
                    }
                }
                scale *= 0.5
            }
            guard accepted else { return nil }
            guard at(theta) else { return nil }  // the cache holds the accepted point
            if abs(scale * step) <= settings.stepTolerance * (abs(theta) + settings.stepTolerance) {
                return finish(theta, iterations: iteration, evaluations: evaluations, reason: .smallStep)
            }
        }
        return nil
    }

    private func finish(_ theta: Double, iterations: Int, evaluations: Int, reason: StopReason) -> (parameters: [Double], result: LeastSquaresResult) {
        let s = state
        let residuals = Array(UnsafeBufferPointer(start: s.residual, count: n))
        let result = LeastSquaresResult(
            parameters: [theta], residuals: residuals, chiSquared: residuals.reduce(0) { $0 + $1 * $1 },
            covariance: nil, jacobianRank: 1, conditionNumber: 1, iterations: iterations,
            residualEvaluations: evaluations, jacobianEvaluations: iterations, status: .converged(reason),
            rejectedNonFiniteTrials: 0)
        return (s.fullParameters, result)
    }

    /// Computes Φ at θ, the coefficients, the projected residual and the orthonormal basis
    /// of the active columns, unless they are cached for this θ. False if not finite.
    @discardableResult
    private func project(_ theta: ParameterView) -> Bool {
        let s = state
        if s.valid {
            var same = true
            for j in 0..<nonlinear.count where s.theta[j] != theta[j] { same = false; break }
            if same { return s.finite }
        }
        for j in 0..<nonlinear.count { s.theta[j] = theta[j] }
        s.valid = true
        s.finite = false
        let k = linear.count, count = parameterCount
        // Evaluate with every coefficient 1: the gradient's linear columns are the basis.
        for (b, j) in nonlinear.enumerated() { s.unitParameters[j] = nonlinearDomains[b].natural(theta[b]) }
        law.evaluate(inputs, parameters: s.unitParameters, values: s.values, gradients: s.gradients)
        // The weighted basis √W·φ_a (√W and √W·y were filled by prepareWeights).
        var probe = 0.0
        for a in 0..<k {
            let column = s.basis + a &* n, j = linear[a], w = s.rootW, g = s.gradients
            for i in 0..<n {
                let v = w[i] * g[i &* count &+ j]
                column[i] = v
                probe += v * 0  // NaN once any entry is not finite
            }
        }
        guard probe.isFinite else { return false }
        guard s.solveNonNegative(n: n, k: k) else { return false }
        for j in nonlinear { s.fullParameters[j] = s.unitParameters[j] }
        for (a, j) in linear.enumerated() { s.fullParameters[j] = s.c[a] }
        s.finite = true
        return true
    }

    /// The reduced problem. Its closures reach `self` unowned and unchecked: they live in
    /// `solver.problem`, which `self` owns, and run only inside `solver.solve` called by
    /// `self`, so `self` outlives every call (and no reference count moves per call).
    private func makeReducedProblem() -> LeastSquaresProblem {
        let m = nonlinear.count
        return LeastSquaresProblem(
            residualCount: n, parameterCount: m,
            residuals: { [unowned(unsafe) self] theta, r in
                guard self.project(theta) else {
                    for i in 0..<self.n { r[i] = .nan }
                    return
                }
                let s = self.state
                for i in 0..<self.n { r[i] = s.residual[i] }
            },
            jacobian: { [unowned(unsafe) self] theta, jacobian in
                let s = self.state
                guard self.project(theta) else {
                    for i in 0..<self.n { for j in 0..<m { jacobian[i, j] = .nan } }
                    return
                }
                // ∂(Φc)/∂p_j at the solved c: the basis evaluation's gradient (coefficients
                // 1) times the owning coefficient.
                let count = self.parameterCount, n = self.n
                for (b, j) in self.nonlinear.enumerated() {
                    let scale = self.nonlinearDomains[b].derivative(theta[b]) * s.c[self.ownerSlots[b]]
                    for i in 0..<n { s.work[i] = s.rootW[i] * s.gradients[i &* count &+ j] * scale }
                    s.projectOut(n: n)
                    for i in 0..<n { jacobian[i, b] = s.work[i] }
                }
            })
    }
}

/// Buffers of one projection, reused across evaluations.
private final class ProjectionState {
    let values: UnsafeMutablePointer<Double>
    let gradients: UnsafeMutablePointer<Double>
    let rootW: UnsafeMutablePointer<Double>
    let target: UnsafeMutablePointer<Double>
    /// Weighted basis columns √W·φ_a, column-major (k × n).
    let basis: UnsafeMutablePointer<Double>
    /// Orthonormal basis of the active columns (column-major, `activeCount` × n).
    let q: UnsafeMutablePointer<Double>
    let residual: UnsafeMutablePointer<Double>
    let work: UnsafeMutablePointer<Double>
    let theta: UnsafeMutablePointer<Double>
    /// The coefficients at the cached θ (k entries).
    let c: UnsafeMutablePointer<Double>
    /// Room for R (9), Qᵀy (3), a solution (3) and a candidate (3).
    let small: UnsafeMutablePointer<Double>
    // (One projection's buffers, used on one thread: no dynamic exclusivity checks.)
    @exclusivity(unchecked) var activeCount = 0
    /// The law's parameters at the cached θ with the solved coefficients.
    @exclusivity(unchecked) var fullParameters: [Double]
    /// The same with every coefficient 1 (the basis evaluation).
    @exclusivity(unchecked) var unitParameters: [Double]
    @exclusivity(unchecked) var valid = false
    @exclusivity(unchecked) var finite = false

    init(pointCount n: Int, parameterCount: Int, linearCount k: Int, nonlinearCount m: Int) {
        let size = max(n, 1)
        // One allocation, carved up.
        let sizes = [size, size * max(parameterCount, 1), size, size, size * max(k, 1), size * max(k, 1), size, size, max(m, 1), 3, 18]
        let storage = UnsafeMutablePointer<Double>.allocate(capacity: sizes.reduce(0, +))
        var next = storage
        func take(_ count: Int) -> UnsafeMutablePointer<Double> {
            defer { next += count }
            return next
        }
        values = take(sizes[0])
        gradients = take(sizes[1])
        rootW = take(sizes[2])
        target = take(sizes[3])
        basis = take(sizes[4])
        q = take(sizes[5])
        residual = take(sizes[6])
        work = take(sizes[7])
        theta = take(sizes[8])
        c = take(sizes[9])
        small = take(sizes[10])
        fullParameters = [Double](repeating: 0, count: parameterCount)
        unitParameters = [Double](repeating: 1, count: parameterCount)
    }

    deinit {
        values.deallocate()  // the start of the one allocation
    }

    /// Least squares of `target` on the columns in `mask` by modified Gram–Schmidt (applied
    /// twice for orthogonality): fills q, the coefficients `into` (0 outside the mask) and
    /// `residual`; returns the cost, or nil when the columns are dependent.
    private func solveSubset(mask: Int, n: Int, k: Int, into coefficients: UnsafeMutablePointer<Double>) -> Double? {
        var columns = (0, 0, 0)
        var m = 0
        for a in 0..<k where mask & (1 << a) != 0 {
            switch m { case 0: columns.0 = a; case 1: columns.1 = a; default: columns.2 = a }
            m += 1
        }
        @inline(__always) func column(_ index: Int) -> Int {
            switch index { case 0: columns.0; case 1: columns.1; default: columns.2 }
        }
        // R (m × m, upper triangular), Qᵀ·target and the solution live in `small`.
        let r = small, qt = small + 9, solution = small + 12
        for index in 0..<9 { r[index] = 0 }
        for col in 0..<m {
            let v = q + col &* n
            let source = basis + column(col) &* n
            // Modified Gram–Schmidt against the earlier columns, twice: the sweeps
            // u_0, u_1, …, u_0, u_1, … each subtract one projection. Every loop over the
            // points also forms the next sweep's dot product (or the final norm), which
            // leaves the arithmetic of each dot and update as in separate loops.
            var norm0 = 0.0, dot = 0.0
            if col == 0 {
                for i in 0..<n { v[i] = source[i]; norm0 += source[i] * source[i] }
                dot = norm0
            } else {
                let u0 = q
                for i in 0..<n { v[i] = source[i]; norm0 += source[i] * source[i]; dot += u0[i] * source[i] }
            }
            let sweeps = 2 &* col
            for sweep in 0..<sweeps {
                let prior = sweep % col
                let u = q + prior &* n
                r[prior &* m &+ col] += dot
                let d = dot
                dot = 0
                if sweep &+ 1 < sweeps {
                    let next = q + ((sweep &+ 1) % col) &* n
                    for i in 0..<n { v[i] -= d * u[i]; dot += next[i] * v[i] }
                } else {
                    for i in 0..<n { v[i] -= d * u[i]; dot += v[i] * v[i] }
                }
            }
            // `dot` now holds |v|².
            let norm = dot.squareRoot()
            guard norm > 1e-12 * norm0.squareRoot(), norm.isFinite, norm > 0 else { return nil }
            r[col &* m &+ col] = norm
            let inverse = 1 / norm
            var projection = 0.0
            for i in 0..<n { v[i] *= inverse; projection += v[i] * target[i] }
            qt[col] = projection
        }
        for row in stride(from: m - 1, through: 0, by: -1) {
            var sum = qt[row]
            for col in (row + 1)..<max(row + 1, m) { sum -= r[row &* m &+ col] * solution[col] }
            solution[row] = sum / r[row &* m &+ row]
        }
        for a in 0..<k { coefficients[a] = 0 }
        for col in 0..<m { coefficients[column(col)] = solution[col] }
        var cost = 0.0
        switch k {
        case 1:
            let c0 = coefficients[0]
            for i in 0..<n {
                let e = c0 * basis[i] - target[i]
                residual[i] = e
                cost += e * e
            }
        case 2:
            let c0 = coefficients[0], c1 = coefficients[1], b1 = basis + n
            for i in 0..<n {
                let e = (c0 * basis[i] + c1 * b1[i]) - target[i]
                residual[i] = e
                cost += e * e
            }
        default:
            for i in 0..<n {
                var fit = 0.0
                for a in 0..<k { fit += coefficients[a] * basis[a &* n &+ i] }
                let e = fit - target[i]
                residual[i] = e
                cost += e * e
            }
        }
        return cost.isFinite ? cost : nil
    }

    /// Non-negative least squares for k ≤ 3 columns: the unconstrained solution if it is
    /// feasible, else the best feasible solution over every subset of columns (the KKT
    /// conditions put the optimum among them; the empty set is c = 0). Leaves q holding the
    /// chosen subset's orthonormal basis, `c` the coefficients and `residual` the
    /// projected residual.
    func solveNonNegative(n: Int, k: Int) -> Bool {
        let full = (1 << k) - 1
        let candidate = small + 15
        @inline(__always) func feasible() -> Bool {
            for a in 0..<k where !(candidate[a] >= 0) { return false }
            return true
        }
        var bestMask = -1
        var bestCost = Double.infinity
        if let cost = solveSubset(mask: full, n: n, k: k, into: candidate), feasible() {
            bestMask = full
            bestCost = cost
            for a in 0..<k { c[a] = candidate[a] }
        } else {
            var zeroCost = 0.0
            for i in 0..<n { zeroCost += target[i] * target[i] }
            bestMask = 0
            bestCost = zeroCost
            for a in 0..<k { c[a] = 0 }
            for mask in 1..<max(full, 1) {
                if let cost = solveSubset(mask: mask, n: n, k: k, into: candidate), feasible(), cost < bestCost {
                    bestCost = cost
                    bestMask = mask
                    for a in 0..<k { c[a] = candidate[a] }
                }
            }
            // Leave q and the residual of the chosen subset.
            if bestMask > 0 {
                _ = solveSubset(mask: bestMask, n: n, k: k, into: candidate)
            } else {
                for i in 0..<n { residual[i] = -target[i] }
            }
        }
        guard bestCost.isFinite else { return false }
        activeCount = bestMask.nonzeroBitCount
        return true
    }

    /// work ← (I − QQᵀ)·work, twice for accuracy.
    func projectOut(n: Int) {
        for _ in 0..<2 {
            for col in 0..<activeCount {
                let u = q + col &* n
                var dot = 0.0
                for i in 0..<n { dot += u[i] * work[i] }
                for i in 0..<n { work[i] -= dot * u[i] }
            }
        }
    }
}

/// The outcome of a variable-projection fit: all parameters, and the condition number
/// of the reduced (exponents-only) problem.
public struct ProjectedFit: Sendable {
    public var parameters: [Double]
    public var chiSquared: Double
    public var status: LeastSquaresStatus
    /// Condition number of the Jacobian of the projected residual in the exponents.
    public var reducedConditionNumber: Double
}

extension SeparableLaw {
    /// Variable projection in linear space, on its own: searches the nonlinear parameters
    /// with GSL, solving the linear coefficients by non-negative least squares at every
    /// step. ``ScalingLaw/fit(to:options:)`` uses the same machinery for linear-space fits.
    ///
    /// - Parameters:
    ///   - start: a full parameter vector; only its nonlinear entries are used.
    public func projectedFit(to series: Series, from start: [Double]) throws -> ProjectedFit {
        let data = try FitData(series: series, space: .linear, law: self)
        let projection = try VariableProjection(
            law: self, linear: linearParameters, owners: nonlinearOwners, data: data,
            settings: .init(method: .levenbergMarquardt, scaling: .levenberg))
        let theta = parameters.enumerated().map { j, parameter in parameter.domain.unconstrained(start[j]) }
        guard let (p, result) = try projection.solve(fromFull: theta, weights: nil) else {
            throw FitError("\(series.name): variable projection found no finite point")
        }
        return ProjectedFit(
            parameters: p, chiSquared: result.chiSquared, status: result.status,
            reducedConditionNumber: result.conditionNumber)
    }
}
