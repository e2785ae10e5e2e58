import Foundation
import RealModule
import ScalefitCore
@testable import Fit

/// Seeded ill-posed fitting problems and the checks every result must pass.
///
/// Problem `k` is fully determined by `k`: its kind is `k % Kind.allCases.count`, its law
/// `LawCatalog.all[(k / kinds) % laws]`, and every random choice comes from
/// `SeededRandom(seed: 0x5CA1EF17, stream: k)`. A failure message names `k`, so any
/// problem can be replayed alone with ``Torture/problem(_:)``.
enum Torture {
    /// The ways a problem is made hostile.
    enum Kind: String, CaseIterable {
        case constantY = "constant y"
        case tooFewPoints = "fewer points than parameters"
        case nonPositiveX = "x <= 0"
        case nonPositiveY = "y <= 0"
        case hugeValues = "values near 1e+300"
        case tinyValues = "values near 1e-300"
        case extremeX = "x near 1e+-300"
        case notANumber = "NaN"
        case infinite = "infinite values"
        case duplicateX = "duplicate x"
        case extremeExponent = "extreme exponents"
        case randomNoise = "random positive data"
        case linearSpaceSigns = "mixed signs in linear space"
    }

    struct Problem {
        var index: Int
        var kind: Kind
        var law: any ScalingLaw
        var series: Series
        var options: FitOptions
    }

    /// What happened to one problem.
    enum Outcome: Hashable {
        case converged
        /// A result whose status says it did not converge (its `code`).
        case notConverged(String)
        /// A typed refusal before or during the fit (the error's type).
        case refused(String)
    }

    static let seed: UInt64 = 0x5CA1_EF17

    static func problem(_ k: Int) -> Problem {
        let kinds = Kind.allCases
        let kind = kinds[k % kinds.count]
        let law = LawCatalog.all[(k / kinds.count) % LawCatalog.all.count]
        var rng = SeededRandom(seed: seed, stream: UInt64(k))
        func uniform(_ lo: Double, _ hi: Double) -> Double { Double.random(in: lo..<hi, using: &rng) }
        func logUniform(_ lo: Double, _ hi: Double) -> Double { Double.exp(uniform(Double.log(lo), Double.log(hi))) }

        let parameterCount = law.parameters.count
        var n = Int.random(in: (parameterCount + 1)...(parameterCount + 25), using: &rng)
        if kind == .tooFewPoints { n = Int.random(in: 0...max(0, parameterCount - 1), using: &rng) }
        var x = (0..<n).map { _ in logUniform(1, 1e9) }.sorted()
        var x2: [Double]? = law.inputCount == 2 ? (0..<n).map { _ in logUniform(1e6, 1e12) } : nil
        // A plausible curve: a power law with a floor and 5% noise.
        let e = uniform(0, 3), a = logUniform(0.1, 1e4), alpha = uniform(0.05, 1.5)
        var y = x.map { e + a * Double.pow($0, -alpha) * Double.exp(0.05 * uniform(-1, 1)) }

        func hit(_ count: Int) -> [Int] { n == 0 ? [] : (0..<count).map { _ in Int.random(in: 0..<n, using: &rng) } }
        switch kind {
        case .constantY:
            let c = [0.0, 1.0, 2.5, 1e-12, 1e12].randomElement(using: &rng)!
            y = .init(repeating: c, count: n)
        case .tooFewPoints:
            break
        case .nonPositiveX:
            for i in hit(Int.random(in: 1...3, using: &rng)) { x[i] = [0, -1, -1e9, -0.0].randomElement(using: &rng)! }
            if var second = x2, Bool.random(using: &rng) {
                for i in hit(1) { second[i] = 0 }
                x2 = second
            }
        case .nonPositiveY:
            for i in hit(Int.random(in: 1...3, using: &rng)) { y[i] = [0, -1, -1e-300, -0.0].randomElement(using: &rng)! }
        case .hugeValues:
            let scale = logUniform(1e290, 1e307)
            y = y.map { $0 * scale }
        case .tinyValues:
            let scale = logUniform(1e-320, 1e-290)
            y = y.map { $0 * scale }
        case .extremeX:
            let scale = Bool.random(using: &rng) ? logUniform(1e280, 1e299) : logUniform(1e-310, 1e-290)
            x = x.map { $0 * scale }
            x2 = x2.map { $0.map { $0 * scale } }
        case .notANumber:
            for i in hit(Int.random(in: 1...2, using: &rng)) {
                if Bool.random(using: &rng) { y[i] = .nan } else { x[i] = .nan }
            }
        case .infinite:
            for i in hit(1) {
                if Bool.random(using: &rng) { y[i] = .infinity } else { x[i] = Bool.random(using: &rng) ? .infinity : -.infinity }
            }
        case .duplicateX:
            if Bool.random(using: &rng) {
                x = .init(repeating: x.first ?? 1, count: n)
                x2 = x2.map { .init(repeating: $0.first ?? 1, count: n) }
            } else {
                for i in stride(from: 1, to: n, by: 2) {
                    x[i] = x[i - 1]
                    if let previous = x2?[i - 1] { x2?[i] = previous }
                }
            }
        case .extremeExponent:
            let exponent = [50.0, 300, -50, 1e-9, -1e-9, 700].randomElement(using: &rng)!
            y = x.map { Double.pow($0, -exponent) }
        case .randomNoise:
            y = x.map { _ in logUniform(1e-3, 1e3) }
        case .linearSpaceSigns:
            y = y.map { $0 * (Bool.random(using: &rng) ? 1 : -1) }
        }

        var options = FitOptions()
        options.threads = 1
        options.startLimit = Int.random(in: 1...4, using: &rng)
        options.solver.maxIterations = 100
        options.space = kind == .linearSpaceSigns || Int.random(in: 0..<4, using: &rng) == 0 ? .linear : .log
        if Int.random(in: 0..<4, using: &rng) == 0 { options.loss = .huber([1e-3, 0.1, 1e3].randomElement(using: &rng)!) }
        if Int.random(in: 0..<8, using: &rng) == 0 { options.bootstrap = 12 }
        options.seed = UInt64(k)
        if Int.random(in: 0..<6, using: &rng) == 0 { options.holdout = Int.random(in: 1...2, using: &rng) }
        if Int.random(in: 0..<4, using: &rng) == 0 {
            options.predictX = [0, -1, 1e-300, 1e300, .greatestFiniteMagnitude, 1e4].shuffled(using: &rng)
            options.predictX2 = options.predictX.map { _ in logUniform(1e6, 1e12) }
        }
        if law.name == "narrowing" && Int.random(in: 0..<3, using: &rng) > 0 { options.fixed["beta"] = 2 }
        if Int.random(in: 0..<10, using: &rng) == 0, let name = law.parameterNames.randomElement(using: &rng) {
            options.fixed[name] = [0, 1, -1, 1e300].randomElement(using: &rng)!
        }
        let series = Series(run: "torture-\(k)", metric: kind.rawValue, x: x, x2: x2, values: y)
        return Problem(index: k, kind: kind, law: law, series: series, options: options)
    }

