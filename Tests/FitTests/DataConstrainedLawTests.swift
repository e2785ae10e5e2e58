import Foundation
import RealModule
import ScalefitCore
import Testing
@testable import Fit

@Suite("data-constrained law (Muennighoff et al. 2023)")
struct DataConstrainedLawTests {
    /// The paper's fit: E = 1.87, A = 521, B = 1488, α = β = 0.353, R*_D = 15.4, R*_N = 5.3;
    /// U_D = 1e9 unique tokens here.
    static let paper = [1.87, 521, 1488, 0.353, 0.353, 15.4, 5.3, 1e9]

    /// The law written out independently: N_opt(U_D) = U_D·(αA/(βB))^(2/(α+β)) for α = β.
    static func reference(_ n: Double, _ d: Double, _ p: [Double]) -> Double {
        let (e, a, b, alpha, beta, rd, rn, ud) = (p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7])
        let nOpt = ud * Double.pow(alpha * a / (beta * b), 2 / (alpha + beta))
        let u = Swift.min(d, ud), un = Swift.min(n, nOpt)
        let dEff = u + u * rd * (1 - Double.exp(-(d / u - 1) / rd))
        let nEff = un + un * rn * (1 - Double.exp(-(n / un - 1) / rn))
        return e + a * Double.pow(nEff, -alpha) + b * Double.pow(dEff, -beta)
    }

    @Test("values: Chinchilla's without repetition or excess parameters, the paper's discount beyond, the limits")
    func values() throws {
        let law = DataConstrainedLaw(), p = Self.paper
        // N_opt(1e9) for the paper's A, B, α = β: 1e9/19.55 = 5.11e7 parameters.
        let ratio = Double.pow(521.0 / 1488.0, 2 / 0.706)
        #expect(abs(1 / ratio - 19.55) < 0.01)
        let chinchilla = ChinchillaLaw()
        for (n, d) in [(1e7, 1e8), (5e7, 1e9), (2e7, 5e8)] {
            #expect(relativeError(law.value(n, d, parameters: p), chinchilla.value(n, d, parameters: Array(p.prefix(5)))) < 1e-14)
        }
        for (n, d) in [(1e7, 4e9), (2e8, 1e9), (1e9, 6.4e10), (5e8, 3e9)] {
            #expect(relativeError(law.value(n, d, parameters: p), Self.reference(n, d, p)) < 1e-13, "N=\(n) D=\(d)")
        }
        // Four epochs: D' = U(1 + 15.4(1 − e^(−3/15.4))) = 3.726·U, "close to unique data" as the paper finds.
        let fourEpochs = 1 + 15.4 * (1 - Double.exp(-3 / 15.4))
        #expect(abs(fourEpochs - 3.7259) < 1e-3)
        // Infinitely many repetitions: D' → U_D·(1 + R*_D).
        let limit = 1.87 + 521 * Double.pow(1e7, -0.353) + 1488 * Double.pow(1e9 * 16.4, -0.353)
        #expect(relativeError(law.value(1e7, 1e9 * 1e6, parameters: p), limit) < 1e-12)
    }

    @Test("the gradient is exact: central differences agree to 1e-6")
    func gradient() throws {
        let law = DataConstrainedLaw(), p = Self.paper
        for (n, d) in [(1e7, 4e9), (2e8, 1e9), (1e9, 6.4e10), (3e7, 5e8)] {
            var g = [Double](repeating: 0, count: 8)
            _ = law.valueAndGradient(n, d, parameters: p, into: &g)
            for j in 0..<8 {
                var up = p, down = p
                let h = 1e-6 * abs(p[j])
                up[j] += h
                down[j] -= h
                let numeric = (law.value(n, d, parameters: up) - law.value(n, d, parameters: down)) / (2 * h)
                #expect(abs(numeric - g[j]) <= 1e-6 * max(abs(g[j]), 1e-9 / abs(p[j])), "N=\(n) D=\(d) parameter \(j): \(g[j]) vs \(numeric)")
            }
        }
    }

    /// N × epochs over U_D = 1e9 unique tokens, 0.3% multiplicative noise.
    static func generated(seed: UInt64) -> Series {
        var rng = SeededRandom(seed: seed, stream: 0)
        var n: [Double] = [], d: [Double] = [], y: [Double] = []
        for size in [1e7, 2e7, 5e7, 1e8, 2e8, 5e8, 1e9, 2e9] {
            for epochs in [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128] {
                let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
                let z = (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
                n.append(size)
                d.append(epochs * 1e9)
                y.append(Self.reference(size, epochs * 1e9, paper) * Double.exp(0.003 * z))
            }
        }
        return Series(run: "constrained", metric: "loss", x: n, x2: d, values: y)
    }

    @Test("recovers the generating R*_D and R*_N (and the Chinchilla part) within their 95% intervals")
    func recovery() throws {
        var covered = 0, total = 0
        for seed in UInt64(1)...3 {
            var options = FitOptions()
            options.fixed = ["U_D": 1e9]
            let fit = try DataConstrainedLaw().fit(to: Self.generated(seed: seed), options: options)
            #expect(fit.converged)
            for (j, p) in fit.parameters.enumerated() where p.name != "U_D" {
                let truth = Self.paper[j]
                let ci = try #require(p.ci95, "\(p.name) has no interval")
                total += 1
                if ci.lower <= truth && truth <= ci.upper { covered += 1 }
                if p.name == "R_D_star" || p.name == "R_N_star" {
                    print("data-constrained seed \(seed): \(p.name) = \(p.value) [\(ci.lower), \(ci.upper)] (truth \(truth))")
                    #expect(relativeError(p.value, truth) < 0.25, "seed \(seed) \(p.name) = \(p.value)")
                }
            }
        }
        // 21 intervals at 95%: three or fewer misses (P ≈ 0.98 under correct coverage).
        #expect(covered >= total - 3, "\(covered) of \(total) intervals hold the truth")
    }

    @Test("compute-optimal allocation under a unique-data budget: the exact-slope root equals a fine scan, and repetition shifts compute to epochs")
    func allocation() throws {
        let law = DataConstrainedLaw(), p = Self.paper
        for c in [1e17, 1e19, 1e20, 1e21, 1e22] {
            let best = try #require(ComputeOptimal.optimum(law, p, compute: c))
            // An independent fine scan in ln N (1e-4 steps) around the optimum.
            let lc = Double.log(c / 6)
            var bestU = 0.0, bestL = Double.infinity
            var u = Double.log(best.n) - 0.5
            while u < Double.log(best.n) + 0.5 {
                let l = Self.reference(Double.exp(u), Double.exp(lc - u), p)
                if l < bestL { bestL = l; bestU = u }
                u += 1e-4
            }
            #expect(abs(Double.log(best.n) - bestU) < 2e-4, "C=\(c)")
            #expect(relativeError(best.loss, Self.reference(best.n, best.d, p)) < 1e-14)
            #expect(bestL >= best.loss * (1 - 1e-14))
            // Chinchilla's optimum for the same E, A, B, α, β, for comparison.
            let unconstrained = try #require(ComputeOptimal.chinchillaOptimum(Array(p.prefix(5)), compute: c))
            if unconstrained.d <= 1e9 {
                // Within one epoch and below N_opt(U_D) nothing is discounted: Chinchilla's optimum.
                #expect(relativeError(best.n, unconstrained.n) < 1e-9)
            } else if unconstrained.d > 4e9 {
                // Past a few epochs of U_D the constrained optimum spends the compute on more
                // epochs rather than more parameters (excess parameters decay faster, R*_N <
                // R*_D), as the paper finds: a smaller model than Chinchilla's.
                #expect(best.n < unconstrained.n)
            }
        }
    }

    @Test("refused without U_D; listed in the zoo")
    func catalog() throws {
        #expect(LawCatalog.law(named: "data-constrained") is DataConstrainedLaw)
        #expect(throws: FitError.self) { try DataConstrainedLaw().fit(to: Self.generated(seed: 1)) }
    }
}
