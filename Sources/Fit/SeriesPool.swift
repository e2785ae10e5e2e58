import ScalefitCore

/// Work on many series spread over the cores: with at least twice as many series as
/// threads, each series runs on one thread (its own starts and bootstrap replicates one
/// after another), so that all cores work on distinct series; with fewer, the series run one
/// after another, each spreading its own work over every thread. The work on one series
/// must not depend on the thread count it is given (the fit's does not, see
/// ``FitOptions/threads``); the outputs come back in input order, so that what a command
/// prints is the same whatever the thread count.
public enum SeriesPool {
    /// `body(item, threads)` for every item, in input order; `threads` is what that item may
    /// use (1 when the items are spread over the workers).
    public static func map<Item: Sendable, Output>(
        _ items: [Item], threads: Int? = nil, _ body: @Sendable (Item, _ threads: Int) -> Output
    ) -> [Output] {
        let workers = threads ?? defaultThreadCount()
        guard workers > 1, items.count >= 2 * workers else {
            return items.map { body($0, workers) }
        }
        let results = parallelMap(
            count: items.count, threads: workers, makeState: { () as Void? },
            body: { _, i in Handed(body(items[i], 1)) })
        return results.map { $0!.value }
    }
}

extension ScalingLaw {
    /// Fits the law to every series of a list, spread over the workers as ``SeriesPool``
    /// spreads them; results come back in input order.
    ///
    /// - Parameter options: the options of each series' fit.
    /// - Returns: for each series, its fit or the error that refused it.
    public func fitEach(
        _ list: [Series], options: @Sendable (Series) -> FitOptions, threads: Int? = nil
    ) -> [Result<FitResult, any Error>] {
        let law = self
        return SeriesPool.map(list, threads: threads) { series, threads in
            var chosen = options(series)
            chosen.threads = threads
            return Result { try law.fit(to: series, options: chosen) }
        }
    }
}

/// An output handed back from a worker: written by one worker, read once after all finished.
private struct Handed<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
