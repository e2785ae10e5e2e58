import Foundation
import RealModule
import ScalefitCore

/// `custom`: a law its user writes, `fit --law 'E + A*N^-alpha + B*D^-beta'`.
///
/// The text is parsed by ``ParsedExpression`` (the language is described there and in the
/// README's "Your own law" section), compiled to a ``CompiledExpression`` and differentiated exactly by
/// forward-mode automatic differentiation. Parameters are named as in the text, in order of
/// first appearance; each has a domain (real unless `--param` says otherwise), kept by the
/// same reparametrisation as the built-in laws. Starts come from the domains: a grid of a
/// few values per parameter (denser for fewer parameters; a Halton sample of the grid past 1,200),
/// plus any start value the user gave.
public struct CustomLaw: ScalingLaw, BudgetSlopeLaw {
    public let parsed: ParsedExpression
    public let program: CompiledExpression
    public let parameters: [LawParameter]
    /// Start values given by the user (`--param A~400`), by parameter index.
    public let startHints: [Int: Double]

    public var name: String { "custom" }
    /// The expression, as written.
    public var formula: String { parsed.text }
    public var inputCount: Int { parsed.inputCount }

    /// - Parameters:
    ///   - text: the right-hand side of the law.
    ///   - domains: parameter domains by name (real when absent).
    ///   - starts: start values by name.
    /// - Throws: ``ExpressionError`` for a malformed text; ``FitError`` for a domain or
    ///   start that names no parameter of the law, or a start outside its domain.
    public init(_ text: String, domains: [String: ParameterDomain] = [:], starts: [String: Double] = [:]) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parsed: ParsedExpression
        do { parsed = try ParsedExpression(trimmed) } catch { throw FitError("in the law: \(error)") }
        let names = parsed.parameterNames
        guard !names.isEmpty else { throw FitError("the law \"\(trimmed)\" has no parameter to fit (every name in it is an input: N, D, x, x2)") }
        for name in (Array(domains.keys) + Array(starts.keys)).sorted() where !names.contains(name) {
            throw FitError("--param \(name): the law has no parameter \(name) (its parameters: \(names.joined(separator: ", ")))")
        }
        var hints: [Int: Double] = [:]
        for (name, value) in starts {
            let index = names.firstIndex(of: name)!
            let domain = domains[name] ?? .real
            guard domain.contains(value) else {
                throw FitError("--param \(name)~\(value): the start lies outside the domain of \(name) (\(domain))")
            }
            hints[index] = value
        }
        self.parsed = parsed
        self.program = CompiledExpression(parsed)
        // A parameter named as the built-in laws name their floor (E, E_inf, floor) is judged as
        // one (the "indistinguishable from 0" warning); the other roles are not guessed.
        self.parameters = names.map { name in
            LawParameter(name, domains[name] ?? .real, "parameter of the user's law",
                         role: ["E", "E_inf", "floor"].contains(name) ? .floor : nil)
        }
        self.startHints = hints
    }

    /// The law of a saved fit: its formula and the domain of each parameter (in order).
    public init(formula: String, domains: [ParameterDomain]) throws {
        let parsed: ParsedExpression
        do { parsed = try ParsedExpression(formula.trimmingCharacters(in: .whitespaces)) } catch { throw FitError("in the law: \(error)") }
        guard domains.count == parsed.parameterNames.count else {
            throw FitError("the law \"\(formula)\" has \(parsed.parameterNames.count) parameters, \(domains.count) domains given")
        }
        var named: [String: ParameterDomain] = [:]
        for (name, domain) in zip(parsed.parameterNames, domains) { named[name] = domain }
        try self.init(formula, domains: named)
    }

    public func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double {
        program.value(x, x2, parameters: p)
    }

    public func gradient(_ x: Double, _ x2: Double, parameters p: [Double], into gradient: inout [Double]) {
        _ = program.valueAndGradient(x, x2, parameters: p, into: &gradient)
    }

    public func valueAndGradient(_ x: Double, _ x2: Double, parameters p: [Double], into gradient: inout [Double]) -> Double {
        program.valueAndGradient(x, x2, parameters: p, into: &gradient)
    }

    public func budgetSlope(n: Double, d: Double, parameters p: [Double]) -> Double {
        program.budgetSlope(n, d, parameters: p)
    }

    public func logOptimumGradient(n: Double, d: Double, parameters p: [Double]) -> [Double]? {
        let curvature = program.budgetDerivatives(n, d, parameters: p, second: .budget).mixed[0]
        guard curvature > 0, curvature.isFinite else { return nil }
        let bySlope = program.budgetDerivatives(n, d, parameters: p, second: .parameters).mixed
        let g = bySlope.map { -$0 / curvature }
        return g.allSatisfy(\.isFinite) ? g : nil
    }

    public func evaluate(
        _ inputs: LawInputs, parameters p: [Double], values: UnsafeMutablePointer<Double>,
        gradients: UnsafeMutablePointer<Double>?
    ) {
        let k = gradients == nil ? 0 : program.parameterCount
        let x = inputs.x, x2 = inputs.x2
        let seeds: CompiledExpression.Seeds = gradients == nil ? .none : .parameters
        withUnsafeTemporaryAllocation(of: Double.self, capacity: program.scratchCount(directions: k)) { scratch in
            p.withUnsafeBufferPointer { pp in
                for i in 0..<x.count {
                    values[i] = program.run(
                        x[i], x2?[i] ?? .nan, pp.baseAddress!, scratch.baseAddress!, directions: k, seeds: seeds,
                        gradient: gradients.map { $0 + i * k })
                }
            }
        }
    }

    /// Candidate values of one parameter from its domain alone: `count` values spread over
    /// it (logit-spaced inside an interval, log-spaced over 10⁻²…10⁴ for a positive one,
    /// over −1…2 for a real one).
    static func candidates(_ domain: ParameterDomain, count: Int) -> [Double] {
        let fractions = (0..<count).map { (Double($0) + 0.5) / Double(count) }
        switch domain {
        case .interval(let lo, let hi):
            return fractions.map { lo + (hi - lo) * $0 }
        case .positive, .nonNegative:
            return fractions.map { Double.pow(10, -2 + 6 * $0) }
        case .real:
            let table: [Int: [Double]] = [1: [0.5], 2: [0.5, 1], 3: [0, 0.5, 1.5], 4: [0, 0.5, 1, 2], 5: [-1, 0, 0.5, 1, 2]]
            return table[count] ?? fractions.map { -1 + 3 * $0 }
        }
    }

    /// Values per parameter so that the grid stays near 1,000 starts: 5 for up to four
    /// parameters, 4 for five, 3 for six, 2 beyond.
    static func gridSize(parameterCount p: Int) -> Int {
        var k = 5
        while k > 2, Double.pow(Double(k), Double(p)) > 1100 { k -= 1 }
        return k
    }

    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        let p = parameters.count
        let k = Self.gridSize(parameterCount: p)
        var lists = parameters.map { Self.candidates($0.domain, count: k) }
        // A given start leads: it is the first grid value of its parameter.
        for (index, value) in startHints { lists[index] = [value] + lists[index].filter { $0 != value } }
        var first = lists.map { $0[$0.count / 2] }
        for (index, value) in startHints { first[index] = value }
        var starts: [[Double]] = [first]
        // The full grid when small enough, else every parameter's middle value with one
        // parameter moved at a time plus a deterministic low-discrepancy (Halton) sample.
        let total = lists.reduce(1.0) { $0 * Double($1.count) }
        if total <= 1200 {
            var index = [Int](repeating: 0, count: p)
            while true {
                starts.append((0..<p).map { lists[$0][index[$0]] })
                var j = 0
                while j < p {
                    index[j] += 1
                    if index[j] < lists[j].count { break }
                    index[j] = 0
                    j += 1
                }
                if j == p { break }
            }
        } else {
            let primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71]
            for i in 1...1000 {
                starts.append((0..<p).map { j in
                    let list = lists[j]
                    let u = Self.radicalInverse(i, base: primes[j % primes.count])
                    return list[min(Int(u * Double(list.count)), list.count - 1)]
                })
            }
        }
        return starts
    }

    static func radicalInverse(_ i: Int, base: Int) -> Double {
        var result = 0.0, fraction = 1.0 / Double(base), n = i
        while n > 0 {
            result += Double(n % base) * fraction
            n /= base
            fraction /= Double(base)
        }
        return result
    }

    public func unsuitability(pointCount: Int, fixed: Set<String>) -> String? {
        let free = parameters.filter { !fixed.contains($0.name) }.count
        return pointCount < free ? "the law has \(free) free parameters but only \(pointCount) points" : nil
    }
}

