import GSL
import Foundation
import ScalefitCore

/// Power sums of a Zipf law, by GSL's Hurwitz zeta function.
enum ZipfMath {
    /// The largest rank scalefit represents; "infinite support" draws beyond it are rejected
    /// (their mass, at most (2^62)^(1−β)/(β−1), is below double precision for β ≥ 1.3).
    static let rankLimit = 1 << 62

    /// ζ(s, q) with underflow mapped to 0 (GSL underflows only when q^(1−s) is negligible).
    static func hurwitz(_ s: Double, _ q: Double) throws -> Double {
        if let v = SpecialFunctions.hurwitzZeta(s, q) { return v }
        let leading = exp((1 - s) * log(q)) / (s - 1)
        if leading < 1e-290 { return 0 }
        throw GenerateError.gsl("gsl_sf_hzeta_e(\(s), \(q)) failed")
    }

    /// Σ_{i=a}^{b} i^(−s) for s > 1, 1 ≤ a; `b == nil` means ∞.
    ///
    /// Ranges short relative to their start (b − a < a/4, where ζ(s, a) − ζ(s, b + 1) would
    /// cancel) are summed directly from the small terms up; the rest as that difference,
    /// whose relative error is then below about 4·(s−1)·1e-16·… ≈ 1e-15.
    static func powerSum(_ s: Double, from a: Int, through b: Int?) throws -> Double {
        if let b {
            if b < a { return 0 }
            if b - a < 64 || (b - a < 50_000 && b - a < a / 4) {
                var total = 0.0
                var i = b
                while i >= a { total += exp(-s * log(Double(i))); i -= 1 }
                return total
            }
            return try hurwitz(s, Double(a)) - hurwitz(s, Double(b) + 1)
        }
        return try hurwitz(s, Double(a))
    }
}

/// One Zipf component of a distribution over ranks: mass `weight · i^(−exponent) / Z` on
/// ranks 1...`upper` (`nil` = unbounded), with Z = Σ_{i≤upper} i^(−exponent).
struct ZipfComponent: Sendable, Hashable {
    var weight: Double
    var exponent: Double
    var upper: Int?
    /// 1/Z.
    var normaliser: Double

    init(weight: Double, exponent: Double, upper: Int?) throws {
        try require(exponent > 1, "a Zipf exponent must be > 1 (got \(exponent))")
        self.weight = weight
        self.exponent = exponent
        self.upper = upper
        self.normaliser = 1 / (try ZipfMath.powerSum(exponent, from: 1, through: upper))
    }

    /// The coefficient c of c·i^(−exponent).
    var coefficient: Double { weight * normaliser }

    /// The probability of rank i under this component (weight included).
    @inline(__always) func mass(_ i: Int) -> Double {
        if let upper, i > upper { return 0 }
        return coefficient * exp(-exponent * log(Double(i)))
    }

    /// Σ_{i>k} of this component's masses (weight included).
    func tailMass(after k: Int) throws -> Double {
        if let upper, k >= upper { return 0 }
        return coefficient * (try ZipfMath.powerSum(exponent, from: k + 1, through: upper))
    }
}
