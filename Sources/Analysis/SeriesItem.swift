import Ingest
import ScalefitCore

/// A series' identity within one analysis: its place in the input as read. It travels with
/// the series through fitting, detection and rendering, so that fits, verdicts and markers
/// are found by identity, never by their position in some other list (a list that left a
/// series out would pair every later one with its neighbour's result).
public struct SeriesID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// 0-based place in ``IngestResult/series``.
    public let ordinal: Int
    public init(_ ordinal: Int) { self.ordinal = ordinal }
    public static func < (a: SeriesID, b: SeriesID) -> Bool { a.ordinal < b.ordinal }
    public var description: String { "#\(ordinal + 1)" }
}

/// One series as read, with its identity and its min/max band (W&B `__MIN`/`__MAX`).
public struct SeriesItem: Sendable, Identifiable {
    public var id: SeriesID
    public var series: Series
    public var band: Band?

    public init(id: SeriesID, series: Series, band: Band? = nil) {
        self.id = id
        self.series = series
        self.band = band
    }
}

extension IngestResult {
    /// Every series with its identity and band: the one place where the reader's parallel
    /// lists (``IngestResult/series``, ``IngestResult/bands``) are paired.
    public var items: [SeriesItem] {
        series.indices.map { SeriesItem(id: SeriesID($0), series: series[$0], band: $0 < bands.count ? bands[$0] : nil) }
    }
}
