import Dispatch
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

    init(series: Series, space: ResidualSpace, law: any ScalingLaw) throws {
        let name = series.name
        guard series.count > 0 else { throw FitError("\(name): no points to fit") }
        if law.inputCount == 2 && series.x2 == nil {
            throw FitError("\(name): \(law.name) needs two inputs (--x N,D)")
        }
        for i in 0..<series.count {
            guard series.x[i].isFinite, series.values[i].isFinite, series.x2?[i].isFinite ?? true else {
                throw FitError("\(name): point \(i + 1) is not finite (x = \(series.x[i]), value = \(series.values[i]))")
            }
            if law.name.hasPrefix("generations") == false, series.x[i] <= 0 || (series.x2?[i] ?? 1) <= 0 {
                throw FitError("\(name): point \(i + 1) has x = \(series.x[i]) ≤ 0; scaling laws need positive inputs")
            }
            if space == .log && series.values[i] <= 0 {
                throw FitError("\(name): point \(i + 1) has value \(series.values[i]) ≤ 0, which has no logarithm; use --space linear")
            }
        }
        if let w = series.weights, let bad = w.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
            throw FitError("\(name): weight \(bad + 1) is \(w[bad]); weights must be finite and ≥ 0")
        }
        x = series.x
        x2 = series.x2
        y = series.values
        logY = space == .log ? y.map { Double.log($0) } : []
        weights = series.weights
    }

    var count: Int { x.count }

    func resampled(_ indices: [Int]) -> FitData {
        var copy = self
        copy.x = indices.map { x[$0] }
        copy.x2 = x2.map { all in indices.map { all[$0] } }
        copy.y = indices.map { y[$0] }
        copy.logY = logY.isEmpty ? [] : indices.map { logY[$0] }
        copy.weights = weights.map { all in indices.map { all[$0] } }
        return copy
    }
}

/// Builds the least-squares problem r(θ) for a law, data and space.
func makeProblem(law: any ScalingLaw, data: FitData, map: ParameterMap, space: ResidualSpace) -> LeastSquaresProblem {
    let scratch = Scratch(parameterCount: law.parameters.count, freeCount: map.freeCount)
    let x = data.x, x2 = data.x2, y = data.y, logY = data.logY
    return LeastSquaresProblem(
        residualCount: data.count, parameterCount: map.freeCount,
        residuals: { theta, r in
            map.natural(theta, into: &scratch.p)
            for i in 0..<x.count {
                let value = law.value(x[i], x2?[i] ?? .nan, parameters: scratch.p)
                r[i] = space == .log ? Double.log(value) - logY[i] : value - y[i]
            }
        },
        jacobian: { theta, j in
            map.natural(theta, into: &scratch.p)
            for i in 0..<x.count {
                let xi2 = x2?[i] ?? .nan
                let value = law.valueAndGradient(x[i], xi2, parameters: scratch.p, into: &scratch.gradient)
                map.chain(scratch.gradient, theta: theta, into: &scratch.freeGradient)
                let factor = space == .log ? 1 / value : 1
                for k in 0..<scratch.freeGradient.count { j[i, k] = scratch.freeGradient[k] * factor }
            }
        })
}

