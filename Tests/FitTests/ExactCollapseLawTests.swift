import Foundation
import Testing
import ScalefitCore
import Generate
@testable import Fit

/// The exact collapse laws against `scalefit generate hutter --mode exact`, whose sums are
/// good to 1e-11 (HutterExpectation's stated accuracy, checked in GenerateTests): the
/// reference here is code the laws do not share.
@Suite("Exact collapse laws")
struct ExactCollapseLawTests {
    static let ts: [Double] = (0...16).map { Foundation.pow(10, 1 + Double($0) / 2) }  // 1e1…1e9

    static func reference(_ setting: HutterSetting) throws -> [Double] {
        let e = try HutterExpectation(setting: setting, maxT: 1e9)
        return ts.map(e.expectedError)
    }

    static func worst(_ law: some MemoriserLaw, _ p: [Double], _ ref: [Double]) -> Double {
        let got = law.curve(ts, p)
        return zip(got, ref).map { abs($0 / $1 - 1) }.max() ?? .infinity
    }

    @Test("tailcut reproduces the generator to 1e-4 relative, T = 1e1…1e9",
          arguments: [1.2, 1.5, 2, 3, 4], [10, 100, 999, 1000, 1001, 5000, 100_000])
    func tailcut(beta: Double, k: Int) throws {
        let ref = try Self.reference(HutterSetting(beta: beta, cut: k, t: [1]))
        let err = Self.worst(ExactTailCutLaw(), [beta, Double(k)], ref)
        #expect(err < 1e-4, "β=\(beta) k=\(k): worst relative error \(err)")
    }

    @Test("mixing reproduces the generator to 1e-4 relative, T = 1e1…1e9",
          arguments: [1.2, 2, 4], [10, 1000, 100_000])
    func mixing(beta: Double, k: Int) throws {
        for pi in [1e-4, 0.01, 0.5] {
            let ref = try Self.reference(HutterSetting(beta: beta, cut: k, mix: pi, t: [1]))
            let err = Self.worst(ExactMixingLaw(), [beta, Double(k), pi], ref)
            #expect(err < 1e-4, "β=\(beta) k=\(k) π=\(pi): worst relative error \(err)")
        }
    }

    @Test("narrowing reproduces the generator to 1e-4 relative, T = 1e1…1e9",
          arguments: [1.2, 2, 4], [1.5, 2.5, 6])
    func narrowing(beta: Double, betaPrime: Double) throws {
        let ref = try Self.reference(HutterSetting(beta: beta, narrow: betaPrime, t: [1]))
        let err = Self.worst(ExactNarrowingLaw(), [beta, betaPrime], ref)
        #expect(err < 1e-4, "β=\(beta) β′=\(betaPrime): worst relative error \(err)")
    }
}

@Suite("Exact collapse laws: recovery")
struct ExactCollapseRecoveryTests {
    static func grid(_ lo: Double, _ hi: Double, _ n: Int) -> [Double] {
        (0..<n).map { Foundation.exp(Foundation.log(lo) + (Foundation.log(hi) - Foundation.log(lo)) * Double($0) / Double(n - 1)) }
    }

