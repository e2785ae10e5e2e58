import GSL
import Foundation
import ScalefitCore
import Testing

@testable import Generate

/// |a − b| ≤ tolerance·|b|.
func relativelyClose(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    abs(a - b) <= tolerance * abs(b)
}

@Suite("hutter: exact expectation (docs/collapse-models.md §1.1–1.2)")
struct HutterExactTests {
    /// Brute force Σ_{i≤N} p_i exp(T log1p(−q_i)), summed from the small terms up.
    static func bruteForce(_ setting: HutterSetting, _ ts: [Double]) throws -> [Double] {
        let test = try setting.testLaw(), training = try setting.trainingLaw()
        let n = setting.ranks!
        var p = [Double](repeating: 0, count: n), l = p
        for i in 1...n {
            p[i - 1] = test.mass(i)
            var q = 0.0
            for c in training { q += c.mass(i) }
            l[i - 1] = log1p(-q)
        }
        return ts.map { t in
            p.withUnsafeBufferPointer { p in
                l.withUnsafeBufferPointer { l in
                    var s = 0.0
                    var i = n - 1
                    while i >= 0 { s += p[i] * exp(t * l[i]); i -= 1 }
                    return s
                }
            }
        }
    }

    @Test(
        "head + Euler–Maclaurin tail equals the brute-force sum at N = 1e6 to 1e-11 (stated bound, HutterExpectation)",
        arguments: [
            HutterSetting(beta: 1.7, ranks: 1_000_000, t: []),
            HutterSetting(beta: 2.2, ranks: 1_000_000, cut: 300, narrow: 3, mix: 0.05, t: []),
        ])
    func matchesBruteForce(setting: HutterSetting) throws {
        let ts = [1e2, 1e4, 1e7, 1e10, 1e13]
        let engine = try HutterExpectation(test: setting.testLaw(), training: setting.trainingLaw(), maxT: 1e15)
        let reference = try Self.bruteForce(setting, ts)
        for (t, expected) in zip(ts, reference) where expected > 1e-100 {
            let value = engine.expectedError(t)
            #expect(relativelyClose(value, expected, 1e-11), "T = \(t): \(value) vs brute force \(expected)")
        }
    }

