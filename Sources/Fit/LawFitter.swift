import GSL
import Dispatch
import Synchronization
import RealModule
import ScalefitCore

/// Maps the optimiser's free, unconstrained vector θ to a law's full parameter vector p:
/// fixed parameters hold their value, tied ones copy their source, free ones go through
/// their domain's transform.
struct ParameterMap: Sendable {
    enum Slot: Sendable { case free(Int), fixed(Double), tied(Int) }
    let slots: [Slot]
    /// For each free parameter, the index of its law parameter and its domain.
    let freeIndices: [Int]
    let domains: [ParameterDomain]

    init(law: any ScalingLaw, fixed: [String: Double], tied: [String: String]) throws {
        if fixed.isEmpty && tied.isEmpty {
            // Every parameter free (the common case): no names to look up.
            let parameters = law.parameters
            slots = parameters.indices.map { .free($0) }
            freeIndices = Array(parameters.indices)
            domains = parameters.map(\.domain)
            return
        }
        let names = law.parameterNames
        for name in fixed.keys where !names.contains(name) {
            throw FitError("\(law.name) has no parameter \"\(name)\" (it has \(names.joined(separator: ", ")))")
        }
        for (target, source) in tied {
            guard names.contains(target), names.contains(source) else {
                throw FitError("cannot tie \(target)=\(source): \(law.name) has parameters \(names.joined(separator: ", "))")
            }
            if tied[source] != nil || fixed[target] != nil {
                throw FitError("cannot tie \(target)=\(source): the source must be free and the target not fixed")
            }
        }
        var slots: [Slot] = []
        var free: [Int] = []
        for (j, parameter) in law.parameters.enumerated() {
            if let value = fixed[parameter.name] {
                slots.append(.fixed(value))
            } else if tied[parameter.name] == nil {
                slots.append(.free(free.count))
                free.append(j)
            } else {
                slots.append(.fixed(.nan))  // resolved below
            }
        }
        for (j, parameter) in law.parameters.enumerated() {
            if let source = tied[parameter.name], let s = names.firstIndex(of: source) {
                slots[j] = .tied(s)
            }
        }
        self.slots = slots
        self.freeIndices = free
        self.domains = free.map { law.parameters[$0].domain }
    }

    var freeCount: Int { freeIndices.count }

    /// p from θ, written into `p`.
    @inline(__always)
    func natural(_ theta: ParameterView, into p: inout [Double]) {
        for j in 0..<slots.count {
            switch slots[j] {
            case .free(let k): p[j] = domains[k].natural(theta[k])
            case .fixed(let v): p[j] = v
            case .tied: break
            }
        }
        for j in 0..<slots.count {
            if case .tied(let s) = slots[j] { p[j] = p[s] }
        }
    }

    func natural(_ theta: [Double]) -> [Double] {
        var p = [Double](repeating: 0, count: slots.count)
        theta.withUnsafeBufferPointer { buffer in
            natural(ParameterView(array: buffer), into: &p)
        }
        return p
    }

    /// θ from a full p (fixed and tied entries ignored).
    func unconstrained(_ p: [Double]) -> [Double] {
        freeIndices.enumerated().map { k, j in domains[k].unconstrained(p[j]) }
    }

    /// dL/dθ_k from dL/dp_j: sums the law gradient over the parameters each free one feeds.
    @inline(__always)
    func chain(_ gradient: [Double], theta: ParameterView, into out: inout [Double]) {
        for k in 0..<out.count { out[k] = 0 }
        for j in 0..<slots.count {
            switch slots[j] {
            case .free(let k): out[k] += gradient[j]
            case .tied(let s): if case .free(let k) = slots[s] { out[k] += gradient[j] }
            case .fixed: break
            }
        }
        for k in 0..<out.count { out[k] *= domains[k].derivative(theta[k]) }
    }
}

/// The data of one fit, prepared for the residual space.
struct FitData: Sendable {
    var x: [Double]
    var x2: [Double]?
    var y: [Double]
    var logY: [Double]
    var weights: [Double]?
    /// x and x₂ with their logarithms, for ``ScalingLaw/evaluate(_:parameters:values:gradients:)``.
    var inputs: LawInputs

    init(series: Series, space: ResidualSpace, law: any ScalingLaw) throws {
        try Self.check(series, space: space, law: law)
        x = series.x
        x2 = series.x2
        y = series.values
        logY = space == .log ? y.map { Double.log($0) } : []
        weights = series.weights
        inputs = LawInputs(x: x, x2: x2)
    }

