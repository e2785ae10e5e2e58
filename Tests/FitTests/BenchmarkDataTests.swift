import Testing
import RealModule
import ScalefitCore
@testable import Fit

@Suite("Real data: revisiting-benchmark and overtrain-gadre2024")
struct BenchmarkDataTests {
    /// Held-out |log error| of `saturating` on each NMT curve, from an independent
    /// implementation (fixtures/reference-data/revisiting-benchmark/PROVENANCE.md, "Reference baselines").
    static let nmtReference: [String: Double] = [
        "6 Enc, 6 Dec": 0.0561, "28 Enc, 6 Dec": 0.0636, "6 Enc, 28 Dec": 0.0661, "Dec-only": 0.0376, "TEnc-LSTM": 0.0174,
    ]

    @Test("NMT: saturating extrapolates to 512M with the reference log errors (±0.005)",
          .enabled(if: TestData.available, "fixtures/reference-data is missing"))
    func nmtHoldout() throws {
        let curves = try TestData.revisitingCurves().filter { $0.domain == "NMT" }
        #expect(curves.count == 5)
        for curve in curves {
            let model = String(curve.name.split(separator: "|").last!)
            let result = try SaturatingLaw().fit(to: curve.fit, options: FitOptions())
            #expect(result.converged, "\(model): \(result.status)")
            let held = try #require(curve.heldOut.first)
            let predicted = SaturatingLaw().value(held.x, .nan, parameters: result.values)
            let logError = abs(Double.log(predicted) - Double.log(held.y))
            let reference = try #require(Self.nmtReference[model])
            #expect(abs(logError - reference) <= 0.005, "\(model): \(logError) vs \(reference)")
        }
    }

    @Test("--holdout K on a sorted curve equals fitting the rest and predicting",
          .enabled(if: TestData.available, "fixtures/reference-data is missing"))
    func holdoutOption() throws {
        let curve = try #require(TestData.revisitingCurves().first { $0.domain == "NMT" })
        let full = Series(
            run: "nmt", metric: "loss", x: curve.fit.x + curve.heldOut.map(\.x), values: curve.fit.values + curve.heldOut.map(\.y))
        var options = FitOptions()
        options.holdout = 1
        let result = try SaturatingLaw().fit(to: full, options: options)
        let holdout = try #require(result.holdout)
        #expect(holdout.k == 1)
        #expect(abs(holdout.rmsle - 0.0561) <= 0.005)
        #expect(holdout.points[0].x == 5.12e8)
    }

    /// D1-a of fixtures/reference-data/overtrain-gadre2024/PROVENANCE.md: L = E + a·N^(−η) + b·D^(−η) fitted
    /// on 5 small rpj runs (loss_c4_val, linear least squares) predicts rpj-open_lm_1b-32.0 and
    /// rpj-open_lm_7b-1.0 with relative errors 0.710% and 0.732% (within 0.1 point).
    @Test("overtrain D1-a: shared-exponent law extrapolates to 1.4B and 6.9B",
          .enabled(if: TestData.available, "fixtures/reference-data is missing"))
    func overtrain() throws {
        let rows = try TestData.csv("overtrain-gadre2024/overtrain_losses.csv")
        let fitNames = Set(rows.filter { row in
            row["train_dataset"] == "rpj" && row["model"]!.hasPrefix("d=") &&
                (row["chinchilla_multiplier"] == "1.0" || (row["model"] == "d=96_l=8_h=4" && row["chinchilla_multiplier"] == "16.0"))
        }.map { $0["name"]! })
        #expect(fitNames.count == 5)
        let fitRows = rows.filter { fitNames.contains($0["name"]!) }
        let series = Series(
            run: "rpj", metric: "loss_c4_val",
            x: fitRows.map { Double($0["N_params"]!)! }, x2: fitRows.map { Double($0["D_tokens"]!)! },
            values: fitRows.map { Double($0["loss_c4_val"]!)! })
        var options = FitOptions()
        options.space = .linear
        options.tied = ["beta": "alpha"]
        let result = try ChinchillaLaw().fit(to: series, options: options)
        #expect(result.converged, "\(result.status)")
        for (name, published) in [("rpj-open_lm_1b-32.0", 0.7103), ("rpj-open_lm_7b-1.0", 0.7320)] {
            let row = try #require(rows.first { $0["name"] == name })
            let predicted = ChinchillaLaw().value(Double(row["N_params"]!)!, Double(row["D_tokens"]!)!, parameters: result.values)
            let observed = Double(row["loss_c4_val"]!)!
            let relativeError = abs(predicted - observed) / observed * 100
            #expect(abs(relativeError - published) <= 0.1, "\(name): \(relativeError)% vs \(published)%")
        }
    }
}
