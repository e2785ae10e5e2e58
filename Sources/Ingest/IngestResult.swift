import ScalefitCore

/// Why a point (or a row) did not make it into a series.
public enum DropReason: String, Sendable, CaseIterable, Codable {
    /// The value was NaN or ±∞ (a diverged step): kept out of fits, counted here.
    case nonFinite = "non-finite value"
    /// Another point had the same x (a restart); see ``RepeatedStepPolicy``.
    case repeatedX = "repeated x"
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
}
