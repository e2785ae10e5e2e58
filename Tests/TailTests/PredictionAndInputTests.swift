import GSL
import Foundation
import RealModule
import ScalefitCore
import Testing
@testable import Tail

@Suite("Zipf view and collapse predictions")
struct PredictionTests {
    static func fit(alpha: Double, standardError: Double) -> PowerLawFit {
        PowerLawFit(
            kind: .discrete, xmin: 1, alpha: alpha, standardError: standardError, tailCount: 100,
            sampleCount: 100, ksDistance: 0, logLikelihood: 0, candidateCount: 1,
            xminPosition: .fixed, searchRange: 1...1, converged: true)
    }

    /// β = 1/(α − 1) (Newman 2005 §2.4) and c = 1 − 1/β (docs/collapse-models.md §1.2 (a)), so c = 2 − α.
    @Test("beta = 1/(alpha - 1) and c = 2 - alpha")
    func relations() throws {
        let zipf = ZipfView(fit: Self.fit(alpha: 1.5, standardError: 0.01))
        #expect(zipf.beta.isApproximatelyEqual(to: 2, relativeTolerance: 1e-14))
        #expect(zipf.standardError.isApproximatelyEqual(to: 0.04, relativeTolerance: 1e-12))
        let prediction = try #require(CollapsePrediction(zipf: zipf, cut: 1, t0: nil))
        #expect(prediction.cleanExponent.value.isApproximatelyEqual(to: 0.5, relativeTolerance: 1e-14))
        let interval = try #require(prediction.cleanExponent.confidenceInterval95)
        #expect(interval.contains(0.5))
        // β = 2, k = 1: floor = 1 − p_1 = 1 − 6/π² (ζ(2) = π²/6); onset T₁ = k^β·ζ(β) = π²/6.
        let cut = try #require(prediction.cuts.first)
        #expect(cut.floor.value.isApproximatelyEqual(to: 1 - 6 / (Double.pi * Double.pi), relativeTolerance: 1e-10))
        #expect(cut.plateauOnset.value.isApproximatelyEqual(to: Double.pi * Double.pi / 6, relativeTolerance: 1e-10))
    }

    /// A generator trained on T₀ samples cuts at k ≍ T₀^(1/β) ([TT] Cor. 2.2): β = 2, T₀ = 10⁴ ⇒ k = 100.
    @Test("generator with T0 samples acts as a cut at T0^(1/beta)")
    func generatorCut() throws {
        let zipf = ZipfView(fit: Self.fit(alpha: 1.5, standardError: 0.01))
        let prediction = try #require(CollapsePrediction(zipf: zipf, cut: nil, t0: 10_000))
        let cut = try #require(prediction.cuts.first)
        #expect(cut.k.value == 100)
        // Σ_{i>100} i^(−2)/ζ(2) = ψ'(101)/ζ(2) ≈ (1/100.5)/ζ(2) to 1e-6 (Euler–Maclaurin).
        #expect(abs(cut.floor.value - (1 / 100.5) / (Double.pi * Double.pi / 6)) < 1e-6)
    }

    @Test("no prediction when beta ≤ 1")
    func noPrediction() {
        let zipf = ZipfView(fit: Self.fit(alpha: 2.4, standardError: 0.1))
        #expect(CollapsePrediction(zipf: zipf, cut: 10, t0: nil) == nil)
    }
}

@Suite("alternatives")
struct AlternativeModelTests {
    /// Exponential MLE on x ≥ x_min: λ = 1/(mean − x_min) (CSN Table 2.1, continuous).
    @Test("exponential closed form")
    func exponential() {
        let tail = TailData(sample: TailSample(values: [2, 3, 5, 8]), xmin: 2)
        let fitted = AlternativeModel(alternative: .exponential, kind: .continuous, tail: tail, powerLawAlpha: 2).fit()
        #expect(fitted.reported[0].isApproximatelyEqual(to: 1 / 2.5, relativeTolerance: 1e-14))
    }

