import Analysis
import ArgumentParser
import Export
import Fit
import ScalefitCore

extension ResidualSpace: ExpressibleByArgument {}
extension TrustRegionMethod: ExpressibleByArgument {}
extension IntervalMethod: ExpressibleByArgument {}
extension HoldoutOrder: ExpressibleByArgument {}

/// The fit flags that `fit`, `plot`, `report` and `notebook` share, declared once; `fit`
/// adds the engine's finer settings (``FitCommand``).
struct FitFlags: ParsableArguments {
    @Option(help: "The law (see `scalefit models`), `auto` to compare the laws that apply (the default of fit, report and notebook; plot draws only the data without it), or `generations`.")
    var model: String?

    @Option(name: .customLong("fix"), help: "Hold a parameter at a value, e.g. E=1.7 (repeatable).")
    var fix: [String] = []

    @Option(help: "lsq, or huber:DELTA (the Huber loss with threshold DELTA, summed over points).")
    var loss: String = "lsq"

    @Option(help: "Residual space: log (relative errors, the default) or linear.")
    var space: ResidualSpace = .log

    @Option(help: "Hold out the K largest-x points of each series (for two-input laws the K largest compute C = 6·N·D) and report the extrapolation error.")
    var holdout: Int = 0

    @Option(help: "Bootstrap replicates for percentile intervals (0: none).")
    var bootstrap: Int = 0

    @Option(help: "Seed of the bootstrap resampling.")
    var seed: UInt64 = 0

    @OptionGroup var custom: CustomLawArguments

    /// The options these flags set. A fixed value is checked against the domains of every
    /// law `model` may fit (an unknown model is reported by ``choice(_:)``).
    func options(model: String?) throws -> FitOptions {
        var options = FitOptions()
        options.space = space
        options.loss = try Self.loss(loss)
        options.fixed = try Self.fixed(fix)
        guard holdout >= 0 else { throw UsageError("--holdout must be ≥ 0") }
        try Self.checkBootstrap(bootstrap)
        if let law = try custom.customLaw() {
            try Self.checkFixedDomains(options.fixed, laws: [law])
        } else if let model {
            try Self.checkFixedDomains(options.fixed, laws: (try? ModelChoice(parsing: model))?.possibleLaws ?? [])
        }
        options.holdout = holdout
        options.bootstrap = bootstrap
        options.seed = seed
        return options
    }

    /// The model asked for: the user's own law (`--law`), else `model` (nil: no fit).
    /// `model` is the command's reading of `--model` (with its default).
    func choice(_ model: String?) throws -> ModelChoice? {
        if let law = try custom.customLaw() {
            guard self.model == nil else { throw UsageError("give either --model or --law, not both") }
            return .law(law)
        }
        return try model.map(ModelChoice.init(parsing:))
    }

    /// The options as `plot`, `report` and `notebook` show them.
    func record(_ options: FitOptions, model: String?) -> [(String, JSONNode)] {
        [
            ("model", custom.law != nil ? .string("custom") : model.map { JSONNode.string($0) } ?? .null),
            ("space", .string(options.space.rawValue)), ("loss", .string(options.loss.description)),
            ("fix", .object(options.fixed.sorted { $0.key < $1.key }.map { ($0.key, JSONNode.number($0.value)) })),
            ("holdout", .integer(options.holdout)), ("bootstrap", .integer(options.bootstrap)),
            ("seed", .integer(Int(truncatingIfNeeded: options.seed))),
        ] + custom.record()
    }

    /// `lsq` or `huber:DELTA`.
    static func loss(_ text: String) throws -> FitLoss {
        guard let parsed = FitLoss(parsing: text) else {
            throw UsageError("--loss takes lsq or huber:DELTA with DELTA > 0, not \"\(text)\"")
        }
        return parsed
    }

    /// `NAME=VALUE` items.
    static func fixed(_ items: [String]) throws -> [String: Double] {
        var fixed: [String: Double] = [:]
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[1]), value.isFinite else {
                throw UsageError("--fix takes NAME=VALUE, e.g. E=1.7, not \"\(item)\"")
            }
            guard fixed[parts[0]] == nil else {
                throw UsageError("--fix \(parts[0]) is given twice (\(FitReport.number(fixed[parts[0]]!)) and \(FitReport.number(value))); give it once")
            }
            fixed[parts[0]] = value
        }
        return fixed
    }

    /// A fixed value must lie in its parameter's domain (`scalefit models` lists them):
    /// `--fix E=-1` would otherwise be "fitted" with a floor no law allows.
    static func checkFixedDomains(_ fixed: [String: Double], laws: [any ScalingLaw]) throws {
        for (name, value) in fixed.sorted(by: { $0.key < $1.key }) {
            for law in laws {
                guard let parameter = law.parameters.first(where: { $0.name == name }) else { continue }
                let inside: Bool
                switch parameter.domain {
                case .real: inside = value.isFinite
                case .positive: inside = value > 0
                case .nonNegative: inside = value >= 0
                case .interval(let lo, let hi): inside = value > lo && value < hi
                }
                guard inside else {
                    throw UsageError("--fix \(name)=\(FitReport.number(value)) is outside the domain of \(name) in \(law.name) (\(parameter.domain)); see scalefit models")
                }
            }
        }
    }

    /// Percentile intervals need replicates at both 2.5% and 97.5%: fewer than 10 give no
    /// interval at all, so they are refused instead of silently ignored.
    static func checkBootstrap(_ count: Int) throws {
        guard count >= 0 else { throw UsageError("--bootstrap must be ≥ 0") }
        guard count == 0 || count >= 10 else {
            throw UsageError("--bootstrap \(count): percentile intervals need at least 10 replicates (1000 is usual); give 0 for none")
        }
    }
}
