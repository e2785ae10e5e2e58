import Foundation
import RealModule
import ScalefitCore
import Testing
@testable import Fit

/// The numbers of fixtures/chinchilla-sweep/reference.json, written by
/// scripts/allocation-reference.py with numpy/scipy (no scalefit code involved).
enum AllocationReference {
    static var folder: URL { TestData.referenceData.deletingLastPathComponent().appendingPathComponent("chinchilla-sweep") }

    static func document() throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent("reference.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func parameters(_ object: Any?) throws -> [Double] {
        let dict = try #require(object as? [String: Double])
        return try ["E", "A", "B", "alpha", "beta"].map { try #require(dict[$0]) }
    }

    /// The generated sweep: C, N, D, loss.
    static func sweep() throws -> (c: [Double], n: [Double], d: [Double], loss: [Double]) {
        let rows = try TestData.csv("../chinchilla-sweep/sweep.csv")
        return (rows.map { Double($0["C"]!)! }, rows.map { Double($0["N"]!)! }, rows.map { Double($0["D"]!)! },
                rows.map { Double($0["loss"]!)! })
    }

    static func gadreRPJ() throws -> Series {
        let rows = try TestData.csv("overtrain-gadre2024/overtrain_losses.csv").filter { $0["train_dataset"] == "rpj" }
        return Series(
            run: "rpj", metric: "loss_c4_val", x: rows.map { Double($0["N_params"]!)! },
            x2: rows.map { Double($0["D_tokens"]!)! }, values: rows.map { Double($0["loss_c4_val"]!)! })
    }
}

func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }

@Suite("Compute-optimal allocation, iso-FLOP and saved fits (issue 20)")
struct AllocationTests {
    /// Hoffmann et al. 2022, eq. 10 (approach 3): E = 1.69, A = 406.4, B = 410.7, α = 0.34, β = 0.28.
    static let hoffmann = [1.69, 406.4, 410.7, 0.34, 0.28]

    @Test("closed form (Hoffmann eq. 4) equals golden-section minimisation along C = 6ND, 1e18–1e28 FLOP")
    func closedFormAgainstNumeric() throws {
        for exponent in stride(from: 18.0, through: 28, by: 1) {
            let c = Double.pow(10, exponent)
            let closed = try #require(ComputeOptimal.chinchillaOptimum(Self.hoffmann, compute: c))
            let numeric = try #require(ComputeOptimal.numericOptimum(ChinchillaLaw(), Self.hoffmann, compute: c))
            #expect(relativeError(numeric.n, closed.n) < 1e-6, "C=\(c): N \(numeric.n) vs \(closed.n)")
            #expect(relativeError(numeric.d, closed.d) < 1e-6)
            #expect(relativeError(numeric.loss, closed.loss) < 1e-12)
            #expect(relativeError(6 * closed.n * closed.d, c) < 1e-12)
        }
        // The published compute-optimal exponent a = β/(α+β) = 0.4516: N* grows by 10^a per decade.
        let n1 = ComputeOptimal.chinchillaOptimum(Self.hoffmann, compute: 1e20)!.n
        let n2 = ComputeOptimal.chinchillaOptimum(Self.hoffmann, compute: 1e21)!.n
        #expect(abs(Double.log10(n2 / n1) - 0.28 / 0.62) < 1e-12)
    }

    @Test("delta-method gradient of ln N* matches central differences")
    func logNGradient() throws {
        for c in [1e19, 1e23, 1e27] {
            let analytic = ComputeOptimal.chinchillaLogNGradient(Self.hoffmann, compute: c)
            for j in 0..<5 {
                let h = 1e-6 * max(abs(Self.hoffmann[j]), 1e-3)
                var up = Self.hoffmann, down = Self.hoffmann
                up[j] += h
                down[j] -= h
                let numeric = (Double.log(ComputeOptimal.chinchillaOptimum(up, compute: c)!.n)
                    - Double.log(ComputeOptimal.chinchillaOptimum(down, compute: c)!.n)) / (2 * h)
                #expect(abs(analytic[j] - numeric) <= 1e-6 * max(abs(numeric), 1e-6), "C=\(c) ∂lnN*/∂p\(j): \(analytic[j]) vs \(numeric)")
            }
        }
    }

