import GSL
import Foundation
import ScalefitCore

/// What the collapse laws predict from β (docs/collapse-models.md §1.2).
///
/// - Clean scaling exponent: c = 1 − 1/β (Hutter 2021; [TT] §1.2 (a)).
/// - A tail cut at rank k leaves a floor equal to the missing mass
///   Σ_{i>k} p_i = A·ζ(β, k + 1), A = 1/ζ(β), reached at T₁ ≈ k^β/A samples ([TT] Thm 2.1).
/// - A generator trained on T₀ samples acts as a tail cut at k ≍ T₀^(1/β) ([TT] Cor. 2.2);
///   this is an order-of-magnitude statement, so the floor it implies is one too.
///
/// Intervals come from β's interval; every quantity is monotone in β for fixed k.
public struct CollapsePrediction: Sendable, Hashable {
    /// A value with its 95% interval (`nil` where the law does not apply).
    public struct Estimate: Sendable, Hashable {
        public var value: Double
        public var confidenceInterval95: ClosedRange<Double>?
    }

    /// The prediction for one tail cut.
    public struct Cut: Sendable, Hashable {
        /// `"k"` when the user gave the cut, `"t0"` when it was derived from T₀.
        public var source: String
        /// The cut rank (k, or T₀^(1/β) rounded).
        public var k: Estimate
        /// T₀ when given.
        public var t0: Double?
        /// The plateau level A·ζ(β, k+1).
        public var floor: Estimate
        /// The plateau onset T₁ ≈ k^β/A = k^β·ζ(β).
        public var plateauOnset: Estimate
    }

    public var beta: Double
    /// c = 1 − 1/β.
    public var cleanExponent: Estimate
    public var cuts: [Cut]

    /// - Returns: `nil` when β ≤ 1 (α ≥ 2): the Zipf law is not normalisable and the
    ///   collapse laws do not apply.
    public init?(zipf: ZipfView, cut k: Int?, t0: Double?) {
        guard zipf.beta > 1, zipf.beta.isFinite else { return nil }
        beta = zipf.beta
        let low = max(zipf.confidenceInterval95.lowerBound, 1 + 1e-9)
        let high = zipf.confidenceInterval95.upperBound
        func c(_ b: Double) -> Double { 1 - 1 / b }
        cleanExponent = Estimate(value: c(beta), confidenceInterval95: c(low)...(high.isFinite ? c(high) : 1))
        func floor(_ b: Double, _ k: Double) -> Double? {
            guard let tail = SpecialFunctions.hurwitzZeta(b, k + 1), let z = SpecialFunctions.riemannZeta(b) else { return nil }
            return tail / z
        }
        func onset(_ b: Double, _ k: Double) -> Double? {
            guard let z = SpecialFunctions.riemannZeta(b) else { return nil }
            return pow(k, b) * z
        }
        func interval(_ f: (Double) -> Double?) -> ClosedRange<Double>? {
            guard high.isFinite, let a = f(low), let b = f(high) else { return nil }
            return min(a, b)...max(a, b)
        }
        var cuts: [Cut] = []
        if let k, k >= 1 {
            let kd = Double(k)
            if let f = floor(beta, kd), let t = onset(beta, kd) {
                cuts.append(Cut(
                    source: "k", k: Estimate(value: kd, confidenceInterval95: nil), t0: nil,
                    floor: Estimate(value: f, confidenceInterval95: interval { floor($0, kd) }),
                    plateauOnset: Estimate(value: t, confidenceInterval95: interval { onset($0, kd) })))
            }
        }
        if let t0, t0 >= 1 {
            func keff(_ b: Double) -> Double { max(1, pow(t0, 1 / b).rounded()) }
            let kd = keff(beta)
            if let f = floor(beta, kd), let t = onset(beta, kd) {
                cuts.append(Cut(
                    source: "t0", k: Estimate(value: kd, confidenceInterval95: interval { keff($0) }), t0: t0,
                    floor: Estimate(value: f, confidenceInterval95: interval { floor($0, keff($0)) }),
                    plateauOnset: Estimate(value: t, confidenceInterval95: interval { onset($0, keff($0)) })))
            }
        }
        self.cuts = cuts
    }
}
