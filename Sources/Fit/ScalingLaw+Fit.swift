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
        if !name.hasPrefix("generations") {
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

    private func fitAll(_ series: Series, options: FitOptions) throws -> FitResult {
        let map = try ParameterMap(law: self, fixed: options.fixed, tied: options.tied)
        let held = options.fixed.isEmpty && options.tied.isEmpty ? [] : Set(options.fixed.keys).union(options.tied.keys)
        if let reason = unsuitability(pointCount: series.count, fixed: held) {
            throw FitError(reason)
        }
        let p = map.freeCount
        guard p > 0 else { throw FitError("\(name): every parameter is fixed; nothing to fit") }
        if series.count > options.longSeriesThreshold, options.loss == .leastSquares {
            return try fitLong(series, map: map, options: options)
        }
        let data = try FitData(series: series, space: options.space, law: self)
        let threads = options.threads ?? defaultThreadCount()
        let (finite, tried, continued) = try search(data, name: series.name, map: map, options: options, threads: threads)
        let law = self
        guard var best = pickBest(finite) else {
            throw FitError("\(series.name): \(name): no start gave a finite fit", exitStatus: .failure)
        }
        // Put permutable parameters (break order) in canonical order, and re-solve there so
        // that the covariance matches the order reported.
        let found = map.natural(best.theta)
        let canonical = canonicalized(found)
        if canonical != found, options.fixed.isEmpty, options.tied.isEmpty,
           let runner = StartRunner.make(law: law, data: data, map: map, options: options) {
            if let again = runner.run(from: map.unconstrained(canonical)), again.status.isConverged,
               again.objective <= best.objective * (1 + 1e-9) + 1e-300 {
                best = again
            }
            runner.recycle()
        }
        let tolerance = 1e-6 * max(abs(best.objective), 1e-300)
        let summary = StartSummary(
            tried: tried,
            converged: finite.reduce(0) { $0 + ($1.status.isConverged ? 1 : 0) },
            reachedBest: finite.reduce(0) { $0 + ($1.objective - best.objective <= tolerance && $1.status.isConverged ? 1 : 0) },
            screenIterations: continued == nil ? nil : Self.screenIterations, continued: continued)

        var result = buildResult(series: series, pointCount: data.count, weights: data.weights, map: map, best: best, starts: summary, options: options)
        if options.bootstrap > 0 {
            try addBootstrap(to: &result, data: data, map: map, best: best, options: options, threads: threads)
        }
        if !options.predictX.isEmpty {
            result.predictions = predictions(at: options.predictX, x2: options.predictX2, result: result)
        }
        return result
    }

    /// A long series (see ``LongSeries``): the search on a systematic sample, then
    /// Levenberg–Marquardt on every point, streaming, from the sample's best distinct optima.
    private func fitLong(_ series: Series, map: ParameterMap, options: FitOptions) throws -> FitResult {
        try FitData.check(series, space: options.space, law: self)
        let threads = options.threads ?? defaultThreadCount()
        let n = series.count
        let sample = series.subset(LongSeries.sampleIndices(of: series, size: LongSeries.sampleSize))
        let sampleData = try FitData(series: sample, space: options.space, law: self)
        let (searched, tried, continued) = try search(sampleData, name: series.name, map: map, options: options, threads: threads)
        // The sample's optima, converged ones first, lowest objective first; distinct ones only.
        let ranked = searched.sorted { a, b in
            if a.status.isConverged != b.status.isConverged { return a.status.isConverged }
            return a.objective < b.objective
        }
        var seeds: [(theta: [Double], converged: Bool)] = []
        for outcome in ranked {
            let distinct = seeds.allSatisfy { other in
                zip(other.theta, outcome.theta).contains { abs($0 - $1) > 1e-4 * (abs($1) + 1) }
            }
            if distinct { seeds.append((outcome.theta, outcome.status.isConverged)) }
            if seeds.count == LongSeries.finishCount { break }
        }
        guard !seeds.isEmpty else {
            throw FitError("\(series.name): \(name): no start gave a finite fit", exitStatus: .failure)
        }
        LongSeries.announce("\(series.name): \(name): \(n) points: searched on a sample of \(sample.count), refining on all points")
        let solver = StreamingLeastSquares(
            law: self, map: map, series: series, space: options.space, settings: options.solver, threads: threads)
        let limits = LongSeries.finishIterations
        let finals = seeds.compactMap { solver.solve(from: $0.theta, maxIterations: $0.converged ? limits.converged : limits.unconverged) }
        guard var best = pickBest(finals) else {
            throw FitError("\(series.name): \(name): no start gave a finite fit", exitStatus: .failure)
        }
        let found = map.natural(best.theta)
        let canonical = canonicalized(found)
        if canonical != found, options.fixed.isEmpty, options.tied.isEmpty,
           let again = solver.solve(from: map.unconstrained(canonical), maxIterations: limits.converged), again.status.isConverged,
           again.objective <= best.objective * (1 + 1e-9) + 1e-300 {
            best = again
        }
        // The starts as the sample saw them.
        let sampleBest = searched.filter(\.status.isConverged).map(\.objective).min() ?? .infinity
        let tolerance = 1e-6 * max(abs(sampleBest), 1e-300)
        let summary = StartSummary(
            tried: tried,
            converged: searched.reduce(0) { $0 + ($1.status.isConverged ? 1 : 0) },
            reachedBest: searched.reduce(0) { $0 + ($1.objective - sampleBest <= tolerance && $1.status.isConverged ? 1 : 0) },
            screenIterations: continued == nil ? nil : Self.screenIterations, continued: continued)
        var result = buildResult(series: series, pointCount: n, weights: series.weights, map: map, best: best, starts: summary, options: options)
        result.notes.append(.text(
            "long series: starts searched on a systematic sample of \(sample.count) of the \(n) points "
                + "(one in \(n / max(sample.count, 1)), evenly in x order); "
                + (seeds.count == 1 ? "the sample's optimum refined" : "its \(seeds.count) best distinct optima refined")
                + " on all \(n) points by streaming Levenberg–Marquardt"))
        if options.bootstrap > 0 {
            let data = try FitData(series: series, space: options.space, law: self)
            try addBootstrap(to: &result, data: data, map: map, best: best, options: options, threads: threads)
        }
        if !options.predictX.isEmpty {
            result.predictions = predictions(at: options.predictX, x2: options.predictX2, result: result)
        }
        return result
    }

    /// The multi-start search on `data`: the starts (given, or the law's guesses), each
    /// solved (a large grid screened first), and for a Huber loss the robust refinement of
    /// the best few. Returns the finite outcomes and the number of starts tried.
    private func search(
        _ data: FitData, name seriesName: String, map: ParameterMap, options: FitOptions, threads: Int
    ) throws -> (finite: [StartOutcome], tried: Int, continued: Int?) {
        let n = data.count, p = map.freeCount
        guard n >= p else {
            throw FitError("\(seriesName): \(name) has \(p) free parameters but only \(n) points")
        }

        // Starts: the law's guesses with fixed and tied values imposed, as θ.
        var seen = Set<[Double]>()
        var starts: [[Double]] = []
        if let start = options.start, start.count != parameters.count {
            throw FitError("\(name) takes \(parameters.count) start values (\(parameterNames.joined(separator: ", "))), got \(start.count)")
        }
        func collect(_ guesses: [[Double]]) {
            for guess in guesses where guess.count == parameters.count {
                let theta = map.unconstrained(guess)
                guard theta.allSatisfy({ $0.isFinite }) else { continue }
                // A linear scan while the starts are few (hashing arrays costs more), a set
                // from the eighth on.
                let isNew = starts.count < 8 ? !starts.contains(theta) : seen.insert(theta).inserted
                guard isNew else { continue }
                starts.append(theta)
                if starts.count == 8 { seen = Set(starts) }
            }
        }
        if let given = options.start.map({ [$0] }) ?? options.starts {
            collect(given)
        } else if let limit = options.startLimit {
            // Only the first guesses are needed; all of them if those were unusable.
            collect(initialGuesses(data.inputs, y: data.y, limit: max(1, limit)))
            if starts.count < max(1, limit) {
                starts = []
                seen = []
                collect(initialGuesses(x: data.x, x2: data.x2, y: data.y))
            }
        } else {
            collect(initialGuesses(x: data.x, x2: data.x2, y: data.y))
        }
        if let limit = options.startLimit { starts = Array(starts.prefix(max(1, limit))) }
        guard !starts.isEmpty else { throw FitError("\(seriesName): \(name) found no valid starting point for this data") }

        // Least squares from every start; for Huber, robust refinement from the best few.
        var lsqOptions = options
        lsqOptions.loss = .leastSquares
        // A large grid is screened: every start runs a few iterations, and only the
        // front-runners that have not converged yet are continued to the end. A start still
        // far from every basin after the screen cannot win, and most of a grid's time went
        // to such starts (Epoch's log A = 25, α = 0 corners need hundreds of iterations).
        let screened = starts.count > Self.screenThreshold
        if screened {
            lsqOptions.solver.maxIterations = min(lsqOptions.solver.maxIterations, Self.screenIterations)
            // The screen only ranks: Cholesky steps (JᵀJ, cheaper than a pivoted QR of J for
            // n ≫ p) and no singular values for the starts it stops; the front-runners are
            // continued with the configured solver.
            lsqOptions.solver.linearSolver = .cholesky
            lsqOptions.solver.analyzesUnconverged = false
        }
        let law = self
        let startList = starts, phase1Options = lsqOptions
        let retry = startList.count <= 8 && options.retriesUnconverged
        var phase1: [StartOutcome?]
        if startList.count == 1 {
            // One start (`--starts 1`, a refit): no workers to spread it over.
            let runner = StartRunner.make(law: law, data: data, map: map, options: phase1Options)
            runner?.retries = retry
            phase1 = [runner?.run(from: startList[0])]
            runner?.recycle()
        } else {
            phase1 = parallelMap(
                count: startList.count, threads: threads,
                makeState: {
                    let runner = StartRunner.make(law: law, data: data, map: map, options: phase1Options)
                    runner?.retries = retry
                    runner?.screening = screened
                    return runner
                },
                body: { runner, i in runner.run(from: startList[i]) },
                finish: { $0.recycle() })
        }
        var continuedCount = 0
        if screened {
            var continueOptions = lsqOptions
            continueOptions.solver = options.solver
            let bestConverged = phase1.compactMap { $0 }.filter { $0.status.isConverged }.map(\.objective).min() ?? .infinity
            let ranked = phase1.indices.filter { i in
                guard let o = phase1[i] else { return false }
                return !o.status.isConverged && o.objective < bestConverged
            }.sorted { phase1[$0]!.objective < phase1[$1]!.objective }
            var chosen: [Int] = []
            for i in ranked {
                let theta = phase1[i]!.theta
                let distinct = chosen.allSatisfy { other in
                    zip(phase1[other]!.theta, theta).contains { abs($0 - $1) > 1e-4 * (abs($1) + 1) }
                }
                if distinct { chosen.append(i) }
                if chosen.count == Self.screenContinued { break }
            }
            continuedCount = chosen.count
            let continued = chosen, snapshot = phase1, finalOptions = continueOptions
            let finals = parallelMap(
                count: continued.count, threads: threads,
                makeState: { StartRunner.make(law: law, data: data, map: map, options: finalOptions) },
                body: { runner, c in runner.run(from: snapshot[continued[c]]!.theta) },
                finish: { $0.recycle() })
            for (c, i) in continued.enumerated() {
                if let final = finals[c], final.objective <= phase1[i]!.objective { phase1[i] = final }
            }
        }
        var outcomes = phase1
        let tried = starts.count
        if case .huber = options.loss {
            let ranked = phase1.indices.filter { phase1[$0] != nil }
                .sorted { phase1[$0]!.objective < phase1[$1]!.objective }
            var seeds: [[Double]] = []
            for i in ranked {
                let theta = phase1[i]!.theta
                let distinct = seeds.allSatisfy { other in
                    zip(other, theta).contains { abs($0 - $1) > 1e-4 * (abs($1) + 1) }
                }
                if distinct { seeds.append(theta) }
                if seeds.count == 20 { break }
            }
            if seeds.isEmpty { seeds = [starts[0]] }
            let seedList = seeds
            outcomes = parallelMap(
                count: seedList.count, threads: threads,
                makeState: { StartRunner.make(law: law, data: data, map: map, options: options) },
                body: { runner, i in runner.run(from: seedList[i]) },
                finish: { $0.recycle() })
        }
        return (outcomes.compactMap { $0 }, tried, screened ? continuedCount : nil)
    }

    /// Grids of more starts than this are screened (see ``fit(to:options:)``).
    static var screenThreshold: Int { 100 }
    /// Iterations each start of a screened grid gets.
    static var screenIterations: Int { 5 }
    /// How many of the screen's unconverged front-runners are continued to the end.
    static var screenContinued: Int { 10 }

    /// The lowest objective, preferring converged solves; ties go to the earliest start.
    private func pickBest(_ outcomes: [StartOutcome]) -> StartOutcome? {
        if outcomes.count <= 1 { return outcomes.first }
        let converged = outcomes.filter { $0.status.isConverged }
        let pool = converged.isEmpty ? outcomes : converged
        return pool.min { $0.objective < $1.objective }
    }

    private func buildResult(
        series: Series, pointCount n: Int, weights: [Double]?, map: ParameterMap, best: StartOutcome, starts: StartSummary,
        options: FitOptions
    ) -> FitResult {
        let p = map.freeCount
        let natural = map.natural(best.theta)
        let dof = n - p
        let variance = dof > 0 ? best.chiSquared / Double(dof) : .nan
        let t = studentT95(degreesOfFreedom: dof)
        var warnings: [FitNote] = []

        // Covariance of the free natural parameters: D·C_θ·D·s², D = dp/dθ.
        var naturalCovariance: [Double]? = nil
        if let c = best.covariance, variance.isFinite {
            let derivatives = (0..<p).map { map.domains[$0].derivative(best.theta[$0]) }
            var cov = c
            for k in 0..<p {
                for l in 0..<p { cov[k * p + l] = c[k * p + l] * derivatives[k] * derivatives[l] * variance }
            }
            naturalCovariance = cov
        }

        // θ-space variance (unscaled) of the free parameter that law parameter j is or copies.
        func thetaVariance(_ j: Int) -> (Int, Double)? {
            guard let c = best.covariance else { return nil }
            switch map.slots[j] {
            case .free(let k): return (k, c[k * p + k])
            case .tied(let s): if case .free(let k) = map.slots[s] { return (k, c[k * p + k]) } else { return nil }
            case .fixed: return nil
            }
        }
        let parameters = self.parameters
        var estimates: [ParameterEstimate] = []
        estimates.reserveCapacity(parameters.count)
        for (j, parameter) in parameters.enumerated() {
            var estimate = ParameterEstimate(name: parameter.name, value: natural[j])
            switch map.slots[j] {
            case .fixed:
                estimate.note = "fixed"
            case .tied(let source):
                estimate.note = "tied to \(parameters[source].name)"
                if case .free(let k) = map.slots[source], let cov = naturalCovariance {
                    estimate.standardError = cov[k * p + k].squareRoot()
                }
            case .free(let k):
                if map.domains[k].isAtBound(best.theta[k]) {
                    estimate.note = "at bound (\(parameter.domain))"
                } else if let cov = naturalCovariance {
                    estimate.standardError = cov[k * p + k].squareRoot()
                } else if dof <= 0 {
                    estimate.note = "no degrees of freedom left for an error bar"
                } else {
                    estimate.note = "singular covariance (parameters not identified)"
                }
            }
            if let se = estimate.standardError, se.isFinite, t.isFinite {
                estimate.ci95Method = .wald
                estimate.ci95 = (estimate.value - t * se, estimate.value + t * se)
                if let (k, c) = thetaVariance(j), let wald = map.domains[k].waldInterval(theta: best.theta[k], thetaStandardError: (c * variance).squareRoot(), t: t) {
                    estimate.ci95 = wald.interval
                    estimate.ci95Method = wald.source
                }
                if abs(se) > abs(estimate.value) && estimate.note == nil {
                    warnings.append(.poorlyIdentified(parameter.name, standardError: se, value: estimate.value))
                }
            }
            let isFloor = parameter.name == "E" || parameter.name == "floor" || parameter.name == "E_inf"
            if isFloor, estimate.note != "fixed" {
                // Indistinguishable from 0: a symmetric interval value ± t·se would reach it.
                let indistinct = estimate.note?.hasPrefix("at bound") == true
                    || (estimate.standardError.map { estimate.value - t * $0 <= 0 } ?? false)
                if indistinct {
                    warnings.append(.text("the floor \(parameter.name) is indistinguishable from 0"))
                }
            }
            estimates.append(estimate)
        }
        if var cov = naturalCovariance {
            if let centred = self as? any CentredScaleLaw {
                // Judge A–α correlations with A at the data's centre (see centredCovariance).
                cov = centredCovariance(
                    cov, free: p,
                    freeIndexOf: { j in if case .free(let k) = map.slots[j] { k } else { nil } },
                    natural: natural, pairs: centred.scaleExponentPairs,
                    meanLogInput: { input in
                        let xs = input == 0 ? series.x : series.x2
                        guard let xs else { return nil }
                        let logs = xs.lazy.filter { $0 > 0 }.map { Double.log($0) }
                        let count = logs.count
                        return count == 0 ? nil : logs.reduce(0, +) / Double(count)
                    })
            }
            for k in 0..<p {
                for l in (k + 1)..<max(k + 1, p) {
                    let denominator = (cov[k * p + k] * cov[l * p + l]).squareRoot()
                    guard denominator > 0 else { continue }
                    let rho = cov[k * p + l] / denominator
                    if abs(rho) > 0.95 {
                        let a = parameters[map.freeIndices[k]].name, b = parameters[map.freeIndices[l]].name
                        warnings.append(.correlated(a, b, rho))
                    }
                }
            }
        }
        if starts.tried > 1 && starts.reachedBest <= 1 {
            let of = starts.continued == nil ? "\(starts.tried) starts" : "\(starts.converged) converged starts (of \(starts.tried) screened)"
            warnings.append(.text("only one of \(of) reached the best objective: the optimum may be fragile"))
        }
        if !best.status.isConverged {
            warnings.append(.text("the fit did not converge: \(best.status)"))
        }

        // Information criteria from the weighted residual sum of squares.
        // (A long series' streaming solve keeps no residuals: its χ² is Σ w_i r_i².)
        var rss = 0.0
        if best.residuals.isEmpty {
            rss = best.chiSquared
        } else if let w = weights {
            for i in 0..<n { rss += w[i] * best.residuals[i] * best.residuals[i] }
        } else {
            for r in best.residuals { rss += r * r }
        }
        let nd = Double(n), kd = Double(p)
        let logLikelihoodTerm = nd * Double.log(max(rss, 1e-300) / nd)
        let aic = logLikelihoodTerm + 2 * kd
        let aicc: Double? = n - p - 1 > 0 ? aic + 2 * kd * (kd + 1) / (nd - kd - 1) : nil
        let bic = logLikelihoodTerm + kd * Double.log(nd)

        var derivedEstimates = derived.map { quantity in
            DerivedEstimate(name: quantity.name, meaning: quantity.meaning, value: quantity.value(natural).flatMap { $0.isFinite ? $0 : nil })
        }
        var fullCovariance: [[Double]]? = nil
        if let cov = naturalCovariance {
            func freeIndex(_ j: Int) -> Int? {
                switch map.slots[j] {
                case .free(let k): return k
                case .tied(let s): if case .free(let k) = map.slots[s] { return k } else { return nil }
                case .fixed: return nil
                }
            }
            fullCovariance = parameters.indices.map { a in
                parameters.indices.map { b in
                    guard let k = freeIndex(a), let l = freeIndex(b) else { return 0 }
                    return cov[k * p + l]
                }
            }
        }
        if let fullCovariance { addDeltaIntervals(to: &derivedEstimates, at: natural, covariance: fullCovariance, t: t) }
        return FitResult(
            series: series.name, model: name, formula: formula, pointCount: n, status: best.status,
            objective: best.objective, chiSquared: rss, residualVariance: variance, degreesOfFreedom: dof,
            aicc: aicc, bic: bic, parameters: estimates, derived: derivedEstimates, starts: starts,
            iterations: best.iterations, conditionNumber: best.conditionNumber, covariance: fullCovariance,
            bootstrapFailures: nil,
            holdout: nil, predictions: [], notes: warnings, space: options.space, loss: options.loss)
    }

    /// Pairs bootstrap: resample points with replacement, refit from the best estimate,
    /// and take the 2.5% and 97.5% percentiles of each parameter and derived quantity.
    private func addBootstrap(
        to result: inout FitResult, data: FitData, map: ParameterMap, best: StartOutcome, options: FitOptions, threads: Int
    ) throws {
        let replicates = options.bootstrap, n = data.count, seed = options.seed
        // A replicate feeds a percentile, which does not need the main fit's 1e-12
        // tolerances; 1e-8 on the step and gradient saves the long crawl along the
        // flat valleys of poorly identified parameters.
        var loose = options
        loose.solver.stepTolerance = max(loose.solver.stepTolerance, 1e-8)
        loose.solver.gradientTolerance = max(loose.solver.gradientTolerance, 1e-8)
        loose.solver.computesCovariance = false
        let replicateOptions = loose
        let law = self
        let bestTheta = best.theta
        let derivedQuantities = derived
        let rows = parallelMap(
            count: replicates, threads: threads,
            makeState: { StartRunner.make(law: law, data: data, map: map, options: replicateOptions) },
            body: { runner, r -> [Double]? in
                var rng = SeededRandom(seed: seed, stream: UInt64(r))
                let indices = (0..<n).map { _ in Int.random(in: 0..<n, using: &rng) }
                runner.use(data.resampled(indices))
                guard let outcome = runner.run(from: bestTheta), outcome.status.isConverged else { return nil }
                let p = map.natural(outcome.theta)
                let extra = derivedQuantities.map { $0.value(p) ?? .nan }
                return p + extra
            },
            finish: { $0.recycle() })
        let good = rows.compactMap { $0 }
        result.bootstrapFailures = replicates - good.count
        result.bootstrapReplicates = good.map { Array($0.prefix(parameters.count)) }
        if good.count < replicates / 2 {
            result.warnings.append("\(replicates - good.count) of \(replicates) bootstrap refits failed; the intervals are unreliable")
        }
        guard good.count >= 10 else { return }
        func interval(_ column: Int) -> (Double, Double)? {
            let values = good.map { $0[column] }.filter { $0.isFinite }.sorted()
            guard values.count >= 10 else { return nil }
            return (percentile(values, 0.025), percentile(values, 0.975))
        }
        for j in result.parameters.indices where result.parameters[j].note != "fixed" {
            result.parameters[j].bootstrapCI95 = interval(j)
        }
        for d in result.derived.indices {
            result.derived[d].bootstrapCI95 = interval(parameters.count + d)
        }
        // Identification shows in the bootstrap too: a 95% interval wider than the estimate.
        for estimate in result.parameters where estimate.note == nil {
            if let ci = estimate.bootstrapCI95, ci.1 - ci.0 > abs(estimate.value) {
                result.warnings.append("\(estimate.name) is poorly identified: its bootstrap 95% interval [\(format(ci.0)), \(format(ci.1))] is wider than the estimate \(format(estimate.value))")
            }
        }
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