    @Test("allocation of fixed parameters matches scipy's brentq on dL/dlnN = 0 to 1e-6 (sweep truth and fit, Gadre rpj fit)",
          .enabled(if: TestData.available, "fixtures are missing"))
    func allocationAgainstScipy() throws {
        let reference = try AllocationReference.document()
        let sweep = try #require(reference["sweep"] as? [String: Any])
        let gadre = try #require(reference["gadre_rpj"] as? [String: Any])
        let cases: [([Double], Any?)] = [
            (try AllocationReference.parameters(sweep["truth"]), sweep["allocation_truth"]),
            (try AllocationReference.parameters(sweep["fit"]), sweep["allocation_fit"]),
            (try AllocationReference.parameters(gadre["fit"]), gadre["allocation_fit"]),
        ]
        for (p, expected) in cases {
            for row in try #require(expected as? [[String: Double]]) {
                let c = try #require(row["compute"])
                let mine = try #require(ComputeOptimal.chinchillaOptimum(p, compute: c))
                #expect(relativeError(mine.n, row["N"]!) < 1e-6, "N at \(c): \(mine.n) vs \(row["N"]!)")
                #expect(relativeError(mine.d, row["D"]!) < 1e-6)
                #expect(relativeError(mine.loss, row["loss"]!) < 1e-6)
            }
        }
    }

    /// Fits chinchilla (log space, least squares, every start) and checks estimates, allocation
    /// and predictions against scipy's fit of the same data.
    func checkFit(_ series: Series, reference: [String: Any], label: String) throws -> FitResult {
        let result = try ChinchillaLaw().fit(to: series, options: FitOptions())
        #expect(result.converged, "\(label): \(result.status)")
        let scipy = try AllocationReference.parameters(reference["fit"])
        for (j, estimate) in result.parameters.enumerated() {
            #expect(relativeError(estimate.value, scipy[j]) < 1e-6, "\(label) \(estimate.name): \(estimate.value) vs scipy \(scipy[j])")
        }
        let fitted = try FittedLaw(result)
        let budgets = try #require(reference["allocation_fit"] as? [[String: Double]])
        let allocations = try ComputeOptimal.allocate(fitted, compute: budgets.map { $0["compute"]! })
        for (a, row) in zip(allocations, budgets) {
            #expect(relativeError(a.n.value, row["N"]!) < 1e-6, "\(label) N* at \(a.compute): \(a.n.value) vs \(row["N"]!)")
            #expect(relativeError(a.d.value, row["D"]!) < 1e-6)
            #expect(relativeError(a.tokensPerParameter.value, row["D"]! / row["N"]!) < 1e-6)
            #expect(relativeError(a.loss.value, row["loss"]!) < 1e-6)
            // The intervals contain their estimate.
            let ci = try #require(a.n.ci95)
            #expect(ci.lower < a.n.value && a.n.value < ci.upper)
        }
        for row in try #require(reference["predictions_fit"] as? [[String: Double]]) {
            let p = fitted.predict(x: row["N"]!, x2: row["D"]!)
            #expect(relativeError(p.value, row["value"]!) < 1e-6, "\(label) prediction: \(p.value) vs \(row["value"]!)")
        }
        return result
    }

    @Test("generated sweep: fit, allocation and predictions match scipy to 1e-6; the true exponents lie in their intervals",
          .enabled(if: TestData.available, "fixtures are missing"))
    func generatedSweep() throws {
        let reference = try #require(try AllocationReference.document()["sweep"] as? [String: Any])
        let data = try AllocationReference.sweep()
        let series = Series(run: "sweep", metric: "loss", x: data.n, x2: data.d, values: data.loss)
        let result = try checkFit(series, reference: reference, label: "sweep")
        for (name, truth) in [("alpha", 0.34), ("beta", 0.28)] {
            let ci = try #require(result.parameter(name)?.ci95)
            #expect(ci.lower <= truth && truth <= ci.upper, "\(name): \(truth) outside \(ci)")
        }
    }

    @Test("overtrain-gadre2024 rpj: fit, allocation and predictions match scipy to 1e-6",
          .enabled(if: TestData.available, "fixtures are missing"))
    func gadre() throws {
        let reference = try #require(try AllocationReference.document()["gadre_rpj"] as? [String: Any])
        _ = try checkFit(try AllocationReference.gadreRPJ(), reference: reference, label: "gadre rpj")
    }

    @Test("iso-FLOP (Approach 2) matches numpy to 1e-6 and its N* exponent interval holds the true β/(α+β)",
          .enabled(if: TestData.available, "fixtures are missing"))
    func isoflop() throws {
        let reference = try #require(try AllocationReference.document()["sweep"] as? [String: Any])
        let expected = try #require(reference["isoflop"] as? [String: Any])
        let data = try AllocationReference.sweep()
        let analysis = try IsoFLOP.analyse(compute: data.c, n: data.n, loss: data.loss)
        let budgets = try #require(expected["budgets"] as? [[String: Any]])
        #expect(analysis.budgets.count == budgets.count)
        for (b, row) in zip(analysis.budgets, budgets) {
            #expect(b.flag == nil)
            #expect(relativeError(b.n.value, row["n_opt"] as! Double) < 1e-6)
            let ci = try #require(b.n.ci95), rowCI = row["n_opt_ci95"] as! [Double]
            #expect(relativeError(ci.lower, rowCI[0]) < 1e-6 && relativeError(ci.upper, rowCI[1]) < 1e-6)
            #expect(relativeError(b.curvature, row["curvature"] as! Double) < 1e-6)
            #expect(relativeError(b.lossAtOptimum, row["loss_at_opt"] as! Double) < 1e-6)
        }
        for (law, key, truth) in [(analysis.n, "N", 0.28 / 0.62), (analysis.d, "D", 0.34 / 0.62)] {
            let l = try #require(law), row = try #require(expected[key] as? [String: Any])
            #expect(relativeError(l.exponent.value, row["exponent"] as! Double) < 1e-6)
            let ci = try #require(l.exponent.ci95), rowCI = row["exponent_ci95"] as! [Double]
            #expect(relativeError(ci.lower, rowCI[0]) < 1e-6 && relativeError(ci.upper, rowCI[1]) < 1e-6)
            #expect(ci.lower <= truth && truth <= ci.upper, "\(key) exponent \(truth) outside \(ci)")
        }
    }

    @Test("iso-FLOP flags a flat curve and a minimum outside the sampled N, and leaves them out")
    func isoflopFlags() throws {
        var c: [Double] = [], n: [Double] = [], loss: [Double] = []
        let truth = Self.hoffmann
        for budget in [1e18, 1e19, 1e20, 1e21] {
            let best = ComputeOptimal.chinchillaOptimum(truth, compute: budget)!.n
            for k in 0..<7 {
                let size = best * Double.pow(10, -0.6 + 0.2 * Double(k))
                c.append(budget); n.append(size)
                loss.append(ChinchillaLaw().value(size, budget / (6 * size), parameters: truth) * (1 + 1e-4 * Double((k * 7) % 3 - 1)))
            }
        }
        // A flat budget (the loss does not depend on N beyond noise), and one sampled on one side only.
        for k in 0..<7 { c.append(1e22); n.append(1e9 * Double(k + 1)); loss.append(2.0 + 0.01 * Double((k * 5) % 3 - 1)) }
        let budget = 1e23, best = ComputeOptimal.chinchillaOptimum(truth, compute: budget)!.n
        for k in 0..<7 {
            let size = best * Double.pow(10, -2.5 + 0.25 * Double(k))
            c.append(budget); n.append(size); loss.append(ChinchillaLaw().value(size, budget / (6 * size), parameters: truth))
        }
        let analysis = try IsoFLOP.analyse(compute: c, n: n, loss: loss)
        let flagged = analysis.budgets.filter { $0.flag != nil }.map(\.compute)
        #expect(flagged == [1e22, 1e23], "\(analysis.budgets.map { ($0.compute, $0.flag ?? "-") })")
        // The four clean budgets alone give the exponent β/(α+β) = 0.4516 (noise 1e-4, window ±0.6 decades).
        let exponent = try #require(analysis.n?.exponent.value)
        #expect(abs(exponent - 0.28 / 0.62) < 0.01, "\(exponent)")
        #expect(analysis.warnings.count == 2)
        #expect(throws: FitError.self) { try IsoFLOP.analyse(compute: [1, 2], n: [1], loss: [1]) }
        #expect(throws: FitError.self) { try IsoFLOP.analyse(compute: [1e18], n: [-1], loss: [1]) }
    }

    @Test("over-training: the smaller model reaches the optimal loss at C·(1 + extra); at D*/N* the extra is 0")
    func overtraining() throws {
        let fitted = try FittedLaw(
            law: ChinchillaLaw(), values: Self.hoffmann, covariance: nil, residualVariance: 1e-4, degreesOfFreedom: 20, space: .log)
        let c = 1e23
        let best = try #require(ComputeOptimal.chinchillaOptimum(Self.hoffmann, compute: c))
        let result = try ComputeOptimal.overtraining(fitted, compute: c, tokensPerParameter: 200)
        #expect(relativeError(6 * result.n * result.d, c) < 1e-12 && relativeError(result.d / result.n, 200) < 1e-12)
        let extra = try #require(result.extraCompute?.value)
        #expect(extra > 0 && result.loss.value > best.loss)
        let later = c * (1 + extra)
        let n = (later / (6 * 200)).squareRoot()
        #expect(relativeError(ChinchillaLaw().value(n, 200 * n, parameters: Self.hoffmann), best.loss) < 1e-12)
        let atOptimum = try ComputeOptimal.overtraining(fitted, compute: c, tokensPerParameter: best.d / best.n)
        #expect(abs(atOptimum.extraCompute!.value) < 1e-9)
        #expect(throws: FitError.self) { try ComputeOptimal.overtraining(fitted, compute: c, tokensPerParameter: -1) }
        #expect(throws: FitError.self) { try ComputeOptimal.allocate(try FittedLaw(law: SaturatingLaw(), values: [1, 2, 0.3], covariance: nil, residualVariance: 1, degreesOfFreedom: 3, space: .log), compute: [1e20]) }
    }

    @Test("bootstrap replicates give percentile intervals for the allocation that contain the estimate",
          .enabled(if: TestData.available, "fixtures are missing"))
    func bootstrapAllocation() throws {
        let data = try AllocationReference.sweep()
        var options = FitOptions()
        options.bootstrap = 200
        options.seed = 3
        options.startLimit = 50
        let result = try ChinchillaLaw().fit(to: Series(run: "sweep", metric: "loss", x: data.n, x2: data.d, values: data.loss), options: options)
        let replicates = try #require(result.bootstrapReplicates)
        #expect(replicates.count == 200 - (result.bootstrapFailures ?? 0))
        let allocation = try #require(try ComputeOptimal.allocate(FittedLaw(result), compute: [1e22]).first)
        for e in [allocation.n, allocation.d, allocation.tokensPerParameter, allocation.loss] {
            let ci = try #require(e.bootstrapCI95)
            #expect(ci.lower <= e.value && e.value <= ci.upper)
        }
        // The replicates' allocation is what the percentiles were taken of.
        let ns = replicates.compactMap { ComputeOptimal.chinchillaOptimum($0, compute: 1e22)?.n }.sorted()
        #expect(allocation.n.bootstrapCI95!.lower == percentile(ns, 0.025))
    }

    @Test("a fit's predictions are its saved law's predictions, bit for bit")
    func savedPredictions() throws {
        let data = try AllocationReference.sweep()
        var options = FitOptions()
        options.startLimit = 20
        options.predictX = [7e10, 1e9]
        options.predictX2 = [1.4e12, 2e10]
        let result = try ChinchillaLaw().fit(to: Series(run: "sweep", metric: "loss", x: data.n, x2: data.d, values: data.loss), options: options)
        let fitted = try FittedLaw(result)
        for p in result.predictions {
            let q = fitted.predict(x: p.x, x2: p.x2)
            #expect(q.value == p.value && q.confidenceBand! == p.confidenceBand! && q.predictionInterval! == p.predictionInterval!)
        }
    }
}

