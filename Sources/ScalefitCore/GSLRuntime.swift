internal import CGSL

/// Process-wide GSL set-up, and the handful of GSL special functions the stages share.
///
/// GSL's default error handler calls `abort()`, which Swift cannot catch. Every module
/// that calls GSL first calls ``GSLRuntime/prepare()``, which turns the handler off
/// exactly once; from then on every GSL status is checked by the caller.
public enum GSLRuntime {
    private static let handlerDisabled: Bool = {
        _ = gsl_set_error_handler_off()
        return true
    }()

    /// Turns GSL's abort-on-error handler off (idempotent, thread-safe).
    public static func prepare() {
        precondition(handlerDisabled)
    }

    /// The message GSL gives for a status code, e.g. "iteration has not converged".
    public static func message(for status: Int32) -> String {
        guard let text = gsl_strerror(status) else { return "GSL status \(status)" }
        return String(cString: text)
    }
}

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

    /// The upper tail quantile of Student's t: the t with P(T > t) = `upperTail`, ν degrees of freedom.
    public static func studentTQuantile(upperTail: Double, degreesOfFreedom nu: Double) -> Double {
        GSLRuntime.prepare()
        return gsl_cdf_tdist_Qinv(upperTail, nu)
    }

    /// The standard normal quantile: z with P(Z ≤ z) = `p`.
    public static func normalQuantile(_ p: Double) -> Double {
        GSLRuntime.prepare()
        return gsl_cdf_ugaussian_Pinv(p)
    }

    /// The standard normal distribution function P(Z ≤ z).
    public static func normalCDF(_ z: Double) -> Double {
        GSLRuntime.prepare()
        return gsl_cdf_ugaussian_P(z)
    }

    /// The chi-squared upper tail P(X > x) with ν degrees of freedom.
    public static func chiSquaredUpperTail(_ x: Double, degreesOfFreedom nu: Double) -> Double {
        GSLRuntime.prepare()
        return gsl_cdf_chisq_Q(x, nu)
    }
}
