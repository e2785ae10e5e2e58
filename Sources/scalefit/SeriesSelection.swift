import Foundation
import Ingest
import ScalefitCore

/// `--series PATTERN` (repeatable): keeps the series whose name matches any pattern. A
/// pattern with `*`, `?` or `[` is a shell pattern matched against the whole name
/// (`fnmatch`); any other pattern matches names that contain it. A pattern that matches
/// nothing is a usage error that lists the names there are.
struct SeriesSelection {
    var patterns: [String]

    static func matches(_ pattern: String, _ name: String) -> Bool {
        if pattern.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) {
            return fnmatch(pattern, name, 0) == 0
        }
        return name.contains(pattern)
    }

    func apply(to result: inout IngestResult) throws {
        let names = result.series.map(\.name)
        for pattern in patterns where !names.contains(where: { Self.matches(pattern, $0) }) {
            let shown = names.prefix(20).joined(separator: ", ") + (names.count > 20 ? ", … (\(names.count) in all)" : "")
            throw UsageError("--series \(pattern) matches no series; the series are: \(shown)")
        }
        let keep = names.indices.filter { i in patterns.contains { Self.matches($0, names[i]) } }
        result.series = keep.map { result.series[$0] }
        result.bands = keep.map { result.bands[$0] }
    }
}
