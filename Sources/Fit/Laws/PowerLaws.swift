import GSL
import RealModule

/// `power`: L = A·n^(−α), the plain power law (Kaplan et al. 2020's form).
///
/// scipy users write `curve_fit(lambda n, A, alpha: A * n**-alpha, …)`.
public struct PowerLaw: ScalingLaw {
    public init() {}
    public var name: String { "power" }
    public var formula: String { "L = A·n^(-alpha)" }
    public var parameters: [LawParameter] { Self.parameterList }
    private static let parameterList: [LawParameter] = [
        .init("A", .positive, "scale", role: .scale), .init("alpha", .real, "exponent (positive: loss falls with n)", role: .exponent),
    ]


    public func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double {
        p[0] * Double.pow(x, -p[1])
    }

    public func gradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) {
        let power = Double.pow(x, -p[1])
        g[0] = power
        g[1] = -p[0] * power * Double.log(x)
    }

    public var gradientIsCheap: Bool { true }

    public func evaluate(
        _ inputs: LawInputs, parameters p: [Double], values: UnsafeMutablePointer<Double>,
        gradients g: UnsafeMutablePointer<Double>?
    ) {
        let a = p[0], alpha = p[1]
        inputs.logX.withUnsafeBufferPointer { lx in
            for i in 0..<lx.count {
                let power = Double.exp(-alpha * lx[i])
                values[i] = a * power
                if let g {
                    g[2 &* i] = power
                    g[2 &* i &+ 1] = -a * power * lx[i]
                }
            }
        }
    }

    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        let line = Guess.logLogLine(x: x, y: y)
        return [[Double.exp(line.intercept), -line.slope], [Double.exp(line.intercept), 0.5]]
    }
}

/// `saturating`: L = E + A·n^(−α) with E ≥ 0, the power law with an irreducible floor
/// (Hestness et al. 2017; M2 of Alabdulmohsin et al. 2022).
public struct SaturatingLaw: ScalingLaw {
    public init() {}
    public var name: String { "saturating" }
    public var formula: String { "L = E + A·n^(-alpha)" }
    public var parameters: [LawParameter] { Self.parameterList }
    private static let parameterList: [LawParameter] = [
            .init("E", .nonNegative, "irreducible loss (floor)", role: .floor),
            .init("A", .positive, "scale of the reducible part", role: .scale),
            .init("alpha", .positive, "exponent of the reducible part", role: .exponent),
        ]


    public func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double {
        p[0] + p[1] * Double.pow(x, -p[2])
    }

    public func gradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) {
        _ = valueAndGradient(x, x2, parameters: p, into: &g)
    }

    public func valueAndGradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) -> Double {
        let power = Double.pow(x, -p[2])
        g[0] = 1
        g[1] = power
        g[2] = -p[1] * power * Double.log(x)
        return p[0] + p[1] * power
    }

    public var gradientIsCheap: Bool { true }

    public func evaluate(
        _ inputs: LawInputs, parameters p: [Double], values: UnsafeMutablePointer<Double>,
        gradients g: UnsafeMutablePointer<Double>?
    ) {
        let e = p[0], a = p[1], alpha = p[2]
        inputs.logX.withUnsafeBufferPointer { lx in
            for i in 0..<lx.count {
                let power = Double.exp(-alpha * lx[i])
                values[i] = e + a * power
                if let g {
                    g[3 &* i] = 1
                    g[3 &* i &+ 1] = power
                    g[3 &* i &+ 2] = -a * power * lx[i]
                }
            }
        }
    }

    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        initialGuesses(LawInputs(x: x, x2: x2), y: y, limit: 6)
    }

    /// α from the curve's three thirds (or, failing that, the log-log slope, which a floor
    /// biases low), then 0.1, 0.25, 0.5, 1 and 2; E and A for each α by linear least
    /// squares on relative errors.
    public func initialGuesses(_ inputs: LawInputs, y: [Double], limit: Int) -> [[Double]] {
        let logX = inputs.logX
        let first = Guess.floorFreeExponent(logX: logX, y: y) ?? max(-Guess.logLogLine(logX: logX, y: y).slope, 0.05)
        let alphas = [first, 0.1, 0.25, 0.5, 1.0, 2.0].prefix(max(limit, 0))
        let minY = y.min() ?? 0
        return alphas.map { alpha in
            let (e, a) = Guess.floorAndScale(logX: logX, y: y, minY: minY, alpha: alpha)
            return [max(e, 1e-3 * minY), a, alpha]
        }
    }
}

