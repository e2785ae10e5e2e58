import ScalefitCore

extension ScalingLaw {
    /// Fits the law to every series of a list, the series spread over the workers: with at
    /// least as many series as threads each series is fitted on one thread (its starts and
    /// bootstrap replicates one after another), so that all cores work on distinct series;
    /// with fewer series, they are fitted one after another, each spreading its own starts
    /// and replicates over the threads. A fit's result does not depend on the thread that
    /// runs it or on the thread count (see ``FitOptions/threads``), and results come back in
    /// input order, so the output is the same whatever the thread count.
    ///
    /// - Parameter options: the options of each series' fit (e.g. with its curve grid added).
    /// - Returns: for each series, its fit or the error that refused it.
    public func fitEach(
        _ list: [Series], options: @Sendable (Series) -> FitOptions, threads: Int? = nil
    ) -> [Result<FitResult, any Error>] {
        let workers = threads ?? defaultThreadCount()
        let law = self
        @Sendable func fitOne(_ series: Series, threads: Int) -> Result<FitResult, any Error> {
            var chosen = options(series)
            chosen.threads = threads
            return Result { try law.fit(to: series, options: chosen) }
        }
        guard workers > 1, list.count >= 2 * workers else {
            return list.map { fitOne($0, threads: workers) }
        }
        let results = parallelMap(
            count: list.count, threads: workers, makeState: { () as Void? },
            body: { _, i in SendableResult(fitOne(list[i], threads: 1)) })
        return results.map { $0!.value }
    }
}

/// A fit's outcome handed back from a worker (errors are the fit's own, read once).
private struct SendableResult: @unchecked Sendable {
    let value: Result<FitResult, any Error>
    init(_ value: Result<FitResult, any Error>) { self.value = value }
}
