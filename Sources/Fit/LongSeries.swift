// Long series: a fit whose cost grows linearly with the number of points, with a small
// constant, and whose memory holds little more than the data.
//
// Above ``FitOptions/longSeriesThreshold`` points, ``ScalingLaw/fit(to:options:)``
//  1. makes its starts and runs its whole multi-start search (screening included) on a
//     systematic sample of ``LongSeries/sampleSize`` points: every (n/m)-th point in x order;
//  2. solves again on every point from the best distinct optima of that search (up to
//     ``LongSeries/finishCount`` of them), with ``StreamingLeastSquares``: Levenberg–Marquardt
//     on the normal equations, JᵀWJ and JᵀWr summed chunk by chunk, so that no n×p
//     Jacobian and no residual vector is ever held;
//  3. judges the final point from a p×p factor: a QR decomposition of √W·J built chunk by
//     chunk (the R of each chunk, merged in chunk order), its singular values giving the
//     rank, the condition number, the Gauss–Newton step left and the covariance, exactly
//     as a short fit's judgement does from the QR of the whole J.
//
// The reported optimum is therefore a minimum of the objective over every point, passing the
// same convergence tests as a short fit; the sample only chooses where the final solves
// start. A sample of 4,096 points pins a smooth law's parameters to within a few of their
// standard errors at that size, well inside the basin of the full-data optimum, and the
// finish from several distinct sample optima covers laws with more than one basin.

import GSL
import Dispatch
import RealModule
import ScalefitCore

/// The long-series strategy's constants and the sample it searches on.
public enum LongSeries {
    /// Points in the sample the starts are searched on.
    public static let sampleSize = 4_096
    /// Distinct sample optima finished on every point.
    static let finishCount = 3
    /// Iterations a finish on every point may take from a sample optimum that converged, and
    /// from one that did not (a law the sample cannot identify crawls; each iteration costs a
    /// pass over every point, so the crawl is cut short and reported as not converged).
    static let finishIterations = (converged: 100, unconverged: 20)
    /// Points per chunk of a streaming pass.
    static let chunkSize = 4_096

    /// A systematic sample of `size` of the points: the one in the middle of each of `size`
    /// equal runs of points in x order (x2 breaks ties), so that the sample's least-squares
    /// objective estimates the whole series' one.
    public static func sampleIndices(of series: Series, size: Int) -> [Int] {
        let n = series.count
        guard size < n else { return Array(0..<n) }
        let x = series.x
        let ascending = series.x2 == nil && (1..<n).allSatisfy { x[$0 - 1] <= x[$0] }
        let order: [Int]
        if ascending {
            order = []
        } else {
            order = x.indices.sorted { a, b in
                if x[a] != x[b] { return x[a] < x[b] }
                if let x2 = series.x2, x2[a] != x2[b] { return x2[a] < x2[b] }
                return a < b
            }
        }
        return (0..<size).map { j in
            let rank = min(n - 1, Int((Double(j) + 0.5) * Double(n) / Double(size)))
            return ascending ? rank : order[rank]
        }
    }
}

/// Sums over the points of one chunk at a parameter point: the cost Σwr², the gradient
/// JᵀWr and the normal matrix JᵀWJ (lower triangle, row-major p×p).
struct StreamingMoments {
    var cost: Double
    var gradient: [Double]
    var normal: [Double]
    var finite: Bool
}

/// Levenberg–Marquardt for one law on many points, streaming: every pass evaluates the law
/// chunk by chunk and keeps only sums, so memory is the data plus O(chunk·p) per worker.
/// The chunks' sums are added in chunk order whatever the thread count, so results do not
/// depend on it.
final class StreamingLeastSquares<Law: ScalingLaw>: @unchecked Sendable {
    struct Chunk {
        let inputs: LawInputs
        /// ln y (log space) or y (linear space).
        let target: [Double]
        let weights: [Double]?
    }

