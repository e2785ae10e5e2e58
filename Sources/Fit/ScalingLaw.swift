import RealModule
import ScalefitCore

/// Where a law's parameter may lie. Bounds are kept by reparametrisation, never by
/// clipping: the optimiser works on an unconstrained θ and the law sees p = g(θ).
public enum ParameterDomain: Sendable, Hashable, CustomStringConvertible {
    /// Any real number (p = θ).
    case real
    /// p > 0 (p = e^θ).
    case positive
    /// p ≥ 0 in practice, fitted as p = e^θ: 0 is the limit θ → −∞, so a floor that is
    /// really 0 shows up as a huge standard error and a warning.
    case nonNegative
    /// lower < p < upper (p = lower + (upper − lower)·σ(θ), σ the logistic function).
    case interval(Double, Double)

    public var description: String {
        switch self {
        case .real: "real"
        case .positive: "> 0"
        case .nonNegative: "≥ 0"
        case .interval(let lo, let hi): "(\(lo), \(hi))"
        }
    }

    /// p = g(θ).
    @inline(__always)
    func natural(_ theta: Double) -> Double {
        switch self {
        case .real: theta
        case .positive, .nonNegative: Double.exp(theta)
        case .interval(let lo, let hi): lo + (hi - lo) / (1 + Double.exp(-theta))
        }
    }

    /// dp/dθ at θ.
    @inline(__always)
    func derivative(_ theta: Double) -> Double {
        switch self {
        case .real: return 1
        case .positive, .nonNegative: return Double.exp(theta)
        case .interval(let lo, let hi):
            let s = 1 / (1 + Double.exp(-theta))
            return (hi - lo) * s * (1 - s)
        }
    }

    /// θ = g⁻¹(p), with p pulled just inside the domain first.
    func unconstrained(_ p: Double) -> Double {
        switch self {
        case .real: return p
        case .positive, .nonNegative: return Double.log(max(p, 1e-300))
        case .interval(let lo, let hi):
            let width = hi - lo
            let s = min(max((p - lo) / width, 1e-12), 1 - 1e-12)
            return Double.log(s / (1 - s))
        }
    }

    /// Whether p is inside the domain.
    func contains(_ p: Double) -> Bool {
        switch self {
        case .real: p.isFinite
        case .positive: p > 0 && p.isFinite
        case .nonNegative: p >= 0 && p.isFinite
        case .interval(let lo, let hi): p > lo && p < hi
        }
    }

    /// Whether θ is so far out that the parameter sits at a bound of its domain.
    func isAtBound(_ theta: Double) -> Bool {
        switch self {
        case .real, .positive: false
        case .nonNegative: theta < -30
        case .interval: abs(theta) > 25
        }
    }
}

/// One parameter of a law: its name (as in docs/design.md's output contract), domain and meaning.
public struct LawParameter: Sendable, Hashable {
    public var name: String
    public var domain: ParameterDomain
    public var meaning: String

    public init(_ name: String, _ domain: ParameterDomain, _ meaning: String) {
        self.name = name
        self.domain = domain
        self.meaning = meaning
    }
}

/// A quantity computed from the fitted parameters (β from c, the compute-optimal
/// exponent of Chinchilla, a plateau onset…), reported with bootstrap intervals.
public struct DerivedQuantity: Sendable {
    public var name: String
    public var meaning: String
    public var value: @Sendable ([Double]) -> Double?

    public init(_ name: String, _ meaning: String, value: @escaping @Sendable ([Double]) -> Double?) {
        self.name = name
        self.meaning = meaning
        self.value = value
    }
}

/// A scaling law: a formula L(x; p) (or L(x, x₂; p)) with its analytic gradient, the
/// domain of each parameter and data-driven starting points.
///
/// Laws are small values; the fitter (``LawFitter``) knows nothing of any particular law.
public protocol ScalingLaw: Sendable {
    /// The name the CLI and the JSON use (`power`, `saturating`, `broken2`, …).
    var name: String { get }
    /// The formula in plain text, e.g. `L = E + A·n^(-alpha)`.
    var formula: String { get }
    /// The parameters, in the order of the vectors passed to ``value(_:_:parameters:)``.
    var parameters: [LawParameter] { get }
    /// 1 for L(n), 2 for L(N, D).
    var inputCount: Int { get }
    /// Quantities derived from the parameters.
    var derived: [DerivedQuantity] { get }