/// Per-problem buffers, so callbacks do not allocate.
final class Scratch {
    var p: [Double]
    var gradient: [Double]
    var freeGradient: [Double]
    init(parameterCount: Int, freeCount: Int) {
        p = .init(repeating: 0, count: parameterCount)
        gradient = .init(repeating: 0, count: parameterCount)
        freeGradient = .init(repeating: 0, count: freeCount)
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
final class StartRunner {
    let law: any ScalingLaw
    let map: ParameterMap
    let options: FitOptions
    let solver: NonlinearLeastSquares
    /// The same problem with Levenberg scaling, for solves the primary settings do not finish.
    private var fallback: NonlinearLeastSquares?
    private(set) var data: FitData

    init(law: any ScalingLaw, data: FitData, map: ParameterMap, options: FitOptions) throws {
        self.law = law
        self.map = map
        self.options = options
        self.data = data
        solver = try NonlinearLeastSquares(
            problem: makeProblem(law: law, data: data, map: map, space: options.space), settings: options.solver)
    }

    /// Swaps in data of the same size (a bootstrap resample).
    func use(_ newData: FitData) {
        data = newData
        solver.problem = makeProblem(law: law, data: newData, map: map, space: options.space)
        fallback = nil
    }

    /// Whether a solve that does not converge is tried again with Levenberg scaling. A
    /// multi-start search covers poor starts with its grid instead.
    var retries = true

    /// The primary solve, and the Levenberg-scaled one when the primary did not converge.
    private func solve(from theta0: [Double], weights: [Double]?) throws -> LeastSquaresResult {
        let first = try solver.solve(from: theta0, weights: weights)
        guard retries, !first.converged, options.solver.scaling != .levenberg else { return first }
        if fallback == nil {
            var settings = options.solver
            settings.scaling = .levenberg
            fallback = try NonlinearLeastSquares(
                problem: makeProblem(law: law, data: data, map: map, space: options.space), settings: settings)
        }
        let second = try fallback!.solve(from: theta0, weights: weights)
        if second.converged || !(first.chiSquared <= second.chiSquared) { return second }
        return first
    }

    /// Least squares from θ₀, then (for Huber) reweighting until the weights settle.
    func run(from theta0: [Double]) -> StartOutcome? {
        do {
            var result = try solve(from: theta0, weights: data.weights)
            guard case .huber(let delta) = options.loss else {
                return outcome(result, objective: result.chiSquared, robustWeights: nil)
            }
            // IRLS: weights h_i = min(1, δ/|r_i|) make Σ h_i r_i² share its stationary points
            // with Σ ρ_δ(r_i); iterate to the fixed point.
            var robust = [Double](repeating: 1, count: data.count)
            for _ in 0..<100 {
                let raw = rawResiduals(result)
                let next = raw.map { abs($0) <= delta ? 1.0 : delta / abs($0) }
                let combined = zip(next, data.weights ?? .init(repeating: 1, count: data.count)).map { $0 * $1 }
                let previous = result.parameters
                result = try solve(from: result.parameters, weights: combined)
                robust = next
                let moved = zip(previous, result.parameters).map { abs($0 - $1) / (abs($1) + 1e-8) }.max() ?? 0
                if moved < 1e-10 || !result.parameters.allSatisfy({ $0.isFinite }) { break }
            }
            let raw = rawResiduals(result)
            let objective = raw.indices.reduce(0.0) { sum, i in
                let w = data.weights?[i] ?? 1
                return sum + w * huber(raw[i], delta)
            }
            return outcome(result, objective: objective, robustWeights: robust)
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

    private func outcome(_ result: LeastSquaresResult, objective: Double, robustWeights: [Double]?) -> StartOutcome? {
        guard result.parameters.allSatisfy({ $0.isFinite }), objective.isFinite else { return nil }
        return StartOutcome(
            theta: result.parameters, objective: objective, chiSquared: result.chiSquared,
            status: result.status, iterations: result.iterations, covariance: result.covariance,
            conditionNumber: result.conditionNumber, residuals: rawResiduals(result), robustWeights: robustWeights)
    }
}

@inline(__always)
func huber(_ r: Double, _ delta: Double) -> Double {
    abs(r) <= delta ? 0.5 * r * r : delta * (abs(r) - 0.5 * delta)
}

/// Runs `body(i)` for i in 0..<count on `threads` workers, each with its own state from
/// `makeState`; results land at their index, so they do not depend on the thread count.
func parallelMap<State, Result: Sendable>(
    count: Int, threads: Int, makeState: @Sendable () -> State?, body: @Sendable (inout State, Int) -> Result?
) -> [Result?] {
    let workers = max(1, min(threads, count))
    let box = ResultBox<Result>(count: count)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        guard var state = makeState() else { return }
        var i = worker
        while i < count {
            box.set(i, body(&state, i))
            i += workers
        }
    }
    return box.values
}

/// Slots written by distinct workers at distinct indices.
final class ResultBox<Value: Sendable>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<Value?>
    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }
    deinit {
        storage.deinitialize()
        storage.deallocate()
    }
    func set(_ index: Int, _ value: Value?) { storage[index] = value }
    var values: [Value?] { Array(storage) }
}

/// The number of worker threads to use by default: every core.
func defaultThreadCount() -> Int {
    #if os(Linux)
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    #else
    return 2
    #endif
}

#if os(Linux)
import Glibc
#endif
