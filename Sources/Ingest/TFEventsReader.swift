import Foundation
import ScalefitCore

enum TFEventsReader {
    static func looksLikeRecord(_ head: [UInt8]) -> Bool { false }
    static func read(source: ByteSource, run: String, options: IngestOptions, into collector: SeriesCollector) throws {}
    static func read(folder: String, options: IngestOptions, into collector: SeriesCollector) throws -> SourceInfo {
        SourceInfo(path: folder, format: .tfevents, sha256: "", bytes: 0)
    }
}
