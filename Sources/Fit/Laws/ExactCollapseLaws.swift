import Foundation
import ScalefitCore

/// What the three exact collapse laws share: the curve is the memoriser's expected error
/// (``MemoriserCurve``, docs/collapse-theory.md), evaluated for all points at once; the
/// gradient is a central difference of that curve in each parameter (step 1e-5 relative),
/// whose agreement with the analytic form is checked in Tests/FitTests/ExactCollapseLawTests.
protocol MemoriserLaw: ScalingLaw {
    /// The mechanism and β for parameters p, or nil when p is outside the model.
    func mechanism(_ p: [Double]) -> (beta: Double, mechanism: MemoriserCurve.Mechanism)?
    /// Central-difference step for parameter j at value v.
    func step(_ j: Int, _ v: Double) -> Double
}

extension MemoriserLaw {
    func curve(_ ts: [Double], _ p: [Double]) -> [Double] {
        var out = [Double](repeating: .nan, count: ts.count)
        guard let (beta, m) = mechanism(p), MemoriserCurve.evaluate(beta: beta, m, at: ts, into: &out) else {
            return [Double](repeating: .nan, count: ts.count)
        }
        return out
    }

    public func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double { curve([x], p)[0] }

    public func gradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) {
        let grid = jacobian([x], p)
        for j in p.indices { g[j] = grid[j][0] }
    }

    /// ∂E/∂p_j at every t (one row per parameter), by central differences.
    func jacobian(_ ts: [Double], _ p: [Double]) -> [[Double]] {
        p.indices.map { j in
            let h = step(j, p[j])
            var up = p, down = p
            up[j] += h
            down[j] -= h
            let a = curve(ts, up), b = curve(ts, down)
            return ts.indices.map { (a[$0] - b[$0]) / (2 * h) }
        }
    }

    public func evaluate(
        _ inputs: LawInputs, parameters p: [Double], values: UnsafeMutablePointer<Double>,
        gradients: UnsafeMutablePointer<Double>?
    ) {
        let ts = inputs.x
        let e = curve(ts, p)
        for i in ts.indices { values[i] = e[i] }
        guard let gradients else { return }
        let jac = jacobian(ts, p)
        let count = p.count
        for i in ts.indices {
            for j in 0..<count { gradients[i * count + j] = jac[j][i] }
        }
    }

    /// Σ (ln y − ln E)² of parameters p on the data, or ∞.
    func logMisfit(_ x: [Double], _ y: [Double], _ p: [Double]) -> Double {
        let e = curve(x, p)
        var s = 0.0
        for i in x.indices {
            guard e[i] > 0, y[i] > 0 else { return .infinity }
            let r = Foundation.log(y[i]) - Foundation.log(e[i])
            s += r * r
        }
        return s.isFinite ? s : .infinity
    }

    /// The `count` best of `candidates` by log misfit (the first is the best guess).
    func ranked(_ candidates: [[Double]], x: [Double], y: [Double], count: Int) -> [[Double]] {
        let scored = candidates.map { ($0, logMisfit(x, y, $0)) }.filter { $0.1.isFinite }.sorted { $0.1 < $1.1 }
        return scored.prefix(count).map(\.0)
    }
}

/// Starting values read off a collapse curve.
enum CollapseGuess {
    /// β values tried (each scored by its log misfit): the initial slope gives c = 1 − 1/β
    /// only once T ≫ 1/p₁, so a grid is safer than reading β off the first points.
    static let betaGrid: [Double] = [1.2, 1.35, 1.5, 1.75, 2, 2.3, 2.7, 3.2, 4, 5]

    /// The points sorted by x, positive only.
    static func sorted(_ x: [Double], _ y: [Double]) -> (x: [Double], y: [Double]) {
        let order = x.indices.filter { x[$0] > 0 && y[$0] > 0 }.sorted { x[$0] < x[$1] }
        return (order.map { x[$0] }, order.map { y[$0] })
    }

