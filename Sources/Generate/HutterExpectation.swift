import Foundation

/// The exact expected test error of the memorising learner (docs/collapse-theory.md §1),
///
///     E(T) = Σ_i p_i (1 − q_i)^T,   p_i = A·i^(−β) on ranks 1...N,
///
/// for a training law q that is a sum of Zipf components (clean, tail-cut, narrowed,
/// mixed). Each term is evaluated as p_i·exp(T·log1p(−q_i)), stable for T up to 1e15 and
/// beyond.
///
/// Where q is smooth (between the cut and the support end) the sum is split: ranks below
/// a = max(lo, 2048) are summed exactly; from a on, Euler–Maclaurin,
///
///     Σ_{i=a}^{b} f(i) = ∫_a^b f + (f(a)+f(b))/2 + (f′(b) − f′(a))/12 − (f‴(b) − f‴(a))/720 + R,
///     |R| ≤ 2ζ(4)/(2π)^4 · ∫_a^b |f⁗|,
///
/// with f(x) = A x^(−β) exp(T log1p(−q(x))). Because |f⁗(x)| ≲ p(x)·max_t e^(−t)(β(1+t))⁴/x⁴
/// whatever T is (t = T·q(x)), the bound is a few 1e-13 of E(T) or less once a ≥ 2048. The integral is taken by 16-point Gauss–Legendre panels in ln x
/// (width 1/(2·max exponent)) up to the rank where T_max·q < 1e-10, and analytically to
/// first order in T·q beyond (error below 1e-20 relative). Nodes are fixed in advance, so
/// each extra T costs one exp per node: N = 1e9 or ∞ costs about as much as N = 1e6.
/// Ranks whose term underflows (T·log1p(−q) < −745) are skipped.
///
/// Stated accuracy: relative error below 1e-11 for T ≤ `maxT` whenever E(T) > 1e-100 (when
/// every rank is surely seen, E underflows towards 0 and only the absolute error, below
/// 1e-140, is meaningful); the GenerateTests check this against the brute-force sum at
/// N = 1e6 (measured: at most 3e-13).
public final class HutterExpectation: Sendable {
    private let segments: [SegmentSum]
    /// The largest T the far-tail expansion was prepared for.
    public let maxT: Double

    /// Prepares the sums for the test law Zipf(β) on 1...N and the training law `training`.
    init(test: ZipfComponent, training: [ZipfComponent], maxT: Double) throws {
        try require(maxT.isFinite && maxT > 0, "T must be positive and finite")
        self.maxT = maxT
        let n = test.upper
        // Break points: every component's upper rank inside the support.
        var cuts = Set<Int>()
        for c in training { if let u = c.upper, n == nil || u < n! { cuts.insert(u) } }
        var bounds = cuts.sorted()
        var segments: [SegmentSum] = []
        var lo = 1
        bounds.append(n ?? Int.max)
        for b in bounds {
            let hi: Int? = (b == Int.max) ? nil : b
            if let hi, hi < lo { continue }
            let terms = training.filter { c in c.coefficient > 0 && (c.upper == nil || (hi != nil && c.upper! >= hi!)) }
                .map { PowerTerm(coefficient: $0.coefficient, exponent: $0.exponent) }
            segments.append(try SegmentSum(a: test.coefficient, beta: test.exponent, lo: lo, hi: hi, terms: terms, maxT: maxT))
            if let hi { lo = hi + 1 } else { break }
        }
        self.segments = segments
    }

    /// The exact curve of a hutter setting without generations (its `t` and `mode` are
    /// ignored), usable as an oracle for any 0 < T ≤ `maxT`:
    ///
    /// ```swift
    /// let e = try HutterExpectation(setting: HutterSetting(beta: 2, cut: 100, t: [1]), maxT: 1e15)
    /// e.expectedError(1e15)   // 0.006048975982604928 = A·ζ(2, 101), the plateau
    /// ```
    /// - Throws: ``GenerateError/invalidParameter(_:)`` for a bad setting or one with generations
    ///   (whose law is random: use ``HutterSetting/generate(seed:toolVersion:)``).
    public convenience init(setting: HutterSetting, maxT: Double) throws {
        var checked = setting
        checked.t = [Swift.min(Swift.max(maxT, 1), 1e18)]
        checked.mode = .exact
        try checked.validate()
        try require(setting.generations == 0, "the exact oracle needs a setting without generations")
        try self.init(test: setting.testLaw(), training: setting.trainingLaw(), maxT: maxT)
    }

