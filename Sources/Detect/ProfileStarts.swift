import Foundation

/// Starts for the detector's nonlinear fits from cheap profile searches.
///
/// With the floor fixed at 0, a smoothly broken power law in log space,
/// ln L = ln A − c0·ln x − Σ c_k·f_k·softplus((ln x − ln d_k)/f_k),
/// is linear in (ln A, c0, c1, …) once the break locations d_k and smoothnesses f_k are
/// fixed. So the best curve for every (d, f) on a grid costs one small linear least-squares
/// solve, and the nonlinear fit only polishes the best of them instead of searching from a
/// blind grid. The saturating law E + A·x^(−α) is linear in (E, A) for fixed α; a weighted
/// linear solve per α on a grid places its start the same way.
struct ProfileStarts {
    /// The series sorted by x, ln x, ln y and the weights.
    let x: [Double]
    let y: [Double]
    let u: [Double]
    let v: [Double]
    let w: [Double]

    init(x: [Double], y: [Double], weights: [Double]?) {
        self.x = x
        self.y = y
        u = x.map { Foundation.log($0) }
        v = y.map { Foundation.log($0) }
        w = weights ?? .init(repeating: 1, count: x.count)
    }

    var count: Int { u.count }

    /// Break locations (ln d) on a grid strictly inside the data, and the smoothnesses tried.
    func breakGrid(locations: Int) -> [Double] {
        let lo = u.first!, hi = u.last!
        return (1...locations).map { lo + (hi - lo) * Double($0) / Double(locations + 1) }
    }

    static let smoothness: [Double] = [0.1, 0.4, 1.2, 3]

