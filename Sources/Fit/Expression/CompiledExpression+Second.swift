import RealModule

extension CompiledExpression {
    /// What the second direction of ``budgetDerivatives(_:_:parameters:second:)`` is.
    public enum SecondDirection: Sendable {
        /// The parameters (K = parameter count): gives ∂S/∂p_j.
        case parameters
        /// The budget direction again (K = 1): gives dS/du.
        case budget
    }

    /// Second-order forward mode along the compute budget: with u = ln N on C = 6·N·D
    /// (N = e^u, D = e^(c − u)), the slope S = dL/du and its derivatives along a second
    /// direction — the parameters (∂S/∂p_j) or u itself (d²L/du²). Every register carries
    /// its value, its u-derivative, its K derivatives along the second direction and the K
    /// mixed second derivatives; each operation applies its first and second derivative
    /// rules (no finite differences).
    public func budgetDerivatives(_ n: Double, _ d: Double, parameters p: [Double], second: SecondDirection)
        -> (value: Double, slope: Double, mixed: [Double])
    {
        let k = second == .parameters ? parameterCount : 1
        let count = ops.count
        var v = [Double](repeating: 0, count: count), du = v
        var e = [Double](repeating: 0, count: count * k), m = e

        // r = f(a) with f′, f″ at a.
        // (a may be r itself: every input is read before anything is written.)
        func unary(_ r: Int, _ a: Int, _ f0: Double, _ f1: Double, _ f2: Double) {
            let da = du[a]
            for j in 0..<k {
                let ea = e[a * k + j], ma = m[a * k + j]
                e[r * k + j] = f1 * ea
                m[r * k + j] = f2 * da * ea + f1 * ma
            }
            v[r] = f0
            du[r] = f1 * da
        }
        // r = a·b, with b given as (value, u-derivative, e, m) slices.
        func product(_ r: Int, _ av: Double, _ ad: Double, _ ae: [Double], _ am: [Double],
                     _ bv: Double, _ bd: Double, _ be: [Double], _ bm: [Double]) {
            v[r] = av * bv
            du[r] = ad * bv + av * bd
            for j in 0..<k {
                e[r * k + j] = ae[j] * bv + av * be[j]
                m[r * k + j] = am[j] * bv + ad * be[j] + ae[j] * bd + av * bm[j]
            }
        }
        func slices(_ a: Int) -> ([Double], [Double]) {
            (Array(e[(a * k)..<(a * k + k)]), Array(m[(a * k)..<(a * k + k)]))
        }
        func copy(_ r: Int, _ a: Int) {
            v[r] = v[a]; du[r] = du[a]
            for j in 0..<k { e[r * k + j] = e[a * k + j]; m[r * k + j] = m[a * k + j] }
        }
        for r in 0..<count {
            switch ops[r] {
            case .constant(let c):
                v[r] = c
            case .input(let i):
                // N = e^u: N′ = N, N″ = N; D = e^(c−u): D′ = −D, D″ = D.
                let value = i == 0 ? n : d
                v[r] = value
                du[r] = i == 0 ? value : -value
                if second == .budget {
                    e[r] = du[r]
                    m[r] = value
                }
            case .parameter(let j):
                v[r] = p[j]
                if second == .parameters { e[r * k + j] = 1 }
            case .negate(let a):
                unary(r, a, -v[a], -1, 0)
            case .add(let a, let b), .subtract(let a, let b):
                let sign: Double
                if case .add = ops[r] { sign = 1 } else { sign = -1 }
                v[r] = v[a] + sign * v[b]
                du[r] = du[a] + sign * du[b]
                for j in 0..<k {
                    e[r * k + j] = e[a * k + j] + sign * e[b * k + j]
                    m[r * k + j] = m[a * k + j] + sign * m[b * k + j]
                }
            case .multiply(let a, let b):
                let (ae, am) = slices(a), (be, bm) = slices(b)
                product(r, v[a], du[a], ae, am, v[b], du[b], be, bm)
            case .divide(let a, let b):
                // a · (1/b): (1/b)′ = −b′/b², (1/b)″ = 2b′b˙/b³ − b″/b².
                let bv = v[b], bd = du[b]
                let (be, bm) = slices(b), (ae, am) = slices(a)
                let ce = be.map { -$0 / (bv * bv) }
                let cm = (0..<k).map { j in 2 * bd * be[j] / (bv * bv * bv) - bm[j] / (bv * bv) }
                product(r, v[a], du[a], ae, am, 1 / bv, -bd / (bv * bv), ce, cm)
            case .power(let a, let b):
                let base = v[a], exponent = v[b]
                let (be, bm) = slices(b)
                let constantExponent = du[b] == 0 && be.allSatisfy { $0 == 0 } && bm.allSatisfy { $0 == 0 }
                if constantExponent {
                    unary(r, a, Double.pow(base, exponent), exponent * Double.pow(base, exponent - 1),
                          exponent * (exponent - 1) * Double.pow(base, exponent - 2))
                } else {
                    // exp(b·ln a): ln a first (into r), then the product with b, then exp.
                    unary(r, a, Double.log(base), 1 / base, -1 / (base * base))
                    let (le, lm) = slices(r)
                    product(r, v[r], du[r], le, lm, exponent, du[b], be, bm)
                    let w = v[r], value = Double.exp(w)
                    unary(r, r, value, value, value)
                }
            case .minimum(let a, let b):
                copy(r, v[a] <= v[b] ? a : b)
            case .maximum(let a, let b):
                copy(r, v[a] >= v[b] ? a : b)
            case .function(let f, let a):
                let x = v[a]
                switch f {
                case .exp: let y = Double.exp(x); unary(r, a, y, y, y)
                case .log: unary(r, a, Double.log(x), 1 / x, -1 / (x * x))
                case .log10: let s = 1 / Double.log(10.0); unary(r, a, Double.log10(x), s / x, -s / (x * x))
                case .log2: let s = 1 / Double.log(2.0); unary(r, a, Double.log2(x), s / x, -s / (x * x))
                case .log1p: unary(r, a, Double.log(onePlus: x), 1 / (1 + x), -1 / ((1 + x) * (1 + x)))
                case .expm1: let y = Double.exp(x); unary(r, a, Double.expMinusOne(x), y, y)
                case .sqrt: let y = x.squareRoot(); unary(r, a, y, 0.5 / y, -0.25 / (y * y * y))
                case .abs: unary(r, a, Swift.abs(x), x < 0 ? -1 : 1, 0)
                case .sigmoid:
                    let s = x >= 0 ? 1 / (1 + Double.exp(-x)) : Double.exp(x) / (1 + Double.exp(x))
                    unary(r, a, s, s * (1 - s), s * (1 - s) * (1 - 2 * s))
                case .tanh: let t = Double.tanh(x); unary(r, a, t, 1 - t * t, -2 * t * (1 - t * t))
                case .pow, .min, .max: unary(r, a, .nan, .nan, .nan)
                }
            }
        }
        let last = count - 1
        return (v[last], du[last], Array(m[(last * k)..<(last * k + k)]))
    }
}
