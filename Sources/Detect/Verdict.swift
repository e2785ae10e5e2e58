import Fit
import ScalefitCore

/// What a curve is doing, in the words of the collapse literature.
public enum VerdictKind: String, Sendable, CaseIterable, Codable {
    /// A power law with no floor detectable in range: more data still helps at the same rate.
    case scaling
    /// Approaching a floor, still descending in range.
    case saturating
    /// Flat for the last part of the data after a descent (or flat throughout): more data has
    /// stopped helping this curve. One curve cannot say why: an irreducible floor and model
    /// collapse look the same. Only `--reference` or `--by` turn this into ``collapsed``.
    case plateaued
    /// A plateau that a clean reference curve (`--reference`) or the family (`--by`) shows
    /// to be a collapse: the clean curve keeps descending where this one stops, or the floor
    /// rises along the family (docs/collapse-models.md §1.2).
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
    /// Whether x lies inside the data's x range (a fitted break can lie beyond either end,
    /// where it still bends the curve inside the data).
    public var insideData: Bool = true
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
    /// The chosen law itself, so that a plot draws the fit without looking the law up by name.
    public var law: (any ScalingLaw)? = nil
}

/// The thresholds the detector uses. Every verdict states which one decided.
public struct DetectionCriteria: Sendable {
    /// A segment is flat when its |log–log slope| is at most this fraction of the curve's
    /// steepest descent, or at most three times that with a 95% interval that reaches 0
    /// (flat within the noise). A single power law is flat only when its slope's 95% interval
    /// reaches 0.
    public var flatRatio: Double = 0.1
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
