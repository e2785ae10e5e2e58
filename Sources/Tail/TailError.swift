import ScalefitCore

/// What can stop a tail fit.
public enum TailError: Error, ExitStatusProviding, CustomStringConvertible, Sendable, Equatable {
    case tooFewDistinctValues(Int)
    case nonIntegerDiscrete
    case badXmin(Double)
    case noCandidates
    case noFit

    public var exitStatus: ExitStatus {
        switch self {
        case .nonIntegerDiscrete, .badXmin, .noCandidates: .badInput
        case .tooFewDistinctValues, .noFit: .failure
        }
    }

    public var description: String {
        switch self {
        case .tooFewDistinctValues(let n):
            "error: a tail needs at least 2 distinct values at or above x_min; found \(n)"
        case .nonIntegerDiscrete:
            "error: --discrete needs whole-number values (use --continuous, or --scale to undo a unit)"
        case .badXmin(let x):
            "error: x_min must be positive (and whole for discrete data); got \(x)"
        case .noCandidates:
            "error: no candidate x_min in the search range"
        case .noFit:
            "error: no x_min candidate gave a finite fit"
        }
    }
}