    let law: Law
    let map: ParameterMap
    let space: ResidualSpace
    let settings: LeastSquaresSettings
    let chunks: [Chunk]
    let count: Int
    let threads: Int
    private let free: Int
    private let lawCount: Int
    /// The law parameters feeding each free θ_k (itself and those tied to it).
    private let feeders: [[Int]]
    /// With no ties, the one law parameter of each θ_k.
    private let singleFeeder: UnsafeMutablePointer<Int>?

    /// Takes the points of a checked series (``FitData/check(_:space:law:)``).
    init(law: Law, map: ParameterMap, series: Series, space: ResidualSpace, settings: LeastSquaresSettings, threads: Int) {
        self.law = law
        self.map = map
        self.space = space
        self.settings = settings
        self.threads = max(1, threads)
        count = series.count
        free = map.freeCount
        lawCount = law.parameters.count
        feeders = (0..<map.freeCount).map { k in
            map.slots.indices.filter { j in
                switch map.slots[j] {
                case .free(let f): return f == k
                case .tied(let s): if case .free(let f) = map.slots[s] { return f == k } else { return false }
                case .fixed: return false
                }
            }
        }
        if feeders.allSatisfy({ $0.count == 1 }) {
            singleFeeder = .allocate(capacity: max(feeders.count, 1))
            for k in feeders.indices { singleFeeder![k] = feeders[k][0] }
        } else {
            singleFeeder = nil
        }
        let size = LongSeries.chunkSize, n = series.count
        let isLog = space == .log
        chunks = stride(from: 0, to: n, by: size).map { start in
            let range = start..<min(n, start + size)
            let values = series.values[range]
            return Chunk(
                inputs: LawInputs(x: Array(series.x[range]), x2: series.x2.map { Array($0[range]) }),
                target: isLog ? values.map { Double.log($0) } : Array(values),
                weights: series.weights.map { Array($0[range]) })
        }
    }

    deinit { singleFeeder?.deallocate() }

    /// Scratch of one worker: the law's values and gradients on a chunk, and a Jacobian row.
    private final class Scratch {
        let values: UnsafeMutablePointer<Double>
        let gradients: UnsafeMutablePointer<Double>
        let row: UnsafeMutablePointer<Double>
        /// [√W·J | √W·r] of a chunk, for the QR of the judgement (column-major in rows of p + 1).
        let block: UnsafeMutablePointer<Double>
        init(size: Int, lawCount: Int, free: Int) {
            values = .allocate(capacity: size)
            gradients = .allocate(capacity: size * max(lawCount, 1))
            row = .allocate(capacity: max(free, 1))
            block = .allocate(capacity: size * (free + 1))
        }
        deinit {
            values.deallocate()
            gradients.deallocate()
            row.deallocate()
            block.deallocate()
        }
    }

    /// Runs `body(chunk, scratch)` for every chunk, on up to `threads` workers.
    private func forEachChunk(_ body: @escaping @Sendable (Int, Scratch) -> Void) {
        let size = LongSeries.chunkSize, lawCount = lawCount, free = free
        _ = parallelMap(count: chunks.count, threads: threads, makeState: { Scratch(size: size, lawCount: lawCount, free: free) }) { scratch, c -> Void? in
            body(c, scratch)
            return ()
        }
    }

    /// Evaluates chunk `c` at the natural parameters `p`; fills `row`-ready gradients when asked.
    @inline(__always)
    private func evaluate(_ c: Int, _ p: [Double], gradients: Bool, _ scratch: Scratch) {
        law.evaluate(chunks[c].inputs, parameters: p, values: scratch.values, gradients: gradients ? scratch.gradients : nil)
    }

    /// The chain-rule factors dp/dθ_k at θ.
    private func derivatives(_ theta: [Double]) -> [Double] {
        (0..<free).map { map.domains[$0].derivative(theta[$0]) }
    }

