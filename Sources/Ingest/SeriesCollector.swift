import ScalefitCore

/// Gathers points from the readers, then applies the clean-up options in one place.
///
/// Readers ask for a series index once (``index(run:metric:labels:)``) and then append
/// numbers only, so the per-point cost is a few array appends.
final class SeriesCollector {
    final class Builder {
        let run: String
        let metric: String
        var labels: [String: String]
        let source: Int
        var x: [Double] = []
        var x2: [Double] = []
        var values: [Double] = []
        var wallTimes: [Double] = []
        var lower: [Double] = []
        var upper: [Double] = []
        var hasBand = false
        init(run: String, metric: String, labels: [String: String], source: Int) {
            self.run = run; self.metric = metric; self.labels = labels; self.source = source
        }
    }

    private struct Key: Hashable {
        var run: String
        var metric: String
        var labels: [String: String]
        var source: Int
    }

    private(set) var builders: [Builder] = []
    private var lookup: [Key: Int] = [:]
    var report = DropReport()
    var warnings: [String] = []
    /// The index of the input being read (series of different inputs are never merged).
    var source = 0

    /// The index of the series (run, metric, labels) of the current input, created if new.
    func index(run: String, metric: String, labels: [String: String] = [:]) -> Int {
        let key = Key(run: run, metric: metric, labels: labels, source: source)
        if let found = lookup[key] { return found }
        builders.append(Builder(run: run, metric: metric, labels: labels, source: source))
        lookup[key] = builders.count - 1
        return builders.count - 1
    }

    @inline(__always)
    func append(_ index: Int, x: Double, value: Double, x2: Double? = nil, wallTime: Double? = nil) {
        let b = builders[index]
        b.x.append(x)
        b.values.append(value)
        if let x2 {
            if b.x2.count < b.x.count - 1 { b.x2 += Array(repeating: .nan, count: b.x.count - 1 - b.x2.count) }
            b.x2.append(x2)
        }
        if let wallTime {
            if b.wallTimes.count < b.x.count - 1 { b.wallTimes += Array(repeating: .nan, count: b.x.count - 1 - b.wallTimes.count) }
            b.wallTimes.append(wallTime)
        }
    }

    /// Records the band (min, max) of the last point appended to series `index`, or of the point at `x`.
    func setBand(_ index: Int, at position: Int, lower: Double, upper: Double) {
        let b = builders[index]
        if b.lower.count < b.x.count {
            b.lower += Array(repeating: .nan, count: b.x.count - b.lower.count)
            b.upper += Array(repeating: .nan, count: b.x.count - b.upper.count)
        }
        b.lower[position] = lower
        b.upper[position] = upper
        b.hasBand = true
    }

    func warn(_ message: String) {
        if !warnings.contains(message) { warnings.append(message) }
    }