/// `broken1`…`broken3`: the smoothly broken power law of Caballero et al. 2022 with K breaks,
/// L = E + A·n^(−c0)·Π_i (1 + (n/d_i)^(1/f_i))^(−c_i·f_i).
///
/// Segment i + 1 has local log-log slope −(c0 + c1 + … + c_i); d_i is where break i
/// happens and f_i how sharp it is (small f: sharp).
public struct BrokenPowerLaw: ScalingLaw {
    public let breaks: Int

    public init(breaks: Int) {
        precondition((1...3).contains(breaks), "1 to 3 breaks")
        self.breaks = breaks
    }

    public var name: String { "broken\(breaks)" }
    public var formula: String {
        "L = E + A·n^(-c0)·" + (1...breaks).map { "(1 + (n/d\($0))^(1/f\($0)))^(-c\($0)·f\($0))" }.joined(separator: "·")
    }
    public var parameters: [LawParameter] { Self.parameterLists[breaks - 1] }
    private static let parameterLists: [[LawParameter]] = (1...3).map { breaks in
        var list: [LawParameter] = [
            .init("E", .nonNegative, "floor", role: .floor), .init("A", .positive, "scale", role: .scale),
            .init("c0", .real, "slope of the first segment", role: .exponent),
        ]
        for i in 1...breaks {
            list += [
                .init("c\(i)", .real, "slope change at break \(i)", role: .exponent),
                .init("d\(i)", .positive, "location of break \(i)", role: .breakpoint),
                .init("f\(i)", .interval(1e-3, 10), "smoothness of break \(i)"),
            ]
        }
        return list
    }

    public func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double {
        let lx = Double.log(x)
        var logPart = Double.log(p[1]) - p[2] * lx
        for i in 0..<breaks {
            let c = p[3 + 3 * i], d = p[4 + 3 * i], f = p[5 + 3 * i]
            logPart -= c * f * softplus((lx - Double.log(d)) / f)
        }
        return p[0] + Double.exp(logPart)
    }