    /// E(T) for one T (0 < T ≤ maxT).
    public func expectedError(_ t: Double) -> Double {
        precondition(t > 0 && t <= maxT * (1 + 1e-12), "expectedError: T outside (0, maxT]")
        return segments.reduce(0) { $0 + $1.sum(t) }
    }
}

/// c·x^(−γ).
struct PowerTerm: Sendable, Hashable {
    var coefficient: Double
    var exponent: Double
}

/// Gauss–Legendre nodes and weights on [−1, 1], computed once by Newton's method on P_n.
enum GaussLegendre {
    static let order = 16
    static let rule: (nodes: [Double], weights: [Double]) = {
        let n = order
        var nodes = [Double](repeating: 0, count: n), weights = nodes
        for i in 0..<n {
            var x = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = x
                for k in 2...n {
                    let p2 = ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)
                    p0 = p1; p1 = p2
                }
                derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
                let step = p1 / derivative
                x -= step
                if abs(step) < 1e-16 { break }
            }
            nodes[i] = x
            weights[i] = 2 / ((1 - x * x) * derivative * derivative)
        }
        return (nodes, weights)
    }()
}

/// Σ_{i=lo}^{hi} A i^(−β) (1 − q(i))^T on one segment where q(x) = Σ_j c_j x^(−γ_j).
final class SegmentSum: Sendable {
    static let exactLimit = 8192
    static let emStart = 2048

    let a: Double, beta: Double
    let lo: Int, hi: Int?
    let terms: [PowerTerm]
    /// Σ p over the segment when q ≡ 0.
    let constantMass: Double?
    /// Exact head, ranks lo..<emFrom: p_i and log1p(−q_i) (increasing).
    let headP: [Double], headL: [Double]
    /// Euler–Maclaurin start, or nil when the whole segment is exact.
    let emFrom: Int?
    let nodeW: [Double], nodeL: [Double]
    let farMass: Double, farPQ: Double

    init(a: Double, beta: Double, lo: Int, hi: Int?, terms: [PowerTerm], maxT: Double) throws {
        self.a = a
        self.beta = beta
        self.lo = lo
        self.hi = hi
        self.terms = terms
        let pTerm = PowerTerm(coefficient: a, exponent: beta)
        if terms.isEmpty {
            constantMass = a * (try ZipfMath.powerSum(beta, from: lo, through: hi))
            headP = []; headL = []; emFrom = nil; nodeW = []; nodeL = []; farMass = 0; farPQ = 0
            return
        }
        constantMass = nil
        let allExact = hi != nil && hi! - lo < SegmentSum.exactLimit
        let em = allExact ? nil : Swift.max(lo, SegmentSum.emStart)
        let headEnd = em.map { $0 - 1 } ?? hi!
        var hp: [Double] = [], hl: [Double] = []
        if headEnd >= lo {
            hp.reserveCapacity(headEnd - lo + 1)
            for i in lo...headEnd {
                let x = Double(i)
                hp.append(SegmentSum.evaluate([pTerm], x))
                hl.append(log1p(-SegmentSum.evaluate(terms, x)))
            }
        }
        headP = hp; headL = hl
        emFrom = em
        guard let em else { nodeW = []; nodeL = []; farMass = 0; farPQ = 0; return }
        // Where T_max·q(x) < 1e-10 the first-order expansion is exact to 1e-20.
        var xFar = Double(em)
        for t in terms {
            xFar = Swift.max(xFar, exp(log(t.coefficient * maxT * Double(terms.count) * 1e10) / t.exponent))
        }
        let xEnd = Swift.min(xFar, hi.map(Double.init) ?? .infinity)
        var w: [Double] = [], l: [Double] = []
        let u0 = log(Double(em)), u1 = log(xEnd)
        if u1 > u0 {
            let gammaMax = terms.reduce(beta) { Swift.max($0, $1.exponent) }
            let panels = Int(((u1 - u0) * 2 * gammaMax).rounded(.up))
            let width = (u1 - u0) / Double(panels)
            let rule = GaussLegendre.rule
            for k in 0..<panels {
                let mid = u0 + (Double(k) + 0.5) * width
                for j in 0..<GaussLegendre.order {
                    let u = mid + 0.5 * width * rule.nodes[j]
                    let x = exp(u)
                    w.append(0.5 * width * rule.weights[j] * SegmentSum.evaluate([pTerm], x) * x)
                    l.append(log1p(-SegmentSum.evaluate(terms, x)))
                }
            }
            // Nodes in increasing x: rule.nodes are in decreasing order, so sort per panel.
            let order = (0..<w.count).sorted { l[$0] < l[$1] }
            w = order.map { w[$0] }
            l = order.map { l[$0] }
        }
        nodeW = w; nodeL = l
        // ∫_{xEnd}^{hi} p (1 + T·log1p(−q)) ≈ ∫ p − T ∫ p q.
        let top = hi.map(Double.init) ?? .infinity
        if xEnd < top {
            farMass = SegmentSum.integral(pTerm, nil, xEnd, top)
            farPQ = terms.reduce(0) { $0 + SegmentSum.integral(pTerm, $1, xEnd, top) }
        } else {
            farMass = 0; farPQ = 0
        }
    }