@Suite("kaplan: Kaplan et al. 2020's L(N, D)")
struct KaplanLawTests {
    /// Kaplan et al. 2020, eq. 1.5 and table 2: α_N = 0.076, α_D = 0.095, N_c = 8.8e13, D_c = 5.4e13.
    static let published = [8.8e13, 5.4e13, 0.076, 0.095]
    static let inputs: (n: [Double], d: [Double]) = {
        var n: [Double] = [], d: [Double] = []
        for a in LawCase.grid(1e6, 1e10, 9) { for b in LawCase.grid(1e8, 1e11, 7) { n.append(a); d.append(b) } }
        return (n, d)
    }()

    @Test("analytic gradient matches central differences")
    func gradient() {
        let law = KaplanLaw(), p = Self.published
        var g = [Double](repeating: 0, count: 4)
        for i in stride(from: 0, to: Self.inputs.n.count, by: 5) {
            let x = Self.inputs.n[i], x2 = Self.inputs.d[i]
            law.gradient(x, x2, parameters: p, into: &g)
            #expect(law.value(x, x2, parameters: p) == law.valueAndGradient(x, x2, parameters: p, into: &g))
            for j in 0..<4 {
                let h = 1e-6 * abs(p[j])
                var up = p, down = p
                up[j] += h
                down[j] -= h
                let numeric = (law.value(x, x2, parameters: up) - law.value(x, x2, parameters: down)) / (2 * h)
                let rounding = 1e-7 * law.value(x, x2, parameters: p) / abs(p[j])
                #expect(abs(g[j] - numeric) <= 1e-5 * abs(numeric) + rounding, "∂/∂\(law.parameters[j].name) at N=\(x), D=\(x2): \(g[j]) vs \(numeric)")
            }
        }
    }

