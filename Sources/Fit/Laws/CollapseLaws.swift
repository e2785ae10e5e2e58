import GSL
import RealModule
import ScalefitCore

/// The tail mass Σ_{i>k} p_i of Zipf(β) with infinite support: ζ(β, k + 1)/ζ(β).
func zipfTailMass(beta: Double, k: Double) -> Double? {
    guard let z = SpecialFunctions.riemannZeta(beta), let tail = SpecialFunctions.hurwitzZeta(beta, k + 1) else { return nil }
    return tail / z
}

/// The cut rank k whose Zipf(β) tail mass is `mass` (bisection in log k), or nil.
func zipfCutRank(beta: Double, tailMass mass: Double) -> Double? {
    guard beta > 1, mass > 0, mass < 1 else { return nil }
    var lo = 0.0, hi = 60.0  // log k
    guard let atHi = zipfTailMass(beta: beta, k: Double.exp(hi)), atHi < mass else { return nil }
    for _ in 0..<200 {
        let mid = 0.5 * (lo + hi)
        guard let m = zipfTailMass(beta: beta, k: Double.exp(mid)) else { return nil }
        if m > mass { lo = mid } else { hi = mid }
        if hi - lo < 1e-12 { break }
    }
    return Double.exp(0.5 * (lo + hi))
}

/// `tailcut-asymptotic`: L = a·n^(−(1 − 1/β)) + F — clean Zipf(β) scaling plus the floor F left by a
/// tail cut (A Tale of Tails, Thm 2.1; docs/collapse-theory.md §1).
///
/// Derived: the clean exponent c = 1 − 1/β, the cut rank k whose tail mass
/// ζ(β, k+1)/ζ(β) equals F (the normaliser of an infinite Zipf law), and the plateau
/// onset n₁ = k^β·ζ(β) (where n·p_k ≈ 1).
/// The paper's asymptotic statement (≍: constants and the crossover dropped), not the curve
/// the memoriser follows: on exact curves it gives biased β and k (use `tailcut`,
/// ``ExactTailCutLaw``, for those).
public struct TailCutLaw: ScalingLaw {
    public init() {}
    public var name: String { "tailcut-asymptotic" }
    public var formula: String { "L = a·n^(-(1-1/beta)) + floor" }
    public var parameters: [LawParameter] { Self.parameterList }
    private static let parameterList: [LawParameter] = [
            .init("a", .positive, "scale of the clean term"), .init("beta", .interval(1, 20), "Zipf exponent"),
            .init("floor", .nonNegative, "plateau: the missing tail mass", role: .floor),
        ]

    public var derived: [DerivedQuantity] {
        [
            DerivedQuantity("c", "clean exponent 1 − 1/β") { p in 1 - 1 / p[1] },
            DerivedQuantity("k", "cut rank with tail mass = floor (Zipf, infinite support)") { p in
                zipfCutRank(beta: p[1], tailMass: p[2])
            },
            DerivedQuantity("onset", "plateau onset n₁ = k^β·ζ(β)") { p in
                guard let k = zipfCutRank(beta: p[1], tailMass: p[2]), let z = SpecialFunctions.riemannZeta(p[1]) else { return nil }
                return Double.pow(k, p[1]) * z
            },
        ]
    }

    public func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double {
        p[0] * Double.pow(x, -(1 - 1 / p[1])) + p[2]
    }

    public func gradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) {
        let c = 1 - 1 / p[1]
        let power = Double.pow(x, -c)
        g[0] = power
        g[1] = -p[0] * power * Double.log(x) / (p[1] * p[1])
        g[2] = 1
    }

    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        SaturatingLaw().initialGuesses(x: x, x2: x2, y: y).compactMap { s in
            let alpha = min(max(s[2], 0.02), 0.94)
            return [s[1], 1 / (1 - alpha), s[0]]
        }
    }
}

