import GSL
import Foundation
import Synchronization
import RealModule
import ScalefitCore

extension ScalingLaw {
    /// Fits the law to a series: multi-start search, uncertainty, optional bootstrap,
    /// hold-out extrapolation check and predictions.
    ///
    /// ```swift
    /// let result = try SaturatingLaw().fit(to: series, options: FitOptions())
    /// result.parameter("alpha")?.ci95   // (0.31, 0.37)
    /// ```
    /// - Throws: ``FitError`` for data the law cannot take (non-positive values in log
    ///   space, too few points, unknown parameter names). A fit that ran but did not
    ///   converge is not an error: see ``FitResult/status``.
    /// - Complexity: one GSL solve per start (and per bootstrap replicate), spread over
    ///   ``FitOptions/threads`` workers.
    public func fit(to series: Series, options: FitOptions = .init()) throws -> FitResult {
        // Points at x ≤ 0 (a log that starts at step 0) have no logarithm: they are left
        // out, counted and named in a warning, and the fit goes on with the rest.
        var input = series
        var nonPositive = 0
        if needsPositiveInputs {
            let keep = series.x.indices.filter { !(series.x[$0] <= 0 || (series.x2?[$0] ?? 1) <= 0) }
            nonPositive = series.count - keep.count
            if nonPositive > 0 {
                guard !keep.isEmpty else {
                    throw FitError("\(series.name): every point has x ≤ 0; scaling laws need positive inputs")
                }
                input = series.subset(keep)
            }
        }
        var result = try fitWithHoldout(input, options: options)
        if nonPositive > 0 {
            let smallest = input.x.min() ?? 1
            result.notes.append(.text("dropped \(nonPositive) point\(nonPositive == 1 ? "" : "s") with x ≤ 0 (x ≤ 0 in log space: no logarithm); "
                + "--min-x \(format(smallest)) drops them before the fit and silences this"))
        }
        result.explainNonFiniteValues()
        return result
    }

    private func fitWithHoldout(_ series: Series, options: FitOptions) throws -> FitResult {
        guard options.holdout > 0 else { return try fitAll(series, options: options) }
        // Check every point before the split: a NaN or ∞ x sorts among "the largest" and
        // would otherwise be held out instead of refused (found by the torture of issue 9).
        _ = try FitData(series: series, space: options.space, law: self)
        let sorted = Self.holdoutOrder(series, options.holdoutBy)
        let k = options.holdout
        guard k < sorted.count else {
            throw FitError("\(series.name): cannot hold out \(k) of \(sorted.count) points")
        }
        let training = sorted.subset(Array(0..<(sorted.count - k)))
        var result = try fitAll(training, options: options)
        let p = result.values
        let points = (sorted.count - k..<sorted.count).map { i -> HoldoutResult.Point in
            let x2 = sorted.x2?[i]
            let predicted = value(sorted.x[i], x2 ?? .nan, parameters: p)
            return .init(
                x: sorted.x[i], x2: x2, observed: sorted.values[i], predicted: predicted,
                logError: Double.log(predicted) - Double.log(sorted.values[i]))
        }
        let rms = (points.map { $0.logError * $0.logError }.reduce(0, +) / Double(k)).squareRoot()
        result.holdout = HoldoutResult(k: k, points: points, rmsle: rms)
        if !rms.isFinite { result.warnings.append("the hold-out error is not finite (a prediction was not positive)") }
        return result
    }

