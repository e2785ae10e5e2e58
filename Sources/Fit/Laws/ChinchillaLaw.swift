import RealModule

/// `chinchilla`: L(N, D) = E + A·N^(−α) + B·D^(−β) (Hoffmann et al. 2022, approach 3).
///
/// Parametrised as Epoch (Besiroglu et al. 2024) does: log E, log A, log B and free α, β.
/// `--tie alpha=beta` gives the shared-exponent law of Gadre et al. 2024.
public struct ChinchillaLaw: ScalingLaw {
    public init() {}
    public var name: String { "chinchilla" }
    public var formula: String { "L = E + A·N^(-alpha) + B·D^(-beta)" }
    public var inputCount: Int { 2 }
    public var parameters: [LawParameter] { Self.parameterList }
    private static let parameterList: [LawParameter] = [
            .init("E", .nonNegative, "irreducible loss", role: .floor),
            .init("A", .positive, "scale of the parameter term", role: .scale),
            .init("B", .positive, "scale of the data term", role: .scale),
            .init("alpha", .real, "parameter exponent", role: .exponent),
            .init("beta", .real, "data exponent", role: .exponent),
        ]

    public var derived: [DerivedQuantity] {
        [
            DerivedQuantity("a_opt", "compute-optimal exponent of N: N_opt ∝ C^(beta/(alpha+beta))") { p in
                p[3] + p[4] != 0 ? p[4] / (p[3] + p[4]) : nil
            },
            DerivedQuantity("b_opt", "compute-optimal exponent of D: D_opt ∝ C^(alpha/(alpha+beta))") { p in
                p[3] + p[4] != 0 ? p[3] / (p[3] + p[4]) : nil
            },
        ]
    }

    public func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double {
        p[0] + p[1] * Double.pow(x, -p[3]) + p[2] * Double.pow(x2, -p[4])
    }

