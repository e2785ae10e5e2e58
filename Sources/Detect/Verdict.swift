import Fit
import ScalefitCore

/// What a curve is doing, in the words of the collapse literature.
public enum VerdictKind: String, Sendable, CaseIterable, Codable {
    /// A power law with no floor detectable in range: more data still helps at the same rate.
    case scaling
    /// Approaching a floor, still descending in range.
    case saturating
    /// A plateau after descent: more data has stopped helping (model collapse, loss of scaling).
    case collapsed
    /// Descent, plateau, descent again (or a plateau that ends in descent): the delayed second
    /// descent of mixed clean/synthetic training.
    case grokking
    /// Loss rising with x.
    case degrading
}

/// A change of regime at x, with a 95% interval.
public struct Breakpoint: Sendable {
    public var x: Double
    public var ci95: (lower: Double, upper: Double)?
    /// What happens there, e.g. "plateau begins".
    public var meaning: String
}

/// A flat stretch of the curve.
public struct Plateau: Sendable {
    public var level: Double
    public var fromX: Double
    /// Where it ends inside the data (nil: it lasts to the end of the data).
    public var toX: Double?
}

/// The slope of one segment of the curve in log–log axes (negative: loss falls).
public struct Segment: Sendable {
    public var fromX: Double
    public var toX: Double
    public var slope: Double
    public var ci95: (lower: Double, upper: Double)?
}

/// One law's showing in the comparison behind a verdict.
public struct ModelEvidence: Sendable {
    public var model: String
    public var aicc: Double?
    public var deltaAICc: Double?
    public var converged: Bool
    public var holdoutRMSLE: Double?
}

/// The verdict on one curve, with everything behind it.
public struct Verdict: Sendable {
    public var series: String
    public var kind: VerdictKind
    public var breakpoints: [Breakpoint]
    public var plateau: Plateau?
    /// Where scaling stops: n* at which the decreasing part falls below
    /// ``DetectionCriteria/stopFraction`` of the floor (nil when no floor).
    public var scalingStops: Double?
    public var segments: [Segment]
    /// The law the verdict rests on and the comparison of all laws tried.
    public var chosenModel: String
    public var models: [ModelEvidence]
    /// Plain-language reasons, one per criterion that decided.
    public var reasons: [String]
    public var warnings: [String]
    /// The fit of the chosen law (for plots and reports).
    public var fit: FitResult?
}

/// The thresholds the detector uses. Every verdict states which one decided.
public struct DetectionCriteria: Sendable {
    /// A segment whose |log–log slope| is below this is flat (a plateau).
    public var plateauSlope: Double = 0.05
    /// A plateau must last at least this many decades of x inside the data.
    public var minimumPlateauDecades: Double = 0.5
    /// Scaling "stops" where the decreasing part falls below this fraction of the floor.
    public var stopFraction: Double = 0.1
    /// A more complex law must lower AICc by more than this to be preferred.
    public var aiccMargin: Double = 4
    /// Points held out for the extrapolation figure in the evidence (0: none).
    public var holdout: Int = 0

    public init() {}
}