    /// One fit of the whole (training) series: the multi-start search (a long series':
    /// ``fitLong(_:map:options:)``), the best start put in canonical order, the result, and
    /// what the options ask for besides (profile intervals, bootstrap, predictions).
    private func fitAll(_ series: Series, options: FitOptions) throws -> FitResult {
        let map = try parameterMap(for: series, options: options)
        if series.count > options.longSeriesThreshold, options.loss == .leastSquares {
            return try fitLong(series, map: map, options: options)
        }
        let data = try FitData(series: series, space: options.space, law: self)
        let threads = options.threads ?? defaultThreadCount()
        let search = try multiStartSearch(data, name: series.name, map: map, options: options, threads: threads)
        guard var best = bestOutcome(search.finite) else { throw noFiniteFit(series) }
        let law = self
        best = inCanonicalOrder(best, map: map, options: options) { theta in
            guard let runner = StartRunner.make(law: law, data: data, map: map, options: options) else { return nil }
            defer { runner.recycle() }
            return runner.run(from: theta)
        }
        let summary = StartSummary(
            search.finite, bestObjective: best.objective, tried: search.tried,
            screenIterations: Self.screenIterations, continued: search.continued)
        var result = buildResult(series: series, pointCount: data.count, weights: data.weights, map: map, best: best, starts: summary, options: options)
        if options.intervals == .profile {
            result.applyProfileIntervals(
                law: law, data: data, map: map, theta: best.theta, chiSquared: best.chiSquared,
                thetaCovariance: best.covariance, options: options)
        }
        try addRequested(to: &result, data: data, map: map, best: best, options: options, threads: threads)
        return result
    }

    /// The map from the optimiser's θ to the law's parameters, once the request is checked
    /// against the law (held parameters, enough points, something left to fit).
    private func parameterMap(for series: Series, options: FitOptions) throws -> ParameterMap {
        let map = try ParameterMap(law: self, fixed: options.fixed, tied: options.tied)
        let held = options.fixed.isEmpty && options.tied.isEmpty ? [] : Set(options.fixed.keys).union(options.tied.keys)
        if let reason = unsuitability(pointCount: series.count, fixed: held) {
            throw FitError(reason)
        }
        guard map.freeCount > 0 else { throw FitError("\(name): every parameter is fixed; nothing to fit") }
        return map
    }

    private func noFiniteFit(_ series: Series) -> FitError {
        FitError("\(series.name): \(name): no start gave a finite fit", exitStatus: .failure)
    }

    /// Puts permutable parameters (break order) in canonical order and re-solves there
    /// (`solve`, from θ), so that the covariance matches the order reported; the re-solved
    /// optimum replaces `best` when it converged and is no worse.
    private func inCanonicalOrder(
        _ best: StartOutcome, map: ParameterMap, options: FitOptions, solve: ([Double]) -> StartOutcome?
    ) -> StartOutcome {
        let found = map.natural(best.theta)
        let canonical = canonicalized(found)
        guard canonical != found, options.fixed.isEmpty, options.tied.isEmpty,
              let again = solve(map.unconstrained(canonical)), again.status.isConverged,
              again.objective <= best.objective * (1 + 1e-9) + 1e-300
        else { return best }
        return again
    }

    /// The bootstrap and the predictions, when the options ask for them (`data` is built
    /// only for a bootstrap).
    private func addRequested(
        to result: inout FitResult, data: @autoclosure () throws -> FitData, map: ParameterMap, best: StartOutcome,
        options: FitOptions, threads: Int
    ) throws {
        if options.bootstrap > 0 {
            try addBootstrap(to: &result, data: data(), map: map, best: best, options: options, threads: threads)
        }
        if !options.predictX.isEmpty {
            result.predictions = predictions(at: options.predictX, x2: options.predictX2, result: result)
        }
    }