    /// Fills `row` with the Jacobian row of point i of the chunk just evaluated (unweighted).
    @inline(__always)
    private func jacobianRow(_ i: Int, value: Double, derivative: UnsafePointer<Double>, _ scratch: Scratch) {
        let g = scratch.gradients + i &* lawCount
        let factor = space == .log ? 1 / value : 1
        if let single = singleFeeder {
            for k in 0..<free { scratch.row[k] = g[single[k]] * derivative[k] * factor }
            return
        }
        for k in 0..<free {
            var sum = 0.0
            for f in feeders[k] { sum += g[f] }
            scratch.row[k] = sum * derivative[k] * factor
        }
    }

    /// Cost, and with `gradients` also JᵀWr and JᵀWJ, at θ.
    func moments(at theta: [Double], gradients: Bool) -> StreamingMoments {
        let p = map.natural(theta)
        let free = free, width = 2 + free + free * free
        let partial = UnsafeMutableBufferPointer<Double>.allocate(capacity: chunks.count * width)
        partial.initialize(repeating: 0)
        defer { partial.deallocate() }
        let derivative = derivatives(theta)
        let isLog = space == .log
        let base = SendablePointer(partial.baseAddress!)
        forEachChunk { c, scratch in
            self.evaluate(c, p, gradients: gradients, scratch)
            let chunk = self.chunks[c]
            let out = base.pointer + c &* width
            var cost = 0.0, bad = 0.0
            let weights = chunk.weights
            derivative.withUnsafeBufferPointer { d in
                chunk.target.withUnsafeBufferPointer { t in
                    for i in 0..<t.count {
                        let v = scratch.values[i]
                        let r = isLog ? Double.log(v) - t[i] : v - t[i]
                        let w = weights?[i] ?? 1
                        cost += w * r * r
                        bad += r * 0
                        guard gradients else { continue }
                        self.jacobianRow(i, value: v, derivative: d.baseAddress!, scratch)
                        let row = scratch.row
                        for k in 0..<free {
                            let wk = w * row[k]
                            out[2 &+ k] += wk * r
                            let a = out + (2 &+ free &+ k &* free)
                            for l in 0...k { a[l] += wk * row[l] }
                        }
                    }
                }
            }
            out[0] = cost
            out[1] = bad
        }
        var result = StreamingMoments(
            cost: 0, gradient: [Double](repeating: 0, count: free), normal: [Double](repeating: 0, count: free * free),
            finite: true)
        for c in 0..<chunks.count {
            let row = partial.baseAddress! + c * width
            result.cost += row[0]
            if !row[1].isFinite { result.finite = false }
            for k in 0..<free { result.gradient[k] += row[2 + k] }
            for k in 0..<(free * free) { result.normal[k] += row[2 + free + k] }
        }
        for k in 0..<free { for l in 0..<k { result.normal[l * free + k] = result.normal[k * free + l] } }
        if !result.cost.isFinite || !result.gradient.allSatisfy(\.isFinite) || !result.normal.allSatisfy(\.isFinite) {
            result.finite = false
        }
        return result
    }