    public func gradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) {
        _ = valueAndGradient(x, x2, parameters: p, into: &g)
    }

    public func valueAndGradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) -> Double {
        let lx = Double.log(x)
        var logPart = Double.log(p[1]) - p[2] * lx
        for i in 0..<breaks {
            let c = p[3 + 3 * i], d = p[4 + 3 * i], f = p[5 + 3 * i]
            let u = (lx - Double.log(d)) / f
            let s = softplus(u)
            logPart -= c * f * s
            g[3 + 3 * i] = -f * s
            g[4 + 3 * i] = c * logistic(u) / d
            g[5 + 3 * i] = -c * (s - u * logistic(u))
        }
        let part = Double.exp(logPart)
        g[0] = 1
        g[1] = part / p[1]
        g[2] = -part * lx
        for i in 0..<breaks {
            g[3 + 3 * i] *= part
            g[4 + 3 * i] *= part
            g[5 + 3 * i] *= part
        }
        return p[0] + part
    }

    public var gradientIsCheap: Bool { true }

    public func evaluate(
        _ inputs: LawInputs, parameters p: [Double], values: UnsafeMutablePointer<Double>,
        gradients g: UnsafeMutablePointer<Double>?
    ) {
        let count = parameters.count, k = breaks
        let logA = Double.log(p[1])
        // Per break: c, d, f and ln d, computed once per call.
        var c = (0.0, 0.0, 0.0), d = (1.0, 1.0, 1.0), f = (1.0, 1.0, 1.0), logD = (0.0, 0.0, 0.0)
        func set(_ t: inout (Double, Double, Double), _ i: Int, _ v: Double) {
            switch i { case 0: t.0 = v; case 1: t.1 = v; default: t.2 = v }
        }
        func get(_ t: (Double, Double, Double), _ i: Int) -> Double {
            switch i { case 0: t.0; case 1: t.1; default: t.2 }
        }
        for i in 0..<k {
            set(&c, i, p[3 + 3 * i]); set(&d, i, p[4 + 3 * i]); set(&f, i, p[5 + 3 * i])
            set(&logD, i, Double.log(p[4 + 3 * i]))
        }
        inputs.logX.withUnsafeBufferPointer { lx in
            for n in 0..<lx.count {
                var logPart = logA - p[2] * lx[n]
                let row = n &* count
                for i in 0..<k {
                    let ci = get(c, i), fi = get(f, i)
                    let u = (lx[n] - get(logD, i)) / fi
                    let s = softplus(u)
                    logPart -= ci * fi * s
                    if let g {
                        let l = logistic(u)
                        g[row &+ 3 &+ 3 &* i] = -fi * s
                        g[row &+ 4 &+ 3 &* i] = ci * l / get(d, i)
                        g[row &+ 5 &+ 3 &* i] = -ci * (s - u * l)
                    }
                }
                let part = Double.exp(logPart)
                values[n] = p[0] + part
                if let g {
                    g[row] = 1
                    g[row &+ 1] = part / p[1]
                    g[row &+ 2] = -part * lx[n]
                    for j in 3..<count { g[row &+ j] *= part }
                }
            }
        }
    }

    /// Starts: first the best points of a profile search (``BrokenProfileSearch``: breaks
    /// inside the data and beyond both ends, smoothness from 0.01 to 3, floors from 0 to
    /// near the lowest value), then a coarse grid of breaks inside the data.
    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        guard let lo = x.min(), let hi = x.max(), lo > 0, hi > lo else { return [] }
        return BrokenProfileSearch(x: x, y: y).starts(breaks: breaks, keep: 8) + gridGuesses(x: x, y: y, lo: lo, hi: hi)
    }

    /// The grid of breaks inside the data (the starts before the profile search).
    func gridGuesses(x: [Double], y: [Double], lo: Double, hi: Double) -> [[Double]] {
        let line = Guess.logLogLine(x: x, y: y)
        let slope = -line.slope
        let minY = y.min() ?? 1
        let locations = Guess.logSpaced(lo, hi, count: breaks == 1 ? 15 : 7)
        var starts: [[Double]] = []
        let smoothness = [0.1, 0.5, 1.0]
        let changes = [-slope, 0.5 * slope, slope]
        func scaleFor(_ c0: Double) -> Double {
            // A so that the curve passes through the first point.
            let first = x.indices.min { x[$0] < x[$1] }!
            return max(y[first] - 1e-3 * minY, 1e-12) * Double.pow(x[first], c0)
        }
        switch breaks {
        case 1:
            for d in locations {
                for f in smoothness {
                    for c in changes {
                        starts.append([1e-3 * minY, scaleFor(slope), slope, c, d, f])
                    }
                }
            }
        default:
            var combos: [[Double]] = [[]]
            for _ in 0..<breaks {
                combos = combos.flatMap { prefix in
                    locations.filter { d in prefix.last.map { d > $0 } ?? true }.map { prefix + [$0] }
                }
            }
            for ds in combos {
                for c in [-slope, slope] {
                    var p = [1e-3 * minY, scaleFor(slope), slope]
                    for (k, d) in ds.enumerated() { p += [k % 2 == 0 ? c : -c, d, 0.5] }
                    starts.append(p)
                }
            }
        }
        return starts
    }

    /// Breaks sorted by location (the product over breaks does not depend on their order).
    public func canonicalized(_ p: [Double]) -> [Double] {
        let triples = (0..<breaks).map { Array(p[(3 + 3 * $0)..<(6 + 3 * $0)]) }.sorted { $0[1] < $1[1] }
        return Array(p[0..<3]) + triples.flatMap { $0 }
    }

    public func unsuitability(pointCount: Int, fixed: Set<String>) -> String? {
        let free = parameters.count - fixed.count
        return pointCount <= free ? "\(name) has \(free) free parameters but only \(pointCount) points" : nil
    }
}

