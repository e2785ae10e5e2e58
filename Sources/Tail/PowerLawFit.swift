import Foundation
import ScalefitCore

/// A power law fitted to the tail x ≥ x_min of a sample (Clauset, Shalizi & Newman 2009).
///
/// `alpha` is the exponent of the *distribution of values*, p(x) ∝ x^(−α). For token
/// frequencies the Zipf (rank–frequency) exponent is β = 1/(α − 1); see ``ZipfView``.
public struct PowerLawFit: Sendable, Hashable {
    /// Discrete (exact Hurwitz-zeta normaliser) or continuous (closed form).
    public var kind: TailKind
    /// The lower bound of the power-law behaviour.
    public var xmin: Double
    /// The maximum-likelihood exponent α.
    public var alpha: Double
    /// Its asymptotic standard error from the Fisher information:
    /// continuous (α − 1)/√n (CSN eq. 3.2); discrete 1/√(n·(ln ζ)''(α, x_min)) (CSN eq. 3.6).
    public var standardError: Double
    /// The observations in the tail, x ≥ x_min.
    public var tailCount: Int
    /// All observations.
    public var sampleCount: Int
    /// The Kolmogorov–Smirnov distance between the tail and the fitted law.
    public var ksDistance: Double
    /// The log-likelihood of the tail under the fitted law.
    public var logLikelihood: Double
    /// How many x_min candidates the search tried (1 when x_min was given).
    public var candidateCount: Int
    /// Where the chosen x_min sits among the candidates.
    public var xminPosition: XminPosition
    /// The smallest and largest candidate x_min searched (equal when x_min was given).
    public var searchRange: ClosedRange<Double>
    /// Whether the exponent's optimisation converged (always true for the closed form).
    public var converged: Bool

    /// α ± 1.96 σ.
    public var confidenceInterval95: ClosedRange<Double> {
        let half = 1.959_963_984_540_054 * standardError
        return (alpha - half)...(alpha + half)
    }

    /// Where x_min lies in the searched range.
    public enum XminPosition: String, Sendable, Hashable {
        /// x_min was given, not searched.
        case fixed
        /// The smallest candidate: the power law may extend below the data.
        case lowerEdge = "lower_edge"
        /// The largest candidate: the search ran out of tail.
        case upperEdge = "upper_edge"
        /// Strictly inside the range.
        case interior
    }
}
