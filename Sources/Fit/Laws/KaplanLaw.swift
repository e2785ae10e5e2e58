import RealModule

/// `kaplan`: L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D (Kaplan et al. 2020, eq. 1.5): the
/// loss of a model of N parameters trained to early stopping on D tokens. No floor; the
/// published values are α_N ≈ 0.076, α_D ≈ 0.095, N_c ≈ 8.8·10¹³, D_c ≈ 5.4·10¹³ (nats,
/// non-embedding parameters).
public struct KaplanLaw: ScalingLaw {
    public init() {}
    public var name: String { "kaplan" }
    public var formula: String { "L = ((N_c/N)^(alpha_N/alpha_D) + D_c/D)^alpha_D" }
    public var inputCount: Int { 2 }
    public var parameters: [LawParameter] { Self.parameterList }
    private static let parameterList: [LawParameter] = [
        .init("N_c", .positive, "parameter scale", role: .scale),
        .init("D_c", .positive, "data scale", role: .scale),
        .init("alpha_N", .positive, "parameter exponent", role: .exponent),
        .init("alpha_D", .positive, "data exponent", role: .exponent),
    ]

    public func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double {
        let u = Double.exp(p[2] / p[3] * (Double.log(p[0]) - Double.log(x))), v = p[1] / x2
        return Double.exp(p[3] * Double.log(u + v))
    }

    public func gradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) {
        _ = valueAndGradient(x, x2, parameters: p, into: &g)
    }

    public func valueAndGradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) -> Double {
        let nc = p[0], dc = p[1], alphaN = p[2], alphaD = p[3]
        let r = alphaN / alphaD, logRatio = Double.log(nc) - Double.log(x)
        let u = Double.exp(r * logRatio), v = dc / x2, s = u + v
        let l = Double.exp(alphaD * Double.log(s))
        let common = l / s  // s^(α_D − 1)
        g[0] = alphaD * common * r * u / nc
        g[1] = alphaD * common / x2
        g[2] = common * u * logRatio
        g[3] = l * Double.log(s) - common * u * logRatio * r
        return l
    }

    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        guard let x2, !x.isEmpty, y.allSatisfy({ $0 > 0 }) else { return [] }
        // With the two terms equal at the median point: s = L^(1/α_D), u = v = s/2.
        let order = y.indices.sorted { y[$0] < y[$1] }
        let mid = order[order.count / 2]
        var starts: [[Double]] = []
        for alphaD in [0.1, 0.3, 0.05, 1.0] {
            for alphaN in [0.076, 0.3, 0.03, 1.0] {
                let s = Double.pow(y[mid], 1 / alphaD)
                let nc = x[mid] * Double.pow(s / 2, alphaD / alphaN), dc = x2[mid] * s / 2
                if nc.isFinite && dc.isFinite && nc > 0 && dc > 0 { starts.append([nc, dc, alphaN, alphaD]) }
            }
        }
        return starts
    }
}
