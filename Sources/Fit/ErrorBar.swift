/// Whether a parameter has a standard error, and if not, why. The `note` of every output
/// (text, JSON, HTML, notebook) is rendered from it.
public enum ErrorBar: Sendable, Hashable {
    /// From the covariance, scaled by the residual variance.
    case estimated
    /// Held at a value (`--fix`): no error bar.
    case fixed
    /// Set equal to another parameter (`--tie`): its source's error bar.
    case tied(to: String)
    /// At a bound of its domain (a non-negative floor at 0, a bounded parameter at an end):
    /// the covariance is not meaningful there.
    case atBound(ParameterDomain)
    /// The covariance is singular: the data do not identify the parameters.
    case singular
    /// As many free parameters as points: no residual variance.
    case noDegreesOfFreedom
    /// The covariance overflowed: the standard error was not finite and is dropped.
    case notFinite

    /// The note the outputs show; nil for an estimated error bar.
    public var note: String? {
        switch self {
        case .estimated: nil
        case .fixed: "fixed"
        case .tied(let source): "tied to \(source)"
        case .atBound(let domain): "at bound (\(domain))"
        case .singular: "singular covariance (parameters not identified)"
        case .noDegreesOfFreedom: "no degrees of freedom left for an error bar"
        case .notFinite: "standard error not finite (the covariance overflowed)"
        }
    }
}

/// Why a parameter's 95% interval is missing although it has an error bar.
public enum IntervalProblem: Sendable, Hashable {
    /// value ± t·se (or its map back from θ) overflowed.
    case notFinite
    /// The profile likelihood does not reach the threshold on this side or these sides.
    case profileOpen(below: Bool, above: Bool)

    /// The note the outputs show (it takes the place of the error bar's).
    public var note: String {
        switch self {
        case .notFinite:
            return "95% interval not finite (value ± t·se overflowed)"
        case .profileOpen(let below, let above):
            let open = [below ? "below" : nil, above ? "above" : nil].compactMap { $0 }.joined(separator: " and ")
            return "profile interval open \(open) (the data do not bound it)"
        }
    }
}

/// What a parameter is in its law, for the judgements that depend on it (a floor
/// indistinguishable from 0 is worth a warning; a scale or an exponent is not).
public enum ParameterRole: Sendable, Hashable {
    /// The irreducible loss the curve approaches (E, E∞, a plateau).
    case floor
    /// A multiplicative scale (A in A·x^(−α)).
    case scale
    /// An exponent or slope (α in A·x^(−α)).
    case exponent
    /// Where a broken law bends (d_i).
    case breakpoint
}