    /// The level of the flattest stretch (smallest |log-log slope| over three-point windows),
    /// and the last point's value.
    static func plateauLevel(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count >= 4 else { return y.min() }
        var best: (slope: Double, level: Double)?
        for i in 1..<(x.count - 1) {
            let slope = (Foundation.log(y[i + 1]) - Foundation.log(y[i - 1])) / (Foundation.log(x[i + 1]) - Foundation.log(x[i - 1]))
            guard slope.isFinite else { continue }
            if best == nil || abs(slope) < best!.slope { best = (abs(slope), y[i]) }
        }
        return best?.level
    }

    /// The real cut rank whose unseen mass A·ζ(β, k + 1) is `mass`.
    static func cutRank(beta: Double, mass: Double) -> Double? {
        guard let k = zipfCutRank(beta: beta, tailMass: mass) else { return nil }
        return max(k, 1)
    }
}

/// `tailcut` (exact): the memoriser trained on Zipf(β) cut at rank k (q ∝ p on ranks ≤ k),
/// tested on Zipf(β) — E(T) = Σ_{i≤k} p_i (1 − p_i/P_k)^T + Σ_{i>k} p_i
/// (docs/collapse-theory.md §2–3). Pure form, no scale: the data are the memoriser's error.
public struct ExactTailCutLaw: MemoriserLaw {
    public init() {}
    public var name: String { "tailcut" }
    public var formula: String { "E(T) = sum_i p_i (1 - q_i)^T, p = Zipf(beta), q = p cut at rank k (exact memoriser curve)" }
    public var parameters: [LawParameter] { Self.parameterList }
    private static let parameterList: [LawParameter] = [
        .init("beta", .interval(1, 10), "Zipf exponent of the test law"),
        .init("k", .positive, "cut rank: ranks above k are never trained on"),
    ]

    func mechanism(_ p: [Double]) -> (beta: Double, mechanism: MemoriserCurve.Mechanism)? {
        (p[0], .cut(k: p[1], pi: 0))
    }

    func step(_ j: Int, _ v: Double) -> Double { j == 0 ? 1e-5 * (v - 1) : min(1e-4 * v, 1e-3) }

    public var derived: [DerivedQuantity] {
        [
            DerivedQuantity("plateau", "E(∞): the unseen tail mass Σ_{i>k} p_i = ζ(β, k+1)/ζ(β)") { p in
                MemoriserCurve.tailMass(beta: p[0], k: p[1])
            },
            DerivedQuantity("plateau_onset", "T₁ = k^β/A = k^β·ζ(β), where T·p_k ≈ 1") { p in
                MemoriserCurve.normaliser(p[0]).map { Foundation.pow(p[1], p[0]) / $0 }
            },
            DerivedQuantity("c", "clean exponent 1 − 1/β") { p in 1 - 1 / p[0] },
        ]
    }

    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        let (xs, ys) = CollapseGuess.sorted(x, y)
        guard let floor = ys.min() else { return [] }
        var candidates: [[Double]] = []
        for beta in CollapseGuess.betaGrid {
            for f in [0.98, 0.7] {
                if let k = CollapseGuess.cutRank(beta: beta, mass: f * floor) { candidates.append([beta, k]) }
            }
        }
        return ranked(candidates, x: xs, y: ys, count: 4)
    }
}

/// `mixing` (exact): a clean fraction π of Zipf(β) data mixed with data cut at rank k —
/// q_i = p_i·(π + (1 − π)/P_k) for i ≤ k, π·p_i beyond: descent, a plateau near the tail
/// mass, and a second descent once πT covers the tail (docs/collapse-theory.md §2–3).
public struct ExactMixingLaw: MemoriserLaw {
    public init() {}
    public var name: String { "mixing" }
    public var formula: String { "E(T) = sum_i p_i (1 - q_i)^T, q = pi*p + (1-pi)*(p cut at rank k) (exact memoriser curve)" }
    public var parameters: [LawParameter] { Self.parameterList }
    private static let parameterList: [LawParameter] = [
        .init("beta", .interval(1, 10), "Zipf exponent of the test law"),
        .init("k", .positive, "cut rank of the synthetic part"),
        .init("pi", .interval(0, 1), "clean fraction of the training stream"),
    ]

    func mechanism(_ p: [Double]) -> (beta: Double, mechanism: MemoriserCurve.Mechanism)? {
        (p[0], .cut(k: p[1], pi: p[2]))
    }

