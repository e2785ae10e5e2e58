import GSL
import RealModule

// The Huber loss ρ_δ: its value, the transformed residual whose square is 2ρ, its slope,
// and the damped Newton polish on the summed objective.

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

/// ρ_δ(r): ½r² inside ±δ, δ(|r| − ½δ) beyond.
@inline(__always)
func huber(_ r: Double, _ delta: Double) -> Double {
    abs(r) <= delta ? 0.5 * r * r : delta * (abs(r) - 0.5 * delta)
}

/// Damped Newton on the summed Huber objective f(θ) = Σ w_i ρ_δ(r_i(θ)) with its
/// Gauss–Newton Hessian H = Σ_{|r_i| ≤ δ} w_i J_iᵀJ_i (points beyond δ contribute to the
/// gradient, δ·sign(r_i)·J_i, but no curvature: ρ is linear there). Least squares on the
/// transformed residuals counts curvature for those points too, which makes its steps
/// short and its convergence linear when most points lie beyond δ (Epoch's δ = 10⁻³);
/// this converges like Newton once the set of points within δ settles. Returns nil if
/// it does not converge in 200 steps (the transformed least squares then runs).
func huberNewton(
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
