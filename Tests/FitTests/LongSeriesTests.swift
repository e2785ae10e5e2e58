import Testing
import RealModule
import ScalefitCore
@testable import Fit

/// The long-series strategy (Sources/Fit/LongSeries.swift): the search on a systematic
/// sample, the finish on every point by streaming Levenberg–Marquardt, the judgement from a
/// chunked QR. Its answers are checked against the ordinary engine (the whole multi-start
/// search on every point, GSL's solver, the QR of the whole Jacobian) on the same data.
@Suite("Long series: sample search, streaming finish")
struct LongSeriesTests {
    /// A per-step curve: L = 1.7 + 8·step^(−0.32) with 2% log-normal noise, steps 1…n.
    static func curve(_ n: Int, seed: UInt64 = 11) -> Series {
        let law = SaturatingLaw(), truth = [1.7, 8.0, 0.32]
        var rng = SeededRandom(seed: seed, stream: 0)
        let x = (1...n).map(Double.init)
        let y = x.map { law.value($0, .nan, parameters: truth) * Double.exp(0.02 * gaussian(&rng)) }
        return Series(run: "long", metric: "loss", x: x, values: y)
    }

    static func ordinary(_ options: FitOptions) -> FitOptions {
        var copy = options
        copy.longSeriesThreshold = .max
        return copy
    }

    @Test("the long path reaches the ordinary engine's optimum to 1e-8, with its standard errors to 1e-6")
    func sameOptimum() throws {
        let series = Self.curve(30_000)
        var options = FitOptions()
        options.threads = 2
        let long = try SaturatingLaw().fit(to: series, options: options)
        let full = try SaturatingLaw().fit(to: series, options: Self.ordinary(options))
        #expect(long.converged && full.converged)
        #expect(long.pointCount == 30_000)
        #expect(long.warnings.contains { $0.hasPrefix("long series: starts searched on a systematic sample of 4096 of the 30000 points") })
        #expect(!full.warnings.contains { $0.hasPrefix("long series") })
        for (a, b) in zip(long.parameters, full.parameters) {
            #expect(a.value.isApproximatelyEqual(to: b.value, relativeTolerance: 1e-8), "\(a.name): \(a.value) vs \(b.value)")
            let se = try #require(a.standardError), reference = try #require(b.standardError)
            #expect(se.isApproximatelyEqual(to: reference, relativeTolerance: 1e-6), "\(a.name) stderr: \(se) vs \(reference)")
        }
        #expect(long.chiSquared.isApproximatelyEqual(to: full.chiSquared, relativeTolerance: 1e-12))
        #expect(long.conditionNumber.isApproximatelyEqual(to: full.conditionNumber, relativeTolerance: 1e-6))
        // The truth the curve was drawn from, within 5 standard errors.
        for (estimate, truth) in zip(long.parameters, [1.7, 8.0, 0.32]) {
            #expect(abs(estimate.value - truth) <= 5 * estimate.standardError!, "\(estimate.name)")
        }
    }

    @Test("weights, linear space and a fixed parameter: the same optimum both ways")
    func weightedLinearFixed() throws {
        let base = Self.curve(25_000, seed: 5)
        var series = base
        series.weights = base.values.indices.map { 1 + Double($0 % 7) }  // 1/σ²
        var options = FitOptions()
        options.space = .linear
        options.fixed = ["E": 1.7]
        let long = try SaturatingLaw().fit(to: series, options: options)
        let full = try SaturatingLaw().fit(to: series, options: Self.ordinary(options))
        #expect(long.converged && full.converged)
        #expect(long.parameter("E")?.value == 1.7)
        for name in ["A", "alpha"] {
            let a = try #require(long.parameter(name)), b = try #require(full.parameter(name))
            #expect(a.value.isApproximatelyEqual(to: b.value, relativeTolerance: 1e-8), "\(name): \(a.value) vs \(b.value)")
            #expect(a.standardError!.isApproximatelyEqual(to: b.standardError!, relativeTolerance: 1e-6))
        }
    }

