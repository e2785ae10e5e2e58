import ScalefitCore

/// Where residuals are measured. The field fits in log space (relative errors, every
/// decade counts equally); scipy's `curve_fit` default is linear.
public enum ResidualSpace: String, CaseIterable, Sendable, Codable {
    /// r_i = ln L(x_i) − ln y_i.
    case log
    /// r_i = L(x_i) − y_i.
    case linear
}

/// The loss summed over residuals.
public enum FitLoss: Sendable, Hashable, CustomStringConvertible {
    /// Σ r_i².
    case leastSquares
    /// Σ ρ_δ(r_i), with ρ_δ(r) = r²/2 for |r| ≤ δ and δ(|r| − δ/2) beyond: SUMMED, not
    /// averaged (averaging stops optimisers early: Besiroglu et al. 2024). Minimised by
    /// iteratively reweighted least squares through GSL's weights.
    case huber(Double)

    public var description: String {
        switch self {
        case .leastSquares: "lsq"
        case .huber(let delta): "huber:\(delta)"
        }
    }

    /// Parses `lsq` or `huber:DELTA`.
    public init?(parsing text: String) {
        if text == "lsq" || text == "leastsquares" { self = .leastSquares; return }
        if text.hasPrefix("huber:"), let delta = Double(text.dropFirst(6)), delta > 0, delta.isFinite {
            self = .huber(delta)
            return
        }
        return nil
    }
}

/// Everything that shapes a fit besides the law and the data.
///
/// scipy/lmfit names: `p0` → the law's ``ScalingLaw/initialGuesses(x:x2:y:)`` plus
/// ``startLimit``; `sigma` → ``Series/weights`` (as 1/σ²); `bounds` → ``ParameterDomain``;
/// lmfit's `Parameter(vary=False)` → ``fixed``; `expr='alpha'` → ``tied``.
public struct FitOptions: Sendable {
    public var space: ResidualSpace = .log
    public var loss: FitLoss = .leastSquares
    /// Parameters held at a value, by name (`--fix E=1.7`).
    public var fixed: [String: Double] = [:]
    /// Parameters set equal to another, target → source (`--tie alpha=beta` makes beta = alpha).
    public var tied: [String: String] = [:]
    /// One start point (all parameters, natural scale) used instead of the law's guesses
    /// (scipy's `p0`).
    public var start: [Double]? = nil
    /// Start points (all parameters, natural scale) used instead of the law's guesses.
    public var starts: [[Double]]? = nil
    /// At most this many starts (nil: every start the law proposes, e.g. Epoch's 4,500 for chinchilla).
    public var startLimit: Int? = nil
    /// Bootstrap replicates (0: none).
    public var bootstrap: Int = 0
    /// Seed of every random choice (bootstrap resamples).
    public var seed: UInt64 = 0
    /// Hold out the K largest-x points and report the extrapolation error on them.
    public var holdout: Int = 0
    /// Which points are "the largest" for ``holdout``: by default x for one-input laws and
    /// the compute C = 6·N·D (the product x·x₂) for two-input laws (`--holdout-by`).
    public var holdoutBy: HoldoutOrder = .automatic
    /// Points at which to predict, with bands (x, and x2 for two-input laws).
    public var predictX: [Double] = []
    public var predictX2: [Double] = []
    /// How the 95% intervals of the parameters are computed (`--intervals wald|profile`).
    public var intervals: IntervalMethod = .wald
    /// Worker threads (nil: all cores). Results do not depend on it.
    public var threads: Int? = nil
    /// GSL settings for each least-squares solve. A solve that does not converge is tried
    /// again from the same start with Levenberg scaling (D = I), which is slower from good
    /// starts but far more robust from poor ones (docs/gsl-notes.md).
    /// Whether a start that does not converge is solved again with Levenberg scaling (when
    /// there are at most 8 starts). A caller that caps iterations on purpose (a screen)
    /// turns it off.
    public var retriesUnconverged = true
    public var solver = LeastSquaresSettings(method: .levenbergMarquardt, scaling: .more, maxIterations: 400)
    /// Series with more points than this are fitted by the long-series strategy (see
    /// ``LongSeries``): the search on a systematic sample, the finish on every point.
    public var longSeriesThreshold = 20_000

    public init() {}
}

/// How ``FitOptions/holdout`` orders points (`--holdout-by`).
public enum HoldoutOrder: String, Sendable, CaseIterable {
    /// `compute` for a two-input law's series, `x` otherwise.
    case automatic = "auto"
    /// The largest x (for L(N, D): the largest N, whatever D).
    case x
    /// The largest compute C ≈ 6·N·D (x·x₂; the factor 6 does not change the order).
    case compute
}
