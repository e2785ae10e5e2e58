import ScalefitCore
#if os(Linux)
import Glibc
#endif

extension LawCatalog {
    /// Model selection on a long series (more than ``FitOptions/longSeriesThreshold`` points):
    /// every candidate law is fitted to the systematic sample of ``LongSeries/sampleSize``
    /// points that ``LongSeries/sampleIndices(of:size:)`` draws (one point in n/m, evenly in
    /// x order, so that the sample's objective estimates the whole curve's), the laws are
    /// ranked there exactly as ``compare(_:on:options:)`` ranks them, and only the chosen law
    /// is fitted to every point (by the long-series fit). If that fit fails or does not
    /// converge, the next law of the ranking is fitted instead (at most three are tried).
    ///
    /// The returned list starts with the full fit; the other entries are the sample fits of
    /// the other laws (their `pointCount` is the sample's), for the comparison table.
    static func compareLong(
        _ laws: [any ScalingLaw], on series: Series, options: FitOptions
    ) -> (fits: [FitResult], skipped: [(law: String, reason: String)]) {
        let n = series.count
        let sample = series.subset(LongSeries.sampleIndices(of: series, size: LongSeries.sampleSize))
        var sampleOptions = options
        sampleOptions.predictX = []
        sampleOptions.predictX2 = []
        sampleOptions.bootstrap = 0
        sampleOptions.holdout = 0
        LongSeries.announce("\(series.name): \(n) points: choosing among \(laws.map(\.name).joined(separator: ", ")) on a sample of \(sample.count)")
        let (ranked, skipped) = compare(laws, on: sample, options: sampleOptions)
        var failures: [(law: String, reason: String)] = []
        for candidate in ranked.prefix(3) where candidate.converged {
            guard let law = laws.first(where: { $0.name == candidate.model }) else { continue }
            var lawOptions = options
            let names = Set(law.parameterNames)
            lawOptions.fixed = options.fixed.filter { names.contains($0.key) }
            lawOptions.tied = options.tied.filter { names.contains($0.key) && names.contains($0.value) }
            do {
                var full = try law.fit(to: series, options: lawOptions)
                guard full.converged else {
                    failures.append((law.name, "did not converge on all \(n) points: \(full.status)"))
                    continue
                }
                full.notes.append(.text(
                    "law chosen on a long series: every candidate fitted to a systematic sample of \(sample.count) "
                        + "of the \(n) points and ranked by AICc there; this fit uses all \(n) points, "
                        + "the other laws' rows are their sample fits"))
                let others = ranked.filter { $0.model != candidate.model }
                return ([full] + others, skipped + failures)
            } catch {
                failures.append((law.name, "on all \(n) points: \(error)"))
            }
        }
        // No law could be fitted to every point: the sample fits, marked as such.
        return (ranked, skipped + failures)
    }
}

extension LongSeries {
    /// A one-line note on standard error for each stage of a long computation, when a person
    /// is watching (standard error is a terminal); nothing otherwise.
    static func announce(_ text: String) {
        guard isatty(2) == 1 else { return }
        let line = "scalefit: \(text)…\n"
        _ = line.utf8CString.withUnsafeBufferPointer { buffer in
            write(2, buffer.baseAddress, buffer.count - 1)
        }
    }
}
