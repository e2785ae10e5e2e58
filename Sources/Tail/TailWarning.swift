/// A warning about the reliability of a tail fit, with a stable code for scripts.
public struct TailWarning: Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// x_min < 6: the continuous approximation of discrete data is off (CSN §3.3).
        case discreteApproximation = "discrete_approximation"
        /// Fewer than 50 tail points: the exponent and the tests are unreliable.
        case fewTailPoints = "few_tail_points"
        /// x_min is the smallest or largest candidate searched.
        case xminAtEdge = "xmin_at_edge"
        /// Observations ≤ 0 were dropped.
        case droppedValues = "dropped_values"
        /// β ≤ 1: no collapse prediction.
        case noPrediction = "no_prediction"
        /// An optimiser did not converge.
        case notConverged = "not_converged"
        /// A number is not finite and is written as null.
        case nonFinite = "non_finite"
    }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "warning: \(message)" }
}
