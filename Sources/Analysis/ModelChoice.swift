import Fit
import ScalefitCore

/// What to fit to a series, as the user named it (`--model`): one law, `auto` (the laws that
/// apply to the series, compared by AICc) or `generations` (the three floor-vs-generation
/// forms, compared by AICc).
public enum ModelChoice: Sendable {
    case law(any ScalingLaw)
    case auto
    case generations

    /// The choice `name` names: a law of ``LawCatalog`` (`broken` means `broken1`), `auto`
    /// or `generations`.
    /// - Throws: ``UsageError`` for an unknown name, listing the names there are.
    public init(parsing name: String) throws {
        switch name {
        case "auto": self = .auto
        case "generations": self = .generations
        default:
            guard let law = LawCatalog.law(named: name) else {
                let names = LawCatalog.all.map(\.name) + LawCatalog.groups.keys.sorted()
                throw UsageError("unknown model \"\(name)\"; choose one of \(names.joined(separator: ", "))")
            }
            self = .law(law)
        }
    }

    /// Every law this choice may fit, on any series: what a fixed value (`--fix`) is
    /// checked against before anything is read.
    public var possibleLaws: [any ScalingLaw] {
        switch self {
        case .law(let law): [law]
        case .auto: LawCatalog.all
        case .generations: GenerationLaw.Form.allCases.map { GenerationLaw($0) }
        }
    }

    /// The laws compared on `series`, or nil when one law is fitted without a comparison.
    /// `auto` narrows to ``LawCatalog/candidates(inputCount:pointCount:)`` for the series'
    /// inputs and the points left after the hold-out.
    func candidates(for series: Series, holdout: Int) -> [any ScalingLaw]? {
        switch self {
        case .law: nil
        case .auto: LawCatalog.candidates(inputCount: series.x2 == nil ? 1 : 2, pointCount: series.count - holdout)
        case .generations: possibleLaws
        }
    }
}