/// Laws that give the exact slope of the loss along a compute budget (N·∂L/∂N − D·∂L/∂D),
/// so that the compute-optimal allocation is found by a root search on it rather than
/// by comparing losses (which locates a minimum only to about the square root of the
/// machine precision).
public protocol BudgetSlopeLaw: ScalingLaw {
    func budgetSlope(n: Double, d: Double, parameters p: [Double]) -> Double
    /// ∂ln N*/∂p at the optimum (n, d) of a budget: the optimum solves S(u, p) = 0 (S the
    /// slope, u = ln N), so by the implicit function theorem ∂u*/∂p = −(∂S/∂p)/(∂S/∂u);
    /// nil where the curvature ∂S/∂u is not positive (no proper minimum).
    func logOptimumGradient(n: Double, d: Double, parameters p: [Double]) -> [Double]?
}

extension ParameterDomain {
    /// The domain as `--param` writes it: `real`, `>0`, `>=0` or `LO..HI`.
    public var specification: String {
        switch self {
        case .real: "real"
        case .positive: ">0"
        case .nonNegative: ">=0"
        case .interval(let lo, let hi): "\(lo)..\(hi)"
        }
    }

    /// Parses ``specification``'s forms.
    public init?(specification text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch t {
        case "real": self = .real
        case ">0": self = .positive
        case ">=0", "≥0": self = .nonNegative
        default:
            let parts = t.components(separatedBy: "..")
            let ends = parts.map { $0.trimmingCharacters(in: .whitespaces) }
            guard ends.count == 2, let lo = Double(ends[0]), let hi = Double(ends[1]), lo.isFinite, hi.isFinite, lo < hi else {
                return nil
            }
            self = .interval(lo, hi)
        }
    }
}

