import GSL
import Foundation
import Testing
import Fit
import Generate
import ScalefitCore
@testable import Detect

func logGrid(_ lo: Double, _ hi: Double, _ count: Int) -> [Double] {
    (0..<count).map { Foundation.exp(Foundation.log(lo) + (Foundation.log(hi) - Foundation.log(lo)) * Double($0) / Double(count - 1)) }
}

/// A generator curve with multiplicative log-normal noise σ.
func noisy(_ setting: HutterSetting, sigma: Double, seed: UInt64) throws -> Series {
    var series = try setting.generate(seed: seed).series[0]
    var rng = SeededRandom(seed: seed)
    series.values = series.values.map { value in
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
        return value * Foundation.exp(sigma * (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }
    return series
}

@Suite("Detect: verdicts on generated curves with known truth")
struct DetectTests {
    let detector = CurveDetector(threads: 1)

    @Test("a clean Zipf(β) curve is scaling", arguments: [1.5, 2.0, 3.0])
    func clean(beta: Double) throws {
        let series = try noisy(HutterSetting(beta: beta, t: logGrid(1e3, 1e8, 30)), sigma: 0.01, seed: 1)
        let verdict = try detector.verdict(on: series)
        #expect(verdict.kind == .scaling, "\(verdict.kind): \(verdict.reasons)")
    }

    @Test("a tail cut at k plateaus after the crossover (one curve: plateaued, not yet collapsed)")
    func tailCut() throws {
        // β = 2, k = 100: plateau P = Σ_{i>100} p_i, onset k²ζ(2) ≈ 1.6e4 (docs/collapse-models.md §1.2b).
        let setting = HutterSetting(beta: 2, cut: 100, t: logGrid(1e1, 1e8, 40))
        let series = try noisy(setting, sigma: 0.01, seed: 2)
        let verdict = try detector.verdict(on: series)
        #expect(verdict.kind == .plateaued, "\(verdict.kind): \(verdict.reasons)")
        let plateau = try #require(verdict.plateau)
        let truth = try #require(SpecialFunctions.hurwitzZeta(2, 101)).self / (Double.pi * Double.pi / 6)
        #expect(abs(plateau.level / truth - 1) < 0.05, "plateau \(plateau.level) vs tail mass \(truth)")
        // The crossover (decreasing part = floor) of the exact curve, found on a fine grid.
        let fine = try setting.generate(seed: 0).series[0]
        let crossing = zip(fine.x, fine.values).first { $0.1 <= 2 * truth }!.0
        let breakpoint = try #require(verdict.breakpoints.first?.x)
        #expect(abs(Foundation.log10(breakpoint / crossing)) < 0.2, "breakpoint \(breakpoint) vs crossover \(crossing)")
    }

    @Test("a clean fraction π mixed with tail-cut data is grokking: descent, plateau, descent")
    func mixing() throws {
        // β = 2, k = 30, π = 0.01: plateau from ≈ k²ζ(2) ≈ 1.5e3 to ≈ 1.5e5 (§1.2f).
        let setting = HutterSetting(beta: 2, cut: 30, mix: 0.01, t: logGrid(1e1, 1e9, 50))
        let series = try noisy(setting, sigma: 0.01, seed: 3)
        let verdict = try detector.verdict(on: series)
        #expect(verdict.kind == .grokking, "\(verdict.kind): \(verdict.reasons) \(verdict.models.map { ($0.model, $0.aicc ?? .nan) })")
    }

    @Test("a narrowed tail keeps scaling with the slower exponent (β − 1)/β′")
    func narrowing() throws {
        let series = try noisy(HutterSetting(beta: 2, narrow: 3, t: logGrid(1e3, 1e8, 30)), sigma: 0.01, seed: 4)
        let verdict = try detector.verdict(on: series)
        #expect(verdict.kind == .scaling, "\(verdict.kind): \(verdict.reasons)")
    }

    @Test("a rising curve is degrading")
    func degrading() throws {
        let x = logGrid(1e2, 1e6, 20)
        let series = Series(run: "up", metric: "loss", x: x, values: x.map { 0.5 * Foundation.pow($0, 0.1) })
        let verdict = try detector.verdict(on: series)
        #expect(verdict.kind == .degrading, "\(verdict.kind): \(verdict.reasons)")
    }

    @Test("a floor approached but not reached is saturating")
    func saturating() throws {
        let law = SaturatingLaw()
        let x = logGrid(1e3, 1e7, 25)
        // E = 1, A = 200, α = 0.5: the local slope −α·r/(1 + r), r = A·x^(−α)/E, is steepest at
        // the start (0.432); it stays within 0.1 of that (r ≤ 0.0946) only from x ≈ 4.5e6 on,
        // the last 0.35 decades (< 0.5).
        let series = Series(run: "sat", metric: "loss", x: x, values: x.map { law.value($0, .nan, parameters: [1, 200, 0.5]) })
        let verdict = try detector.verdict(on: series)
        #expect(verdict.kind == .saturating, "\(verdict.kind): \(verdict.reasons)")
    }

    @Test("a floor law's plateau is judged by the curve's own steepest descent, as a broken law's is", arguments: [(40.0, VerdictKind.saturating), (200.0, .plateaued)])
    func floorLawFlatRule(end: Double, expected: VerdictKind) throws {
        // L = 1 + 1/x from x = 1: the local slope r/(1 + r), r = 1/x, is steepest at the start
        // (0.5) and within 0.1 of that from x = 19 on. Up to x = 40 that is 0.32 decades
        // (saturating, though the curve is within 10% of its floor from x = 10 on, 0.6
        // decades: the rule used before for this law alone); up to 200 it is 1.02 (plateaued).
        let x = logGrid(1, end, 30)
        var rng = SeededRandom(seed: 11)
        let series = Series(run: "floor", metric: "loss", x: x, values: x.map { (1 + 1 / $0) * (1 + 0.002 * Double.random(in: -1...1, using: &rng)) })
        let verdict = try detector.verdict(on: series)
        #expect(verdict.chosenModel == "saturating", "\(verdict.chosenModel)")
        #expect(verdict.kind == expected, "\(verdict.kind): \(verdict.reasons)")
    }

    @Test("a curve flat over its whole range is plateaued, whichever law describes it")
    func flatThroughout() throws {
        // Slope 0 with 1% noise: every slope's 95% interval reaches 0.
        let x = logGrid(1e2, 1e7, 40)
        var rng = SeededRandom(seed: 5)
        let series = Series(run: "flat", metric: "loss", x: x, values: x.map { _ in 2 * (1 + 0.01 * Double.random(in: -1...1, using: &rng)) })
        let verdict = try detector.verdict(on: series)
        #expect(verdict.kind == .plateaued, "\(verdict.kind): \(verdict.reasons)")
    }

    @Test("flat is judged against the curve's own slope: a compute-optimal L(C) with slope −0.054 is scaling")
    func shallowButScaling() throws {
        // Porian et al. 2024's L(C) curves fall from about 4.0 to 2.98 at slope ≈ −0.054
        // (≈ 2.4 decades of compute); a fixed |slope| ≤ 0.05 rule called such a curve collapsed.
        let x = logGrid(1e17, 2.3e19, 12)
        var rng = SeededRandom(seed: 6)
        let series = Series(run: "lc", metric: "loss", x: x, values: x.map { 4.0 * Foundation.pow($0 / 1e17, -0.054) * (1 + 0.003 * Double.random(in: -1...1, using: &rng)) })
        let verdict = try detector.verdict(on: series)
        #expect(verdict.kind == .scaling, "\(verdict.kind): \(verdict.reasons)")
    }

    @Test("the exact π = 0.01 mixed curve (β = 2, k = 1000) is grokking at 17 to 50 points", arguments: [17, 25, 41, 50])
    func exactGrokking(points: Int) throws {
        let series = try HutterSetting(beta: 2, cut: 1000, mix: 0.01, t: logGrid(1e2, 1e12, points)).generate(seed: 1).series[0]
        let verdict = try detector.verdict(on: series)
        #expect(verdict.kind == .grokking, "\(verdict.kind): \(verdict.reasons) \(verdict.warnings)")
        // Breakpoints in order, inside the data or flagged; the chosen law converged.
        #expect(verdict.breakpoints.map(\.x) == verdict.breakpoints.map(\.x).sorted())
        for b in verdict.breakpoints { #expect(b.insideData == (b.x >= 1e2 && b.x <= 1e12)) }
        #expect(verdict.fit?.converged == true)
        #expect(zip(verdict.segments, verdict.segments.dropFirst()).allSatisfy { $0.toX <= $1.fromX })
    }

    @Test("a plateau is a collapse only when the clean reference keeps descending")
    func collapseNeedsReference() throws {
        let cut = try noisy(HutterSetting(beta: 2, cut: 100, t: logGrid(1e1, 1e8, 40)), sigma: 0.01, seed: 7)
        let clean = try noisy(HutterSetting(beta: 2, t: logGrid(1e1, 1e8, 40)), sigma: 0.01, seed: 8)
        let alone = try detector.verdict(on: cut)
        #expect(alone.kind == .plateaued)
        let comparison = try detector.compare(cut, toReference: clean)
        let judged = detector.establishCollapse([alone], references: [comparison], referenceVerdict: try detector.verdict(on: clean), families: [])
        #expect(judged[0].kind == .collapsed, "\(judged[0].reasons)")
        // A clean curve compared with itself does not separate: nothing changes.
        let same = detector.establishCollapse([try detector.verdict(on: clean)], references: [try detector.compare(clean, toReference: clean)], families: [])
        #expect(same[0].kind == .scaling)
    }

    @Test("a curve that a wide break leaves flat inside the data is plateaued, whatever its last asymptote")
    func flatInsideTheData() throws {
        // A noisy ridge-regression mixture E(n) = σ²φ/(1−φ) + p2² + p1p2φ/(1−φ), φ = d/n (one
        // of the validation curves): its local slope stays within 0.1 of its steepest descent
        // for at least the last 0.5 decades. The broken fit's last asymptote rises (slope
        // ≈ +0.2), but not in the data.
        let x: [Double] = [
            200, 253.393, 321.041, 406.748, 515.337, 652.914, 827.221, 1048.06, 1327.86, 1682.35,
            2131.49, 2700.52, 3421.47, 4334.89, 5492.16, 6958.39, 8816.04, 11169.6, 14151.6,
            17929.6, 22716.1, 28780.6, 36464.1, 46198.8, 58532.3, 74158.5, 93956.3, 119040, 150819,
            191083, 242096, 306727, 388613,
        ]
        let values: [Double] = [
            1.15151, 0.708147, 0.532425, 0.38721, 0.287039, 0.21872, 0.167408, 0.132857, 0.11315,
            0.0867297, 0.07205, 0.0592444, 0.0534422, 0.0445593, 0.0383156, 0.0343379, 0.0297119,
            0.0277387, 0.0266081, 0.0230506, 0.0222921, 0.0224006, 0.0207962, 0.0197581, 0.0194639,
            0.0182071, 0.0191012, 0.0181549, 0.0182171, 0.0183925, 0.0182522, 0.0188515, 0.0172702,
        ]
        let verdict = try detector.verdict(on: Series(run: "ridge", metric: "test_error", x: x, values: values))
        #expect(verdict.kind == .plateaued, "\(verdict.kind): \(verdict.reasons) \(verdict.segments.map { ($0.fromX, $0.toX, $0.slope, $0.ci95 as Any) }) \(verdict.models.map { ($0.model, $0.deltaAICc as Any) })")
    }

    @Test("a plateau between two descents that broken2 draws as a step of cancelling breaks is still read as grokking")
    func cancellingBreaks() throws {
        // A validation curve (mixed clean/tail-cut data, π = 0.0024, β = 2.1, k = 22, 4.3% noise,
        // 27 points): its exact curve is flat for 1.4 decades between two descents. With free
        // smoothness the two-break fit runs off along c1 ≈ −8, c2 ≈ +8 (two wide breaks whose
        // slope changes cancel, a smooth step) and never converges; the verdict rested on a
        // power law. Refitted with the smoothness fixed at the points' spacing, it converges.
        let x: [Double] = [
            10.5835, 19.018, 34.1745, 61.4099, 110.351, 198.295, 356.327, 640.303, 1150.59, 2067.56, 3715.32, 6676.25, 11996.9, 21557.9, 38738.5, 69611.3, 125088, 224778, 403915, 725816, 1.30426e+06, 2.34369e+06, 4.2115e+06, 7.56787e+06, 1.35991e+07, 2.4437e+07, 4.39121e+07,
        ]
        let values: [Double] = [
            0.182942, 0.147893, 0.100924, 0.0706633, 0.0535907, 0.0417232, 0.0331946, 0.0263947, 0.0213782, 0.0189972, 0.018807, 0.0190807, 0.0180896, 0.0182561, 0.0207717, 0.0171431, 0.0173276, 0.0170931, 0.0141891, 0.0119502, 0.00887652, 0.00737309, 0.00514407, 0.00403632, 0.00309206, 0.0022583, 0.00140204,
        ]
        let verdict = try detector.verdict(on: Series(run: "mixed", metric: "test_error", x: x, values: values))
        #expect(verdict.kind == .grokking, "\(verdict.kind): \(verdict.reasons) \(verdict.warnings)")
        #expect(verdict.chosenModel == "broken2")
        #expect(verdict.warnings.contains { $0.contains("smoothness fixed") })
        let plateau = try #require(verdict.plateau)
        #expect(Foundation.log10(try #require(plateau.toX) / plateau.fromX) > 1)
    }

    @Test("the profile search places the break of a broken power law within a grid step")
    func profileStart() throws {
        let law = BrokenPowerLaw(breaks: 1)
        let x = logGrid(1e1, 1e7, 50)
        let y = x.map { law.value($0, .nan, parameters: [0, 5, 0.6, -0.55, 3e3, 0.2]) }
        let search = ProfileStarts(x: x, y: y, weights: nil)
        let start = try #require(search.broken(breaks: 1, locations: 24, keep: 1).starts.first)
        // Grid step: 6 decades / 25.
        #expect(abs(Foundation.log10(start[4] / 3e3)) <= 6.0 / 25, "break at \(start[4])")
        #expect(abs(start[2] - 0.6) < 0.05 && abs(start[2] + start[3] - 0.05) < 0.05, "slopes \(start[2]), \(start[2] + start[3])")
        let fit = try law.fit(to: Series(run: "b", metric: "l", x: x, values: y), options: {
            var options = FitOptions()
            options.fixed = ["E": 0]
            options.starts = [start]
            options.threads = 1
            return options
        }())
        #expect(abs(fit.values[4] / 3e3 - 1) < 1e-4, "fitted break \(fit.values[4])")
    }

    @Test("too few points is an input error")
    func tooFew() {
        #expect(throws: FitError.self) { try detector.verdict(on: Series(run: "s", metric: "l", x: [1, 2, 3], values: [3, 2, 1])) }
    }
}
