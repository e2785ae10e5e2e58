import ScalefitCore

/// One parameter's estimate with its uncertainty, or the reason it has none.
public struct ParameterEstimate: Sendable {
    public var name: String
    public var value: Double
    /// Standard error from the covariance, scaled by the residual variance.
    public var standardError: Double?
    /// 95% interval. By default θ̂ ± t₀.₉₇₅(ν)·se_θ on the parameter the fit works in
    /// (log for a positive one, logit for a bounded one), mapped back; with
    /// ``IntervalMethod/profile`` the profile-likelihood interval. ``ci95Method`` says which.
    public var ci95: (lower: Double, upper: Double)?
    /// How ``ci95`` was computed (nil when there is none).
    public var ci95Method: IntervalSource?
    /// Bootstrap percentile interval (2.5%, 97.5%).
    public var bootstrapCI95: (lower: Double, upper: Double)?
    /// Whether the parameter has a standard error, and if not, why.
    public var errorBar: ErrorBar = .estimated
    /// Why ``ci95`` is missing although there is an error bar (nil when nothing is wrong).
    public var intervalProblem: IntervalProblem? = nil
    /// What a reader should know about the error bar or the interval: the interval's
    /// problem if there is one, else the error bar's note (nil for a plain estimate). This
    /// is the `note` of every output.
    public var note: String? { intervalProblem?.note ?? errorBar.note }
}

/// A derived quantity (e.g. β/(α+β)) with its bootstrap interval.
public struct DerivedEstimate: Sendable {
    public var name: String
    public var meaning: String
    public var value: Double?
    /// 95% interval by the delta method from the parameters' covariance (Student's t, on
    /// the log scale for a positive quantity so that the interval stays positive); nil
    /// without a covariance.
    public var ci95: (lower: Double, upper: Double)? = nil
    public var bootstrapCI95: (lower: Double, upper: Double)?
}

/// How the multi-start search went.
public struct StartSummary: Sendable {
    /// Starts tried.
    public var tried: Int
    /// Starts whose solve converged.
    public var converged: Int
    /// Starts that reached the best objective (within 1e-6 relative).
    public var reachedBest: Int
    /// For a screened grid (more than 100 starts): the iterations every start got in the
    /// screen, and how many of the front-runners that had not converged were continued to
    /// the end. Nil when every start ran to the end.
    public var screenIterations: Int? = nil
    public var continued: Int? = nil

    public init(tried: Int, converged: Int, reachedBest: Int, screenIterations: Int? = nil, continued: Int? = nil) {
        self.tried = tried
        self.converged = converged
        self.reachedBest = reachedBest
        self.screenIterations = screenIterations
        self.continued = continued
    }

    /// One phrase for every output: `6 tried, 6 converged, 6 reached the best`, or for a
    /// screened grid `4502 screened (5 iterations each), 10 continued to the end,
    /// 20 converged, 20 reached the best`.
    public var description: String {
        let counts = "\(converged) converged, \(reachedBest) reached the best"
        if let screenIterations, let continued {
            return "\(tried) screened (\(screenIterations) iterations each), \(continued) continued to the end, " + counts
        }
        return "\(tried) tried, " + counts
    }
}

/// A prediction at a new input, with a confidence band for the mean curve and a prediction
/// interval for a new measurement (both 95%).
public struct Prediction: Sendable {
    public var x: Double
    public var x2: Double?
    public var value: Double
    public var confidenceBand: (lower: Double, upper: Double)?
    public var predictionInterval: (lower: Double, upper: Double)?
}

/// Extrapolation check on the K largest-x points.
public struct HoldoutResult: Sendable {
    public struct Point: Sendable {
        public var x: Double
        public var x2: Double?
        public var observed: Double
        public var predicted: Double
        /// ln(predicted) − ln(observed).
        public var logError: Double
    }
    public var k: Int
    public var points: [Point]
    /// Root mean square of the log errors (Alabdulmohsin et al. 2022, eq. 4).
    public var rmsle: Double
}