    /// A long series (see ``LongSeries``): the search on a systematic sample, then
    /// Levenberg–Marquardt on every point, streaming, from the sample's best distinct optima.
    private func fitLong(_ series: Series, map: ParameterMap, options: FitOptions) throws -> FitResult {
        try FitData.check(series, space: options.space, law: self)
        let threads = options.threads ?? defaultThreadCount()
        let n = series.count
        let sample = series.subset(LongSeries.sampleIndices(of: series, size: LongSeries.sampleSize))
        let sampleData = try FitData(series: sample, space: options.space, law: self)
        let search = try multiStartSearch(sampleData, name: series.name, map: map, options: options, threads: threads)
        let seeds = Self.longSeriesSeeds(search.finite)
        guard !seeds.isEmpty else { throw noFiniteFit(series) }
        LongSeries.announce("\(series.name): \(name): \(n) points: searched on a sample of \(sample.count), refining on all points")
        let solver = StreamingLeastSquares(
            law: self, map: map, series: series, space: options.space, settings: options.solver, threads: threads)
        let limits = LongSeries.finishIterations
        let finals = seeds.compactMap { solver.solve(from: $0.theta, maxIterations: $0.converged ? limits.converged : limits.unconverged) }
        guard var best = bestOutcome(finals) else { throw noFiniteFit(series) }
        best = inCanonicalOrder(best, map: map, options: options) { theta in
            solver.solve(from: theta, maxIterations: limits.converged)
        }
        // The starts as the sample saw them.
        let sampleBest = search.finite.filter(\.status.isConverged).map(\.objective).min() ?? .infinity
        let summary = StartSummary(
            search.finite, bestObjective: sampleBest, tried: search.tried,
            screenIterations: Self.screenIterations, continued: search.continued)
        var result = buildResult(series: series, pointCount: n, weights: series.weights, map: map, best: best, starts: summary, options: options)
        result.notes.append(.text(
            "long series: starts searched on a systematic sample of \(sample.count) of the \(n) points "
                + "(one in \(n / max(sample.count, 1)), evenly in x order); "
                + (seeds.count == 1 ? "the sample's optimum refined" : "its \(seeds.count) best distinct optima refined")
                + " on all \(n) points by streaming Levenberg–Marquardt"))
        if options.intervals == .profile {
            result.notes.append(.text("profile intervals are not computed on a long series; the intervals shown are Wald intervals"))
        }
        try addRequested(
            to: &result, data: FitData(series: series, space: options.space, law: self), map: map, best: best,
            options: options, threads: threads)
        return result
    }

    /// The sample's optima a long series refines: converged ones first, lowest objective
    /// first, distinct ones only, at most ``LongSeries/finishCount``.
    private static func longSeriesSeeds(_ searched: [StartOutcome]) -> [(theta: [Double], converged: Bool)] {
        let ranked = searched.sorted { a, b in
            if a.status.isConverged != b.status.isConverged { return a.status.isConverged }
            return a.objective < b.objective
        }
        var seeds: [(theta: [Double], converged: Bool)] = []
        for outcome in ranked {
            if isDistinct(outcome.theta, from: seeds.lazy.map(\.theta)) { seeds.append((outcome.theta, outcome.status.isConverged)) }
            if seeds.count == LongSeries.finishCount { break }
        }
        return seeds
    }

    /// Predictions at the requested points, by ``FittedLaw/predict(x:x2:)`` (what a saved
    /// fit gives `scalefit predict` for the same points).
    private func predictions(at xs: [Double], x2 x2s: [Double], result: FitResult) -> [Prediction] {
        guard let fitted = try? FittedLaw(result, law: self) else { return [] }
        return xs.enumerated().map { index, x in
            fitted.predict(x: x, x2: inputCount == 2 ? (index < x2s.count ? x2s[index] : .nan) : nil)
        }
    }
}

/// Four significant digits, for warnings (C's `%.4g`).
func format(_ value: Double) -> String { formatGeneral(value, significantDigits: 4) }

/// The two-sided 95% quantile of Student's t with `dof` degrees of freedom, remembered:
/// GSL's inverse costs more than a whole small fit.
func studentT95(degreesOfFreedom dof: Int) -> Double {
    guard dof > 0 else { return .nan }
    if let known = studentT95Table.withLock({ $0[dof] }) { return known }
    let t = SpecialFunctions.studentTQuantile(upperTail: 0.025, degreesOfFreedom: Double(dof))
    studentT95Table.withLock { $0[dof] = t }
    return t
}

private let studentT95Table = Mutex<[Int: Double]>([:])
