// GSL's special functions (gsl_sf_*, gsl_cdf_*), each with GSL's status turned into `nil`
// (or a documented limit), so no caller sees a GSL status code.

internal import CGSL
import Foundation

/// Special functions evaluated by GSL, with GSL's status turned into `nil`.
public enum SpecialFunctions {
    /// The Hurwitz zeta function ζ(s, q) = Σ_{k≥0} (k + q)^(-s), for s > 1, q > 0.
    ///
    /// The tail mass of a Zipf(β) law beyond rank k is `ζ(β, k + 1) / ζ(β)`.
    /// - Returns: the value, or `nil` when GSL reports a domain, overflow or underflow error.
    public static func hurwitzZeta(_ s: Double, _ q: Double) -> Double? {
        GSLRuntime.prepare()
        var result = gsl_sf_result()
        let status = gsl_sf_hzeta_e(s, q, &result)
        return status == GSL_SUCCESS && result.val.isFinite ? result.val : nil
    }

    /// The Riemann zeta function ζ(s) for s ≠ 1.
    public static func riemannZeta(_ s: Double) -> Double? {
        GSLRuntime.prepare()
        var result = gsl_sf_result()
        let status = gsl_sf_zeta_e(s, &result)
        return status == GSL_SUCCESS && result.val.isFinite ? result.val : nil
    }

    /// The natural logarithm of |Γ(x)|.
    public static func logGamma(_ x: Double) -> Double? {
        GSLRuntime.prepare()
        var result = gsl_sf_result()
        let status = gsl_sf_lngamma_e(x, &result)
        return status == GSL_SUCCESS && result.val.isFinite ? result.val : nil
    }

    /// Γ(a), or nil outside GSL's domain or range.
    public static func gamma(_ a: Double) -> Double? {
        GSLRuntime.prepare()
        var r = gsl_sf_result()
        guard gsl_sf_gamma_e(a, &r) == GSL_SUCCESS, r.val.isFinite else { return nil }
        return r.val
    }

    /// The regularised lower incomplete gamma function P(a, x), or nil.
    public static func regularizedLowerGamma(_ a: Double, _ x: Double) -> Double? {
        GSLRuntime.prepare()
        var r = gsl_sf_result()
        guard gsl_sf_gamma_inc_P_e(a, x, &r) == GSL_SUCCESS, r.val.isFinite else { return nil }
        return r.val
    }

    /// The regularised upper incomplete gamma function Q(a, x), or nil.
    public static func regularizedUpperGamma(_ a: Double, _ x: Double) -> Double? {
        GSLRuntime.prepare()
        var r = gsl_sf_result()
        guard gsl_sf_gamma_inc_Q_e(a, x, &r) == GSL_SUCCESS, r.val.isFinite else { return nil }
        return r.val
    }

    /// The upper tail quantile of Student's t: the t with P(T > t) = `upperTail`, ν degrees of freedom.
    public static func studentTQuantile(upperTail: Double, degreesOfFreedom nu: Double) -> Double {
        GSLRuntime.prepare()
        return gsl_cdf_tdist_Qinv(upperTail, nu)
    }

    /// The chi-squared upper tail P(X > x) with ν degrees of freedom.
    public static func chiSquaredUpperTail(_ x: Double, degreesOfFreedom nu: Double) -> Double {
        GSLRuntime.prepare()
        return gsl_cdf_chisq_Q(x, nu)
    }

    /// The F distribution's upper tail P(F > x) with (ν₁, ν₂) degrees of freedom.
    public static func fUpperTail(_ x: Double, _ nu1: Double, _ nu2: Double) -> Double {
        GSLRuntime.prepare()
        return gsl_cdf_fdist_Q(x, nu1, nu2)
    }
}

/// Special functions the tail-exponent estimator needs: log-space normal tails (for the
/// truncated and discretised lognormal) and the upper incomplete gamma function (for the
/// normaliser of a power law with exponential cut-off).
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
