import RealModule
import ScalefitCore

/// One compute budget of an iso-FLOP sweep: the parabola L ≈ c₀ + c₁·u + c₂·u² in u = ln N
/// and its minimum.
public struct IsoFLOPBudget: Sendable {
    public var compute: Double
    public var pointCount: Int
    /// c₂, the curvature of the parabola in ln N, with its standard error.
    public var curvature: Double
    public var curvatureStandardError: Double
    /// N* = exp(−c₁/(2c₂)), with a 95% interval from the delta method on the parabola's
    /// covariance (Student's t with n − 3 degrees of freedom), symmetric in ln N*.
    public var n: IntervalEstimate
    /// The parabola's value at its minimum.
    public var lossAtOptimum: Double
    /// Why the budget's optimum is ill-defined (flat or upside-down curve, minimum outside
    /// the sampled N), or nil. Flagged budgets are left out of the power laws.
    public var flag: String?
}

/// A power law X*(C) = k·C^a fitted through the budgets' optima (ordinary least squares of
/// ln X* on ln C), with a 95% interval on a (Student's t, budgets − 2 degrees of freedom).
public struct IsoFLOPPowerLaw: Sendable {
    public var exponent: IntervalEstimate
    public var exponentStandardError: Double
    /// ln k.
    public var logCoefficient: Double
}

/// Hoffmann et al. 2022's Approach 2 on a sweep grouped by compute budget.
public struct IsoFLOPAnalysis: Sendable {
    public var budgets: [IsoFLOPBudget]
    /// N*(C) and D*(C) = C/(6·N*(C)); nil with fewer than 3 unflagged budgets.
    public var n: IsoFLOPPowerLaw?
    public var d: IsoFLOPPowerLaw?
    public var warnings: [String]
}

public enum IsoFLOP {
    /// Groups the points by exact compute value (in input order of first appearance), fits a
    /// parabola in ln N to the loss of each budget, then the power laws through the minima.
    /// - Throws: ``FitError`` when the arrays differ in length or hold a value that is not
    ///   positive and finite.
    public static func analyse(compute: [Double], n: [Double], loss: [Double]) throws -> IsoFLOPAnalysis {
        guard compute.count == n.count, n.count == loss.count else {
            throw FitError("iso-FLOP: compute, N and loss must have the same length (\(compute.count), \(n.count), \(loss.count))")
        }
        for i in n.indices {
            guard compute[i] > 0, compute[i].isFinite, n[i] > 0, n[i].isFinite, loss[i].isFinite else {
                throw FitError("iso-FLOP: point \(i + 1) has C = \(compute[i]), N = \(n[i]), loss = \(loss[i]); C and N must be positive and every value finite")
            }
        }
        var order: [Double] = []
        var members: [Double: [Int]] = [:]
        for i in compute.indices {
            if members[compute[i]] == nil { order.append(compute[i]) }
            members[compute[i], default: []].append(i)
        }
        var budgets: [IsoFLOPBudget] = []
        var warnings: [String] = []
        for c in order.sorted() {
            let idx = members[c]!
            let distinct = Set(idx.map { n[$0] }).count
            guard idx.count >= 4, distinct >= 3 else {
                warnings.append("budget C = \(format(c)) has \(idx.count) points (\(distinct) distinct N); a parabola with an error bar needs at least 4 points with 3 distinct N: left out")
                continue
            }
            if let budget = parabola(compute: c, u: idx.map { Double.log(n[$0]) }, v: idx.map { loss[$0] }) {
                budgets.append(budget)
            } else {
                warnings.append("budget C = \(format(c)): the parabola could not be fitted (singular design): left out")
            }
        }
        for b in budgets where b.flag != nil {
            warnings.append("budget C = \(format(b.compute)): \(b.flag!); left out of the power laws")
        }
        let usable = budgets.filter { $0.flag == nil }
        var nLaw: IsoFLOPPowerLaw? = nil, dLaw: IsoFLOPPowerLaw? = nil
        if usable.count >= 3 {
            let lc = usable.map { Double.log($0.compute) }
            let ln = usable.map { Double.log($0.n.value) }
            nLaw = line(lc, ln)
            dLaw = line(lc, zip(usable, ln).map { Double.log($0.0.compute / ComputeOptimal.flopsPerParameterToken) - $0.1 })
        } else {
            warnings.append("\(usable.count) budgets with a well-defined optimum; the power laws N*(C), D*(C) need at least 3")
        }
        return IsoFLOPAnalysis(budgets: budgets, n: nLaw, d: dLaw, warnings: warnings)
    }