    public func gradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) {
        let n = Double.pow(x, -p[3]), d = Double.pow(x2, -p[4])
        g[0] = 1
        g[1] = n
        g[2] = d
        g[3] = -p[1] * n * Double.log(x)
        g[4] = -p[2] * d * Double.log(x2)
    }

    public var gradientIsCheap: Bool { true }

    public func evaluate(
        _ inputs: LawInputs, parameters p: [Double], values: UnsafeMutablePointer<Double>,
        gradients g: UnsafeMutablePointer<Double>?
    ) {
        guard let logD = inputs.logX2 else {
            for i in 0..<inputs.count { values[i] = .nan }
            return
        }
        let e = p[0], a = p[1], b = p[2], alpha = p[3], beta = p[4]
        if let dn = inputs.distinctX, let dd = inputs.distinctX2 {
            evaluateOnGrid(inputs, dn, dd, e: e, a: a, b: b, alpha: alpha, beta: beta, values: values, gradients: g)
            return
        }
        inputs.logX.withUnsafeBufferPointer { ln in
            logD.withUnsafeBufferPointer { ld in
                for i in 0..<ln.count {
                    let n = Double.exp(-alpha * ln[i]), d = Double.exp(-beta * ld[i])
                    Self.store(i, n, d, ln[i], ld[i], e: e, a: a, b: b, values: values, gradients: g)
                }
            }
        }
    }

    /// L and its gradient at point i from n = N^(−α) and d = D^(−β).
    @inline(__always)
    private static func store(
        _ i: Int, _ n: Double, _ d: Double, _ logN: Double, _ logD: Double, e: Double, a: Double, b: Double,
        values: UnsafeMutablePointer<Double>, gradients g: UnsafeMutablePointer<Double>?
    ) {
        values[i] = e + a * n + b * d
        guard let g else { return }
        let row = 5 &* i
        g[row] = 1
        g[row &+ 1] = n
        g[row &+ 2] = d
        g[row &+ 3] = -a * n * logN
        g[row &+ 4] = -b * d * logD
    }

    /// ``evaluate(_:parameters:values:gradients:)`` for sweeps that repeat N and D: N^(−α)
    /// and D^(−β) once per distinct value (bit for bit the values computed point by point).
    private func evaluateOnGrid(
        _ inputs: LawInputs, _ dn: LawInputs.Distinct, _ dd: LawInputs.Distinct,
        e: Double, a: Double, b: Double, alpha: Double, beta: Double,
        values: UnsafeMutablePointer<Double>, gradients g: UnsafeMutablePointer<Double>?
    ) {
        let kn = dn.values.count, kd = dd.values.count
        withUnsafeTemporaryAllocation(of: Double.self, capacity: kn + kd) { powers in
            let pn = powers.baseAddress!, pd = pn + kn
            for k in 0..<kn { pn[k] = Double.exp(-alpha * dn.values[k]) }
            for k in 0..<kd { pd[k] = Double.exp(-beta * dd.values[k]) }
            inputs.logX.withUnsafeBufferPointer { ln in
                inputs.logX2!.withUnsafeBufferPointer { ld in
                    dn.slot.withUnsafeBufferPointer { sn in
                        dd.slot.withUnsafeBufferPointer { sd in
                            for i in 0..<ln.count {
                                Self.store(i, pn[Int(sn[i])], pd[Int(sd[i])], ln[i], ld[i], e: e, a: a, b: b, values: values, gradients: g)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Epoch's grid (Besiroglu et al. 2024): log A, log B ∈ {0, 5, …, 25}, log E ∈ {−1, −0.5, …, 1},
    /// α, β ∈ {0, 0.5, …, 2}: 6·6·5·5·5 = 4,500 starts.
    public static let epochGrid: [[Double]] = {
        var grid: [[Double]] = []
        for logA in stride(from: 0.0, through: 25, by: 5) {
            for logB in stride(from: 0.0, through: 25, by: 5) {
                for logE in stride(from: -1.0, through: 1, by: 0.5) {
                    for alpha in stride(from: 0.0, through: 2, by: 0.5) {
                        for beta in stride(from: 0.0, through: 2, by: 0.5) {
                            grid.append([Double.exp(logE), Double.exp(logA), Double.exp(logB), alpha, beta])
                        }
                    }
                }
            }
        }
        return grid
    }()

    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        let minY = y.min() ?? 1
        let e = 0.8 * minY
        return [[e, 400, 400, 0.34, 0.28], [e, 100, 1000, 0.3, 0.3]] + Self.epochGrid
    }
}

/// `m3`: L = β·(1/x + γ)^c with c > 0 (M3 of Alabdulmohsin et al. 2022): a power law that
/// bends to the finite limit β·γ^c.
public struct M3Law: ScalingLaw {
    public init() {}
    public var name: String { "m3" }
    public var formula: String { "L = beta·(1/x + gamma)^c" }
    public var parameters: [LawParameter] { Self.parameterList }
    private static let parameterList: [LawParameter] = [
            .init("beta", .positive, "scale", role: .scale), .init("gamma", .nonNegative, "bend (limit β·γ^c)"),
            .init("c", .positive, "exponent", role: .exponent),
        ]


    public func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double {
        p[0] * Double.pow(1 / x + p[1], p[2])
    }

    public func gradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) {
        let base = 1 / x + p[1]
        let power = Double.pow(base, p[2])
        g[0] = power
        g[1] = p[0] * p[2] * power / base
        g[2] = p[0] * power * Double.log(base)
    }

    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        let line = Guess.logLogLine(x: x, y: y)
        let c = max(-line.slope, 0.05), beta = Double.exp(line.intercept)
        let maxX = x.max() ?? 1
        return [1e-3, 0.1, 1.0, 10].map { g in [beta, g / maxX, c] } + [[beta, 0, c], [beta, 1 / maxX, 2 * c]]
    }
}

/// `m4`: (L − E∞)/(E0 − L)^a = β·x^(−c) (M4 of Alabdulmohsin et al. 2022), an implicit law
/// that starts near E0 (the random-guess loss), descends as a power law and flattens at E∞.
///
/// L(x) is found by a safeguarded Newton search in (E∞, E0); the gradient follows from the
/// implicit function theorem.
public struct M4Law: ScalingLaw {
    public init() {}
    public var name: String { "m4" }
    public var formula: String { "(L - E_inf)/(E0 - L)^a = beta·x^(-c)" }
    public var parameters: [LawParameter] { Self.parameterList }
    private static let parameterList: [LawParameter] = [
            .init("E_inf", .nonNegative, "loss as x → ∞", role: .floor), .init("E0", .positive, "loss as x → 0 (random guess)"),
            .init("a", .nonNegative, "shape of the approach to E0"), .init("beta", .positive, "scale", role: .scale),
            .init("c", .positive, "exponent", role: .exponent),
        ]


    /// The fraction s = (L − E∞)/(E0 − E∞) ∈ (0, 1) solving ln s − a·ln(1 − s) = K.
    static func solveFraction(_ k: Double, a: Double) -> Double? {
        // In t = logit(s): h(t) = −softplus(−t) + a·softplus(t) rises from −∞ to +∞ (a > 0),
        // or to 0 (a = 0), with h′(t) = (1 − s) + a·s > 0.
        if a <= 0 && k >= 0 { return nil }
        if a <= 0 { return Double.exp(k) }
        var t = k < 0 ? k : k / a
        var lo = -Double.infinity, hi = Double.infinity
        for _ in 0..<100 {
            let s = logistic(t)
            let h = -softplus(-t) + a * softplus(t) - k
            if h > 0 { hi = min(hi, t) } else { lo = max(lo, t) }
            if abs(h) < 1e-14 * max(1, abs(k)) { return s }
            let slope = (1 - s) + a * s
            var next = t - h / slope
            if !(next > lo && next < hi) {
                next = lo.isFinite && hi.isFinite ? 0.5 * (lo + hi) : (h > 0 ? t - max(1, abs(h)) : t + max(1, abs(h)))
            }
            if abs(next - t) < 1e-15 * max(1, abs(t)) { return logistic(next) }
            t = next
        }
        return logistic(t)
    }

    public func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double {
        let eInf = p[0], e0 = p[1], a = p[2], beta = p[3], c = p[4]
        guard e0 > eInf else { return .nan }
        let k = Double.log(beta) - c * Double.log(x) - (1 - a) * Double.log(e0 - eInf)
        guard let s = Self.solveFraction(k, a: a) else { return .nan }
        return eInf + (e0 - eInf) * s
    }

    public func gradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) {
        let eInf = p[0], e0 = p[1], a = p[2], beta = p[3]
        let l = value(x, x2, parameters: p)
        // G(L, p) = ln(L − E∞) − a·ln(E0 − L) − ln β + c·ln x = 0;  ∂L/∂p = −G_p / G_L.
        let below = l - eInf, above = e0 - l
        let gL = 1 / below + a / above
        g[0] = -(-1 / below) / gL
        g[1] = -(-a / above) / gL
        g[2] = -(-Double.log(above)) / gL
        g[3] = -(-1 / beta) / gL
        g[4] = -Double.log(x) / gL
    }

    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        guard let minY = y.min(), let maxY = y.max(), minY > 0 else { return [] }
        let line = Guess.logLogLine(x: x, y: y)
        let c = max(-line.slope, 0.05)
        var starts: [[Double]] = []
        for eFraction in [0.5, 0.9] {
            for a in [0.5, 1.0, 2.0] {
                let eInf = eFraction * minY, e0 = maxY * 1.2
                // β from the middle point: β = (L − E∞)/(E0 − L)^a · x^c.
                let mid = x.indices.sorted { x[$0] < x[$1] }[x.count / 2]
                let beta = (y[mid] - eInf) / Double.pow(e0 - y[mid], a) * Double.pow(x[mid], c)
                starts.append([eInf, e0, a, max(beta, 1e-12), c])
            }
        }
        return starts
    }
}
