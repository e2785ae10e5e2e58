import Detect
import Fit
import ScalefitCore

/// Detect's workflow over many series: a verdict on every series long enough to judge
/// (spread over the cores), then collapse established against a clean reference or along a
/// family. Every verdict stays with its series (``Judged``), so a series left out never
/// shifts the others.
public struct Detection: Sendable {
    /// A series with its verdict.
    public struct Judged: Sendable, Identifiable {
        public var item: SeriesItem
        public var verdict: Verdict
        public var id: SeriesID { item.id }
        /// The verdict's chosen fit, with its law, for plots (nil when the verdict has none).
        public var fit: SeriesFit? {
            guard let result = verdict.fit, let law = verdict.law else { return nil }
            return try? SeriesFit(result: result, law: law)
        }
    }

    /// The fewest points the detector judges.
    public static let minimumPoints = 4

    /// The judged series, in input order.
    public var judged: [Judged]
    /// The series too short to judge, in input order.
    public var skipped: [SeriesItem]
    /// Each judged series against the clean reference (with ``establish(reference:family:)``).
    public var references: [ReferenceComparison] = []
    /// The family analysis (with a family column).
    public var families: [FamilyAnalysis] = []
    public let detector: CurveDetector

    /// The verdicts, in input order.
    public var verdicts: [Verdict] { judged.map(\.verdict) }

    /// Judges every item with at least ``minimumPoints`` points, the items spread over the
    /// detector's threads by ``SeriesPool`` (a verdict does not depend on the thread count).
    /// `notice` receives, in input order, a line for each series skipped and for the count.
    ///
    /// - Throws: the first (in input order) error of a verdict; ``UsageError`` when no series
    ///   is long enough.
    public static func judge(_ items: [SeriesItem], detector: CurveDetector, progress: ProgressLine? = nil, notice: (String) -> Void) throws -> Detection {
        let outcomes = SeriesPool.map(items, threads: detector.threads) { item, threads -> (SeriesItem, Result<Verdict, any Error>?) in
            defer { progress?.advance(item.series.name) }
            guard item.series.count >= minimumPoints else { return (item, nil) }
            var own = detector
            own.threads = threads
            return (item, Result { try own.verdict(on: item.series) })
        }
        progress?.finish()
        var detection = Detection(judged: [], skipped: [], detector: detector)
        for (item, outcome) in outcomes {
            guard let outcome else {
                notice("\(item.series.name): skipped: detection needs at least \(minimumPoints) points, got \(item.series.count)")
                detection.skipped.append(item)
                continue
            }
            detection.judged.append(Judged(item: item, verdict: try outcome.get()))
        }
        let skipped = detection.skipped.count
        if detection.judged.isEmpty { throw UsageError("no series has the \(minimumPoints) points detection needs (\(skipped) skipped)") }
        if skipped > 0 { notice("\(skipped) of \(items.count) series skipped (fewer than \(minimumPoints) points)") }
        return detection
    }

    /// Compares every judged series with the clean reference (when given) and analyses the
    /// family keyed by `family` (when given), then turns the plateaus those comparisons
    /// explain into `collapsed`
    /// (``CurveDetector/establishCollapse(_:references:referenceVerdict:families:)``).
    public mutating func establish(reference clean: Series?, family column: String?) throws {
        var referenceVerdict: Verdict? = nil
        if let clean {
            referenceVerdict = clean.count >= Self.minimumPoints ? try? detector.verdict(on: clean) : nil
            references = try judged.map { try detector.compare($0.item.series, toReference: clean) }
        }
        if let column { families = [try detector.family(judged.map(\.item.series), by: column)] }
        let established = detector.establishCollapse(
            verdicts, references: references, referenceVerdict: referenceVerdict, families: families)
        // establishCollapse amends each verdict in place: same count, same order.
        precondition(established.count == judged.count)
        for index in judged.indices { judged[index].verdict = established[index] }
    }

    /// Verdicts for a report: every series the detector can judge, by identity; a series it
    /// cannot take is named to `notice` (in input order) and left without one.
    public static func verdicts(
        for items: [SeriesItem], detector: CurveDetector = CurveDetector(), progress: ProgressLine? = nil, notice: (String) -> Void
    ) -> [SeriesID: Verdict] {
        let outcomes = SeriesPool.map(items, threads: detector.threads) { item, threads -> (SeriesItem, Result<Verdict, any Error>) in
            defer { progress?.advance(item.series.name) }
            var own = detector
            own.threads = threads
            return (item, Result { try own.verdict(on: item.series) })
        }
        progress?.finish()
        var verdicts: [SeriesID: Verdict] = [:]
        for (item, outcome) in outcomes {
            switch outcome {
            case .success(let verdict): verdicts[item.id] = verdict
            case .failure(let error): notice("\(item.series.name): no verdict: \(error)")
            }
        }
        return verdicts
    }
}