    /// One problem of `n` points (a million in the full run): a saturating curve with 1% noise.
    static func millionPoints(law: any ScalingLaw, n: Int = 1_000_000) -> Problem {
        var rng = SeededRandom(seed: seed, stream: 1 << 40)
        let x = (0..<n).map { 1 + Double($0) * 10 }
        let x2: [Double]? = law.inputCount == 2 ? x.map { 1e6 + $0 * 7 } : nil
        let y = x.map { 1.7 + 400 * Double.pow($0, -0.3) * (1 + 0.01 * Double.random(in: -1..<1, using: &rng)) }
        var options = FitOptions()
        options.startLimit = 1
        options.threads = 1
        options.solver.maxIterations = 60
        if law.name == "narrowing" { options.fixed["beta"] = 2 }
        return Problem(index: -1, kind: .randomNoise, law: law,
                       series: Series(run: "million", metric: "loss", x: x, x2: x2, values: y), options: options)
    }

    /// Fits the problem; returns the outcome and the violations of the result contract.
    static func run(_ problem: Problem) -> (Outcome, [String]) {
        do {
            let result = try problem.law.fit(to: problem.series, options: problem.options)
            let outcome: Outcome = result.converged ? .converged : .notConverged(result.status.code)
            return (outcome, violations(result))
        } catch let error as FitError {
            return (.refused("FitError"), error.message.isEmpty ? ["a FitError without a message"] : [])
        } catch {
            return (.refused(String(describing: type(of: error))), [])
        }
    }