    /// Minimises Σ w_i r_i(θ)² from θ₀: Levenberg–Marquardt with Moré's scaling
    /// (D² = the largest diagonal of JᵀWJ seen so far), Nielsen's damping update, and GSL's
    /// convergence tests with the solver settings' tolerances (step: |δ_k| ≤ xtol·(|θ_k| + xtol);
    /// gradient: max_k |g_k|·max(|θ_k|, 1) ≤ gtol·max(½χ², 1)). The final point is judged
    /// by ``judge(_:status:iterations:cost:)``.
    func solve(from theta0: [Double], maxIterations: Int? = nil) -> StartOutcome? {
        let limit = min(maxIterations ?? settings.maxIterations, settings.maxIterations)
        let p = free
        var theta = theta0
        var current = moments(at: theta, gradients: true)
        guard current.finite else { return nil }
        var scale = (0..<p).map { max(current.normal[$0 * p + $0], 0) }
        var mu = 1e-3, nu = 2.0
        var iterations = 0
        var status: LeastSquaresStatus = .maxIterations
        iterating: while iterations < limit {
            iterations += 1
            var accepted = false
            for _ in 0..<60 {
                var m = current.normal
                let largest = scale.max() ?? 0
                for k in 0..<p { m[k * p + k] += mu * max(scale[k], 1e-12 * largest, 1e-300) }
                guard let step = GSLLinearAlgebra.choleskySolve(m, current.gradient.map { -$0 }, size: p) else {
                    mu *= nu
                    nu *= 2
                    continue
                }
                // Predicted decrease of ½χ²: −δᵀg − ½δᵀAδ.
                var predicted = 0.0
                for k in 0..<p {
                    var aStep = 0.0
                    for l in 0..<p { aStep += current.normal[k * p + l] * step[l] }
                    predicted -= step[k] * current.gradient[k] + 0.5 * step[k] * aStep
                }
                let candidate = zip(theta, step).map { $0 + $1 }
                let trial = candidate.allSatisfy(\.isFinite) ? moments(at: candidate, gradients: true) : nil
                if let trial, trial.finite, trial.cost <= current.cost {
                    let actual = 0.5 * (current.cost - trial.cost)
                    let rho = predicted > 0 ? actual / predicted : 0
                    let small = (0..<p).allSatisfy { abs(step[$0]) <= settings.stepTolerance * (abs(candidate[$0]) + settings.stepTolerance) }
                    theta = candidate
                    current = trial
                    for k in 0..<p { scale[k] = max(scale[k], current.normal[k * p + k]) }
                    mu *= max(1.0 / 3, 1 - Double.pow(2 * rho - 1, 3))
                    nu = 2
                    accepted = true
                    if small { status = .converged(.smallStep); break iterating }
                    var gradientNorm = 0.0
                    for k in 0..<p { gradientNorm = max(gradientNorm, abs(current.gradient[k]) * max(abs(theta[k]), 1)) }
                    if gradientNorm <= settings.gradientTolerance * max(0.5 * current.cost, 1) {
                        status = .converged(.smallGradient)
                        break iterating
                    }
                    break
                }
                mu *= nu
                nu *= 2
                if !mu.isFinite || mu > 1e300 { break }
            }
            if !accepted {
                // No step lowers the cost even with the heaviest damping: stationary within
                // rounding (the judgement checks that no Gauss–Newton step is left).
                status = .converged(.smallStep)
                break
            }
        }
        return judge(theta, status: status, iterations: iterations, cost: current.cost)
    }

