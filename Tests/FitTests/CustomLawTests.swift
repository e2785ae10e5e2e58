import Foundation
import RealModule
import ScalefitCore
import Testing
@testable import Fit

@Suite("Custom laws: the expression language, exact derivatives, fits (issue 20)")
struct CustomLawTests {
    static func value(_ text: String, x: Double = 3, x2: Double = 5, _ p: [Double] = []) throws -> Double {
        try CustomLaw(text).value(x, x2, parameters: p)
    }

    @Test("precedence, associativity, numbers and functions")
    func grammar() throws {
        #expect(try Self.value("-x^2 + 0*a", [1]) == -9)  // −(x²)
        #expect(try Self.value("2^-1 + 0*a", [1]) == 0.5)
        #expect(try Self.value("2^3^2 + 0*a", [1]) == 512)  // right associative
        #expect(try Self.value("2**3 + 0*a", [1]) == 8)
        #expect(try Self.value("1e9 * a + .5 + 2.5E-1", [2]) == 2e9 + 0.75)
        #expect(try Self.value("a - x - x2", [10]) == 2)  // left associative
        #expect(try Self.value("a / x / 2", [12]) == 2)
        #expect(try Self.value("(a + x) * 2", [1]) == 8)
        #expect(try Self.value("a*exp(log(x)) + sqrt(x2) + pow(x, 2) + min(x, x2) + max(x, x2) + abs(-a)", [1])
            == 3 + 5.squareRoot() + 9 + 3 + 5 + 1)
        #expect(abs(try Self.value("sigmoid(a) + tanh(a) + log10(x2) + log2(x) + log1p(a) + expm1(a)", [0.3])
            - (1 / (1 + Double.exp(-0.3)) + Double.tanh(0.3) + Double.log10(5) + Double.log2(3) + Double.log(1.3) + Double.exp(0.3) - 1)) < 1e-15)
        let parsed = try ParsedExpression("E + A*N^-alpha + B*D^-beta")
        #expect(parsed.parameterNames == ["E", "A", "alpha", "B", "beta"])
        #expect(parsed.inputCount == 2)
        #expect(try ParsedExpression("E + A*x^-alpha").inputCount == 1)
        #expect(try ParsedExpression("E + A*N^-alpha").inputCount == 1)
    }

    /// The column of the offending token, 1-based.
    static func column(_ text: String) -> Int? {
        do { _ = try ParsedExpression(text); return nil } catch { return error.column }
    }

    @Test("errors name the column of the bad token")
    func errors() throws {
        #expect(Self.column("E + A*N^^alpha") == 9)
        #expect(Self.column("E + expp(N)") == 5)
        #expect(Self.column("E + 2N") == 6)
        #expect(Self.column("E + A·N") == 6)
        #expect(Self.column("(E + A") == 7)
        #expect(Self.column("E + A)") == 6)
        #expect(Self.column("E + ") == 5)
        #expect(Self.column("") == 1)
        #expect(Self.column("pow(N)") == 1)
        #expect(Self.column("E + exp") == 5)
        #expect(Self.column("N + x") == 5)
        #expect(Self.column("1e + N") == 2)
        do {
            _ = try ParsedExpression("E + A*N^^alpha")
            Issue.record("no error")
        } catch {
            #expect(error.description.hasPrefix("column 9: expected a number"))
        }
        #expect(throws: FitError.self) { try CustomLaw("N + D") }  // no parameter
        #expect(throws: FitError.self) { try CustomLaw("A*N", domains: ["B": .positive]) }
        #expect(throws: FitError.self) { try CustomLaw("A*N", domains: ["A": .positive], starts: ["A": -1]) }
        #expect(throws: FitError.self) { try ParameterSpecification(parsing: "E>1") }
        #expect(throws: FitError.self) { try ParameterSpecification(parsing: "alpha=2..0") }
        #expect(try ParameterSpecification(parsing: "alpha=0..2").domain == .interval(0, 2))
        #expect(try ParameterSpecification(parsing: "E>0").domain == .positive)
        #expect(try ParameterSpecification(parsing: "E >= 0").domain == .nonNegative)
        #expect(try ParameterSpecification(parsing: "A~400").start == 400)
    }

    @Test("forward-mode derivatives equal the hand-derived ones (chinchilla's analytic gradient, the functions' rules)")
    func derivatives() throws {
        let custom = try CustomLaw("E + A*N^-alpha + B*D^-beta")
        let chinchilla = ChinchillaLaw()
        let p = [1.69, 406.4, 410.7, 0.34, 0.28]  // chinchilla order: E, A, B, alpha, beta
        let q = [p[0], p[1], p[3], p[2], p[4]]  // custom order: E, A, alpha, B, beta
        for (n, d) in [(1e7, 1e9), (7e10, 1.4e12), (3e8, 6e9)] {
            var g = [Double](repeating: 0, count: 5), h = g
            chinchilla.gradient(n, d, parameters: p, into: &g)
            let value = custom.valueAndGradient(n, d, parameters: q, into: &h)
            #expect(value == chinchilla.value(n, d, parameters: p))
            for (a, b) in zip([g[0], g[1], g[3], g[2], g[4]], h) { #expect(abs(a - b) <= 1e-14 * abs(a)) }
            // The slope along C = 6·N·D in ln N: N·∂L/∂N − D·∂L/∂D = −αA·N^−α + βB·D^−β.
            let slope = -p[3] * p[1] * Double.pow(n, -p[3]) + p[4] * p[2] * Double.pow(d, -p[4])
            #expect(abs(custom.budgetSlope(n: n, d: d, parameters: q) - slope) <= 1e-13 * abs(p[3] * p[1] * Double.pow(n, -p[3])))
        }
        // Every function's rule at one point: L = a·exp(b·x) + log(c + x) + sqrt(a·x) + sigmoid(b) + tanh(c)
        //   + pow(x, b) + max(a, c) + abs(c − 1) + log10(a) + min(b, 1)·x.
        let law = try CustomLaw("a*exp(b*x) + log(c + x) + sqrt(a*x) + sigmoid(b) + tanh(c) + pow(x, b) + max(a, c) + abs(c - 1) + log10(a) + min(b, 1)*x")
        let a = 0.7, b = 0.3, c = 0.4, x = 2.0
        let s = 1 / (1 + Double.exp(-b))
        let expected = [
            Double.exp(b * x) + 0.5 * (x / a).squareRoot() + 1 + 1 / (a * Double.log(10)),
            a * x * Double.exp(b * x) + s * (1 - s) + Double.pow(x, b) * Double.log(x) + x,
            1 / (c + x) + (1 - Double.tanh(c) * Double.tanh(c)) - 1,
        ]
        var g = [Double](repeating: 0, count: 3)
        _ = law.valueAndGradient(x, .nan, parameters: [a, b, c], into: &g)
        for (u, v) in zip(g, expected) { #expect(abs(u - v) <= 1e-14 * max(abs(v), 1), "\(g) vs \(expected)") }
    }

    @Test("second-order forward mode along the budget: d²L/du² and ∂S/∂p agree with differences of exact first derivatives")
    func secondOrder() throws {
        let law = try CustomLaw("E + A*exp(-alpha*log(N)) + B/sqrt(D)^beta + c*sigmoid(log10(D) - 10) + tanh(c*log2(N)/40) + pow(N*D, -0.1)*abs(c) + max(D/N, c) / 1e6 + min(log1p(N), 30) * expm1(c) / 100")
        let p = [1.7, 400, 0.34, 410, 0.56, 0.2]
        let cBudget = Double.log(1e22 / 6)
        for u in [18.0, 21.0, 24.0] {
            let n = Double.exp(u), d = Double.exp(cBudget - u)
            let h = 1e-5
            func slope(_ v: Double, _ q: [Double]) -> Double { law.budgetSlope(n: Double.exp(v), d: Double.exp(cBudget - v), parameters: q) }
            let curvature = law.program.budgetDerivatives(n, d, parameters: p, second: .budget)
            #expect(abs(curvature.slope - slope(u, p)) <= 1e-13 * abs(curvature.slope))
            let numeric = (slope(u + h, p) - slope(u - h, p)) / (2 * h)
            #expect(abs(curvature.mixed[0] - numeric) <= 1e-6 * abs(numeric), "u=\(u): \(curvature.mixed[0]) vs \(numeric)")
            let mixed = law.program.budgetDerivatives(n, d, parameters: p, second: .parameters).mixed
            for j in p.indices {
                var up = p, down = p
                let step = 1e-6 * abs(p[j])
                up[j] += step
                down[j] -= step
                let byDifference = (slope(u, up) - slope(u, down)) / (2 * step)
                #expect(abs(mixed[j] - byDifference) <= 1e-5 * max(abs(byDifference), 1e-8), "u=\(u) parameter \(j): \(mixed[j]) vs \(byDifference)")
            }
        }
    }

    static func sweepSeries() throws -> Series {
        let sweep = try AllocationReference.sweep()
        return Series(run: "sweep", metric: "loss", x: sweep.n, x2: sweep.d, values: sweep.loss)
    }

    @Test("a user law written as the chinchilla formula gives the chinchilla fit's estimates and optimum to 1e-8 (fixtures/chinchilla-sweep)")
    func chinchillaAsCustom() throws {
        let series = try Self.sweepSeries()
        let builtin = try ChinchillaLaw().fit(to: series)
        let law = try CustomLaw("E + A*N^-alpha + B*D^-beta", domains: ["E": .nonNegative, "A": .positive, "B": .positive])
        let custom = try law.fit(to: series)
        #expect(builtin.converged && custom.converged)
        #expect(custom.model == "custom" && custom.formula == "E + A*N^-alpha + B*D^-beta")
        #expect(custom.parameters.map(\.name) == ["E", "A", "alpha", "B", "beta"])
        var worstParameter = 0.0
        for name in ["E", "A", "B", "alpha", "beta"] {
            let u = try #require(builtin.parameter(name)?.value), v = try #require(custom.parameter(name)?.value)
            worstParameter = max(worstParameter, relativeError(v, u))
        }
        #expect(worstParameter < 1e-8, "worst parameter difference \(worstParameter)")
        #expect(relativeError(custom.objective, builtin.objective) < 1e-12)
        let builtinFitted = try FittedLaw(builtin), customFitted = try FittedLaw(custom)
        #expect(customFitted.law is CustomLaw)
        var worst = 0.0
        for exponent in stride(from: 18.0, through: 28, by: 1) {
            let c = Double.pow(10, exponent)
            let closed = try #require(ComputeOptimal.optimum(builtinFitted.law, builtinFitted.values, compute: c))
            let found = try #require(ComputeOptimal.optimum(customFitted.law, customFitted.values, compute: c))
            worst = max(worst, relativeError(found.n, closed.n), relativeError(found.d, closed.d), relativeError(found.loss, closed.loss))
            // The same parameters through both routes: the root search on the exact slope
            // against the closed form, to the last bits.
            let same = try #require(ComputeOptimal.optimum(law, [builtin.values[0], builtin.values[1], builtin.values[3], builtin.values[2], builtin.values[4]], compute: c))
            #expect(relativeError(same.n, closed.n) < 1e-12, "C=\(c): \(same.n) vs \(closed.n)")
        }
        #expect(worst < 1e-8, "worst optimum difference \(worst)")
        print("chinchilla as a custom law: worst parameter difference \(worstParameter), worst optimum difference (1e18–1e28 FLOP) \(worst)")
        // ∂ln N*/∂p by the implicit function theorem on the second-order forward mode equals
        // the closed form's analytic gradient (custom order: E, A, alpha, B, beta).
        for c in [1e19, 1e22, 1e25] {
            let q = [builtin.values[0], builtin.values[1], builtin.values[3], builtin.values[2], builtin.values[4]]
            let best = try #require(ComputeOptimal.optimum(law, q, compute: c))
            let implicit = try #require(law.logOptimumGradient(n: best.n, d: best.d, parameters: q))
            let closed = ComputeOptimal.chinchillaLogNGradient(builtin.values, compute: c)
            for (u, v) in zip(implicit, [closed[0], closed[1], closed[3], closed[2], closed[4]]) {
                #expect(abs(u - v) <= 1e-9 * max(abs(v), 1e-6), "C=\(c): \(implicit) vs \(closed)")
            }
        }
        // So the delta-method intervals of the allocation agree with the closed form's.
        let a1 = try ComputeOptimal.allocate(builtinFitted, compute: [1e21, 1e24])
        let a2 = try ComputeOptimal.allocate(customFitted, compute: [1e21, 1e24])
        for (x, y) in zip(a1, a2) {
            let cx = try #require(x.n.ci95), cy = try #require(y.n.ci95)
            #expect(relativeError(cy.lower, cx.lower) < 1e-6 && relativeError(cy.upper, cx.upper) < 1e-6, "\(cx) vs \(cy)")
            let lx = try #require(x.loss.ci95), ly = try #require(y.loss.ci95)
            #expect(relativeError(ly.upper, lx.upper) < 1e-8)
        }
        // The predictions and their bands agree as well.
        let a = builtinFitted.predict(x: 7e10, x2: 1.4e12), b = customFitted.predict(x: 7e10, x2: 1.4e12)
        #expect(relativeError(b.value, a.value) < 1e-10)
        #expect(relativeError(b.confidenceBand!.upper, a.confidenceBand!.upper) < 1e-6)
    }

    /// L = E + A·x^(−α) on 40 log-spaced x in [10³, 10⁸] with 1% multiplicative noise (seeded).
    static func generatedPowerLaw(e: Double, a: Double, alpha: Double, seed: UInt64) -> Series {
        var rng = SeededRandom(seed: seed, stream: 0)
        let x = (0..<40).map { Double.pow(10, 3 + 5 * Double($0) / 39) }
        let y = x.map { xi -> Double in
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
            let z = (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
            return (e + a * Double.pow(xi, -alpha)) * Double.exp(0.01 * z)
        }
        return Series(run: "generated", metric: "loss", x: x, values: y)
    }

    @Test("a user power law recovers the generating law within its intervals (Wald and bootstrap)")
    func recoversGeneratedTruth() throws {
        let truth = ["E": 1.8, "A": 60.0, "alpha": 0.35]
        var covered = 0, total = 0
        for seed in UInt64(1)...5 {
            let series = Self.generatedPowerLaw(e: 1.8, a: 60, alpha: 0.35, seed: seed)
            let law = try CustomLaw("E + A*x^-alpha", domains: ["E": .positive, "A": .positive, "alpha": .interval(0, 2)])
            var options = FitOptions()
            options.bootstrap = 100
            options.seed = seed
            let fit = try law.fit(to: series, options: options)
            #expect(fit.converged)
            #expect(fit.parameters.map(\.name) == ["E", "A", "alpha"])
            for p in fit.parameters {
                let t = truth[p.name]!
                #expect(relativeError(p.value, t) < 0.2, "seed \(seed) \(p.name) \(p.value)")
                let ci = try #require(p.ci95)
                total += 1
                if ci.lower <= t && t <= ci.upper { covered += 1 }
                #expect(p.bootstrapCI95 != nil)
            }
            // Same law as the zoo's `saturating`: the same optimum.
            let zoo = try SaturatingLaw().fit(to: series)
            #expect(relativeError(fit.objective, zoo.objective) < 1e-9)
        }
        print("custom power law: \(covered) of \(total) Wald intervals hold the truth")
        // 15 intervals at 95%: at most two misses is well within chance (P ≈ 0.96).
        #expect(covered >= 13, "\(covered) of \(total) intervals hold the truth")
    }

    @Test("hold-out, Huber and the start hint work on a custom law; starts come from the domains")
    func optionsApply() throws {
        let series = Self.generatedPowerLaw(e: 1.8, a: 60, alpha: 0.35, seed: 9)
        let law = try CustomLaw("E + A*x^-alpha", domains: ["alpha": .interval(0, 2), "E": .positive, "A": .positive], starts: ["A": 50])
        let starts = law.initialGuesses(x: series.x, x2: nil, y: series.values)
        #expect(starts.count == 1 + 5 * 6 * 5)  // the hint joins the five values of A
        #expect(starts[0][1] == 50)
        #expect(starts.allSatisfy { $0[2] > 0 && $0[2] < 2 && $0[0] > 0 && $0[1] > 0 })
        var options = FitOptions()
        options.holdout = 5
        let held = try law.fit(to: series, options: options)
        let zooHeld = try SaturatingLaw().fit(to: series, options: options)
        #expect(held.holdout?.k == 5)
        #expect(relativeError(held.holdout!.rmsle, zooHeld.holdout!.rmsle) < 1e-6)
        options.holdout = 0
        options.loss = .huber(1e-3)
        let robust = try law.fit(to: series, options: options)
        let zooRobust = try SaturatingLaw().fit(to: series, options: options)
        #expect(robust.converged)
        #expect(relativeError(robust.objective, zooRobust.objective) < 1e-8)
    }
}