    /// Least squares of v on (1, u − ū, (u − ū)²) and the vertex with its delta-method interval.
    static func parabola(compute: Double, u: [Double], v: [Double]) -> IsoFLOPBudget? {
        let count = u.count
        let mean = u.reduce(0, +) / Double(count)
        var xtx = [[Double]](repeating: [0, 0, 0], count: 3), xtv = [0.0, 0.0, 0.0]
        for i in 0..<count {
            let w = u[i] - mean, row = [1, w, w * w]
            for a in 0..<3 {
                xtv[a] += row[a] * v[i]
                for b in 0..<3 { xtx[a][b] += row[a] * row[b] }
            }
        }
        guard let inverse = invert3(xtx) else { return nil }
        let coef = (0..<3).map { a in (0..<3).reduce(0.0) { $0 + inverse[a][$1] * xtv[$1] } }
        var rss = 0.0
        for i in 0..<count {
            let w = u[i] - mean
            let r = v[i] - (coef[0] + coef[1] * w + coef[2] * w * w)
            rss += r * r
        }
        let dof = count - 3
        let s2 = rss / Double(dof)
        let c1 = coef[1], c2 = coef[2]
        let vertexCentered = -c1 / (2 * c2)
        let vertex = mean + vertexCentered
        // ∂vertex/∂(c0, c1, c2) = (0, −1/(2c₂), c₁/(2c₂²)).
        let g = [0, -1 / (2 * c2), c1 / (2 * c2 * c2)]
        var variance = 0.0
        for a in 0..<3 { for b in 0..<3 { variance += g[a] * inverse[a][b] * g[b] } }
        variance *= s2
        let se = max(variance, 0).squareRoot()
        let t = studentT95(degreesOfFreedom: dof)
        let curvatureSE = (max(inverse[2][2] * s2, 0)).squareRoot()
        var flag: String? = nil
        if !(c2 > 0) {
            flag = "the iso-FLOP curve is not convex (curvature \(format(c2))): no minimum"
        } else if c2 - t * curvatureSE <= 0 {
            flag = "the iso-FLOP curve is flat (curvature \(format(c2)) ± \(format(t * curvatureSE)), 95%): the optimum is ill-defined"
        } else if vertex < u.min()! || vertex > u.max()! {
            flag = "the minimum (N = \(format(Double.exp(vertex)))) lies outside the sampled N [\(format(Double.exp(u.min()!))), \(format(Double.exp(u.max()!)))]: extend the sweep"
        }
        let n = IntervalEstimate(
            value: Double.exp(vertex),
            ci95: se.isFinite && t.isFinite ? (Double.exp(vertex - t * se), Double.exp(vertex + t * se)) : nil)
        return IsoFLOPBudget(
            compute: compute, pointCount: count, curvature: c2, curvatureStandardError: curvatureSE, n: n,
            lossAtOptimum: coef[0] + c1 * vertexCentered + c2 * vertexCentered * vertexCentered, flag: flag)
    }

    /// Ordinary least squares y = a0 + a·x, with the slope's t interval.
    static func line(_ x: [Double], _ y: [Double]) -> IsoFLOPPowerLaw {
        let k = Double(x.count)
        let mx = x.reduce(0, +) / k, my = y.reduce(0, +) / k
        var sxx = 0.0, sxy = 0.0
        for i in x.indices { sxx += (x[i] - mx) * (x[i] - mx); sxy += (x[i] - mx) * (y[i] - my) }
        let slope = sxy / sxx, intercept = my - slope * mx
        var rss = 0.0
        for i in x.indices { let r = y[i] - intercept - slope * x[i]; rss += r * r }
        let dof = x.count - 2
        let se = (rss / Double(dof) / sxx).squareRoot()
        let t = studentT95(degreesOfFreedom: dof)
        return IsoFLOPPowerLaw(
            exponent: IntervalEstimate(value: slope, ci95: (slope - t * se, slope + t * se)),
            exponentStandardError: se, logCoefficient: intercept)
    }

    /// The inverse of a symmetric 3×3 matrix by cofactors; nil when singular.
    static func invert3(_ m: [[Double]]) -> [[Double]]? {
        let a = m[0][0], b = m[0][1], c = m[0][2], d = m[1][0], e = m[1][1], f = m[1][2], g = m[2][0], h = m[2][1], i = m[2][2]
        let A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g
        let det = a * A + b * B + c * C
        guard det != 0, det.isFinite else { return nil }
        let D = -(b * i - c * h), E = a * i - c * g, F = -(a * h - b * g)
        let G = b * f - c * e, H = -(a * f - c * d), I = a * e - b * d
        return [[A / det, D / det, G / det], [B / det, E / det, H / det], [C / det, F / det, I / det]]
    }
}
