import Fit
import ScalefitCore

/// One series after fitting: the series as read and its fit, or why it has none.
public struct AnalysedSeries: Sendable, Identifiable {
    public var item: SeriesItem
    /// The fit (nil when none was asked for, or when it failed: see ``failure``).
    public var fit: SeriesFit?
    /// Why there is no fit, when one was asked for.
    public var failure: (any Error)?
    /// Laws that could not take the series, in the order tried (also when none could).
    public var skipped: [LawSkipped]

    public init(item: SeriesItem, fit: SeriesFit? = nil, failure: (any Error)? = nil, skipped: [LawSkipped] = []) {
        self.item = item
        self.fit = fit
        self.failure = failure
        self.skipped = skipped
    }

    public var id: SeriesID { item.id }
    public var series: Series { item.series }

    /// The exit status the failure deserves (nil when fitted or not asked to fit): 2 when the
    /// input was refused as bad, 1 otherwise.
    public var refusal: ExitStatus? {
        failure.map { ($0 as? any ExitStatusProviding)?.exitStatus ?? .failure }
    }

    /// The warnings to show for this series, in order: each law skipped, then why it was
    /// not fitted (for commands that go on without the fit).
    public var skipWarnings: [String] {
        skipped.map { "\(series.name): \($0.law) skipped: \($0.reason)" }
    }
}

/// The fit workflow every command shares: the model choice, one law or the comparison of
/// several by AICc with the rule that chose, and many series spread over the cores.
public enum Fitting {
    /// Fits `choice` to `series`: one law directly, or every candidate compared by
    /// ``LawCatalog/compare(_:on:options:)`` and the best kept with the rule that chose it
    /// (``LawCatalog/selectionNote(_:)``) as its ``FitResult/selection``. One law runs with
    /// its own settings (``LawCatalog/options(for:_:)``); a fit that stopped rank-deficient
    /// with a floor run to its bound is refitted there (``LawCatalog/refitAtBounds``).
    ///
    /// - Throws: the law's ``FitError`` when one law was asked for and refused the series;
    ///   for a comparison where no law could be fitted, a ``FitError`` with exit status 2
    ///   when every law refused the input as bad, 1 otherwise.
    public static func fitBest(_ series: Series, choice: ModelChoice, options: FitOptions) throws -> SeriesFit {
        let (outcome, skipped) = attempt(series, choice: choice, options: options)
        var fit = try outcome.get()
        fit.skipped = skipped
        return fit
    }

    /// Fits `choice` (nil: nothing) to every item, the items spread over
    /// ``FitOptions/threads`` workers by ``SeriesPool``; results in input order, the same
    /// whatever the thread count. Nothing is printed: each item carries its skipped laws
    /// and its failure for the command to show; `progress` counts the series done.
    public static func fitEach(_ items: [SeriesItem], choice: ModelChoice?, options: FitOptions, progress: ProgressLine? = nil) -> [AnalysedSeries] {
        guard let choice else { return items.map { AnalysedSeries(item: $0) } }
        defer { progress?.finish() }
        return SeriesPool.map(items, threads: options.threads) { item, threads in
            var options = options
            options.threads = threads
            let (outcome, skipped) = attempt(item.series, choice: choice, options: options)
            progress?.advance(item.series.name)
            switch outcome {
            case .success(let fit): return AnalysedSeries(item: item, fit: fit, skipped: skipped)
            case .failure(let error): return AnalysedSeries(item: item, failure: error, skipped: skipped)
            }
        }
    }

    /// The fit of one series and the laws skipped on the way.
    static func attempt(_ series: Series, choice: ModelChoice, options: FitOptions) -> (Result<SeriesFit, any Error>, [LawSkipped]) {
        guard let candidates = choice.candidates(for: series, holdout: options.holdout) else {
            guard case .law(let law) = choice else { preconditionFailure("one law without a law") }
            return (Result {
                let lawOptions = LawCatalog.options(for: law, options)
                let fit = try law.fit(to: series, options: lawOptions)
                let refit = fit.converged ? nil : try LawCatalog.refitAtBounds(law, fit, series, options: lawOptions)
                return try SeriesFit(result: refit ?? fit, law: law)
            }, [])
        }
        let (ranked, skippedPairs) = LawCatalog.compare(candidates, on: series, options: options)
        let skipped = skippedPairs.map { LawSkipped(law: $0.law, reason: $0.reason) }
        guard var best = ranked.first else {
            let status = refusalStatus(candidates, series, options)
            return (.failure(FitError("\(series.name): none of the laws could be fitted", exitStatus: status)), skipped)
        }
        best.selection = LawCatalog.selectionNote(ranked)
        // The ranking names its laws; the winner is one of the candidates just fitted.
        guard let law = candidates.first(where: { $0.name == best.model }) else {
            return (.failure(FitError("\(series.name): the chosen law \(best.model) is not among the candidates", exitStatus: .failure)), skipped)
        }
        return (Result { try SeriesFit(result: best, law: law, comparison: ranked) }, skipped)
    }

    /// The exit status when no law could be fitted: 2 when every law refused the input as
    /// bad (too few points, x ≤ 0 …), 1 otherwise. Only reached when every law already
    /// failed, and a refusal comes before any fitting, so asking again costs little.
    static func refusalStatus(_ laws: [any ScalingLaw], _ series: Series, _ options: FitOptions) -> ExitStatus {
        var allBad = !laws.isEmpty
        for law in laws {
            var lawOptions = options
            let names = Set(law.parameterNames)
            lawOptions.fixed = options.fixed.filter { names.contains($0.key) }
            lawOptions.tied = options.tied.filter { names.contains($0.key) && names.contains($0.value) }
            lawOptions.bootstrap = 0
            do { _ = try law.fit(to: series, options: lawOptions); allBad = false } catch let error as any ExitStatusProviding {
                if error.exitStatus != .badInput { allBad = false }
            } catch { allBad = false }
        }
        return allBad ? .badInput : .failure
    }
}