    /// Weighted inner product.
    @inline(__always)
    private func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in 0..<a.count { s += w[i] * a[i] * b[i] }
        return s
    }

    /// The part of `column` orthogonal to the constant and ln x (weighted), and the
    /// coefficients of that projection.
    private struct LineBasis {
        let meanU: Double
        let sumW: Double
        let centeredU: [Double]
        let suu: Double
    }

    private func lineBasis() -> LineBasis {
        let sw = w.reduce(0, +)
        var mu = 0.0
        for i in 0..<count { mu += w[i] * u[i] }
        mu /= sw
        let cu = u.map { $0 - mu }
        return LineBasis(meanU: mu, sumW: sw, centeredU: cu, suu: dot(cu, cu))
    }

    /// Removes the weighted straight-line part of a column.
    private func residualAfterLine(_ column: [Double], _ basis: LineBasis) -> [Double] {
        var mean = 0.0
        for i in 0..<count { mean += w[i] * column[i] }
        mean /= basis.sumW
        let slope = basis.suu > 0 ? dot(basis.centeredU, column) / basis.suu : 0
        return (0..<count).map { column[$0] - mean - slope * basis.centeredU[$0] }
    }

    /// The weighted straight line through (u, values): intercept at u = 0 and slope.
    private func line(_ values: [Double], _ basis: LineBasis) -> (intercept: Double, slope: Double) {
        var mean = 0.0
        for i in 0..<count { mean += w[i] * values[i] }
        mean /= basis.sumW
        let slope = basis.suu > 0 ? dot(basis.centeredU, values) / basis.suu : 0
        return (mean - slope * basis.meanU, slope)
    }

    /// Starts (natural parameters of ``BrokenPowerLaw`` with E = 0) for a law with `breaks`
    /// breaks (1 or 2): the `keep` best grid points by residual sum of squares, best first,
    /// with distinct break locations.
    func broken(breaks: Int, locations: Int, keep: Int) -> (starts: [[Double]], rss: Double) {
        let basis = lineBasis()
        let r0 = residualAfterLine(v, basis)
        let rss0 = dot(r0, r0)
        let grid = breakGrid(locations: locations)
        let fs = Self.smoothness
        // Candidate columns −f·softplus((u − δ)/f), raw and with the line removed.
        var raw: [[Double]] = []
        var reduced: [[Double]] = []
        var meta: [(delta: Double, f: Double, slot: Int)] = []
        for (slot, delta) in grid.enumerated() {
            for f in fs {
                let column = u.map { -f * softplusValue(($0 - delta) / f) }
                raw.append(column)
                reduced.append(residualAfterLine(column, basis))
                meta.append((delta, f, slot))
            }
        }
        let m = reduced.count
        let g = reduced.map { dot($0, r0) }
        let diag = reduced.map { dot($0, $0) }

        struct Candidate { var rss: Double; var columns: [Int]; var coefficients: [Double] }
        var candidates: [Candidate] = []
        if breaks == 1 {
            for j in 0..<m where diag[j] > 1e-12 * Double(count) {
                let c = g[j] / diag[j]
                candidates.append(Candidate(rss: rss0 - c * g[j], columns: [j], coefficients: [c]))
            }
        } else {
            var gram = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
            for a in 0..<m { for b in a..<m { let s = dot(reduced[a], reduced[b]); gram[a][b] = s; gram[b][a] = s } }
            for a in 0..<m {
                for b in 0..<m where meta[b].slot > meta[a].slot {
                    let m11 = gram[a][a], m22 = gram[b][b], m12 = gram[a][b]
                    let det = m11 * m22 - m12 * m12
                    guard det > 1e-9 * m11 * m22, m11 > 0, m22 > 0 else { continue }
                    let c1 = (m22 * g[a] - m12 * g[b]) / det
                    let c2 = (m11 * g[b] - m12 * g[a]) / det
                    candidates.append(Candidate(rss: rss0 - (c1 * g[a] + c2 * g[b]), columns: [a, b], coefficients: [c1, c2]))
                }
            }
        }
        candidates.removeAll { !$0.rss.isFinite }
        candidates.sort { $0.rss < $1.rss }

        var result: [[Double]] = []
        var usedSlots: [[Int]] = []
        for candidate in candidates {
            let slots = candidate.columns.map { meta[$0].slot }
            // Distinct: no break within one grid step of a kept candidate's.
            let close = usedSlots.contains { other in zip(other, slots).allSatisfy { abs($0 - $1) <= 1 } }
            if close { continue }
            usedSlots.append(slots)
            // Coefficients of the line part from what the break columns leave.
            var rest = v
            for (k, column) in candidate.columns.enumerated() {
                for i in 0..<count { rest[i] -= candidate.coefficients[k] * raw[column][i] }
            }
            let fitLine = line(rest, basis)
            var p = [0, Foundation.exp(fitLine.intercept), -fitLine.slope]
            for (k, column) in candidate.columns.enumerated() {
                p += [candidate.coefficients[k], Foundation.exp(meta[column].delta), meta[column].f]
            }
            if p.allSatisfy({ $0.isFinite }) && p[1] > 0 { result.append(p) }
            if result.count == keep { break }
        }
        return (result, candidates.first.map { max($0.rss, 0) } ?? .infinity)
    }

    /// Starts (E, A, α) for the saturating law: for each α on a grid, the weighted linear
    /// fit of y ≈ E + A·x^(−α) with weights 1/y² (relative errors, as in log space), E ≥ 0;
    /// the `keep` best by the log-space residual sum of squares, best first.
    func saturating(keep: Int) -> [[Double]] {
        let minY = y.min() ?? 1
        var scored: [(rss: Double, p: [Double])] = []
        let alphas = (0..<32).map { 0.02 * Foundation.pow(200.0, Double($0) / 31) }
        for alpha in alphas {
            let z = u.map { Foundation.exp(-alpha * $0) }
            // Weighted normal equations for (E, A) with weights w/y².
            var s11 = 0.0, s12 = 0.0, s22 = 0.0, t1 = 0.0, t2 = 0.0
            for i in 0..<count {
                let q = w[i] / (y[i] * y[i])
                s11 += q; s12 += q * z[i]; s22 += q * z[i] * z[i]
                t1 += q * y[i]; t2 += q * z[i] * y[i]
            }
            let det = s11 * s22 - s12 * s12
            var e = det > 0 ? (s22 * t1 - s12 * t2) / det : 0
            var a = det > 0 ? (s11 * t2 - s12 * t1) / det : 0
            if !(e > 0) || !(a > 0) {
                // Floor at (almost) 0: the power law through the data with this exponent.
                e = 1e-3 * minY
                var mean = 0.0, sw = 0.0
                for i in 0..<count { mean += w[i] * (v[i] + alpha * u[i]); sw += w[i] }
                a = Foundation.exp(mean / sw)
            }
            var rss = 0.0
            for i in 0..<count {
                let r = Foundation.log(e + a * z[i]) - v[i]
                rss += w[i] * r * r
            }
            if rss.isFinite { scored.append((rss, [e, a, alpha])) }
        }
        scored.sort { $0.rss < $1.rss }
        return Array(scored.prefix(keep).map(\.p))
    }
}

@inline(__always)
func softplusValue(_ t: Double) -> Double {
    t > 30 ? t : (t < -30 ? Foundation.exp(t) : Foundation.log1p(Foundation.exp(t)))
}
