import Fit
import Foundation
import ScalefitCore
import Testing

/// The loss-to-downstream maps (issue 20): each recovers the parameters it was generated
/// with, inside its 95% intervals, and its analytic gradient matches central differences.
@Suite("accuracy-exp and accuracy-sigmoid: loss to downstream error and accuracy")
struct AccuracyLawTests {
    /// `count` losses from 2 to 6 and the law's values there, with a fixed ±0.5% wobble.
    static func series(_ law: AccuracyLaw, _ truth: [Double], count: Int = 30) -> Series {
        let x = (0..<count).map { 2 + 4 * Double($0) / Double(count - 1) }
        let y = x.enumerated().map { i, l in law.value(l, .nan, parameters: truth) * (1 + 0.005 * (i % 2 == 0 ? 1 : -1)) }
        return Series(run: "downstream", metric: law.form == .exponential ? "top1_error" : "accuracy", x: x, values: y)
    }

    @Test("each form recovers its generating parameters within its 95% intervals", arguments: [
        (AccuracyLaw.Form.exponential, [0.9, 3.0, 1.2]),
        (AccuracyLaw.Form.sigmoid, [0.25, 0.9, 2.5, 3.5]),
    ])
    func recovers(_ form: AccuracyLaw.Form, _ truth: [Double]) throws {
        let law = AccuracyLaw(form)
        let result = try law.fit(to: Self.series(law, truth), options: FitOptions())
        #expect(result.converged)
        for (estimate, value) in zip(result.parameters, truth) {
            #expect(abs(estimate.value / value - 1) < 0.05, "\(estimate.name) \(estimate.value) vs \(value)")
            let ci = try #require(estimate.ci95, "\(estimate.name)")
            #expect(ci.lower <= value && value <= ci.upper, "\(estimate.name): \(value) outside [\(ci.lower), \(ci.upper)]")
        }
    }

    @Test("the gradients are the derivatives of the values", arguments: AccuracyLaw.Form.allCases)
    func gradients(_ form: AccuracyLaw.Form) {
        let law = AccuracyLaw(form)
        let p = form == .exponential ? [0.9, 3.0, 1.2] : [0.25, 0.9, 2.5, 3.5]
        for x in [2.0, 3.3, 5.7] {
            var g = [Double](repeating: 0, count: p.count)
            law.gradient(x, .nan, parameters: p, into: &g)
            for j in p.indices {
                let h = 1e-6 * max(abs(p[j]), 1)
                var up = p, down = p
                up[j] += h
                down[j] -= h
                let numeric = (law.value(x, .nan, parameters: up) - law.value(x, .nan, parameters: down)) / (2 * h)
                #expect(abs(g[j] - numeric) <= 1e-6 * max(abs(numeric), 1), "\(form) d/d\(law.parameters[j].name) at \(x)")
            }
        }
    }

    @Test("both are listed by name and left out of auto (their x is a loss)")
    func catalogued() {
        #expect(LawCatalog.law(named: "accuracy-exp") != nil && LawCatalog.law(named: "accuracy-sigmoid") != nil)
        let auto = LawCatalog.candidates(inputCount: 1, pointCount: 30).map(\.name)
        #expect(!auto.contains("accuracy-exp") && !auto.contains("accuracy-sigmoid"))
    }
}
