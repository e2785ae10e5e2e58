import Foundation
import ScalefitCore

enum TextLogReader {
    static func detect(lines: [String]) -> LogFormat? { nil }
    static func read(source: ByteSource, format: LogFormat, options: IngestOptions, into collector: SeriesCollector) throws {}
}