    /// Σ_j c_j x^(−γ_j).
    @inline(__always) static func evaluate(_ terms: [PowerTerm], _ x: Double) -> Double {
        let lx = log(x)
        var s = 0.0
        for t in terms { s += t.coefficient * exp(-t.exponent * lx) }
        return s
    }

    /// ∫_x0^x1 A x^(−β) [· c x^(−γ)] dx.
    static func integral(_ p: PowerTerm, _ q: PowerTerm?, _ x0: Double, _ x1: Double) -> Double {
        let c = p.coefficient * (q?.coefficient ?? 1)
        let e = p.exponent + (q?.exponent ?? 0) - 1  // ∫ x^(−e−1) = x^(−e)/e… with e > 0
        let upper = x1.isInfinite ? 0 : exp(-e * log(x1))
        return c * (exp(-e * log(x0)) - upper) / e
    }

    /// Σ_{i} p_i exp(T·L_i) over arrays with L increasing; skips underflowing terms.
    @inline(__always) static func expSum(_ p: [Double], _ l: [Double], _ t: Double) -> Double {
        // First index with T·L ≥ −745.
        var low = 0, high = l.count
        let threshold = -745.0 / t
        while low < high {
            let mid = (low + high) / 2
            if l[mid] < threshold { low = mid + 1 } else { high = mid }
        }
        var s = 0.0
        p.withUnsafeBufferPointer { pb in
            l.withUnsafeBufferPointer { lb in
                for i in low..<lb.count { s += pb[i] * exp(t * lb[i]) }
            }
        }
        return s
    }

    /// f, f′ and f‴ at x, for f(x) = A x^(−β) exp(T log1p(−q(x))).
    func derivatives(_ x: Double, _ t: Double) -> (f: Double, d1: Double, d3: Double) {
        var q = 0.0, q1 = 0.0, q2 = 0.0, q3 = 0.0
        let lx = log(x)
        for term in terms {
            let g = term.exponent
            let v = term.coefficient * exp(-g * lx)
            q += v
            q1 -= g * v / x
            q2 += g * (g + 1) * v / (x * x)
            q3 -= g * (g + 1) * (g + 2) * v / (x * x * x)
        }
        let r = 1 / (1 - q)
        let l1 = -q1 * r
        let l2 = -q2 * r - q1 * q1 * r * r
        let l3 = -q3 * r - 3 * q1 * q2 * r * r - 2 * q1 * q1 * q1 * r * r * r
        let f = a * exp(-beta * lx + t * log1p(-q))
        let h1 = -beta / x + t * l1
        let h2 = beta / (x * x) + t * l2
        let h3 = -2 * beta / (x * x * x) + t * l3
        return (f, f * h1, f * (h3 + 3 * h1 * h2 + h1 * h1 * h1))
    }

    func sum(_ t: Double) -> Double {
        if let constantMass { return constantMass }
        var total = SegmentSum.expSum(headP, headL, t)
        guard let em = emFrom else { return total }
        total += SegmentSum.expSum(nodeW, nodeL, t)
        total += farMass - t * farPQ
        let start = derivatives(Double(em), t)
        total += start.f / 2 - start.d1 / 12 + start.d3 / 720
        if let hi {
            let end = derivatives(Double(hi), t)
            total += end.f / 2 + end.d1 / 12 - end.d3 / 720
        }
        return total
    }
}