/// Everything a fit produced.
public struct FitResult: Sendable {
    public var series: String
    public var model: String
    public var formula: String
    public var pointCount: Int
    public var status: LeastSquaresStatus
    public var converged: Bool { status.isConverged }
    /// Σ w r² (least squares) or Σ ρ_δ (Huber), in the residual space.
    public var objective: Double
    /// Σ w r² at the optimum.
    public var chiSquared: Double
    public var residualVariance: Double
    public var degreesOfFreedom: Int
    public var aicc: Double?
    public var bic: Double
    public var parameters: [ParameterEstimate]
    public var derived: [DerivedEstimate]
    public var starts: StartSummary
    public var iterations: Int
    public var conditionNumber: Double
    /// Covariance of all parameters (natural scale, scaled by the residual variance), in
    /// law order; fixed parameters have zero rows, tied ones copy their source. Nil when
    /// singular.
    public var covariance: [[Double]]?
    /// Bootstrap replicates that failed (not finite or not converged), of those asked.
    public var bootstrapFailures: Int?
    /// The converged bootstrap replicates of the parameters (law order), for saved fits.
    public var bootstrapReplicates: [[Double]]? = nil
    /// The domain of each parameter (law order), as the fit used it; what rebuilds a
    /// custom law (`fit --law`) from its formula.
    public var parameterDomains: [ParameterDomain]? = nil
    public var holdout: HoldoutResult?
    public var predictions: [Prediction]
    /// When several laws were compared: the rule that chose this one, in words, with every
    /// law's ΔAICc (``LawCatalog/selectionNote(_:)``). Printed where the choice is printed.
    public var selection: String? = nil
    /// Why a converged fit is not ranked among the laws compared (absurd estimates:
    /// ``LawCatalog/absurdity(of:on:)``); nil when it may be ranked.
    public var disqualification: String? = nil
    /// Converged and not disqualified: the fits that model selection may choose.
    public var isRanked: Bool { converged && disqualification == nil }
    /// What a reader should know about this fit (identifiability, convergence, the data).
    public var warnings: [String] {
        get { notes.map(\.text) }
        set { notes = newValue.map { .text($0) } }
    }
    /// The warnings as found; their text is written only when read (a caller fitting many
    /// series in a loop seldom reads them, and the text costs a tenth of a small fit).
    var notes: [FitNote]
    public var space: ResidualSpace
    public var loss: FitLoss
    /// Free-parameter natural values, in law order, for re-evaluating the curve.
    public var values: [Double] { parameters.map(\.value) }

    public func parameter(_ name: String) -> ParameterEstimate? { parameters.first { $0.name == name } }
}

/// A warning of ``FitResult/warnings``, kept as its facts until read.
enum FitNote: Sendable {
    case text(String)
    /// Two parameters whose correlation ρ exceeds 0.95 in absolute value.
    case correlated(String, String, Double)
    /// A standard error larger than the estimate.
    case poorlyIdentified(String, standardError: Double, value: Double)

    var text: String {
        switch self {
        case .text(let text): text
        case .correlated(let a, let b, let rho):
            "\(a) and \(b) are strongly correlated (ρ = \(format(rho))): they are hard to tell apart with this data"
        case .poorlyIdentified(let name, let se, let value):
            "\(name) is poorly identified: its standard error \(format(se)) exceeds its value \(format(value))"
        }
    }
}

/// Problems with the data or the request that stop a fit before it starts.
public struct FitError: Error, ExitStatusProviding, CustomStringConvertible, Sendable {
    public var message: String
    public var exitStatus: ExitStatus
    public init(_ message: String, exitStatus: ExitStatus = .badInput) {
        self.message = message
        self.exitStatus = exitStatus
    }
    public var description: String { "error: \(message)" }
}