    /// L at (x, x2) for parameters p.
    func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double
    /// ∂L/∂p_j at (x, x2), written into `gradient` (length = parameter count).
    func gradient(_ x: Double, _ x2: Double, parameters p: [Double], into gradient: inout [Double])
    /// L and its gradient together (laws override it when the two share work).
    func valueAndGradient(_ x: Double, _ x2: Double, parameters p: [Double], into gradient: inout [Double]) -> Double
    /// Starting points computed from the data (the first is the best guess); grids add more.
    func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]]
    /// The first `limit` of ``initialGuesses(x:x2:y:)`` (a fit asked for fewer starts),
    /// from inputs whose logarithms are known; laws whose every guess costs a pass over
    /// the data compute only those.
    func initialGuesses(_ inputs: LawInputs, y: [Double], limit: Int) -> [[Double]]
    /// A reason the law cannot be fitted to this data as asked (e.g. too few points), or nil.
    func unsuitability(pointCount: Int, fixed: Set<String>) -> String?
    /// The same curve with its parameters in a canonical order, for laws whose parameters
    /// can be permuted without changing the curve (the breaks of a broken power law).
    func canonicalized(_ p: [Double]) -> [Double]
    /// L at every input point, and (when `gradients` is given) ∂L/∂p_j at point i into
    /// `gradients[i·P + j]` (P = parameter count). The fitter calls this in its inner loop;
    /// the default goes point by point through ``valueAndGradient(_:_:parameters:into:)``,
    /// and laws override it to use the precomputed logarithms of ``LawInputs``.
    func evaluate(
        _ inputs: LawInputs, parameters p: [Double], values: UnsafeMutablePointer<Double>,
        gradients: UnsafeMutablePointer<Double>?)
    /// Whether ``evaluate(_:parameters:values:gradients:)`` gives the gradient for little
    /// more than the value; the fitter then computes both at every residual evaluation
    /// and reuses the gradient for the Jacobian at the same point.
    var gradientIsCheap: Bool { get }
}

/// The inputs of a fit, prepared once: x (and x₂) with their natural logarithms (NaN where
/// an input is not positive), so that x^(−α) costs one `exp` instead of a `pow`.
///
/// Sweeps repeat their inputs (a grid of model sizes × token counts: Chinchilla-style data
/// has a dozen distinct N among hundreds of runs). When at most half the points have a
/// distinct value, the distinct logarithms and each point's slot among them are kept too,
/// so that a law can compute x^(−α) once per distinct value (the same numbers, fewer `exp`).
public struct LawInputs: Sendable {
    public let x: [Double]
    public let x2: [Double]?
    public let logX: [Double]
    public let logX2: [Double]?
    /// The distinct values of `logX` and, for each point, the index of its own; nil when
    /// more than half the points are distinct.
    public let distinctX: Distinct?
    /// The same for `logX2`.
    public let distinctX2: Distinct?

    /// Distinct values of one input's logarithm and each point's index among them.
    public struct Distinct: Sendable {
        public let values: [Double]
        public let slot: [Int32]

        /// nil when more than half of `logs` are distinct (or any is NaN).
        init?(_ logs: [Double]) {
            var index: [Double: Int32] = [:]
            var values: [Double] = []
            var slot: [Int32] = []
            slot.reserveCapacity(logs.count)
            for value in logs {
                guard !value.isNaN else { return nil }
                if let known = index[value] {
                    slot.append(known)
                } else {
                    guard 2 * (values.count + 1) <= logs.count else { return nil }
                    index[value] = Int32(values.count)
                    slot.append(Int32(values.count))
                    values.append(value)
                }
            }
            self.values = values
            self.slot = slot
        }