    /// Refuses a series the law cannot be fitted to in this space: no points, a missing
    /// second input, non-finite or non-positive inputs, values without a logarithm, bad weights.
    static func check(_ series: Series, space: ResidualSpace, law: any ScalingLaw) throws {
        // The name is built only for an error message.
        var name: String { series.name }
        guard series.count > 0 else { throw FitError("\(name): no points to fit") }
        if law.inputCount == 2 && series.x2 == nil {
            throw FitError("\(name): \(law.name) needs two inputs (--x N,D)")
        }
        let needsPositiveX = !law.name.hasPrefix("generations")
        for i in 0..<series.count {
            guard series.x[i].isFinite, series.values[i].isFinite, series.x2?[i].isFinite ?? true else {
                throw FitError("\(name): point \(i + 1) is not finite (x = \(series.x[i]), value = \(series.values[i]))")
            }
            if needsPositiveX, series.x[i] <= 0 || (series.x2?[i] ?? 1) <= 0 {
                throw FitError("\(name): point \(i + 1) has x = \(series.x[i]) ≤ 0; scaling laws need positive inputs")
            }
            if space == .log && series.values[i] <= 0 {
                throw FitError("\(name): point \(i + 1) has value \(series.values[i]) ≤ 0, which has no logarithm; use --space linear")
            }
        }
        if let w = series.weights, let bad = w.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
            throw FitError("\(name): weight \(bad + 1) is \(w[bad]); weights must be finite and ≥ 0")
        }
    }

    var count: Int { x.count }

    func resampled(_ indices: [Int]) -> FitData {
        var copy = self
        copy.x = indices.map { x[$0] }
        copy.x2 = x2.map { all in indices.map { all[$0] } }
        copy.y = indices.map { y[$0] }
        copy.logY = logY.isEmpty ? [] : indices.map { logY[$0] }
        copy.weights = weights.map { all in indices.map { all[$0] } }
        copy.inputs = inputs.resampled(indices)
        return copy
    }
}

/// Builds the least-squares problem r(θ) for a law, data and space.
///
/// The law is evaluated for all points at once (``ScalingLaw/evaluate(_:parameters:values:gradients:)``);
/// values and gradients at the last θ are kept, so that the Jacobian GSL asks for at an
/// accepted point reuses the residual evaluation made there.
///
/// With a Huber loss the residuals are transformed, r̃ = r for |r| ≤ δ and
/// r̃ = sign(r)·√(2δ|r| − δ²) beyond, so that ½r̃² = ρ_δ(r) exactly: least squares on r̃ *is*
/// the summed Huber objective (its gradient J̃ᵀr̃ = Σ ψ_δ(r_i)∇r_i), minimised by one solve.
///
/// The data live in the returned cache, so that data of the same size can be swapped in
/// (``EvaluationCache/use(_:)``) without building the problem again.
func makeProblem<Law: ScalingLaw>(
    law: Law, data: FitData, map: ParameterMap, space: ResidualSpace, loss: FitLoss = .leastSquares
) -> (problem: LeastSquaresProblem, cache: EvaluationCache) {
    let delta: Double
    if case .huber(let d) = loss { delta = d } else { delta = .infinity }
    let cache = EvaluationCache(law: law, map: map, data: data)
    let n = data.count, parameterCount = law.parameters.count, free = map.freeCount
    let isLog = space == .log, cheap = law.gradientIsCheap

    /// Fills the cache at θ (values, and gradients when asked or cheap).
    @inline(__always)
    func evaluate(_ theta: ParameterView, needGradients: Bool) {
        if cache.holds(theta, gradients: needGradients) { return }
        map.natural(theta, into: &cache.parameters)
        let withGradients = needGradients || cheap
        law.evaluate(cache.inputs, parameters: cache.parameters, values: cache.values, gradients: withGradients ? cache.gradients : nil)
        cache.store(theta, gradients: withGradients)
    }

    let problem = LeastSquaresProblem(
        residualCount: n, parameterCount: free,
        residuals: { theta, r in
            evaluate(theta, needGradients: false)
            let values = cache.values
            if isLog {
                cache.logY.withUnsafeBufferPointer { ly in
                    for i in 0..<n { r[i] = huberResidual(Double.log(values[i]) - ly[i], delta) }
                }
            } else {
                cache.y.withUnsafeBufferPointer { yy in
                    for i in 0..<n { r[i] = huberResidual(values[i] - yy[i], delta) }
                }
            }
        },
        jacobian: { theta, j in
            evaluate(theta, needGradients: true)
            let values = cache.values, gradients = cache.gradients
            let derivative = cache.derivative, start = cache.feederStart, feeder = cache.feeder
            for k in 0..<free { derivative[k] = map.domains[k].derivative(theta[k]) }
            let untied = cache.untied, y = cache.y, logY = cache.logY
            for i in 0..<n {
                var factor = isLog ? 1 / values[i] : 1
                if delta.isFinite {
                    let raw = isLog ? Double.log(values[i]) - logY[i] : values[i] - y[i]
                    factor *= huberSlope(raw, delta)
                }
                let row = gradients + i &* parameterCount
                if untied {
                    for k in 0..<free { j[i, k] = row[feeder[k]] * derivative[k] * factor }
                } else {
                    for k in 0..<free {
                        var sum = 0.0
                        var f = start[k]
                        while f < start[k &+ 1] { sum += row[feeder[f]]; f &+= 1 }
                        j[i, k] = sum * derivative[k] * factor
                    }
                }
            }
        })
    return (problem, cache)
}

