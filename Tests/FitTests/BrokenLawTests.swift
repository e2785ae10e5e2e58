import Foundation
import Testing
import ScalefitCore
@testable import Fit

/// The smoothly broken power law finds breaks wherever they are.
@Suite("Broken power laws: breaks beyond the data and sharp breaks")
struct BrokenLawTests {
    /// The noiseless simulation of 4-digit addition in Caballero et al. 2022 (Broken Neural
    /// Scaling Laws, Fig. 4 right): a one-break law with the published parameters, evaluated
    /// at x = 1…4095. The authors fit x ≤ 405 and extrapolate; the true curve at 4095 is 0.41392.
    static let published = [0.41388453071629455, 2.2772722897737556, 0.055077348404973955, 5.662903816010331, 612.5836172918001, 0.059193036393742314]

    @Test("BNSL 4-digit addition, fitted on x ≤ 405: L(4095) within 5% and the break past the data")
    func bnslAddition() throws {
        let law = BrokenPowerLaw(breaks: 1)
        let x = (1...405).map(Double.init)
        let series = Series(run: "bnsl", metric: "loss", x: x, values: x.map { law.value($0, .nan, parameters: Self.published) })
        var options = FitOptions()
        options.threads = 1
        options.predictX = [4095]
        let fit = try law.fit(to: series, options: LawCatalog.options(for: law, options))
        #expect(fit.converged, "\(fit.status)")
        let truth = law.value(4095, .nan, parameters: Self.published)
        #expect(abs(truth - 0.41392) < 1e-4, "published curve at 4095: \(truth)")
        let predicted = try #require(fit.predictions.first?.value)
        #expect(abs(predicted / truth - 1) < 0.05, "L(4095) = \(predicted), truth \(truth)")
        // The break lies beyond the fitted range, near the published 612.6.
        let d = try #require(fit.parameter("d1")?.value)
        #expect(d > 405 && abs(d / 612.58 - 1) < 0.1, "d1 = \(d)")
        #expect(abs(fit.values[0] / Self.published[0] - 1) < 0.01, "floor \(fit.values[0])")
    }

    @Test("absurd estimates disqualify a law: a scale 20 orders beyond the data, a break far beyond it")
    func absurdEstimates() throws {
        let x = LawCase.grid(10, 1e4, 20)
        let series = Series(run: "a", metric: "l", x: x, values: x.map { 3 * Foundation.pow($0, -0.3) })
        var fit = try PowerLaw().fit(to: series, options: FitOptions())
        #expect(LawCatalog.absurdity(of: fit, on: series) == nil)
        fit.parameters[0].value = 1e25
        let reason = try #require(LawCatalog.absurdity(of: fit, on: series))
        #expect(reason.contains("20 orders"))
        let law = BrokenPowerLaw(breaks: 1)
        let bent = Series(run: "b", metric: "l", x: x, values: x.map { law.value($0, .nan, parameters: [0, 5, 0.1, 0.5, 3e2, 0.3]) })
        var options = FitOptions()
        options.fixed = ["E": 0]
        var broken = try law.fit(to: bent, options: options)
        #expect(broken.converged, "\(broken.status)")
        broken.parameters[4].value = 1e9  // data span 10–1e4: a break at 1e9 is 5 decades past the end
        #expect(LawCatalog.absurdity(of: broken, on: bent)?.contains("break d1") == true)
        broken.parameters[4].value = 2e4
        #expect(LawCatalog.absurdity(of: broken, on: bent) == nil)
        // Ranked last with the reason, and the rule says so.
        broken.parameters[4].value = 1e9
        broken.disqualification = LawCatalog.absurdity(of: broken, on: bent)
        let note = LawCatalog.selectionNote([fit, broken].map { var f = $0; if f.model == "power" { f.parameters[0].value = 3 }; return f })
        #expect(note.contains("not ranked: broken1 (absurd estimates"), "\(note)")
        #expect(note.hasPrefix("power chosen by the rule"), "\(note)")
    }