    func step(_ j: Int, _ v: Double) -> Double {
        switch j {
        case 0: 1e-5 * (v - 1)
        case 1: min(1e-4 * v, 1e-3)
        default: 1e-5 * min(v, 1 - v)
        }
    }

    public var derived: [DerivedQuantity] {
        [
            DerivedQuantity("plateau", "unseen tail mass of the cut part Σ_{i>k} p_i = ζ(β, k+1)/ζ(β) (the plateau level)") { p in
                MemoriserCurve.tailMass(beta: p[0], k: p[1])
            },
            DerivedQuantity("plateau_onset", "T₁ = k^β·ζ(β), where the plateau begins") { p in
                MemoriserCurve.normaliser(p[0]).map { Foundation.pow(p[1], p[0]) / $0 }
            },
            DerivedQuantity("second_descent_onset", "T₂ = T₁/π, where the clean fraction starts covering the tail") { p in
                MemoriserCurve.normaliser(p[0]).map { Foundation.pow(p[1], p[0]) / $0 / p[2] }
            },
            DerivedQuantity("c", "clean exponent 1 − 1/β") { p in 1 - 1 / p[0] },
        ]
    }

    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        let (xs, ys) = CollapseGuess.sorted(x, y)
        guard let level = CollapseGuess.plateauLevel(xs, ys) else { return [] }
        var candidates: [[Double]] = []
        let pis = [0.5, 0.2, 0.1, 0.04, 0.015, 5e-3, 2e-3, 7e-4, 2.5e-4, 1e-4]
        for beta in CollapseGuess.betaGrid {
            for f in [1.0, 0.6] {
                guard let k = CollapseGuess.cutRank(beta: beta, mass: f * level) else { continue }
                for pi in pis { candidates.append([beta, k, pi]) }
            }
        }
        return ranked(candidates, x: xs, y: ys, count: 5)
    }
}

/// `narrowing` (exact): trained on Zipf(β′) (q_i = i^(−β′)/ζ(β′) on every rank), tested on
/// Zipf(β). Asymptotically E ≍ T^(−(β−1)/β′), where only the ratio is identified; the exact
/// curve's bend at small T (where the head ranks are learned) separates β from β′ when the
/// data start early enough — otherwise fix β from a clean run (`--fix beta=B`).
public struct ExactNarrowingLaw: MemoriserLaw {
    public init() {}
    public var name: String { "narrowing" }
    public var formula: String { "E(T) = sum_i p_i (1 - q_i)^T, p = Zipf(beta), q = Zipf(beta_prime) (exact memoriser curve)" }
    public var parameters: [LawParameter] { Self.parameterList }
    private static let parameterList: [LawParameter] = [
        .init("beta", .interval(1, 10), "Zipf exponent of the test law"),
        .init("beta_prime", .interval(1, 20), "Zipf exponent of the narrowed training law"),
    ]

    func mechanism(_ p: [Double]) -> (beta: Double, mechanism: MemoriserCurve.Mechanism)? {
        (p[0], .narrowed(betaPrime: p[1]))
    }

    func step(_ j: Int, _ v: Double) -> Double { 1e-5 * (v - 1) }

    public var derived: [DerivedQuantity] {
        [DerivedQuantity("exponent", "asymptotic slope (β − 1)/β′") { p in (p[0] - 1) / p[1] }]
    }

    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        let (xs, ys) = CollapseGuess.sorted(x, y)
        guard xs.count >= 3 else { return [] }
        let late = Array(xs.indices.suffix(max(3, xs.count / 2)))
        let line = Guess.logLogLine(x: late.map { xs[$0] }, y: late.map { ys[$0] })
        let slope = min(max(-line.slope, 0.02), 0.95)
        var candidates: [[Double]] = []
        for beta in CollapseGuess.betaGrid {
            for f in [1.0, 0.85, 1.2] {
                let bp = (beta - 1) / (slope * f)
                if bp > 1.01 && bp < 19 { candidates.append([beta, bp]) }
            }
        }
        return ranked(candidates, x: xs, y: ys, count: 4)
    }
}