/// One `--param` item: `alpha=0..2`, `E>0`, `E>=0`, `alpha=real`, or a start `A~400`.
public struct ParameterSpecification: Sendable, Equatable {
    public var name: String
    public var domain: ParameterDomain?
    public var start: Double?

    public init(parsing text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces)
        func nameOK(_ s: String) -> Bool {
            guard let first = s.first, first.isLetter || first == "_" else { return false }
            return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        }
        let usage = "--param takes NAME=LO..HI, NAME>0, NAME>=0, NAME=real or NAME~START (e.g. alpha=0..2, E>0, A~400), not \"\(text)\""
        if let tilde = t.firstIndex(of: "~") {
            let name = String(t[..<tilde]).trimmingCharacters(in: .whitespaces)
            guard nameOK(name), let value = Double(t[t.index(after: tilde)...].trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw FitError(usage)
            }
            self.name = name
            self.start = value
            return
        }
        if let range = t.range(of: ">=") ?? t.range(of: "≥") ?? t.range(of: ">") {
            let name = String(t[..<range.lowerBound]).trimmingCharacters(in: .whitespaces)
            let bound = t[range.upperBound...].trimmingCharacters(in: .whitespaces)
            guard nameOK(name), let value = Double(bound) else { throw FitError(usage) }
            guard value == 0 else {
                throw FitError("--param \(text): a lower bound without an upper one must be 0 (NAME>0 or NAME>=0); give LO..HI for others")
            }
            self.name = name
            self.domain = t[range].count == 1 ? .positive : .nonNegative
            return
        }
        let parts = t.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, nameOK(parts[0]) else { throw FitError(usage) }
        guard let domain = ParameterDomain(specification: parts[1]) else {
            throw FitError("--param \(text): \"\(parts[1])\" is not a domain (LO..HI with LO < HI, real, >0 or >=0)")
        }
        self.name = parts[0]
        self.domain = domain
    }
}

extension CustomLaw {
    /// The law from `--law` and its `--param` items.
    public init(_ text: String, specifications: [ParameterSpecification]) throws {
        var domains: [String: ParameterDomain] = [:]
        var starts: [String: Double] = [:]
        for item in specifications {
            if let domain = item.domain {
                if let earlier = domains[item.name], earlier != domain {
                    throw FitError("--param \(item.name) is given two domains (\(earlier.specification) and \(domain.specification))")
                }
                domains[item.name] = domain
            }
            if let start = item.start { starts[item.name] = start }
        }
        try self.init(text, domains: domains, starts: starts)
    }
}