/// `narrowing-asymptotic`: L = a·n^(−(β − 1)/β′) — training on Zipf(β′) data, testing on Zipf(β)
/// (docs/collapse-theory.md §1). β and β′ enter only through their ratio, so β must be
/// fixed from a clean run (`--fix beta=B`).
public struct NarrowingLaw: ScalingLaw {
    public init() {}
    public var name: String { "narrowing-asymptotic" }
    public var formula: String { "L = a·n^(-(beta-1)/beta_prime)" }
    public var parameters: [LawParameter] { Self.parameterList }
    private static let parameterList: [LawParameter] = [
            .init("a", .positive, "scale"), .init("beta", .interval(1, 20), "Zipf exponent of the real data (fix it)"),
            .init("beta_prime", .interval(1, 100), "Zipf exponent of the narrowed training data"),
        ]

    public var derived: [DerivedQuantity] {
        [DerivedQuantity("exponent", "observed exponent (β − 1)/β′") { p in (p[1] - 1) / p[2] }]
    }

    public func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double {
        p[0] * Double.pow(x, -(p[1] - 1) / p[2])
    }

    public func gradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) {
        let e = (p[1] - 1) / p[2]
        let power = Double.pow(x, -e), lx = Double.log(x)
        g[0] = power
        g[1] = -p[0] * power * lx / p[2]
        g[2] = p[0] * power * lx * (p[1] - 1) / (p[2] * p[2])
    }

    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        let line = Guess.logLogLine(x: x, y: y)
        let e = min(max(-line.slope, 0.01), 0.95)
        return [[Double.exp(line.intercept), 2, 1 / e], [Double.exp(line.intercept), 1.5, 0.5 / e]]
    }

    public func unsuitability(pointCount: Int, fixed: Set<String>) -> String? {
        fixed.contains("beta") || fixed.contains("beta_prime")
            ? nil
            : "narrowing-asymptotic: beta and beta_prime enter only through (beta-1)/beta_prime; fix beta from a clean run (--fix beta=B)"
    }
}

/// `mixing-asymptotic`: L = a·n^(−c) + softmin(F, a·(π·n)^(−c)) with c = 1 − 1/β — a clean fraction π
/// mixed with tail-cut data (A Tale of Tails, Thm 3.2; docs/collapse-theory.md §1): descent,
/// a plateau at F, and a second descent ("grokking") once π·n covers the tail.
///
/// softmin(u, v) = (u^(−s) + v^(−s))^(−1/s) with s = 4, a smooth stand-in for min that keeps
/// the Jacobian continuous.
/// Asymptotic (the soft minimum replaces the crossover); ``ExactMixingLaw`` (`mixing`) is the
/// memoriser's own curve.
public struct MixingLaw: ScalingLaw {
    static let sharpness = 4.0
    public init() {}
    public var name: String { "mixing-asymptotic" }
    public var formula: String { "L = a·n^(-c) + softmin(floor, a·(pi·n)^(-c)), c = 1-1/beta" }
    public var parameters: [LawParameter] { Self.parameterList }
    private static let parameterList: [LawParameter] = [
            .init("a", .positive, "scale"), .init("beta", .interval(1, 20), "Zipf exponent"),
            .init("floor", .positive, "plateau level (tail mass of the cut part)", role: .floor),
            .init("pi", .interval(0, 1), "clean fraction"),
        ]

    public var derived: [DerivedQuantity] {
        [
            DerivedQuantity("c", "clean exponent 1 − 1/β") { p in 1 - 1 / p[1] },
            DerivedQuantity("k", "cut rank with tail mass = floor") { p in zipfCutRank(beta: p[1], tailMass: p[2]) },
            DerivedQuantity("plateau_start", "n₁ where a·n^(−c) = floor") { p in
                Double.pow(p[0] / p[2], 1 / (1 - 1 / p[1]))
            },
            DerivedQuantity("plateau_end", "n₂ = n₁/π, second-descent onset") { p in
                Double.pow(p[0] / p[2], 1 / (1 - 1 / p[1])) / p[3]
            },
            DerivedQuantity("plateau_decades", "plateau span log10(1/π)") { p in -Double.log10(p[3]) },
        ]
    }