    @Test("the public oracle gives the documented plateau A·ζ(2, 101) for β = 2, k = 100 (§1.2(b))")
    func publicOracle() throws {
        let e = try HutterExpectation(setting: HutterSetting(beta: 2, cut: 100, t: [1]), maxT: 1e15)
        let plateau = SpecialFunctions.hurwitzZeta(2, 101)! / SpecialFunctions.riemannZeta(2)!
        #expect(relativelyClose(e.expectedError(1e15), plateau, 1e-10))
        #expect(throws: GenerateError.self) {
            try HutterExpectation(setting: HutterSetting(beta: 2, generations: 2, t0: 100, t: [1]), maxT: 10)
        }
    }

    @Test("N = 1e9 agrees with N = ∞ up to the mass beyond 1e9 (consistency of the tail treatment)")
    func largeSupport() throws {
        let finite = HutterSetting(beta: 2, ranks: 1_000_000_000, t: [1e6])
        let infinite = HutterSetting(beta: 2, t: [1e6])
        let a = try HutterExpectation(test: finite.testLaw(), training: finite.trainingLaw(), maxT: 1e6).expectedError(1e6)
        let b = try HutterExpectation(test: infinite.testLaw(), training: infinite.trainingLaw(), maxT: 1e6).expectedError(1e6)
        // Beyond N = 1e9 the infinite law holds ≈ 1e-9/ζ(2) of mass, and A changes by that much.
        #expect(abs(a - b) < 2e-9)
    }

    @Test("clean curve: local log-log slope tends to −(1 − 1/β) and E·T^c to (A^(1/β)/β)Γ(1 − 1/β) (§1.2(a))",
          arguments: [1.5, 2.0, 3.0])
    func cleanSlope(beta: Double) throws {
        let s = HutterSetting(beta: beta, t: [1e14, 1e15])
        let e = try HutterExpectation(test: s.testLaw(), training: s.trainingLaw(), maxT: 1e15)
        let slope = log(e.expectedError(1e15) / e.expectedError(1e14)) / log(10)
        #expect(abs(slope + (1 - 1 / beta)) < 2e-3, "slope \(slope)")
        let a = 1 / SpecialFunctions.riemannZeta(beta)!
        let constant = exp(log(a) / beta) / beta * exp(SpecialFunctions.logGamma(1 - 1 / beta)!)
        #expect(relativelyClose(e.expectedError(1e15) * pow(1e15, 1 - 1 / beta), constant, 1e-2))
    }

    @Test("tail cut: the plateau equals A·ζ(β, k+1), the Hurwitz-zeta tail mass, to 1e-10 (§1.2(b))",
          arguments: [(2.0, 100), (1.5, 1000), (3.0, 10)])
    func cutPlateau(beta: Double, k: Int) throws {
        let s = HutterSetting(beta: beta, cut: k, t: [1e15])
        let e = try HutterExpectation(test: s.testLaw(), training: s.trainingLaw(), maxT: 1e15)
        let tailMass = SpecialFunctions.hurwitzZeta(beta, Double(k + 1))! / SpecialFunctions.riemannZeta(beta)!
        #expect(relativelyClose(e.expectedError(1e15), tailMass, 1e-10))
        let truth = try s.generate(seed: 1).truth
        #expect(relativelyClose(truth.law["plateau"]!.number!, tailMass, 1e-10))
    }

    @Test("narrowing: the slope tends to −(β − 1)/β′ (§1.2(d))", arguments: [(2.0, 3.0), (1.5, 2.0)])
    func narrowingSlope(beta: Double, narrowed: Double) throws {
        let s = HutterSetting(beta: beta, narrow: narrowed, t: [1e15])
        let e = try HutterExpectation(test: s.testLaw(), training: s.trainingLaw(), maxT: 1e15)
        let slope = log(e.expectedError(1e15) / e.expectedError(1e14)) / log(10)
        #expect(abs(slope + (beta - 1) / narrowed) < 5e-3, "slope \(slope)")
    }

    @Test("mixing: plateau from k^β/A to k^β/(Aπ) at the tail mass, then E(T) = E_clean(πT) (§1.2(f))")
    func mixing() throws {
        let beta = 2.0, k = 100, pi = 1e-3
        let mixed = HutterSetting(beta: beta, cut: k, mix: pi, t: [1e15])
        let clean = HutterSetting(beta: beta, t: [1e15])
        let e = try HutterExpectation(test: mixed.testLaw(), training: mixed.trainingLaw(), maxT: 1e15)
        let c = try HutterExpectation(test: clean.testLaw(), training: clean.trainingLaw(), maxT: 1e15)
        let a = 1 / SpecialFunctions.riemannZeta(beta)!
        let plateau = a * SpecialFunctions.hurwitzZeta(beta, Double(k + 1))!
        let onset = pow(Double(k), beta) / a, second = onset / pi
        // Well inside the plateau (geometric middle) the error is the tail mass within 5%.
        #expect(relativelyClose(e.expectedError((onset * second).squareRoot()), plateau, 0.05))
        // Before the onset the head is still being learned: clearly above the plateau.
        #expect(e.expectedError(onset / 100) > 2 * plateau)
        // After the second onset the descent resumes, and far beyond it E(T) = E_clean(πT).
        #expect(e.expectedError(second * 100) < plateau / 5)
        for t in [second * 1e3, second * 1e5] {
            #expect(relativelyClose(e.expectedError(t), c.expectedError(pi * t), 1e-6))
        }
    }
}

@Suite("hutter: Monte Carlo (docs/collapse-models.md §1.1)")
struct HutterMonteCarloTests {
    @Test("Monte Carlo mean agrees with the exact expectation within 4 standard errors",
          arguments: [
            HutterSetting(beta: 1.5, ranks: 100_000, mode: .monteCarlo, t: [3e4], replicates: 200),
            HutterSetting(beta: 2, cut: 50, mix: 0.05, mode: .monteCarlo, t: [1e5], replicates: 200),
            HutterSetting(beta: 2, narrow: 2.5, mode: .monteCarlo, t: [1e6], replicates: 200),
            HutterSetting(beta: 1.8, generations: 3, t0: 2000, mode: .monteCarlo, t: [5e3], replicates: 200),
          ])
    func agreesWithExact(setting: HutterSetting) throws {
        let mc = try setting.generate(seed: 42)
        var exactSetting = setting
        exactSetting.mode = .exact
        let exact = try exactSetting.generate(seed: 42).series[0].values[0]
        let mean = mc.series[0].values[0], se = mc.series[1].values[0]
        #expect(se > 0)
        #expect(abs(mean - exact) < 4 * se, "mean \(mean) ± \(se), exact \(exact)")
    }