    /// The finished series after the options' clean-up, with bands.
    func finish(options: IngestOptions) -> (series: [Series], bands: [Band?]) {
        struct Point { var x: Double; var x2: Double; var value: Double; var wall: Double; var lower: Double; var upper: Double; var order: Int }
        let ordered = builders.indices.sorted { a, b in
            let l = builders[a], r = builders[b]
            if l.source != r.source { return l.source < r.source }
            if l.run != r.run { return l.run < r.run }
            if l.metric != r.metric { return l.metric < r.metric }
            return l.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                < r.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }
        var cleaned: [(builder: Builder, points: [Point], hasX2: Bool, hasWall: Bool)] = []
        for k in ordered {
            let b = builders[k]
            if let metric = options.metric, b.metric != metric { continue }
            let scope = b.metric.isEmpty ? b.run : "\(b.run)/\(b.metric)"
            let hasX2 = !b.x2.isEmpty, hasWall = !b.wallTimes.isEmpty
            var points: [Point] = []
            points.reserveCapacity(b.x.count)
            var nonFinite = 0, missingX = 0
            for i in 0..<b.x.count {
                var x = b.x[i]
                if let factor = options.tokensPerStep { x *= factor }
                let value = b.values[i]
                if !x.isFinite { missingX += 1; continue }
                if !value.isFinite { nonFinite += 1; continue }
                points.append(Point(
                    x: x, x2: hasX2 ? (i < b.x2.count ? b.x2[i] : .nan) : .nan, value: value,
                    wall: hasWall ? (i < b.wallTimes.count ? b.wallTimes[i] : .nan) : .nan,
                    lower: i < b.lower.count ? b.lower[i] : .nan, upper: i < b.upper.count ? b.upper[i] : .nan,
                    order: i))
            }
            report.add(.nonFinite, scope, count: nonFinite)
            report.add(.missingX, scope, count: missingX)
            // Sort by x (then x2 for two-input data), ties in file order.
            points.sort { a, b in
                if a.x != b.x { return a.x < b.x }
                if hasX2, a.x2 != b.x2 { return a.x2 < b.x2 }
                return a.order < b.order
            }
            if options.repeatedSteps != .keep && !hasX2 {
                var kept: [Point] = []
                kept.reserveCapacity(points.count)
                var start = 0
                var repeated = 0
                while start < points.count {
                    var stop = start + 1
                    while stop < points.count && points[stop].x == points[start].x { stop += 1 }
                    switch options.repeatedSteps {
                    case .first: kept.append(points[start])
                    case .last, .keep: kept.append(points[stop - 1])
                    case .mean:
                        var p = points[stop - 1]
                        p.value = points[start..<stop].reduce(0) { $0 + $1.value } / Double(stop - start)
                        kept.append(p)
                    }
                    repeated += stop - start - 1
                    start = stop
                }
                report.add(.repeatedX, scope, count: repeated)
                points = kept
            }
            cleaned.append((b, points, hasX2, hasWall))
        }
        if options.stitch {
            // One series per (metric, labels): later runs win from their first x on.
            var merged: [(builder: Builder, points: [Point], hasX2: Bool, hasWall: Bool, runs: [String])] = []
            let inInputOrder = cleaned.sorted { ($0.builder.source, $0.points.first?.order ?? 0) < ($1.builder.source, $1.points.first?.order ?? 0) }
            for entry in inInputOrder {
                if let k = merged.firstIndex(where: { $0.builder.metric == entry.builder.metric }) {
                    let startX = entry.points.first?.x ?? .infinity
                    let before = merged[k].points.count
                    merged[k].points = merged[k].points.filter { $0.x < startX } + entry.points
                    report.add(.supersededByResume, "\(merged[k].runs.joined(separator: "+"))/\(entry.builder.metric)",
                               count: before + entry.points.count - merged[k].points.count)
                    merged[k].runs.append(entry.builder.run)
                    merged[k].hasWall = merged[k].hasWall || entry.hasWall
                } else {
                    merged.append((entry.builder, entry.points, entry.hasX2, entry.hasWall, [entry.builder.run]))
                }
            }
            cleaned = merged.map { ($0.builder, $0.points, $0.hasX2, $0.hasWall) }
            var runNames: [String] = merged.map { $0.runs.joined(separator: "+") }
            runNames.reverse()
            stitchedNames = runNames
        }
        var series: [Series] = []
        var bands: [Band?] = []
        var names = stitchedNames
        for (builder, allPoints, hasX2, hasWall) in cleaned {
            var points = allPoints
            let run = options.stitch ? (names.popLast() ?? builder.run) : builder.run
            if let minX = options.minX {
                let before = points.count
                points.removeAll { $0.x < minX }
                report.add(.belowMinX, builder.metric.isEmpty ? run : "\(run)/\(builder.metric)", count: before - points.count)
            }
            if points.isEmpty { continue }
            series.append(Series(
                run: options.run ?? run, metric: builder.metric, x: points.map(\.x),
                x2: hasX2 ? points.map(\.x2) : nil, values: points.map(\.value),
                wallTimes: hasWall ? points.map(\.wall) : nil, labels: builder.labels))
            bands.append(builder.hasBand ? Band(lower: points.map(\.lower), upper: points.map(\.upper)) : nil)
        }
        return (series, bands)
    }

    private var stitchedNames: [String] = []
}