/// Values and gradients of a law at the last θ a problem evaluated, plus the chain-rule
/// tables: which law parameters feed each free θ_k (itself and those tied to it).
final class EvaluationCache {
    let values: UnsafeMutablePointer<Double>
    let gradients: UnsafeMutablePointer<Double>
    let theta: UnsafeMutablePointer<Double>
    let derivative: UnsafeMutablePointer<Double>
    /// Law parameter indices feeding θ_k are feeder[feederStart[k] ..< feederStart[k + 1]].
    let feederStart: UnsafeMutablePointer<Int>
    let feeder: UnsafeMutablePointer<Int>
    let freeCount: Int
    /// Whether each free θ_k feeds exactly one law parameter (no ties): then feeder[k] is it.
    let untied: Bool
    /// The law's parameters at the last θ (reused: no allocation per evaluation).
    /// (This class belongs to one problem, used on one thread at a time: its state needs no
    /// dynamic exclusivity checks.)
    @exclusivity(unchecked) var parameters: [Double]
    /// The data: inputs, observed values and their logarithms (log space).
    @exclusivity(unchecked) private(set) var inputs: LawInputs
    @exclusivity(unchecked) private(set) var y: [Double]
    @exclusivity(unchecked) private(set) var logY: [Double]
    @exclusivity(unchecked) private var state: UInt8 = 0  // 0 empty, 1 values, 2 values and gradients
    private let storage: UnsafeMutableRawPointer

    init<Law: ScalingLaw>(law: Law, map: ParameterMap, data: FitData) {
        let n = data.count
        inputs = data.inputs
        y = data.y
        logY = data.logY
        let count = law.parameters.count
        freeCount = map.freeCount
        parameters = [Double](repeating: 0, count: count)
        // One allocation: the Double buffers, then the Int tables.
        let doubles = max(n, 1) + max(n * count, 1) + 2 * max(freeCount, 1)
        let ints = freeCount + 1 + max(count + freeCount, 1)
        storage = .allocate(byteCount: doubles * 8 + ints * 8, alignment: 8)
        let d = storage.bindMemory(to: Double.self, capacity: doubles)
        values = d
        gradients = d + max(n, 1)
        theta = gradients + max(n * count, 1)
        derivative = theta + max(freeCount, 1)
        let i = (storage + doubles * 8).bindMemory(to: Int.self, capacity: ints)
        feederStart = i
        feeder = i + freeCount + 1  // at most one entry per law parameter
        // The law parameters feeding θ_k: itself and those tied to it, in law order.
        func feeds(_ j: Int, _ k: Int) -> Bool {
            switch map.slots[j] {
            case .free(let f): return f == k
            case .tied(let s): if case .free(let f) = map.slots[s] { return f == k } else { return false }
            case .fixed: return false
            }
        }
        var position = 0
        var single = true
        for k in 0..<freeCount {
            feederStart[k] = position
            for j in 0..<map.slots.count where feeds(j, k) { feeder[position] = j; position += 1 }
            single = single && position - feederStart[k] == 1
        }
        feederStart[freeCount] = position
        untied = single
    }

    deinit {
        storage.deallocate()
    }