        private init(values: [Double], slot: [Int32]) {
            self.values = values
            self.slot = slot
        }

        func resampled(_ indices: [Int]) -> Distinct {
            Distinct(values: values, slot: indices.map { slot[$0] })
        }
    }

    public init(x: [Double], x2: [Double]?) {
        self.x = x
        self.x2 = x2
        logX = x.map { $0 > 0 ? Double.log($0) : .nan }
        logX2 = x2.map { $0.map { $0 > 0 ? Double.log($0) : .nan } }
        // Only two-input laws use the tables so far; single-input fits skip the hashing.
        if let logX2 {
            distinctX = Distinct(logX)
            distinctX2 = Distinct(logX2)
        } else {
            distinctX = nil
            distinctX2 = nil
        }
    }

    public var count: Int { x.count }

    /// The inputs at the given indices (a bootstrap resample).
    func resampled(_ indices: [Int]) -> LawInputs {
        LawInputs(
            x: indices.map { x[$0] }, x2: x2.map { all in indices.map { all[$0] } },
            logX: indices.map { logX[$0] }, logX2: logX2.map { all in indices.map { all[$0] } },
            distinctX: distinctX?.resampled(indices), distinctX2: distinctX2?.resampled(indices))
    }

    private init(x: [Double], x2: [Double]?, logX: [Double], logX2: [Double]?, distinctX: Distinct?, distinctX2: Distinct?) {
        self.x = x
        self.x2 = x2
        self.logX = logX
        self.logX2 = logX2
        self.distinctX = distinctX
        self.distinctX2 = distinctX2
    }
}

extension ScalingLaw {
    public var inputCount: Int { 1 }
    public var derived: [DerivedQuantity] { [] }
    public var parameterNames: [String] { parameters.map(\.name) }

    public func unsuitability(pointCount: Int, fixed: Set<String>) -> String? { nil }

    public func canonicalized(_ p: [Double]) -> [Double] { p }

    public func initialGuesses(_ inputs: LawInputs, y: [Double], limit: Int) -> [[Double]] {
        Array(initialGuesses(x: inputs.x, x2: inputs.x2, y: y).prefix(max(limit, 0)))
    }

    public var gradientIsCheap: Bool { false }

    public func evaluate(
        _ inputs: LawInputs, parameters p: [Double], values: UnsafeMutablePointer<Double>,
        gradients: UnsafeMutablePointer<Double>?
    ) {
        let count = parameters.count
        let x = inputs.x, x2 = inputs.x2
        guard let gradients else {
            for i in 0..<x.count { values[i] = value(x[i], x2?[i] ?? .nan, parameters: p) }
            return
        }
        var g = [Double](repeating: 0, count: count)
        for i in 0..<x.count {
            values[i] = valueAndGradient(x[i], x2?[i] ?? .nan, parameters: p, into: &g)
            for j in 0..<count { gradients[i &* count &+ j] = g[j] }
        }
    }

    public func valueAndGradient(_ x: Double, _ x2: Double, parameters p: [Double], into gradient: inout [Double]) -> Double {
        self.gradient(x, x2, parameters: p, into: &gradient)
        return value(x, x2, parameters: p)
    }

    /// The index of the parameter called `name`.
    public func index(of name: String) -> Int? { parameters.firstIndex { $0.name == name } }

    /// L at many points.
    public func values(x: [Double], x2: [Double]?, parameters p: [Double]) -> [Double] {
        x.indices.map { value(x[$0], x2?[$0] ?? .nan, parameters: p) }
    }
}

// MARK: - Shared guesses

enum Guess {
    /// Slope and intercept of the least-squares line through (log x, log y).
    static func logLogLine(x: [Double], y: [Double]) -> (slope: Double, intercept: Double) {
        logLogLine(logX: x.map { $0 > 0 ? Double.log($0) : .nan }, y: y)
    }