/// Starts for ``BrokenPowerLaw`` from a profile search.
///
/// For a fixed floor E, breaks d_k and smoothnesses f_k, the law in log space,
/// ln(L − E) = ln A − c0·ln x − Σ_k c_k·f_k·softplus((ln x − ln d_k)/f_k),
/// is linear in (ln A, c0, c1, …): each grid point costs one small linear least-squares
/// solve. The grid puts breaks inside the data and beyond both ends (a break just past the
/// last point still bends the curve inside the data: Caballero et al. 2022, Fig. 4 right),
/// smoothness from 0.01 (sharp) to 3, and floors from 0 to 97% of the lowest value. Two and
/// three breaks are searched greedily: the best sets of k − 1 breaks, each extended by one.
/// Candidates are scored by the residual sum of squares in ln L.
struct BrokenProfileSearch {
    let u: [Double]
    let y: [Double]
    let logY: [Double]

    init(x: [Double], y: [Double]) {
        var u: [Double] = [], kept: [Double] = []
        for (xi, yi) in zip(x, y) where xi > 0 && yi > 0 && xi.isFinite && yi.isFinite {
            u.append(Double.log(xi)); kept.append(yi)
        }
        self.u = u
        self.y = kept
        logY = kept.map { Double.log($0) }
    }

    static let smoothness: [Double] = [0.01, 0.03, 0.1, 0.3, 1, 3]
    static let floorFractions: [Double] = [0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.97]

    /// ln d of the grid: `inside` evenly inside the data, and breaks beyond each end at
    /// 3%, 8%, 20% and 50% of the data's span in ln x.
    func locations(inside: Int) -> [Double] {
        let lo = u.min()!, hi = u.max()!, span = hi - lo
        let beyond = [0.03, 0.08, 0.2, 0.5].map { $0 * span }
        return beyond.reversed().map { lo - $0 } + (1...inside).map { lo + span * Double($0) / Double(inside + 1) }
            + beyond.map { hi + $0 }
    }

    func starts(breaks: Int, keep: Int) -> [[Double]] {
        let n = u.count
        guard n >= 3 + 3 * breaks - 1, let minY = y.min(), let lo = u.min(), let hi = u.max(), hi > lo else { return [] }
        let grid = locations(inside: breaks == 1 ? 14 : 10)
        let fs = Self.smoothness
        // Break columns −f·softplus((u − δ)/f), one per (location, smoothness).
        var columns: [[Double]] = []
        var meta: [(delta: Double, f: Double, slot: Int)] = []
        for (slot, delta) in grid.enumerated() {
            for f in fs {
                columns.append(u.map { -f * softplus(($0 - delta) / f) })
                meta.append((delta, f, slot))
            }
        }
        struct Candidate { var rss: Double; var start: [Double]; var slots: [Int] }
        var found: [Candidate] = []
        let beam = 6
        for fraction in Self.floorFractions {
            let e = fraction * minY
            let z = y.map { Double.log($0 - e) }
            guard z.allSatisfy(\.isFinite) else { continue }
            // Sets of break columns, grown one break at a time.
            var level: [(rss: Double, set: [Int], coefficients: [Double])] = [(.infinity, [], [])]
            for _ in 0..<breaks {
                var next: [(rss: Double, set: [Int], coefficients: [Double])] = []
                var seen = Set<[Int]>()
                for parent in level.prefix(beam) {
                    for j in columns.indices where !parent.set.contains(where: { abs(meta[$0].slot - meta[j].slot) < 2 }) {
                        let set = (parent.set + [j]).sorted()
                        guard seen.insert(set).inserted, let solved = solve(z: z, e: e, set: set, columns: columns) else { continue }
                        next.append((solved.rss, set, solved.coefficients))
                    }
                }
                next.sort { $0.rss < $1.rss }
                level = Array(next.prefix(4 * beam))
            }
            for entry in level.prefix(beam) {
                var p = [e, Double.exp(entry.coefficients[0]), entry.coefficients[1]]
                for (k, j) in entry.set.enumerated() { p += [entry.coefficients[2 + k], Double.exp(meta[j].delta), meta[j].f] }
                if p.allSatisfy(\.isFinite) && p[1] > 0 && p[1] < .greatestFiniteMagnitude {
                    found.append(Candidate(rss: entry.rss, start: p, slots: entry.set.map { meta[$0].slot }))
                }
            }
        }
        found.sort { $0.rss < $1.rss }
        // Distinct starts: a different floor, or breaks more than a grid step apart.
        var result: [[Double]] = []
        var kept: [Candidate] = []
        for candidate in found {
            let close = kept.contains { other in
                other.start[0] == candidate.start[0] && zip(other.slots, candidate.slots).allSatisfy { abs($0 - $1) <= 1 }
            }
            if close { continue }
            kept.append(candidate)
            result.append(candidate.start)
            if result.count == keep { break }
        }
        return result
    }