    /// Swaps in data of the same size; forgets the last evaluation.
    func use(_ data: FitData) {
        precondition(data.count == inputs.count, "a problem serves one size")
        inputs = data.inputs
        y = data.y
        logY = data.logY
        state = 0
    }

    @inline(__always)
    func holds(_ point: ParameterView, gradients needed: Bool) -> Bool {
        guard state == 2 || (state == 1 && !needed) else { return false }
        for k in 0..<freeCount where theta[k] != point[k] { return false }
        return true
    }

    @inline(__always)
    func store(_ point: ParameterView, gradients: Bool) {
        for k in 0..<freeCount { theta[k] = point[k] }
        state = gradients ? 2 : 1
    }
}

extension ParameterView {
    /// A view of a Swift array (for evaluating the map outside GSL callbacks).
    init(array: UnsafeBufferPointer<Double>) {
        self.init(base: array.baseAddress ?? UnsafePointer(bitPattern: 8)!, stride: 1, count: array.count)
    }
}

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

    /// Damped Newton on the summed Huber objective f(θ) = Σ w_i ρ_δ(r_i(θ)) with its
    /// Gauss–Newton Hessian H = Σ_{|r_i| ≤ δ} w_i J_iᵀJ_i (points beyond δ contribute to the
    /// gradient, δ·sign(r_i)·J_i, but no curvature: ρ is linear there). Least squares on the
    /// transformed residuals counts curvature for those points too, which makes its steps
    /// short and its convergence linear when most points lie beyond δ (Epoch's δ = 10⁻³);
    /// this converges like Newton once the set of points within δ settles. Returns nil if
    /// it does not converge in 200 steps (the transformed least squares then runs).
    private func huberNewton(
        _ problem: LeastSquaresProblem, from theta0: [Double], delta: Double, weights: [Double]?
    ) throws -> (theta: [Double], iterations: Int)? {
        let n = problem.residualCount, p = problem.parameterCount
        let r = UnsafeMutablePointer<Double>.allocate(capacity: n)
        let trial = UnsafeMutablePointer<Double>.allocate(capacity: n)
        let j = UnsafeMutablePointer<Double>.allocate(capacity: n * p)
        defer { r.deallocate(); trial.deallocate(); j.deallocate() }
        func objective(_ values: UnsafeMutablePointer<Double>) -> Double {
            var sum = 0.0
            for i in 0..<n { sum += (weights?[i] ?? 1) * huber(values[i], delta) }
            return sum
        }
        var theta = theta0
        try problem.evaluate(at: theta, residuals: r, jacobian: j)
        var f = objective(r)
        guard f.isFinite else { return nil }
        var lambda = 1e-3
        var h = [Double](repeating: 0, count: p * p), g = [Double](repeating: 0, count: p)
        var scale = [Double](repeating: 0, count: p)
        for iteration in 1...200 {
            for k in 0..<(p * p) { h[k] = 0 }
            for k in 0..<p { g[k] = 0; scale[k] = 0 }
            for i in 0..<n {
                let w = weights?[i] ?? 1
                guard w > 0 else { continue }
                let row = j + i * p
                let inside = abs(r[i]) <= delta
                let psi = inside ? r[i] : (r[i] < 0 ? -delta : delta)
                for a in 0..<p {
                    g[a] += w * psi * row[a]
                    scale[a] += w * row[a] * row[a]
                    if inside { for b in 0...a { h[a * p + b] += w * row[a] * row[b] } }
                }
            }
            let largest = scale.max() ?? 0
            guard largest > 0, largest.isFinite else { return nil }
            for a in 0..<p { scale[a] = max(scale[a], 1e-12 * largest) }
            var accepted = false
            var step = [Double](repeating: 0, count: p)
            for _ in 0..<30 {
                // (H + λ·D) δ = −g with D = diag(JᵀWJ), by Cholesky.
                var m = [Double](repeating: 0, count: p * p)
                for a in 0..<p {
                    for b in 0...a { m[a * p + b] = h[a * p + b]; m[b * p + a] = h[a * p + b] }
                    m[a * p + a] += lambda * scale[a]
                }
                guard let solution = GSLLinearAlgebra.choleskySolve(m, g.map { -$0 }, size: p) else { lambda *= 10; continue }
                step = solution
                let candidate = zip(theta, step).map { $0 + $1 }
                if candidate.allSatisfy(\.isFinite) {
                    try problem.evaluate(at: candidate, residuals: trial, jacobian: nil)
                    let ft = objective(trial)
                    if ft.isFinite && ft <= f {
                        let small = zip(step, candidate).allSatisfy { abs($0) <= 1e-10 * (abs($1) + 1e-10) }
                        let flat = f - ft <= 1e-15 * f
                        theta = candidate
                        f = ft
                        try problem.evaluate(at: theta, residuals: r, jacobian: j)
                        lambda = max(lambda / 10, 1e-12)
                        accepted = true
                        if small || (flat && lambda <= 1e-6) { return (theta, iteration) }
                        break
                    }
                }
                lambda *= 10
            }
            if !accepted {
                // No step lowers f even with heavy damping: stationary within rounding.
                let gradient = g.map(abs).max() ?? .infinity
                return gradient <= 1e-8 * max(f, 1e-300) || lambda > 1e20 ? (theta, iteration) : nil
            }
        }
        return nil
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

// MARK: - Runners kept between fits

/// What makes two runners interchangeable: the law, the number of points and every option
/// a runner reads. A runner of one key serves any data of that size after ``StartRunner/use(_:)``.
private struct RunnerKey: Equatable {
    let law: ObjectIdentifier
    let name: String
    let count: Int
    let space: ResidualSpace
    let loss: FitLoss
    let solver: LeastSquaresSettings
    let fixed: [String: Double]
    let tied: [String: String]
}

/// A runner waiting in the pool; only one thread holds it at a time (taken under the lock).
private struct PooledRunner: @unchecked Sendable {
    let key: RunnerKey
    let runner: AnyObject
}

/// Runners set free by finished fits. Setting one up (the GSL solver's buffers, the
/// projection's, the problem closures) costs about as much as a whole small fit, and a
/// caller that fits many series of one size (a sweep, a detection run, a benchmark)
/// would pay it every time. A short list, searched from the most recent end (comparing
/// keys costs less than hashing them).
private let runnerPool = Mutex<[PooledRunner]>([])
/// Bounds on what the pool keeps: runners in all, and points per runner.
private let pooledLimit = 16, pooledPointLimit = 4096

extension StartRunner {
    private static func key(law: Law, count: Int, options: FitOptions) -> RunnerKey {
        RunnerKey(
            law: ObjectIdentifier(Law.self), name: law.name, count: count, space: options.space, loss: options.loss,
            solver: options.solver, fixed: options.fixed, tied: options.tied)
    }

    /// A runner for this law, data and options: one kept by an earlier fit of the same
    /// shape when there is one (its data swapped in; results do not depend on which), else
    /// a new one. Give it back with ``recycle()``.
    static func make(law: Law, data: FitData, map: ParameterMap, options: FitOptions) -> StartRunner? {
        if data.count <= pooledPointLimit {
            let key = key(law: law, count: data.count, options: options)
            let kept = runnerPool.withLock { pool -> AnyObject? in
                guard let index = pool.lastIndex(where: { $0.key == key }) else { return nil }
                return pool.remove(at: index).runner
            }
            if let runner = kept as? StartRunner<Law> {
                runner.use(data)
                runner.retries = true
                runner.screening = false
                return runner
            }
        }
        return try? StartRunner(law: law, data: data, map: map, options: options)
    }

    /// Puts the runner back for a later fit of the same shape (the oldest one kept makes
    /// room when the pool is full).
    func recycle() {
        guard data.count <= pooledPointLimit else { return }
        let pooled = PooledRunner(key: Self.key(law: law, count: data.count, options: options), runner: self)
        runnerPool.withLock { pool in
            if pool.count >= pooledLimit { pool.removeFirst() }
            pool.append(pooled)
        }
    }
}

/// r̃ with ½r̃² = ρ_δ(r) (δ = ∞: least squares, r̃ = r).
@inline(__always)
func huberResidual(_ r: Double, _ delta: Double) -> Double {
    let a = abs(r)
    guard a > delta else { return r }
    let t = (delta * (2 * a - delta)).squareRoot()
    return r < 0 ? -t : t
}

/// dr̃/dr: 1 inside ±δ, δ/|r̃| beyond (continuous at |r| = δ).
@inline(__always)
func huberSlope(_ r: Double, _ delta: Double) -> Double {
    let a = abs(r)
    guard a > delta else { return 1 }
    return delta / (delta * (2 * a - delta)).squareRoot()
}

@inline(__always)
func huber(_ r: Double, _ delta: Double) -> Double {
    abs(r) <= delta ? 0.5 * r * r : delta * (abs(r) - 0.5 * delta)
}
