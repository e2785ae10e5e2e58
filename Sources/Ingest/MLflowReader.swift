import Foundation
import ScalefitCore

enum MLflowReader {
    static func looksLikeStore(_ path: String) -> Bool { false }
    static func read(folder: String, options: IngestOptions, into collector: SeriesCollector) throws -> SourceInfo {
        SourceInfo(path: folder, format: .mlflow, sha256: "", bytes: 0)
    }
}
