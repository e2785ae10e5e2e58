import Foundation
import RealModule
import ScalefitCore
import Testing
@testable import Fit

@Suite("fit --against: the data tested against given parameter values")
struct AgainstTestTests {
    @Test("on the generated Chinchilla sweep: accepts the generating law (Hoffmann's values), rejects a wrong one")
    func chinchillaSweep() throws {
        let series = try CustomLawTests.sweepSeries()
        let fit = try ChinchillaLaw().fit(to: series)
        let truth = try AgainstTest.parse(["E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28"])
        let accepted = try AgainstTest.run(law: ChinchillaLaw(), series: series, fit: fit, values: truth, options: FitOptions())
        print("against Hoffmann: F = \(accepted.fStatistic), p = \(accepted.fPValue); LR = \(accepted.likelihoodRatio), p = \(accepted.likelihoodRatioPValue)")
        #expect(!accepted.rejectedAt5Percent)
        #expect(accepted.constrained == 5 && accepted.pointCount == 54 && accepted.freeParameters == 5)
        #expect(accepted.rssHypothesis >= accepted.rssFull)
        // Hand check of both statistics from the two sums of squares.
        let n = 54.0
        #expect(relativeError(accepted.likelihoodRatio, n * Double.log(accepted.rssHypothesis / accepted.rssFull)) < 1e-12)
        #expect(relativeError(accepted.fStatistic, (accepted.rssHypothesis - accepted.rssFull) / 5 / (accepted.rssFull / 49)) < 1e-12)
        let wrong = try AgainstTest.parse(["E=1.69", "A=406.4", "B=410.7", "alpha=0.30", "beta=0.30"])
        let rejected = try AgainstTest.run(law: ChinchillaLaw(), series: series, fit: fit, values: wrong, options: FitOptions())
        print("against a wrong law: F = \(rejected.fStatistic), p = \(rejected.fPValue)")
        #expect(rejected.rejectedAt5Percent)
        #expect(rejected.fPValue < 1e-6)
        // Only the exponents named: the rest re-fitted.
        let partial = try AgainstTest.run(law: ChinchillaLaw(), series: series, fit: fit, values: [("alpha", 0.34), ("beta", 0.28)], options: FitOptions())
        #expect(partial.constrained == 2 && partial.restrictedConverged && !partial.rejectedAt5Percent)
        #expect(partial.rssHypothesis <= accepted.rssHypothesis)
    }

    @Test("calibration: rejects the true law about 5% of the time, a 15% wrong exponent almost always")
    func calibration() throws {
        var rejectedTrue = 0, rejectedWrong = 0
        let seeds = 200
        let law = SaturatingLaw()
        var options = FitOptions()
        options.startLimit = 3
        for seed in 1...seeds {
            let series = CustomLawTests.generatedPowerLaw(e: 1.8, a: 60, alpha: 0.35, seed: UInt64(seed))
            let fit = try law.fit(to: series, options: options)
            let truth = try AgainstTest.run(law: law, series: series, fit: fit, values: [("E", 1.8), ("A", 60), ("alpha", 0.35)], options: options)
            if truth.rejectedAt5Percent { rejectedTrue += 1 }
            let wrong = try AgainstTest.run(law: law, series: series, fit: fit, values: [("alpha", 0.35 * 1.15)], options: options)
            if wrong.rejectedAt5Percent { rejectedWrong += 1 }
        }
        print("against calibration: true law rejected \(rejectedTrue)/\(seeds), wrong exponent rejected \(rejectedWrong)/\(seeds)")
        // Binomial(200, 0.05): mean 10, sd 3.1; [2, 20] is beyond ±3 sd.
        #expect(rejectedTrue >= 2 && rejectedTrue <= 20)
        #expect(rejectedWrong >= 190)
    }

    @Test("bad requests are refused")
    func errors() throws {
        let series = try CustomLawTests.sweepSeries()
        let fit = try ChinchillaLaw().fit(to: series, options: { var o = FitOptions(); o.startLimit = 5; return o }())
        #expect(throws: FitError.self) { try AgainstTest.run(law: ChinchillaLaw(), series: series, fit: fit, values: [("gamma", 1)], options: FitOptions()) }
        #expect(throws: FitError.self) { try AgainstTest.run(law: ChinchillaLaw(), series: series, fit: fit, values: [("A", -1)], options: FitOptions()) }
        var huber = FitOptions()
        huber.loss = .huber(1e-3)
        #expect(throws: FitError.self) { try AgainstTest.run(law: ChinchillaLaw(), series: series, fit: fit, values: [("A", 1)], options: huber) }
        #expect(throws: FitError.self) { try AgainstTest.parse(["E=abc"]) }
        #expect(throws: FitError.self) { try AgainstTest.parse(["E=1,E=2"]) }
    }
}