    @Test("large T does not cost O(T): T = 1e12 finishes with a plausible value")
    func largeT() throws {
        let s = HutterSetting(beta: 2.5, mode: .monteCarlo, t: [1e12])
        let value = try s.generate(seed: 3).series[0].values[0]
        var exact = s
        exact.mode = .exact
        let expected = try exact.generate(seed: 3).series[0].values[0]
        // One draw: the unseen mass concentrates (relative spread ≈ 1/sqrt(#ranks near T·p ≈ 1)).
        #expect(relativelyClose(value, expected, 0.2), "\(value) vs \(expected)")
    }

    @Test("same seed, same values; different seed, different values")
    func seeded() throws {
        let s = HutterSetting(beta: 1.7, ranks: 10_000, mode: .monteCarlo, t: [100, 1000])
        #expect(try s.generate(seed: 9).series == s.generate(seed: 9).series)
        #expect(try s.generate(seed: 9).series != s.generate(seed: 10).series)
    }
}

@Suite("samplers")
struct SamplerTests {
    @Test("zipfSamples: P(x = xmin, xmin+1, xmin+2, xmin+10) match 1/ζ(α, xmin)·xmin^(−α) within 4 standard errors (CSN 2009 eq. 2.4)")
    func zipfSamplesFrequency() throws {
        let alpha = 2.5, xmin = 3, count = 200_000
        let x = zipfSamples(exponent: alpha, xmin: xmin, count: count, seed: 11)
        #expect(x.allSatisfy { $0 >= xmin })
        for value in [xmin, xmin + 1, xmin + 2, xmin + 10] {
            let p = pow(Double(value), -alpha) / SpecialFunctions.hurwitzZeta(alpha, Double(xmin))!
            let observed = Double(x.filter { $0 == value }.count) / Double(count)
            #expect(abs(observed - p) < 4 * (p * (1 - p) / Double(count)).squareRoot(), "x = \(value)")
        }
        #expect(zipfSamples(exponent: alpha, xmin: xmin, count: 100, seed: 11) == Array(x.prefix(100)))
    }

    @Test("token sampler: head and tail frequencies match Zipf(β) on 1e6 ranks within 4 standard errors")
    func tokenSampler() throws {
        var sampler = try ZipfTokenSampler(beta: 1.5, ranks: 1_000_000, seed: 5)
        var single = try ZipfTokenSampler(beta: 1.5, ranks: 1_000_000, seed: 5)
        var tokens = [Int](repeating: 0, count: 400_000)
        sampler.fill(&tokens)
        #expect((0..<1000).map { _ in single.next() } == Array(tokens.prefix(1000)))
        let law = try ZipfComponent(weight: 1, exponent: 1.5, upper: 1_000_000)
        #expect(tokens.allSatisfy { $0 >= 1 && $0 <= 1_000_000 })
        for (event, p) in [
            ({ (t: Int) in t == 1 }, law.mass(1)),
            ({ (t: Int) in t > 16383 }, try law.tailMass(after: 16383)),
            ({ (t: Int) in t > 16383 + 65535 }, try law.tailMass(after: 16383 + 65535)),
            ({ (t: Int) in t > 100_000 }, try law.tailMass(after: 100_000)),
            ({ (t: Int) in t == 5000 }, law.mass(5000)),
            ({ (t: Int) in t == 20000 }, law.mass(20000)),
        ] {
            let observed = Double(tokens.filter(event).count) / Double(tokens.count)
            #expect(abs(observed - p) < 4 * (p * (1 - p) / Double(tokens.count)).squareRoot(), "\(observed) vs \(p)")
        }
    }

    @Test("GSL binomial beyond 2^32 trials: mean n·p within 4 standard deviations")
    func largeBinomial() throws {
        let rng = try GSLRandom(seed: 1)
        let n = 10_000_000_000, p = 0.3
        let x = rng.binomial(trials: n, probability: p)
        #expect(abs(Double(x) - Double(n) * p) < 4 * (Double(n) * p * (1 - p)).squareRoot())
    }
}