    /// The exponent α of L = E + A·x^(−α) that the floor E does not bias: with the points in
    /// three groups by x, (ȳ₁ − ȳ₂)/(ȳ₂ − ȳ₃) = e^(αΔ) for groups Δ apart in log x, whatever E
    /// and A. nil when the curve does not fall through the three groups (or has fewer than
    /// six points); the result is clamped to [0.02, 5].
    static func floorFreeExponent(logX: [Double], y: [Double]) -> Double? {
        let n = logX.count
        guard n >= 6, y.count == n, logX.allSatisfy(\.isFinite) else { return nil }
        let sorted = (1..<n).allSatisfy { logX[$0 - 1] <= logX[$0] }
        let order = sorted ? [] : (0..<n).sorted { logX[$0] < logX[$1] }
        var u = (0.0, 0.0, 0.0), v = (0.0, 0.0, 0.0), counts = (0.0, 0.0, 0.0)
        for rank in 0..<n {
            let i = sorted ? rank : order[rank]
            switch 3 * rank / n {
            case 0: u.0 += logX[i]; v.0 += y[i]; counts.0 += 1
            case 1: u.1 += logX[i]; v.1 += y[i]; counts.1 += 1
            default: u.2 += logX[i]; v.2 += y[i]; counts.2 += 1
            }
        }
        u = (u.0 / counts.0, u.1 / counts.1, u.2 / counts.2)
        v = (v.0 / counts.0, v.1 / counts.1, v.2 / counts.2)
        let ratio = (v.0 - v.1) / (v.1 - v.2), spacing = 0.5 * (u.2 - u.0)
        guard v.0 > v.1, v.1 > v.2, ratio > 1, ratio.isFinite, spacing > 0 else { return nil }
        let alpha = Double.log(ratio) / spacing
        return alpha.isFinite ? min(max(alpha, 0.02), 5) : nil
    }

    /// The same from log x (NaN where x is not positive).
    static func logLogLine(logX: [Double], y: [Double]) -> (slope: Double, intercept: Double) {
        var sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0, n = 0.0
        for i in logX.indices where !logX[i].isNaN && y[i] > 0 {
            let lx = logX[i], ly = Double.log(y[i])
            sx += lx; sy += ly; sxx += lx * lx; sxy += lx * ly; n += 1
        }
        guard n >= 2 else { return (0, sy / max(n, 1)) }
        let denominator = n * sxx - sx * sx
        guard denominator > 0 else { return (0, sy / n) }
        let slope = (n * sxy - sx * sy) / denominator
        return (slope, (sy - slope * sx) / n)
    }

    /// Best (E, A) for fixed α in L = E + A·x^(−α), by least squares on relative errors,
    /// with E clamped to [0, 0.99·min y] and A > 0. Takes log x (computed once by callers
    /// that try several α) and min y.
    static func floorAndScale(logX: [Double], y: [Double], minY: Double, alpha: Double) -> (floor: Double, scale: Double) {
        // Weighted linear LS with weights 1/y² (≈ log-space residuals).
        var s00 = 0.0, s01 = 0.0, s11 = 0.0, t0 = 0.0, t1 = 0.0
        for i in logX.indices {
            let w = 1 / (y[i] * y[i]), g = Double.exp(-alpha * logX[i])
            s00 += w; s01 += w * g; s11 += w * g * g; t0 += w * y[i]; t1 += w * g * y[i]
        }
        let det = s00 * s11 - s01 * s01
        var e = det != 0 ? (t0 * s11 - t1 * s01) / det : 0
        e = min(max(e, 0), 0.99 * minY)
        let a = s11 > 0 ? max((t1 - e * s01) / s11, 1e-12) : 1
        return (e, a)
    }

    /// `count` values log-spaced strictly inside (lo, hi).
    static func logSpaced(_ lo: Double, _ hi: Double, count: Int) -> [Double] {
        guard lo > 0, hi > lo, count > 0 else { return [] }
        let a = Double.log(lo), b = Double.log(hi)
        return (1...count).map { Double.exp(a + (b - a) * Double($0) / Double(count + 1)) }
    }
}
