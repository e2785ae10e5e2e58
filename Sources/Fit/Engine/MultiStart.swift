import ScalefitCore

// The multi-start search: which starts, how they are run (a large grid screened first),
// which front-runners are continued, and for a Huber loss the robust refinement of the
// best few least-squares optima. Its outcomes go to ``ScalingLaw/bestOutcome(_:)`` and
// then to the result builder (ResultBuilder.swift).

/// What the search found: the finite outcomes, the number of starts tried, and for a
/// screened grid how many front-runners were continued to the end.
struct SearchOutcome {
    var finite: [StartOutcome]
    var tried: Int
    var continued: Int?
}

extension ScalingLaw {
    /// Grids of more starts than this are screened (see ``multiStartSearch(_:name:map:options:threads:)``).
    static var screenThreshold: Int { 100 }
    /// Iterations each start of a screened grid gets.
    static var screenIterations: Int { 5 }
    /// How many of the screen's unconverged front-runners are continued to the end.
    static var screenContinued: Int { 10 }
    /// How many of the best least-squares optima a Huber loss refines.
    static var robustSeeds: Int { 20 }

    /// The multi-start search on `data`: the starts (given, or the law's guesses), each
    /// solved (a large grid screened first), and for a Huber loss the robust refinement of
    /// the best few.
    func multiStartSearch(
        _ data: FitData, name seriesName: String, map: ParameterMap, options: FitOptions, threads: Int
    ) throws -> SearchOutcome {
        let n = data.count, p = map.freeCount
        guard n >= p else {
            throw FitError("\(seriesName): \(name) has \(p) free parameters but only \(n) points")
        }
        let starts = try startPoints(data, name: seriesName, map: map, options: options)
        // A large grid is screened: every start runs a few iterations, and only the
        // front-runners that have not converged yet are continued to the end. A start still
        // far from every basin after the screen cannot win, and most of a grid's time went
        // to such starts (Epoch's log A = 25, α = 0 corners need hundreds of iterations).
        let screened = starts.count > Self.screenThreshold
        var outcomes = runStarts(starts, data: data, map: map, options: options, screened: screened, threads: threads)
        let continued = screened ? continueFrontRunners(&outcomes, data: data, map: map, options: options, threads: threads) : nil
        if case .huber = options.loss {
            outcomes = refineRobustly(outcomes, fallback: starts[0], data: data, map: map, options: options, threads: threads)
        }
        return SearchOutcome(finite: outcomes.compactMap { $0 }, tried: starts.count, continued: continued)
    }

    /// The starts as θ: the given ones, or the law's guesses (the first `startLimit` of
    /// them when limited), with fixed and tied values imposed, non-finite and repeated
    /// ones left out.
    @inline(__always)
    private func startPoints(_ data: FitData, name seriesName: String, map: ParameterMap, options: FitOptions) throws -> [[Double]] {
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
        return starts
    }

    /// Least squares from every start (whatever the loss: a Huber loss refines the best of
    /// these afterwards). A screened grid's starts get a few Cholesky iterations each.
    @inline(__always)
    private func runStarts(
        _ starts: [[Double]], data: FitData, map: ParameterMap, options: FitOptions, screened: Bool, threads: Int
    ) -> [StartOutcome?] {
        var lsqOptions = options
        lsqOptions.loss = .leastSquares
        if screened {
            lsqOptions.solver.maxIterations = min(lsqOptions.solver.maxIterations, Self.screenIterations)
            // The screen only ranks: Cholesky steps (JᵀJ, cheaper than a pivoted QR of J for
            // n ≫ p) and no singular values for the starts it stops; the front-runners are
            // continued with the configured solver.
            lsqOptions.solver.linearSolver = .cholesky
            lsqOptions.solver.analyzesUnconverged = false
        }
        let law = self
        let startOptions = lsqOptions
        let retry = starts.count <= 8 && options.retriesUnconverged
        if starts.count == 1 {
            // One start (`--starts 1`, a refit): no workers to spread it over.
            let runner = StartRunner.make(law: law, data: data, map: map, options: startOptions)
            runner?.retries = retry
            let outcome = runner?.run(from: starts[0])
            runner?.recycle()
            return [outcome]
        }
        return parallelMap(
            count: starts.count, threads: threads,
            makeState: {
                let runner = StartRunner.make(law: law, data: data, map: map, options: startOptions)
                runner?.retries = retry
                runner?.screening = screened
                return runner
            },
            body: { runner, i in runner.run(from: starts[i]) },
            finish: { $0.recycle() })
    }

