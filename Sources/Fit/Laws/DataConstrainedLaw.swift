import RealModule

/// `data-constrained`: Muennighoff et al. 2023 ("Scaling Data-Constrained Language Models"),
/// the Chinchilla form with repeated data and excess parameters discounted:
///
///     L(N, D) = E + A·N′^(−α) + B·D′^(−β)
///     D′ = U + U·R*_D·(1 − e^(−R_D/R*_D)),  U = min(D, U_D),  R_D = D/U − 1 (epochs − 1)
///     N′ = U_N + U_N·R*_N·(1 − e^(−R_N/R*_N)),  U_N = min(N, N_opt(U_D)),  R_N = N/U_N − 1
///
/// with N_opt(U_D) the compute-optimal model size for U_D tokens under the law's own
/// Chinchilla part: N_opt = G·(G·U_D)^(β/α), G = (αA/(βB))^(1/(α+β)) (for the paper's
/// A = 521, B = 1488, α = β = 0.353 that is U_D/19.6). R*_D and R*_N are the repetitions
/// after which a repeated token or an excess parameter is worth 1 − 1/e of its value;
/// the paper's fit gives R*_D ≈ 15.4 and R*_N ≈ 5.3.
///
/// U_D, the unique tokens available, is a property of the data, not a fitted quantity: it is
/// given with `--fix U_D=…` (one series per unique-data budget). Without repetition (D ≤ U_D)
/// and without excess parameters (N ≤ N_opt) the law is Chinchilla's exactly.
///
/// The value and its exact gradient are computed by the forward-mode differentiation of
/// ``CompiledExpression`` on the formula above (the `min` branches included).
public struct DataConstrainedLaw: ScalingLaw, BudgetSlopeLaw {
    public init() {}
    public var name: String { "data-constrained" }
    public var formula: String {
        "L = E + A·N'^(-alpha) + B·D'^(-beta), D' = U + U·R_D_star·(1 - exp(-(D/U - 1)/R_D_star)), U = min(D, U_D); N' likewise with U_N = min(N, N_opt(U_D)), R_N_star"
    }
    public var inputCount: Int { 2 }
    public var parameters: [LawParameter] { Self.parameterList }
    private static let parameterList: [LawParameter] = [
        .init("E", .nonNegative, "irreducible loss", role: .floor),
        .init("A", .positive, "scale of the parameter term", role: .scale),
        .init("B", .positive, "scale of the data term", role: .scale),
        .init("alpha", .positive, "parameter exponent", role: .exponent),
        .init("beta", .positive, "data exponent", role: .exponent),
        .init("R_D_star", .positive, "repetitions of the data at which a repeated token has lost 1 − 1/e of its value"),
        .init("R_N_star", .positive, "excess parameters (multiples of N_opt(U_D)) at which a parameter has lost 1 − 1/e of its value"),
        .init("U_D", .positive, "unique tokens available (give it with --fix U_D=…)"),
    ]

    /// The formula in the expression language; its parameters appear in another order,
    /// mapped by ``order``.
    static let expression: CustomLaw = {
        let g = "((alpha*A/(beta*B))^(1/(alpha+beta)))"
        let un = "min(N, \(g)*(\(g)*U_D)^(beta/alpha))"
        let u = "min(D, U_D)"
        let text = "E + A*(\(un) + \(un)*R_N_star*(1 - exp(-(N/\(un) - 1)/R_N_star)))^-alpha"
            + " + B*(\(u) + \(u)*R_D_star*(1 - exp(-(D/\(u) - 1)/R_D_star)))^-beta"
        return try! CustomLaw(text)
    }()

    /// order[j]: where law parameter j sits in ``expression``'s parameters.
    static let order: [Int] = parameterList.map { p in expression.parameterNames.firstIndex(of: p.name)! }

    private func reordered(_ p: [Double]) -> [Double] {
        var q = [Double](repeating: 0, count: p.count)
        for j in p.indices { q[Self.order[j]] = p[j] }
        return q
    }

    public func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double {
        Self.expression.value(x, x2, parameters: reordered(p))
    }

    public func gradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) {
        _ = valueAndGradient(x, x2, parameters: p, into: &g)
    }

    public func valueAndGradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) -> Double {
        var h = [Double](repeating: 0, count: p.count)
        let value = Self.expression.valueAndGradient(x, x2, parameters: reordered(p), into: &h)
        for j in p.indices { g[j] = h[Self.order[j]] }
        return value
    }

    /// The slope along a compute budget, exact (the compute-optimal allocation under a
    /// unique-data budget U_D is found by bisection on it).
    public func budgetSlope(n: Double, d: Double, parameters p: [Double]) -> Double {
        Self.expression.budgetSlope(n: n, d: d, parameters: reordered(p))
    }

    public func logOptimumGradient(n: Double, d: Double, parameters p: [Double]) -> [Double]? {
        guard let h = Self.expression.logOptimumGradient(n: n, d: d, parameters: reordered(p)) else { return nil }
        return p.indices.map { h[Self.order[$0]] }
    }

    public func unsuitability(pointCount: Int, fixed: Set<String>) -> String? {
        guard fixed.contains("U_D") else {
            return "data-constrained needs the unique tokens of the data: give --fix U_D=TOKENS (one series per unique-data budget)"
        }
        let free = parameters.filter { !fixed.contains($0.name) }.count
        return pointCount < free ? "data-constrained has \(free) free parameters but only \(pointCount) points" : nil
    }

    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        let e = 0.8 * (y.min() ?? 1)
        var starts: [[Double]] = []
        for (a, b) in [(400.0, 400.0), (500.0, 1500.0), (100.0, 1000.0)] {
            for (alpha, beta) in [(0.34, 0.28), (0.35, 0.35), (0.5, 0.5)] {
                for (rd, rn) in [(15.0, 5.0), (5.0, 15.0), (50.0, 50.0)] {
                    starts.append([e, a, b, alpha, beta, rd, rn, x2?.max() ?? 1])
                }
            }
        }
        return starts
    }
}
