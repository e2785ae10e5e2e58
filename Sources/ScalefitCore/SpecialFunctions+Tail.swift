internal import CGSL
import Foundation

/// Special functions the tail-exponent estimator needs beyond the shared set: log-space
/// normal tails (for the truncated and discretised lognormal) and the upper incomplete
/// gamma function (for the normaliser of a power law with exponential cut-off).
extension SpecialFunctions {
    /// log Q(z), where Q(z) = P(Z > z) is the standard normal upper tail.
    ///
    /// Computed as `log(erfc(z/√2)) − log 2` with GSL's `gsl_sf_log_erfc`, which stays
    /// accurate far into the tail (z = 40 gives ≈ −804.6, where Q itself underflows).
    public static func logNormalUpperTail(_ z: Double) -> Double {
        GSLRuntime.prepare()
        var result = gsl_sf_result()
        let status = gsl_sf_log_erfc_e(z / 2.0.squareRoot(), &result)
        guard status == GSL_SUCCESS, result.val.isFinite else {
            return z < 0 ? 0 : -.infinity
        }
        return result.val - M_LN2
    }

    /// log Γ(a, x), the upper incomplete gamma function ∫_x^∞ t^(a−1) e^(−t) dt, for any
    /// real `a` and x > 0 (a may be negative, as in the cut-off power law with α > 1).
    ///
    /// Uses GSL's `gsl_sf_gamma_inc_e`; where that underflows (x of several hundred) it
    /// falls back on the asymptotic series Γ(a, x) ≈ x^(a−1) e^(−x) Σ_k (a−1)…(a−k)/x^k
    /// (Abramowitz & Stegun 6.5.32), which is accurate there because x ≫ |a|.
    /// - Returns: the logarithm, or `nil` when x ≤ 0 or no finite value is available.
    public static func logUpperIncompleteGamma(_ a: Double, _ x: Double) -> Double? {
        guard x > 0, a.isFinite, x.isFinite else { return nil }
        GSLRuntime.prepare()
        var result = gsl_sf_result()
        let status = gsl_sf_gamma_inc_e(a, x, &result)
        if status == GSL_SUCCESS, result.val.isFinite, result.val > 0, result.val > 1e-280 {
            return log(result.val)
        }
        guard x > 30, x > 4 * abs(a) else { return nil }
        var term = 1.0, sum = 1.0
        for k in 1...30 {
            term *= (a - Double(k)) / x
            sum += term
            if abs(term) < 1e-17 * abs(sum) { break }
        }
        guard sum > 0 else { return nil }
        return (a - 1) * log(x) - x + log(sum)
    }
}
