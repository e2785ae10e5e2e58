import Foundation
import Testing

@testable import Generate

@Suite("multinomial recursion (docs/collapse-models.md §3)")
struct MultinomialTests {
    @Test("fully synthetic: S_m = 1 − (1 − 1/n)^m (1 − S_0) within 4 standard errors ([HB] Theorem 1 as in §3.2)")
    func collisionProbability() throws {
        let s = MultinomialSetting(vocabulary: 8, beta: 1.2, n: 10, generations: 30, replicates: 4000)
        let averages = try s.simulate(seed: 5)
        let mean = averages.mean(0), se = averages.standardError(0)
        let s0 = s.initialDistribution.reduce(0) { $0 + $1 * $1 }
        for m in [1, 2, 5, 10, 20, 30] {
            let expected = 1 - pow(1 - 1 / 10.0, Double(m)) * (1 - s0)
            #expect(abs(mean[m] - expected) < 4 * se[m] + 1e-12, "m = \(m): \(mean[m]) ± \(se[m]) vs \(expected)")
        }
        // Support size and entropy fall (§3.3: "drops monotonically" in expectation).
        let support = averages.mean(2), entropy = averages.mean(1)
        #expect(support[30] < support[1] && entropy[30] < entropy[1])
    }

    @Test("partially synthetic with fresh real data: mean drift stays bounded (§3.2)")
    func partialStaysNear() throws {
        let s = MultinomialSetting(vocabulary: 8, beta: 1.2, n: 10, real: 40, realSample: .fresh, generations: 50, replicates: 400)
        let drift = try s.simulate(seed: 6).mean(3)
        #expect(drift[50] < 2 * drift[5] + 0.05)
    }
}

@Suite("Gaussian workflows (docs/collapse-models.md §4.3)")
struct GaussianTests {
    @Test("replace: E tr Σ̂_t = dσ²(1 − 1/n)^t within 4 standard errors (§4.3)")
    func replaceTrace() throws {
        let s = GaussianSetting(dimension: 2, sigma2: 1, n: 10, iterations: 12, workflow: .replace, replicates: 3000)
        let a = try s.simulate(seed: 8)
        let trace = a.mean(2), se = a.standardError(2)
        for t in [1, 3, 6, 12] {
            let expected = pow(1 - 1 / 10.0, Double(t))  // tr Σ̂_t / (dσ²)
            #expect(abs(trace[t - 1] - expected) < 4 * se[t - 1], "t = \(t): \(trace[t - 1]) ± \(se[t - 1]) vs \(expected)")
        }
    }

    @Test("accumulate: the mean's squared error stays below (π²/6)·dσ²/n (§4.3)")
    func accumulateBound() throws {
        let d = 2, n = 20
        let s = GaussianSetting(dimension: d, sigma2: 1, n: n, iterations: 15, workflow: .accumulate, replicates: 3000)
        let a = try s.simulate(seed: 9)
        let bound = Double.pi * Double.pi / 6 * Double(d) / Double(n)
        let mse = a.mean(0)
        #expect(mse.allSatisfy { $0 < bound }, "\(mse) vs bound \(bound)")
        // And the first iteration is the plain estimator: dσ²/n within 4 standard errors.
        #expect(abs(mse[0] - Double(d) / Double(n)) < 4 * a.standardError(0)[0])
    }
}

@Suite("ridge with synthetic rows (docs/collapse-models.md §2.2)")
struct RidgeTests {
    @Test("isotropic ridgeless closed form within 2% of simulation at d = 200 (§2.2, DERIVED)")
    func closedForm() throws {
        let s = RidgeSetting(dimension: 200, p2: 0.2, c2: 1, sigma: 1, lambda: 0, sizes: [1000], replicates: 12)
        let a = try s.simulate(seed: 12)
        let closed = s.closedForm(n: 1000)!
        // The noise- and direction-averaged error (low variance) is within 2%…
        #expect(relativelyClose(a.mean(1)[0], closed, 0.02), "conditional \(a.mean(1)[0]), closed form \(closed)")
        // …and the raw simulated error agrees with it within 4 standard errors.
        #expect(abs(a.mean(0)[0] - a.mean(1)[0]) < 4 * a.standardError(0)[0])
    }

    @Test("λ = 0 with n ≤ d is rejected before any work")
    func rejectsUnderdetermined() {
        let s = RidgeSetting(dimension: 50, p2: 0.1, c2: 1, sizes: [40])
        #expect(throws: GenerateError.self) { try s.generate(seed: 1) }
    }
}

@Suite("KDE workflows (docs/collapse-models.md §4.2)")
struct KDETests {
    @Test("replace degrades faster than accumulate ([CT] abstract: replace collapses, accumulate is stable)")
    func replaceWorseThanAccumulate() throws {
        let replace = KDESetting(dataset: .moons, n: 50, bandwidth: 0.1, iterations: 10, workflow: .replace, replicates: 4, testPoints: 200)
        let accumulate = KDESetting(dataset: .moons, n: 50, bandwidth: 0.1, iterations: 10, workflow: .accumulate, replicates: 4, testPoints: 200)
        let r = try replace.simulate(seed: 2).mean(0), a = try accumulate.simulate(seed: 2).mean(0)
        #expect(r[0] == a[0])
        #expect(r[9] > a[9])
    }
}