    @Test("the published law is recovered from its own curve (1e-6), and from 1% noise within the 95% intervals")
    func recovery() throws {
        let law = KaplanLaw()
        let y = Self.inputs.n.indices.map { law.value(Self.inputs.n[$0], Self.inputs.d[$0], parameters: Self.published) }
        let clean = try law.fit(to: Series(run: "kaplan", metric: "loss", x: Self.inputs.n, x2: Self.inputs.d, values: y))
        #expect(clean.converged, "\(clean.status)")
        for (j, estimate) in clean.parameters.enumerated() {
            #expect(relativeError(estimate.value, Self.published[j]) < 1e-6, "\(estimate.name): \(estimate.value)")
        }
        // Deterministic ±1% multiplicative noise (a fixed pattern, mean ≈ 0).
        let noisy = y.indices.map { y[$0] * (1 + 0.01 * Double.sin(Double($0) * 2.3999632)) }
        let fit = try law.fit(to: Series(run: "kaplan", metric: "loss", x: Self.inputs.n, x2: Self.inputs.d, values: noisy))
        #expect(fit.converged)
        for name in ["alpha_N", "alpha_D"] {
            let truth = Self.published[law.index(of: name)!]
            let ci = try #require(fit.parameter(name)?.ci95)
            #expect(ci.lower <= truth && truth <= ci.upper, "\(name) \(truth) outside \(ci)")
        }
        #expect(LawCatalog.law(named: "kaplan") is KaplanLaw)
    }

    @Test("kaplan's compute-optimal allocation is found numerically along C = 6ND")
    func allocation() throws {
        // Kaplan's L(N, D) has no interior optimum along C = 6ND for α_N/α_D < 1? It does:
        // L falls in N through the first term and rises through D_c/D; check against a scan.
        let p = Self.published
        let best = try #require(ComputeOptimal.numericOptimum(KaplanLaw(), p, compute: 1e21))
        let c = Double.log(1e21 / 6)
        let scan = stride(from: 0.0, through: c, by: c / 20000).min { u1, u2 in
            KaplanLaw().value(Double.exp(u1), Double.exp(c - u1), parameters: p) < KaplanLaw().value(Double.exp(u2), Double.exp(c - u2), parameters: p)
        }!
        #expect(abs(Double.log(best.n) - scan) < 2 * c / 20000)
    }
}