    /// Targets from issue 15: β within 0.01, k and π within 5%, plateau within 1%, on exact
    /// generator curves (truth from the generator's truth.json values).
    @Test("exact generator curves: β ±0.01, k and π ±5%, plateau ±1%")
    func exactRecovery() throws {
        let cases: [(HutterSetting, any ScalingLaw)] = [
            (HutterSetting(beta: 2, cut: 1000, t: Self.grid(1e2, 1e9, 30)), ExactTailCutLaw()),
            (HutterSetting(beta: 1.5, cut: 100, t: Self.grid(10, 1e7, 30)), ExactTailCutLaw()),
            (HutterSetting(beta: 2, cut: 1000, mix: 0.01, t: Self.grid(1e2, 1e12, 40)), ExactMixingLaw()),
            (HutterSetting(beta: 2, cut: 100, mix: 0.1, t: Self.grid(10, 1e8, 35)), ExactMixingLaw()),
            (HutterSetting(beta: 2, narrow: 3, t: Self.grid(10, 1e9, 30)), ExactNarrowingLaw()),
        ]
        for (setting, law) in cases {
            let data = try setting.generate(seed: 1)
            let fit = try law.fit(to: data.series[0], options: FitOptions())
            #expect(fit.converged)
            for p in fit.parameters {
                guard let truth = data.truth.parameters[p.name]?.number else { continue }
                let ok = p.name.hasPrefix("beta") ? abs(p.value - truth) <= 0.01 : abs(p.value / truth - 1) <= 0.05
                #expect(ok, "\(setting.runName) \(p.name): \(p.value) vs \(truth)")
            }
            if let truth = data.truth.law["plateau"]?.number {
                let plateau = try #require(fit.derived.first { $0.name == "plateau" }?.value)
                #expect(abs(plateau / truth - 1) <= 0.01, "\(setting.runName) plateau \(plateau) vs \(truth)")
            }
        }
    }

    /// A small version of benchmarks/collapse: 20 noisy replicates (2% noise) of the mixed
    /// curve; with 95% intervals, all 20 missing for any parameter would be absurd — we ask
    /// at least 15 of 20 inside (P(≤ 14 of 20 | p = 0.95) ≈ 3e-4).
    @Test("noisy mixed curves: the 95% intervals of β, k, π hold the truth in ≥ 15 of 20 replicates")
    func noisyCoverage() throws {
        var setting = HutterSetting(beta: 2, cut: 100, mix: 0.1, t: Self.grid(10, 1e8, 35))
        setting.noise = 0.02
        var inside: [String: Int] = [:]
        for r in 0..<20 {
            let data = try setting.generate(seed: UInt64(100 + r))
            let fit = try ExactMixingLaw().fit(to: data.series[0], options: FitOptions())
            #expect(fit.converged)
            for p in fit.parameters {
                guard let truth = data.truth.parameters[p.name]?.number, let ci = p.ci95 else { continue }
                if truth >= ci.lower && truth <= ci.upper { inside[p.name, default: 0] += 1 }
            }
        }
        for name in ["beta", "k", "pi"] { #expect(inside[name, default: 0] >= 15, "\(name): \(inside[name, default: 0]) of 20") }
    }

    /// The gradient is a central difference (step 1e-5 relative); a five-point stencil with
    /// a 10× larger step must agree with it to 1e-4 relative, including ∂/∂β through γ(c, x).
    @Test("Jacobian agrees with a five-point difference of the whole curve")
    func jacobian() {
        let ts = Self.grid(10, 1e9, 9)
        func check(_ law: some MemoriserLaw, _ p: [Double]) {
            let jac = law.jacobian(ts, p)
            for j in p.indices {
                let h = 10 * law.step(j, p[j])
                func at(_ d: Double) -> [Double] { var q = p; q[j] += d; return law.curve(ts, q) }
                let a = at(-2 * h), b = at(-h), c = at(h), d = at(2 * h)
                for i in ts.indices {
                    let five = (a[i] - 8 * b[i] + 8 * c[i] - d[i]) / (12 * h)
                    // Truncation of the two-point rule (relative, ~1e-10 here) plus the rounding
                    // of curve values accurate to ~1e-15 relative divided by the step.
                    let rounding = 1e-13 * abs(c[i]) / law.step(j, p[j])
                    #expect(abs(jac[j][i] - five) <= 1e-4 * abs(five) + rounding, "\(law.name) ∂/∂\(law.parameters[j].name) at T=\(ts[i])")
                }
            }
        }
        check(ExactTailCutLaw(), [2, 3000])
        check(ExactMixingLaw(), [2, 2500.5, 0.01])
        check(ExactNarrowingLaw(), [2, 3])
    }
}
