import ArgumentParser
import Export
import Fit
import Ingest
import ScalefitCore

/// `--law EXPR` and `--param SPEC` (a law of the user's own), shared by the commands that fit.
struct CustomLawArguments: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A law of your own instead of --model, e.g. 'E + A*N^-alpha + B*D^-beta': inputs N (or x) and D (or x2), every other name a parameter; + - * / ^, exp log log10 log2 log1p expm1 sqrt abs pow min max sigmoid tanh.",
        valueName: "expression"))
    var law: String?

    @Option(name: .customLong("param"), help: ArgumentHelp(
        "A parameter's domain or start for --law: alpha=0..2, E>0, E>=0, A=real, A~400 (repeatable; parameters are real by default).",
        valueName: "spec"))
    var param: [String] = []

    /// The user's law, or nil without `--law`.
    func customLaw() throws -> CustomLaw? {
        guard let law else {
            if !param.isEmpty { throw UsageError("--param sets the domains of a --law; give --law EXPRESSION") }
            return nil
        }
        do {
            let specifications = try param.map(ParameterSpecification.init(parsing:))
            return try CustomLaw(law, specifications: specifications)
        } catch let error as FitError {
            throw UsageError("--law: \(error.message)")
        }
    }

    /// The items of the options record.
    func record() -> [(String, JSONNode)] {
        guard let law else { return [] }
        return [("law", .string(law)), ("param", .array(param.map { JSONNode.string($0) }))]
    }
}

/// Reading a custom law back from a saved fit.
enum CustomLawReading {
    static func law(formula: String, parameters: [JSONValue], fail: (String, String) -> InputError) throws -> CustomLaw {
        guard !formula.isEmpty else { throw fail("formula", "a custom fit needs its formula (the --law expression)") }
        let domains = try parameters.enumerated().map { j, p -> ParameterDomain in
            guard let raw = p["domain"] else { return .real }
            guard case .string(let text) = raw, let domain = ParameterDomain(specification: text) else {
                throw fail("parameters[\(j)].domain", "expected real, >0, >=0 or LO..HI")
            }
            return domain
        }
        do {
            return try CustomLaw(formula: formula, domains: domains)
        } catch let error as FitError {
            throw fail("formula", error.message)
        }
    }
}
