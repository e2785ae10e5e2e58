import ScalefitCore

/// What can go wrong while generating data.
public enum GenerateError: Error, ExitStatusProviding, CustomStringConvertible, Sendable, Equatable {
    /// A parameter is outside its domain (exit status 2).
    case invalidParameter(String)
    /// The request is valid but would cost far too much (exit status 2): the message says
    /// what to change.
    case tooExpensive(String)
    /// GSL reported an error (exit status 1).
    case gsl(String)
    /// A linear system had no unique solution (exit status 1).
    case singular(String)

    public var exitStatus: ExitStatus {
        switch self {
        case .invalidParameter, .tooExpensive: return .badInput
        case .gsl, .singular: return .failure
        }
    }

    public var description: String {
        switch self {
        case .invalidParameter(let m): return "invalid parameter: \(m)"
        case .tooExpensive(let m): return "too expensive: \(m)"
        case .gsl(let m): return "GSL error: \(m)"
        case .singular(let m): return "singular system: \(m)"
        }
    }
}

/// Throws ``GenerateError/invalidParameter(_:)`` with `message` unless `condition` holds.
@inline(__always)
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw GenerateError.invalidParameter(message()) }
}