    /// The final point's judgement from the R factor of √W·J (p×p) and Qᵀ√W·r, built by a
    /// QR decomposition of each chunk's [√W·J | √W·r] and a QR of the stacked factors in
    /// chunk order; then R = U·S·Vᵀ gives the rank, the condition number, the Gauss–Newton
    /// step δ = −V·S⁻¹·Uᵀ(Qᵀr) and the covariance V·S⁻²·Vᵀ, as ``NonlinearLeastSquares`` does
    /// from the whole J.
    func judge(_ theta: [Double], status provisional: LeastSquaresStatus, iterations: Int, cost: Double) -> StartOutcome? {
        guard theta.allSatisfy(\.isFinite), cost.isFinite else { return nil }
        let p = free, width = p + 1
        let parameters = map.natural(theta)
        let derivative = derivatives(theta)
        let isLog = space == .log
        // Each chunk's (p+1)×(p+1) triangular factor, row-major.
        let factors = UnsafeMutableBufferPointer<Double>.allocate(capacity: chunks.count * width * width)
        factors.initialize(repeating: 0)
        defer { factors.deallocate() }
        let base = SendablePointer(factors.baseAddress!)
        forEachChunk { c, scratch in
            self.evaluate(c, parameters, gradients: true, scratch)
            let chunk = self.chunks[c]
            let m = chunk.target.count
            let block = scratch.block
            derivative.withUnsafeBufferPointer { d in
                for i in 0..<m {
                    let v = scratch.values[i]
                    let r = isLog ? Double.log(v) - chunk.target[i] : v - chunk.target[i]
                    let root = (chunk.weights?[i] ?? 1).squareRoot()
                    self.jacobianRow(i, value: v, derivative: d.baseAddress!, scratch)
                    let out = block + i &* width
                    for k in 0..<p { out[k] = root * scratch.row[k] }
                    out[p] = root * r
                }
            }
            // A last chunk shorter than p + 1 rows: zero rows change neither R nor Qᵀr.
            for i in m..<max(m, width) { for k in 0..<width { block[i &* width &+ k] = 0 } }
            GSLLinearAlgebra.qrUpperFactor(block, rows: max(m, width), columns: width, into: base.pointer + c &* width &* width)
        }
        // Merge the chunks' factors in chunk order.
        var merged = [Double](repeating: 0, count: 2 * width * width)
        var r = [Double](repeating: 0, count: width * width)
        for c in 0..<chunks.count {
            for k in 0..<(width * width) { merged[k] = r[k]; merged[width * width + k] = factors[c * width * width + k] }
            merged.withUnsafeMutableBufferPointer { m in
                r.withUnsafeMutableBufferPointer { out in
                    GSLLinearAlgebra.qrUpperFactor(m.baseAddress!, rows: 2 * width, columns: width, into: out.baseAddress!)
                }
            }
        }
        // R (p×p) and Qᵀr (its first p entries).
        var status = provisional
        var covariance: [Double]? = nil
        var rank = 0
        var condition = Double.infinity
        var square = [Double](repeating: 0, count: p * p)
        for a in 0..<p { for b in a..<p { square[a * p + b] = r[a * width + b] } }
        let rotated = (0..<p).map { r[$0 * width + p] }
        var v = [Double](repeating: 0, count: p * p), s = [Double](repeating: 0, count: p)
        let decomposed = GSLLinearAlgebra.singularValueDecomposition(&square, v: &v, s: &s, size: p)
        if decomposed {
            var largest = 0.0, smallest = Double.infinity
            for k in 0..<p { largest = max(largest, s[k]); smallest = min(smallest, s[k]) }
            let threshold = largest * Double(max(count, p)) * Double.ulpOfOne
            for k in 0..<p where s[k] > threshold && s[k].isFinite { rank += 1 }
            condition = smallest > 0 ? largest / smallest : .infinity
            if case .converged(let reason) = status {
                if rank < p {
                    status = .rankDeficient(rank: rank, reason: reason)
                } else {
                    // δ = −V·S⁻¹·U_Rᵀ·(Qᵀr); `square` now holds U_R.
                    var coefficients = [Double](repeating: 0, count: p)
                    for k in 0..<p where s[k] > 0 {
                        var dot = 0.0
                        for j in 0..<p { dot += square[j * p + k] * rotated[j] }
                        coefficients[k] = dot / s[k]
                    }
                    for j in 0..<p {
                        var step = 0.0
                        for k in 0..<p { step += v[j * p + k] * coefficients[k] }
                        if !(abs(step) <= 1e-3 * (abs(theta[j]) + 1)) { status = .notAtMinimum(reason: reason); break }
                    }
                }
            }
            if settings.computesCovariance, rank == p {
                var values = [Double](repeating: 0, count: p * p)
                for a in 0..<p {
                    for b in 0...a {
                        var sum = 0.0
                        for k in 0..<p { sum += v[a * p + k] * v[b * p + k] / (s[k] * s[k]) }
                        values[a * p + b] = sum
                        values[b * p + a] = sum
                    }
                }
                if values.allSatisfy(\.isFinite) { covariance = values }
            }
        }
        return StartOutcome(
            theta: theta, objective: cost, chiSquared: cost, status: status, iterations: iterations,
            covariance: covariance, conditionNumber: condition, residuals: [], robustWeights: nil)
    }
}

/// A pointer handed to the workers of one pass, each writing its own rows.
struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Double>
    init(_ pointer: UnsafeMutablePointer<Double>) { self.pointer = pointer }
}