    public func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double {
        let c = 1 - 1 / p[1], s = Self.sharpness
        let clean = p[0] * Double.pow(x, -c)
        let late = p[0] * Double.pow(p[3] * x, -c)
        let m = Double.pow(Double.pow(p[2], -s) + Double.pow(late, -s), -1 / s)
        return clean + m
    }

    public func gradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) {
        let a = p[0], beta = p[1], f = p[2], pi = p[3]
        let c = 1 - 1 / beta, s = Self.sharpness
        let clean = a * Double.pow(x, -c)
        let late = a * Double.pow(pi * x, -c)
        let m = Double.pow(Double.pow(f, -s) + Double.pow(late, -s), -1 / s)
        let dmdf = Double.pow(m / f, 1 + s)
        let dmdlate = Double.pow(m / late, 1 + s)
        let dcdbeta = 1 / (beta * beta)
        g[0] = clean / a + dmdlate * late / a
        g[1] = (-clean * Double.log(x) + dmdlate * (-late * Double.log(pi * x))) * dcdbeta
        g[2] = dmdf
        g[3] = dmdlate * (-c * late / pi)
    }

    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        guard let minY = y.min(), let maxY = y.max() else { return [] }
        let order = x.indices.sorted { x[$0] < x[$1] }
        let head = Array(order.prefix(max(2, order.count / 4)))
        let line = Guess.logLogLine(x: head.map { x[$0] }, y: head.map { y[$0] })
        let c = min(max(-line.slope, 0.05), 0.9)
        let a = Double.exp(line.intercept)
        var starts: [[Double]] = []
        for floorGuess in [minY, (minY * maxY).squareRoot() / 2, 2 * minY] {
            for pi in [0.3, 0.1, 0.01, 0.001] {
                starts.append([a, 1 / (1 - c), floorGuess, pi])
            }
        }
        return starts
    }
}

/// The plateau (floor) against the number of synthetic generations n
/// (docs/collapse-theory.md §5): `generations-linear` F = F0 + b·n, `generations-power`
/// F = F0 + b·n^c, `generations-log` F = F0 + b·ln n. `--model generations` fits all three
/// and compares them.
public struct GenerationLaw: ScalingLaw {
    public enum Form: String, CaseIterable, Sendable { case linear, power, log }
    public let form: Form

    public init(_ form: Form) { self.form = form }
    public var name: String { "generations-\(form.rawValue)" }
    /// Generations are counted from 0.
    public var needsPositiveInputs: Bool { false }
    public var formula: String {
        switch form {
        case .linear: "floor = F0 + b·n"
        case .power: "floor = F0 + b·n^c"
        case .log: "floor = F0 + b·ln(n)"
        }
    }
    public var parameters: [LawParameter] {
        var list: [LawParameter] = [.init("F0", .real, "floor at generation 0 (or 1 for log)"), .init("b", .real, "growth")]
        if form == .power { list.append(.init("c", .positive, "growth exponent")) }
        return list
    }

    public func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double {
        switch form {
        case .linear: p[0] + p[1] * x
        case .power: p[0] + p[1] * Double.pow(x, p[2])
        case .log: p[0] + p[1] * Double.log(x)
        }
    }

    public func gradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) {
        g[0] = 1
        switch form {
        case .linear: g[1] = x
        case .power:
            let power = Double.pow(x, p[2])
            g[1] = power
            g[2] = p[1] * power * Double.log(x)
        case .log: g[1] = Double.log(x)
        }
    }

    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        let order = x.indices.sorted { x[$0] < x[$1] }
        guard let first = order.first, let last = order.last, x[last] > x[first] else { return [] }
        let f0 = y[first]
        switch form {
        case .linear:
            let b = (y[last] - y[first]) / (x[last] - x[first])
            return [[y[first] - b * x[first], b]]
        case .log:
            let b = (y[last] - y[first]) / (Double.log(x[last]) - Double.log(x[first]))
            return [[y[first] - b * Double.log(x[first]), b]]
        case .power:
            return [0.5, 1, 2].map { c in
                let b = (y[last] - y[first]) / (Double.pow(x[last], c) - Double.pow(x[first], c))
                return [f0 - b * Double.pow(x[first], c), b, c]
            }
        }
    }
}
