import ScalefitCore

/// Why a point (or a row) did not make it into a series.
public enum DropReason: String, Sendable, CaseIterable, Codable {
    /// The value was NaN or ±∞ (a diverged step): kept out of fits, counted here.
    case nonFinite = "non-finite value"
    /// Another point had the same x (a restart); see ``RepeatedStepPolicy``.
    case repeatedX = "repeated x"
    /// The same x and the same value again (a file that holds a curve twice): one is kept.
    case duplicatePoint = "duplicate point (same x and value)"
    /// x ≤ 0 where the law works in log x (a log that starts at step 0); `--min-x` drops them up front.
    case nonPositiveX = "x ≤ 0 in log space"
    /// x was below `--min-x`.
    case belowMinX = "x below --min-x"
    /// The cell held text where a number was expected.
    case notANumber = "not a number"
    /// The row had no usable x.
    case missingX = "missing or non-finite x"
    /// The run did not finish (W&B `State`, a sweep's `status`, MLflow `lifecycle_stage`).
    case unfinishedRun = "run not finished"
    /// A later run covered the same x (`--stitch`).
    case supersededByResume = "overlapped by a later run"
    /// The last row was cut short (a download cut off).
    case truncatedRow = "truncated last row"
    /// A TFRecord whose payload failed its CRC-32C check.
    case badChecksum = "bad checksum"
    /// A text-log line that its format's pattern matched only partly (a field that is not
    /// a number, text after a value); the fields that did read are kept, the line is counted.
    case partialLine = "line matched only partly"
}

/// What was dropped, from which series, and how many: printed to stderr and put in `--json`.
public struct DropReport: Sendable, Equatable {
    /// One line of the report.
    public struct Entry: Sendable, Equatable {
        public var reason: DropReason
        /// The series (`run/metric`) or file the points came from.
        public var scope: String
        public var count: Int
    }

    public var entries: [Entry] = []

    public init() {}

    /// The total number of dropped points or rows.
    public var total: Int { entries.reduce(0) { $0 + $1.count } }

    /// Adds `count` drops (merging with an existing entry of the same reason and scope).
    public mutating func add(_ reason: DropReason, _ scope: String, count: Int = 1) {
        guard count > 0 else { return }
        if let k = entries.firstIndex(where: { $0.reason == reason && $0.scope == scope }) {
            entries[k].count += count
        } else {
            entries.append(Entry(reason: reason, scope: scope, count: count))
        }
    }

    /// The count for `reason` over all scopes.
    public func count(_ reason: DropReason) -> Int {
        entries.filter { $0.reason == reason }.reduce(0) { $0 + $1.count }
    }

    /// One line per entry: `dropped 3 points from run/metric: non-finite value`.
    public var lines: [String] {
        entries.map { "dropped \($0.count) from \($0.scope): \($0.reason.rawValue)" }
    }
}

/// One input as read: the path, the format found, and the SHA-256 of its bytes.
public struct SourceInfo: Sendable, Equatable {
    public var path: String
    public var format: LogFormat
    /// Lowercase hexadecimal SHA-256 of the file's bytes (for a folder: of the files read, in order, concatenated).
    public var sha256: String
    public var bytes: Int
    /// The folder the user named, when this input was found by walking it.
    public var root: String? = nil
}

/// A min/max band around a series (W&B `__MIN`/`__MAX` columns), one entry per point;
/// `NaN` where the export had no band value.
public struct Band: Sendable, Equatable {
    public var lower: [Double]
    public var upper: [Double]
}

/// Everything ``Ingest/read(paths:options:)`` found.
public struct IngestResult: Sendable {
    /// The series, sorted by x, in a fixed order: input, then run, then metric.
    public var series: [Series]
    /// The min/max band of each series, parallel to ``series`` (`nil` where there is none).
    public var bands: [Band?]
    /// What was dropped and why.
    public var report: DropReport
    /// One entry per input path.
    public var sources: [SourceInfo]
    /// Things the user should know that are not errors (a downsampled export, a repeated header).
    public var warnings: [String]
    /// What the folders held that was not read, and why (see ``FolderWalk``).
    public var skipped: [SkippedInput] = []
    /// The x column's header name, when every input was a delimited table with the same one
    /// (`step`, `tokens` …); nil otherwise.
    public var xColumn: String? = nil
}

/// The figures `inspect` shows of one series: its size, x range and values, without the points.
public struct SeriesSummary: Sendable {
    public var run: String
    public var metric: String
    public var labels: [String: String]
    /// The number of points (after the clean-up).
    public var count: Int
    public var xFirst: Double?
    public var xLast: Double?
    public var xMin: Double?
    public var xMax: Double?
    /// Whether the series has a second input (x2); its range then.
    public var hasX2: Bool
    public var x2Min: Double?
    public var x2Max: Double?
    public var valueFirst: Double?
    public var valueLast: Double?
    public var valueMin: Double?
    public var valueMax: Double?
    /// Whether a min/max band came with the series (W&B `__MIN`/`__MAX`).
    public var hasBand: Bool

    /// The summary of `series` (with `hasBand` for its band).
    public init(_ series: Series, hasBand: Bool) {
        self.init(run: series.run, metric: series.metric, labels: series.labels, count: series.count,
                  xFirst: series.x.first, xLast: series.x.last, xMin: series.x.min(), xMax: series.x.max(),
                  hasX2: series.x2 != nil, x2Min: series.x2?.min(), x2Max: series.x2?.max(),
                  valueFirst: series.values.first, valueLast: series.values.last,
                  valueMin: series.values.min(), valueMax: series.values.max(), hasBand: hasBand)
    }

    public init(run: String, metric: String, labels: [String: String], count: Int,
                xFirst: Double?, xLast: Double?, xMin: Double?, xMax: Double?,
                hasX2: Bool, x2Min: Double?, x2Max: Double?,
                valueFirst: Double?, valueLast: Double?, valueMin: Double?, valueMax: Double?, hasBand: Bool) {
        self.run = run; self.metric = metric; self.labels = labels; self.count = count
        self.xFirst = xFirst; self.xLast = xLast; self.xMin = xMin; self.xMax = xMax
        self.hasX2 = hasX2; self.x2Min = x2Min; self.x2Max = x2Max
        self.valueFirst = valueFirst; self.valueLast = valueLast; self.valueMin = valueMin; self.valueMax = valueMax
        self.hasBand = hasBand
    }
}

/// What ``Ingest/summarize(paths:options:)`` found: ``IngestResult`` without the points.
public struct IngestSummary: Sendable {
    /// One summary per series, in the order of ``IngestResult/series``.
    public var series: [SeriesSummary]
    public var report: DropReport
    public var sources: [SourceInfo]
    public var warnings: [String]
    /// False when the points had to be kept after all (an input out of x order, standard
    /// input, `--stitch`): memory then grew with the points, as with ``Ingest/read(paths:options:)``.
    public var streamed: Bool
    /// What the folders held that was not read, and why.
    public var skipped: [SkippedInput] = []
}

extension IngestResult {
    /// The summaries of the series (what `inspect` prints).
    public var summary: IngestSummary {
        IngestSummary(series: series.indices.map { SeriesSummary(series[$0], hasBand: $0 < bands.count && bands[$0] != nil) },
                      report: report, sources: sources, warnings: warnings, streamed: false, skipped: skipped)
    }
}
