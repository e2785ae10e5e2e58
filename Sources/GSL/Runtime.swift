// GSL's process-wide set-up and the error every facility of this target throws.
//
// This target is the only code that imports CGSL. Each file is one facility: this one
// (runtime), SpecialFunctions, LeastSquares (+ LeastSquaresTypes), Random, LinearAlgebra
// and Minimizers. What leaves the target is plain Swift: numbers, arrays, enums, errors.

internal import CGSL
import ScalefitCore

/// Process-wide GSL set-up.
///
/// GSL's default error handler calls `abort()`, which Swift cannot catch. Every facility
/// calls ``GSLRuntime/prepare()`` before its first GSL call, which turns the handler off
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

/// A GSL call that failed (exit status 1: not the input's fault).
public enum GSLError: Error, ExitStatusProviding, CustomStringConvertible, Sendable, Equatable {
    /// GSL reported an error status or could not allocate.
    case gsl(String)
    /// A linear system had no unique solution (a matrix that should be positive definite is not).
    case singular(String)

    public var exitStatus: ExitStatus { .failure }

    public var description: String {
        switch self {
        case .gsl(let m): return "GSL error: \(m)"
        case .singular(let m): return "singular system: \(m)"
        }
    }

    /// Throws ``gsl(_:)`` naming `what` unless `status` is GSL_SUCCESS.
    static func check(_ status: Int32, _ what: String) throws {
        guard status == GSL_SUCCESS else { throw GSLError.gsl("\(what): \(GSLRuntime.message(for: status))") }
    }
}
