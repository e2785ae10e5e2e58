import RealModule
import ScalefitCore

// The least-squares problem r(θ) of a law on its data (residuals and Jacobian through
// the parameter map, Huber-transformed when asked), and the cache that lets the
// Jacobian reuse the residual evaluation at the same θ.

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