    /// Unweighted least squares of z on (1, −u, columns in `set`); the coefficients
    /// (ln A, c0, c_k…) and the residual sum of squares in ln L = ln(E + e^ẑ).
    private func solve(z: [Double], e: Double, set: [Int], columns: [[Double]]) -> (rss: Double, coefficients: [Double])? {
        let n = u.count, p = 2 + set.count
        guard n > p else { return nil }
        var basis: [[Double]] = [[Double](repeating: 1, count: n), u.map { -$0 }]
        for j in set { basis.append(columns[j]) }
        // Columns scaled to unit norm, so that a column that barely moves (a sharp break far
        // outside the data) is judged by its shape, not its size.
        var norms = [Double](repeating: 0, count: p)
        for k in 0..<p {
            var s = 0.0
            for v in basis[k] { s += v * v }
            norms[k] = s.squareRoot()
            guard norms[k] > 1e-300 else { return nil }
        }
        var a = [Double](repeating: 0, count: p * p), b = [Double](repeating: 0, count: p)
        for r in 0..<p {
            for c in r..<p {
                var s = 0.0
                for i in 0..<n { s += basis[r][i] * basis[c][i] }
                a[r * p + c] = s / (norms[r] * norms[c]); a[c * p + r] = a[r * p + c]
            }
            var t = 0.0
            for i in 0..<n { t += basis[r][i] * z[i] }
            b[r] = t / norms[r]
        }
        // GSL's Cholesky factor of the unit-diagonal Gram matrix; a nearly collinear set (a
        // break beyond the data that only shifts the line) is rejected by its pivots.
        guard let l = GSLLinearAlgebra.choleskyFactor(a, size: p),
              (0..<p).allSatisfy({ l[$0 * p + $0] * l[$0 * p + $0] > 1e-12 }) else { return nil }
        var w = b
        for i in 0..<p {
            for k in 0..<i { w[i] -= l[i * p + k] * w[k] }
            w[i] /= l[i * p + i]
        }
        for i in stride(from: p - 1, through: 0, by: -1) {
            for k in (i + 1)..<p { w[i] -= l[k * p + i] * w[k] }
            w[i] /= l[i * p + i]
        }
        let coefficients = (0..<p).map { w[$0] / norms[$0] }
        var rss = 0.0
        for i in 0..<n {
            var fitted = 0.0
            for k in 0..<p { fitted += coefficients[k] * basis[k][i] }
            let r = Double.log(e + Double.exp(fitted)) - logY[i]
            rss += r * r
        }
        return rss.isFinite ? (rss, coefficients) : nil
    }
}

@inline(__always)
func softplus(_ u: Double) -> Double {
    u > 30 ? u : (u < -30 ? Double.exp(u) : Double.log(onePlus: Double.exp(u)))
}

@inline(__always)
func logistic(_ u: Double) -> Double {
    u >= 0 ? 1 / (1 + Double.exp(-u)) : Double.exp(u) / (1 + Double.exp(u))
}
