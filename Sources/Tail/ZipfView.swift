import Foundation
import ScalefitCore

/// The rank–frequency view of a tail: the Zipf exponent β of p_i ∝ i^(−β).
///
/// If the *values* (e.g. the counts of distinct words) follow p(x) ∝ x^(−α), then the value
/// of rank r falls off as x_(r) ∝ r^(−1/(α−1)), so the Zipf exponent of the rank–frequency
/// curve is β = 1/(α − 1) (Newman 2005, §2.4; CSN 2009 §1). Moby Dick: α = 1.95 ⇒ β ≈ 1.05.
/// The collapse laws (docs/collapse-models.md §1) are written in β.
public struct ZipfView: Sendable, Hashable {
    /// β = 1/(α − 1).
    public var beta: Double
    /// Delta method: σ_β = σ_α/(α − 1)².
    public var standardError: Double
    /// The 95% interval of α mapped through 1/(α − 1) (monotone); the upper end is +∞
    /// when α's interval reaches 1.
    public var confidenceInterval95: ClosedRange<Double>

    public init(fit: PowerLawFit) {
        let a = fit.alpha - 1
        beta = 1 / a
        standardError = fit.standardError / (a * a)
        let interval = fit.confidenceInterval95
        let low = 1 / (interval.upperBound - 1)
        let high = interval.lowerBound > 1 ? 1 / (interval.lowerBound - 1) : .infinity
        confidenceInterval95 = low...high
    }
}