    /// Every number of a result that is not finite, without a status, note or warning that
    /// says why. An empty list means the result keeps the contract of docs/design.md ("a value that
    /// is not finite is null with the reason in warnings").
    static func violations(_ r: FitResult) -> [String] {
        var found: [String] = []
        let said = r.warnings.joined(separator: "\n")
        func require(_ value: Double?, _ what: String, explainedBy reason: Bool = false) {
            guard let value, !value.isFinite, !reason else { return }
            found.append("\(r.model) \(r.series): \(what) = \(value) with no reason")
        }
        let overflow = said.contains("residual sum of squares is not finite")
        require(r.objective, "objective", explainedBy: said.contains("objective is not finite"))
        require(r.chiSquared, "chi-squared", explainedBy: overflow)
        require(r.bic, "BIC", explainedBy: overflow)
        require(r.aicc, "AICc", explainedBy: overflow)
        require(r.residualVariance, "residual variance", explainedBy: said.contains("degrees of freedom"))
        if r.aicc == nil && !said.contains("AICc") { found.append("\(r.model) \(r.series): AICc missing with no reason") }
        require(r.conditionNumber, "condition number", explainedBy: !r.converged || said.contains("condition number is not finite"))
        for p in r.parameters {
            require(p.value, "\(p.name)", explainedBy: said.contains(p.name))
            require(p.standardError, "stderr of \(p.name)")
            if let ci = p.ci95 { require(ci.lower, "ci95 of \(p.name)"); require(ci.upper, "ci95 of \(p.name)") }
            if let ci = p.bootstrapCI95 {
                require(ci.lower, "bootstrap ci95 of \(p.name)"); require(ci.upper, "bootstrap ci95 of \(p.name)")
            }
            if p.note == nil && p.standardError == nil && p.value.isFinite {
                found.append("\(r.model) \(r.series): \(p.name) has no error bar and no note saying why")
            }
        }
        for d in r.derived {
            if let ci = d.bootstrapCI95 { require(ci.lower, "bootstrap ci95 of \(d.name)"); require(ci.upper, "bootstrap ci95 of \(d.name)") }
        }
        if let h = r.holdout {
            let reason = said.contains("hold-out")
            require(h.rmsle, "hold-out RMSLE", explainedBy: reason)
            for point in h.points {
                require(point.predicted, "hold-out prediction", explainedBy: reason)
                require(point.logError, "hold-out log error", explainedBy: reason)
            }
        }
        for prediction in r.predictions {
            let reason = said.contains("prediction at x = \(prediction.x)")
            require(prediction.value, "prediction at \(prediction.x)", explainedBy: reason)
            if let band = prediction.confidenceBand {
                require(band.lower, "confidence band at \(prediction.x)", explainedBy: reason)
                require(band.upper, "confidence band at \(prediction.x)", explainedBy: reason)
            }
            if let band = prediction.predictionInterval {
                require(band.lower, "prediction interval at \(prediction.x)", explainedBy: reason)
                require(band.upper, "prediction interval at \(prediction.x)", explainedBy: reason)
            }
        }
        if !r.converged && !said.contains("did not converge") {
            found.append("\(r.model) \(r.series): status \(r.status.code) without a warning")
        }
        return found
    }

    struct Tally {
        var problems = 0
        var outcomes: [String: Int] = [:]
        var byKind: [String: [String: Int]] = [:]
        var violations: [String] = []

        mutating func add(_ problem: Problem, _ outcome: Outcome, _ found: [String]) {
            problems += 1
            let name: String
            switch outcome {
            case .converged: name = "converged"
            case .notConverged(let code): name = "not converged (\(code))"
            case .refused(let type): name = "refused (\(type))"
            }
            outcomes[name, default: 0] += 1
            byKind[problem.kind.rawValue, default: [:]][name, default: 0] += 1
            violations += found.map { "problem \(problem.index) [\(problem.kind.rawValue)]: \($0)" }
        }

        var summary: String {
            var lines = ["\(problems) problems"]
            for (name, count) in outcomes.sorted(by: { $0.key < $1.key }) { lines.append("  \(name): \(count)") }
            lines.append("by kind:")
            for (kind, counts) in byKind.sorted(by: { $0.key < $1.key }) {
                let parts = counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                lines.append("  \(kind): " + parts.joined(separator: ", "))
            }
            lines.append("violations: \(violations.count)")
            return lines.joined(separator: "\n")
        }
    }

    static func runAll(count: Int) -> Tally {
        var tally = Tally()
        let verbose = ProcessInfo.processInfo.environment["SCALEFIT_TORTURE_VERBOSE"] != nil
        for k in 0..<count {
            let problem = problem(k)
            let started = Date()
            let (outcome, found) = run(problem)
            if verbose {
                let seconds = Date().timeIntervalSince(started)
                FileHandle.standardError.write(Data("torture \(k) \(problem.law.name) [\(problem.kind.rawValue)] n=\(problem.series.count) \(outcome) \(String(format: "%.3f", seconds)) s\n".utf8))
            }
            tally.add(problem, outcome, found)
        }
        return tally
    }
}