    @Test("broken2 with a free floor converges on two-break data with 1% noise (the floor runs to 0 and is fixed there)")
    func twoBreaksFreeFloor() throws {
        let law = BrokenPowerLaw(breaks: 2)
        let truth = [0.0, 10, 0.2, 0.4, 1e3, 0.3, -0.3, 1e5, 0.5]
        let x = LawCase.grid(10, 1e7, 40)
        var rng = SeededRandom(seed: 7)
        let y = x.map { law.value($0, .nan, parameters: truth) * Foundation.exp(0.01 * (Double.random(in: -1...1, using: &rng) * 1.7)) }
        var options = FitOptions()
        options.threads = 1
        let (fits, _) = LawCatalog.compare([law], on: Series(run: "n", metric: "l", x: x, values: y), options: options)
        let fit = try #require(fits.first)
        #expect(fit.converged, "\(fit.status) \(fit.values)")
        let p = law.canonicalized(fit.values)
        // The breaks and the slopes of the three segments, within what 1% noise allows.
        #expect(abs(Foundation.log10(p[4] / 1e3)) < 0.3 && abs(Foundation.log10(p[7] / 1e5)) < 0.3, "\(p)")
        #expect(abs(p[2] - 0.2) < 0.05 && abs(p[2] + p[3] - 0.6) < 0.05 && abs(p[2] + p[3] + p[6] - 0.3) < 0.05, "\(p)")
    }

    @Test("auto tries broken2 and broken3 where the data have the points")
    func autoIncludesMoreBreaks() {
        let names = LawCatalog.candidates(inputCount: 1, pointCount: 30).map(\.name)
        #expect(names.contains("broken2") && names.contains("broken3"))
        #expect(!LawCatalog.candidates(inputCount: 1, pointCount: 12).map(\.name).contains("broken2"))
    }

    @Test("the profile search offers breaks beyond both ends of the data and sharp ones")
    func startsReachBeyond() {
        let x = LawCase.grid(10, 1e4, 30)
        let starts = BrokenProfileSearch(x: x, y: x.map { 3 * Foundation.pow($0, -0.3) }).locations(inside: 4)
        #expect(starts.first! < Foundation.log(10) && starts.last! > Foundation.log(1e4))
        #expect(BrokenProfileSearch.smoothness.min()! <= 0.01)
    }

    @Test("a sharp break (f = 0.02) inside the data is found: slope 0.1 up to 3e2, then 0.6")
    func sharpBreakInside() throws {
        let law = BrokenPowerLaw(breaks: 1)
        let truth = [0.0, 5, 0.1, 0.5, 3e2, 0.02]
        let x = LawCase.grid(10, 1e5, 40)
        var options = FitOptions()
        options.threads = 1
        options.fixed = ["E": 0]
        let fit = try law.fit(to: Series(run: "s", metric: "l", x: x, values: x.map { law.value($0, .nan, parameters: truth) }), options: options)
        #expect(abs(fit.values[4] / 3e2 - 1) < 0.02, "d1 = \(fit.values[4])")
        #expect(abs(fit.values[2] + fit.values[3] - 0.6) < 0.01, "last slope \(fit.values[2] + fit.values[3])")
    }
}

/// A small version of benchmarks/collapse's floor-vs-generation coverage.
@Suite("Floor-vs-generation laws: interval coverage")
struct GenerationFloorCoverageTests {
    @Test("generations-power's 95% intervals cover the truth, log residuals and weighted linear ones", arguments: [ResidualSpace.log, .linear])
    func coverage(space: ResidualSpace) throws {
        let law = GenerationLaw(.power), truth = [0.05, 0.01, 1.5], sigma = 0.02
        let g = (1...10).map(Double.init)
        let exact = law.values(x: g, x2: nil, parameters: truth)
        var rng = SeededRandom(seed: 4242)
        var options = FitOptions()
        options.threads = 1
        options.space = space
        var inside = [0, 0, 0], fitted = 0
        let replicates = 60
        for _ in 0..<replicates {
            let values = exact.map { v -> Double in
                let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
                return v * Foundation.exp(sigma * (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
            }
            var floors = Series(run: "f", metric: "floor", x: g, values: values)
            if space == .linear { floors.weights = values.map { 1 / (sigma * $0 * sigma * $0) } }
            let fit = try law.fit(to: floors, options: options)
            guard fit.converged else { continue }
            fitted += 1
            for j in 0..<3 where fit.parameters[j].ci95.map({ truth[j] >= $0.lower && truth[j] <= $0.upper }) == true { inside[j] += 1 }
        }
        #expect(fitted == replicates)
        // 95% nominal: at 60 replicates, 51–60 covered is within about 2.5 binomial standard errors.
        for j in 0..<3 { #expect(inside[j] >= 51 && inside[j] <= 60, "\(law.parameterNames[j]): \(inside[j]) of \(fitted)") }
    }
}