    /// Continues a screened grid's front-runners to the end with the configured solver:
    /// the distinct unconverged outcomes below the best converged objective, lowest first,
    /// at most ``screenContinued`` of them. A continued outcome replaces its screened one
    /// when it is no worse. Returns how many were continued.
    private func continueFrontRunners(
        _ outcomes: inout [StartOutcome?], data: FitData, map: ParameterMap, options: FitOptions, threads: Int
    ) -> Int {
        var continueOptions = options
        continueOptions.loss = .leastSquares
        let bestConverged = outcomes.compactMap { $0 }.filter { $0.status.isConverged }.map(\.objective).min() ?? .infinity
        let ranked = outcomes.indices.filter { i in
            guard let o = outcomes[i] else { return false }
            return !o.status.isConverged && o.objective < bestConverged
        }.sorted { outcomes[$0]!.objective < outcomes[$1]!.objective }
        var chosen: [Int] = []
        for i in ranked {
            let theta = outcomes[i]!.theta
            if isDistinct(theta, from: chosen.map { outcomes[$0]!.theta }) { chosen.append(i) }
            if chosen.count == Self.screenContinued { break }
        }
        let law = self
        let continued = chosen, snapshot = outcomes, finalOptions = continueOptions
        let finals = parallelMap(
            count: continued.count, threads: threads,
            makeState: { StartRunner.make(law: law, data: data, map: map, options: finalOptions) },
            body: { runner, c in runner.run(from: snapshot[continued[c]]!.theta) },
            finish: { $0.recycle() })
        for (c, i) in continued.enumerated() {
            if let final = finals[c], final.objective <= outcomes[i]!.objective { outcomes[i] = final }
        }
        return chosen.count
    }

    /// The Huber loss from the best distinct least-squares optima (at most ``robustSeeds``;
    /// the first start when no start gave a finite fit).
    private func refineRobustly(
        _ outcomes: [StartOutcome?], fallback: [Double], data: FitData, map: ParameterMap, options: FitOptions, threads: Int
    ) -> [StartOutcome?] {
        let ranked = outcomes.indices.filter { outcomes[$0] != nil }
            .sorted { outcomes[$0]!.objective < outcomes[$1]!.objective }
        var seeds: [[Double]] = []
        for i in ranked {
            let theta = outcomes[i]!.theta
            if isDistinct(theta, from: seeds) { seeds.append(theta) }
            if seeds.count == Self.robustSeeds { break }
        }
        if seeds.isEmpty { seeds = [fallback] }
        let law = self
        let seedList = seeds
        return parallelMap(
            count: seedList.count, threads: threads,
            makeState: { StartRunner.make(law: law, data: data, map: map, options: options) },
            body: { runner, i in runner.run(from: seedList[i]) },
            finish: { $0.recycle() })
    }

    /// The lowest objective, preferring converged solves; ties go to the earliest start.
    func bestOutcome(_ outcomes: [StartOutcome]) -> StartOutcome? {
        if outcomes.count <= 1 { return outcomes.first }
        let converged = outcomes.filter { $0.status.isConverged }
        let pool = converged.isEmpty ? outcomes : converged
        return pool.min { $0.objective < $1.objective }
    }
}

/// Whether θ differs from each of `others` by more than 10⁻⁴ (relative to |θ_k| + 1) in
/// some coordinate: two optima closer than that are one optimum.
func isDistinct(_ theta: [Double], from others: some Sequence<[Double]>) -> Bool {
    others.allSatisfy { other in
        zip(other, theta).contains { abs($0 - $1) > 1e-4 * (abs($1) + 1) }
    }
}

extension StartSummary {
    /// The summary of a search: how many outcomes converged, and how many of those came
    /// within 10⁻⁶ (relative) of the best objective.
    init(_ outcomes: [StartOutcome], bestObjective: Double, tried: Int, screenIterations: Int, continued: Int?) {
        let tolerance = 1e-6 * max(abs(bestObjective), 1e-300)
        self.init(
            tried: tried,
            converged: outcomes.reduce(0) { $0 + ($1.status.isConverged ? 1 : 0) },
            reachedBest: outcomes.reduce(0) { $0 + ($1.objective - bestObjective <= tolerance && $1.status.isConverged ? 1 : 0) },
            screenIterations: continued == nil ? nil : screenIterations, continued: continued)
    }
}