    /// Every discrete alternative is a proper distribution on {x_min, x_min+1, …}:
    /// the probabilities sum to 1 (checked to 1e-6 over 5000 terms; the chosen parameters leave < 1e-12 beyond).
    @Test("discrete alternatives are normalised", arguments: TailAlternative.allCases)
    func normalised(_ alternative: TailAlternative) {
        let tail = TailData(sample: TailSample(values: [3, 4, 5]), xmin: 3)
        let model = AlternativeModel(alternative: alternative, kind: .discrete, tail: tail, powerLawAlpha: 2.5)
        let parameters: [Double]
        switch alternative {
        case .lognormal: parameters = [1.0, log(0.8)]
        case .exponential: parameters = [log(0.2)]
        case .stretchedExponential: parameters = [log(1.5), log(0.6)]
        case .truncatedPowerLaw: parameters = [1.7, log(0.01)]
        }
        let density = model.logDensity(parameters)
        var total = 0.0
        var x = 3.0
        for _ in 0..<5000 {
            total += exp(density(x))
            x += 1
        }
        #expect(abs(total - 1) < 1e-6, "\(alternative): \(total)")
    }

    /// Γ(1, x) = e^(−x); Γ(½, x) = √π·erfc(√x) (Abramowitz & Stegun 6.5.17, 6.5.23).
    @Test("upper incomplete gamma, including the asymptotic branch")
    func incompleteGamma() throws {
        #expect(try #require(SpecialFunctions.logUpperIncompleteGamma(1, 3)).isApproximatelyEqual(to: -3, relativeTolerance: 1e-12))
        #expect(try #require(SpecialFunctions.logUpperIncompleteGamma(1, 900)).isApproximatelyEqual(to: -900, relativeTolerance: 1e-12))
        let expected = log(Double.pi.squareRoot() * erfc(2))
        #expect(try #require(SpecialFunctions.logUpperIncompleteGamma(0.5, 4)).isApproximatelyEqual(to: expected, relativeTolerance: 1e-12))
        // log Q(0) = log ½.
        #expect(SpecialFunctions.logNormalUpperTail(0).isApproximatelyEqual(to: -log(2), relativeTolerance: 1e-14))
    }
}

@Suite("tail input")
struct TailInputTests {
    @Test("samples, value,count tables and token,count rows")
    func layouts() throws {
        let samples = try TailInput.parse("# comment\n3\n1\n\n2\n3\n", file: "s.txt")
        #expect(samples.format == .samples)
        #expect(samples.sample.distinctValues == [1, 2, 3])
        #expect(samples.sample.counts == [1, 1, 2])
        let table = try TailInput.parse("value,count\n5,2\n7,1\n5,1\n", file: "t.csv")
        #expect(table.format == .table)
        #expect(table.sample.distinctValues == [5, 7])
        #expect(table.sample.counts == [3, 1])
        let tokens = try TailInput.parse("the,120\nwhale\t9\nIshmael,9\n", file: "w.csv")
        #expect(tokens.format == .tokens)
        #expect(tokens.sample.distinctValues == [9, 120])
        #expect(tokens.sample.counts == [2, 1])
    }

    @Test("a bad number names its line and column")
    func badNumber() {
        #expect(throws: InputError(file: "x.txt", line: 3, column: 1, message: "expected a number, found \"abc\"", sourceLine: "abc")) {
            try TailInput.parse("1\n2\nabc\n", file: "x.txt")
        }
        #expect(throws: InputError(file: "t.csv", line: 2, column: 4, message: "expected a count (a whole number ≥ 0), found \"2.5\"", sourceLine: "10,2.5")) {
            try TailInput.parse("5,1\n10,2.5\n", file: "t.csv")
        }
        #expect(throws: InputError(file: "n.txt", line: 1, column: 1, message: "expected a non-negative value (a power-law tail lies in x > 0), found -4", sourceLine: "-4")) {
            try TailInput.parse("-4\n", file: "n.txt")
        }
    }
}