    @Test("the long path's answer does not depend on the thread count")
    func threadIndependence() throws {
        let series = Self.curve(40_000, seed: 8)
        var one = FitOptions(), two = FitOptions()
        one.threads = 1; two.threads = 2
        let a = try SaturatingLaw().fit(to: series, options: one)
        let b = try SaturatingLaw().fit(to: series, options: two)
        #expect(a.values == b.values)
        #expect(a.objective == b.objective)
        #expect(a.parameters.map(\.standardError) == b.parameters.map(\.standardError))
    }

    @Test("the sample is one point in n/m, evenly in x order, whatever the input order")
    func sample() {
        let series = Self.curve(10_000)
        let indices = LongSeries.sampleIndices(of: series, size: 100)
        #expect(indices.count == 100)
        // Run j of 100 points holds ranks 100j…100j+99; its middle point is 100j + 50.
        #expect(indices == (0..<100).map { 100 * $0 + 50 })
        let reversed = series.subset(Array((0..<10_000).reversed()))
        let chosen = LongSeries.sampleIndices(of: reversed, size: 100).map { reversed.x[$0] }
        #expect(chosen == indices.map { series.x[$0] })
        #expect(LongSeries.sampleIndices(of: series, size: 20_000) == Array(0..<10_000))
    }

    @Test("auto on a long series: laws ranked on the sample, the chosen one fitted to every point")
    func selection() throws {
        let series = Self.curve(30_000, seed: 21)
        var options = FitOptions()
        options.threads = 2
        let candidates = LawCatalog.candidates(inputCount: 1, pointCount: series.count)
        let (fits, _) = LawCatalog.compare(candidates, on: series, options: options)
        let chosen = try #require(fits.first)
        #expect(chosen.converged)
        #expect(chosen.pointCount == 30_000)
        #expect(chosen.warnings.contains { $0.hasPrefix("law chosen on a long series") })
        #expect(fits.dropFirst().allSatisfy { $0.pointCount == LongSeries.sampleSize })
        // The chosen law's fit is its fit on every point.
        let law = try #require(LawCatalog.law(named: chosen.model))
        let direct = try law.fit(to: series, options: options)
        #expect(direct.values == chosen.values)
    }
}

@Suite("Many series: fitEach spreads the series over the threads")
struct ManySeriesTests {
    @Test("fitEach gives the same fits, in input order, on 1, 2 and 3 threads; errors stay with their series")
    func sameWhateverThreads() throws {
        let law = SaturatingLaw()
        var list: [Series] = (0..<12).map { k in
            var rng = SeededRandom(seed: 77, stream: UInt64(k))
            let truth = [0.5 + 0.05 * Double(k), 10.0, 0.2 + 0.01 * Double(k)]
            let x = grid(1e3, 1e8, 16)
            let y = x.map { law.value($0, .nan, parameters: truth) * Double.exp(0.01 * gaussian(&rng)) }
            return Series(run: "run\(k)", metric: "loss", x: x, values: y)
        }
        list[5] = Series(run: "bad", metric: "loss", x: [1, 2], values: [1, -1])
        var options = FitOptions()
        options.bootstrap = 12
        let fixed = options
        let runs = [1, 2, 3].map { law.fitEach(list, options: { _ in fixed }, threads: $0) }
        for run in runs {
            #expect(run.count == 12)
            if case .success = run[5] { Issue.record("the bad series was fitted") }
        }
        for k in list.indices where k != 5 {
            let fits = try runs.map { try $0[k].get() }
            #expect(fits[0].series == "run\(k)/loss")
            #expect(fits.allSatisfy { $0.values == fits[0].values && $0.objective == fits[0].objective })
            #expect(fits.allSatisfy { $0.parameters.map(\.bootstrapCI95?.lower) == fits[0].parameters.map(\.bootstrapCI95?.lower) })
            // Each one is the fit of that series alone.
            #expect(fits[0].values == (try law.fit(to: list[k], options: fixed)).values)
        }
    }
}
