import ScalefitCore

/// Gathers points from the readers, then applies the clean-up options in one place.
///
/// Readers ask for a series index once (``index(run:metric:labels:)``) and then append
/// numbers only, so the per-point cost is a few array appends.
final class SeriesCollector {
    final class Builder {
        var run: String
        let metric: String
        var labels: [String: String]
        let source: Int
        /// Where the input lives, outermost first (the folders above the file or run), and
        /// what tells two runs apart when even those agree (a run id): used only to name
        /// series that would otherwise share a name (``uniqueNames(_:)``).
        var origin: [String] = []
        var identity = ""
        var x: [Double] = []
        var x2: [Double] = []
        var values: [Double] = []
        var wallTimes: [Double] = []
        var lower: [Double] = []
        var upper: [Double] = []
        var hasBand = false
        var discard = false
        /// Summary mode: running statistics instead of the points.
        var stream = StreamStats()
        init(run: String, metric: String, labels: [String: String], source: Int) {
            self.run = run; self.metric = metric; self.labels = labels; self.source = source
        }
    }

    private struct Key: Hashable {
        var run: String
        var metric: String
        var labels: [String: String]
        var source: Int
        var identity: String
    }

    private(set) var builders: [Builder] = []

    /// Whether series `builder` is dropped (another metric than `--metric`). Out of line:
    /// a row loop that read `builders` itself would pay an access check on every row
    /// (the compiler widens the access to the whole loop).
    @inline(never)
    func isDiscarded(_ builder: Int) -> Bool { builders[builder].discard }
    private var lookup: [Key: Int] = [:]
    var report = DropReport()
    var warnings: [String] = []
    /// The header name of the x column of each delimited file read (for axis labels).
    var xColumns: [String] = []
    /// The index of the input being read (series of different inputs are never merged).
    var source = 0
    /// The folders above the input being read, outermost first (see ``Builder/origin``).
    var origin: [String] = []
    /// What tells the run being read from another of the same name in the same input
    /// (an MLflow run id): series of different identities are never merged either.
    var identity = ""
    /// Per input: what likely splits a table into series (a column that varies, the
    /// `--x N,D` a sweep needs), named when a series repeats many x (``MisKeyed``).
    var keyHints: [Int: String] = [:]
    /// Per input: its path, for messages.
    var sourcePaths: [Int: String] = [:]

    /// Keep only these metrics (`--metric`, exact names or globs such as `eval/*`): points
    /// of other metrics go to a discarded builder, so a large log read for one metric holds
    /// only that metric's points. Empty: keep every metric.
    var metricFilter: [String] = []
    /// Every metric seen, kept or not (to name them when `--metric` matches none).
    private(set) var seenMetrics: Set<String> = []
    private var discardIndex: Int?

    /// Summary mode (``Ingest/summarize(paths:options:)``): points are folded into each
    /// builder's ``StreamStats`` as they arrive and not kept, so memory does not grow with
    /// the file. Exact while every series' points arrive in x order; the first point out
    /// of order sets ``needsPoints`` and the caller reads again keeping the points.
    let summaryMode: Bool
    private(set) var needsPoints = false
    private let policy: RepeatedStepPolicy
    private let minX: Double?
    private let tokensPerStep: Double?

    init(options: IngestOptions = IngestOptions(), summaryMode: Bool = false) {
        self.summaryMode = summaryMode
        policy = options.repeatedSteps
        minX = options.minX
        tokensPerStep = options.tokensPerStep
    }

    /// Folds one point into a summary-mode builder.
    @inline(__always)
    private func fold(_ b: Builder, x: Double, value: Double, x2: Double?) {
        if needsPoints { return }
        let x = tokensPerStep.map { x * $0 } ?? x
        if !b.stream.add(x: x, value: value, x2: x2, policy: policy, minX: minX) { needsPoints = true }
    }

    /// The index of the series (run, metric, labels) of the current input, created if new.
    func index(run: String, metric: String, labels: [String: String] = [:]) -> Int {
        let key = Key(run: run, metric: metric, labels: labels, source: source, identity: identity)
        if let found = lookup[key] { return found }
        seenMetrics.insert(metric)
        if !metricFilter.isEmpty, !MetricPattern.matchesAny(metricFilter, metric) {
            if let discardIndex { lookup[key] = discardIndex; return discardIndex }
            let discard = Builder(run: "", metric: "", labels: [:], source: -1)
            discard.discard = true
            builders.append(discard)
            discardIndex = builders.count - 1
            lookup[key] = builders.count - 1
            return builders.count - 1
        }
        let builder = Builder(run: run, metric: metric, labels: labels, source: source)
        builder.origin = origin
        builder.identity = identity
        builders.append(builder)
        lookup[key] = builders.count - 1
        return builders.count - 1
    }

    @inline(__always)
    func append(_ index: Int, x: Double, value: Double, x2: Double? = nil, wallTime: Double? = nil) {
        let b = builders[index]
        if summaryMode {
            if !b.discard { fold(b, x: x, value: value, x2: x2) }
            return
        }
        if b.discard {
            if b.x.count >= 4096 { b.x.removeAll(keepingCapacity: true); b.values.removeAll(keepingCapacity: true) }
            b.x.append(x)
            b.values.append(value)
            return
        }
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

    /// Summary mode: takes a reader's running figures for series `index` (gathered in the
    /// reader's own loop), which must have had no points from elsewhere.
    func adopt(_ index: Int, _ stats: StreamStats, hasBand: Bool) {
        let b = builders[index]
        if b.discard { return }
        if !b.stream.isEmpty { needsPoints = true; return }
        b.stream = stats
        if hasBand { b.hasBand = true }
    }

    /// Appends whole columns to series `index` (a reader's locally gathered points).
    func appendColumns(_ index: Int, x: [Double], values: [Double], x2: [Double]?, wallTimes: [Double]?,
                       band: (lower: [Double], upper: [Double])?) {
        let b = builders[index]
        if b.discard { return }
        if summaryMode {
            if band != nil { b.hasBand = true }
            if let x2 {
                for i in x.indices { fold(b, x: x[i], value: values[i], x2: x2[i]) }
            } else {
                for i in x.indices { fold(b, x: x[i], value: values[i], x2: nil) }
            }
            return
        }
        let before = b.x.count
        func pad(_ array: inout [Double]) { if array.count < before { array += Array(repeating: .nan, count: before - array.count) } }
        if let x2 { pad(&b.x2); b.x2 += x2 }
        if let wallTimes { pad(&b.wallTimes); b.wallTimes += wallTimes }
        if let band {
            pad(&b.lower); pad(&b.upper)
            b.lower += band.lower
            b.upper += band.upper
            b.hasBand = true
        }
        if before == 0 { b.x = x; b.values = values } else { b.x += x; b.values += values }
    }

    func warn(_ message: String) {
        if !warnings.contains(message) { warnings.append(message) }
    }

    /// Builder indices in output order: by source, run, metric, then labels, each compared
    /// as the normal-form CSV spells it (``NormalForm/csvCell(_:)`` writes a control character
    /// as `\xHH`). So a written table reads back in the order it was written, and an
    /// `ingest -o` of its own output gives the same bytes, even for a name that holds DEL.
    private func orderedBuilders() -> [Int] {
        func shown(_ text: String) -> String { VisibleText.escaped(text, keeping: "\t\n\r") }
        func labelText(_ labels: [String: String]) -> String {
            labels.sorted { $0.key < $1.key }.map { "\(shown($0.key))=\(shown($0.value))" }.joined(separator: ",")
        }
        return builders.indices.sorted { a, b in
            let l = builders[a], r = builders[b]
            if l.source != r.source { return l.source < r.source }
            if l.run != r.run { return shown(l.run) < shown(r.run) }
            if l.metric != r.metric { return shown(l.metric) < shown(r.metric) }
            return labelText(l.labels) < labelText(r.labels)
        }
    }

    /// The finished series after the options' clean-up, with bands.
    ///
    /// Works one series at a time and frees each builder's arrays as it goes, so the peak
    /// is the points once plus one series' index array (8 bytes a point), not a copy of all.
    /// - Throws: ``MisKeyed`` when a series repeats many x in a way no restart does (see
    ///   ``misKeyed(repeated:count:backSteps:)``) and `--repeated` was not given.
    func finish(options: IngestOptions) throws -> (series: [Series], bands: [Band?]) {
        let ordered = orderedBuilders()
        var series: [Series] = []
        var bands: [Band?] = []
        var origins: [Builder] = []
        var misKeyed: [MisKeyed.Case] = []
        for k in ordered {
            let b = builders[k]
            if b.discard { continue }
            defer { b.x = []; b.x2 = []; b.values = []; b.wallTimes = []; b.lower = []; b.upper = [] }
            if !options.metrics.isEmpty, !MetricPattern.matchesAny(options.metrics, b.metric) { continue }
            let scope = b.metric.isEmpty ? b.run : "\(b.run)/\(b.metric)"
            let count = b.x.count
            let hasX2 = !b.x2.isEmpty, hasWall = !b.wallTimes.isEmpty
            if hasX2 && b.x2.count < count { b.x2 += Array(repeating: .nan, count: count - b.x2.count) }
            if hasWall && b.wallTimes.count < count { b.wallTimes += Array(repeating: .nan, count: count - b.wallTimes.count) }
            if b.hasBand && b.lower.count < count {
                b.lower += Array(repeating: .nan, count: count - b.lower.count)
                b.upper += Array(repeating: .nan, count: count - b.upper.count)
            }
            if let factor = options.tokensPerStep {
                for i in 0..<count { b.x[i] *= factor }
            }
            var order: [Int] = []
            order.reserveCapacity(count)
            var nonFinite = 0, missingX = 0
            for i in 0..<count {
                if !b.x[i].isFinite { missingX += 1; continue }
                if !b.values[i].isFinite { nonFinite += 1; continue }
                order.append(i)
            }
            report.add(.nonFinite, scope, count: nonFinite)
            report.add(.missingX, scope, count: missingX)
            // Sort by x (then x2), ties in file order; logs are usually in order already.
            func before(_ a: Int, _ c: Int) -> Bool {
                if b.x[a] != b.x[c] { return b.x[a] < b.x[c] }
                if hasX2, b.x2[a] != b.x2[c] { return b.x2[a] < b.x2[c] }
                return a < c
            }
            var sorted = true
            for j in order.indices.dropFirst() where !before(order[j - 1], order[j]) { sorted = false; break }
            // Steps where x does not grow, in file order: a restart makes one each.
            var backSteps = 0
            if !hasX2 { for j in order.indices.dropFirst() where b.x[order[j]] <= b.x[order[j - 1]] { backSteps += 1 } }
            if !sorted { order.sort(by: before) }
            var meanValue: [Int: Double] = [:]
            if options.repeatedSteps != .keep && !hasX2 {
                var kept: [Int] = []
                kept.reserveCapacity(order.count)
                var start = 0
                var duplicates = 0
                while start < order.count {
                    var stop = start + 1
                    while stop < order.count && b.x[order[stop]] == b.x[order[start]] { stop += 1 }
                    // A group whose values are all the same is the same point logged again
                    // (a file that holds a curve twice): counted apart from real repeats.
                    if stop - start > 1, order[start + 1..<stop].allSatisfy({ b.values[$0] == b.values[order[start]] }) {
                        duplicates += stop - start - 1
                    }
                    switch options.repeatedSteps {
                    case .first: kept.append(order[start])
                    case .last, .keep: kept.append(order[stop - 1])
                    case .mean:
                        kept.append(order[stop - 1])
                        if stop - start > 1 {
                            meanValue[order[stop - 1]] = order[start..<stop].reduce(0) { $0 + b.values[$1] } / Double(stop - start)
                        }
                    }
                    start = stop
                }
                let repeated = order.count - kept.count - duplicates
                if !options.repeatedStepsChosen && Self.misKeyed(repeated: repeated, count: order.count, backSteps: backSteps) {
                    misKeyed.append(.init(scope: scope, source: b.source, repeated: repeated, count: order.count, backSteps: backSteps))
                }
                report.add(.repeatedX, scope, count: repeated)
                report.add(.duplicatePoint, scope, count: duplicates)
                order = kept
            }
            if let minX = options.minX {
                let before = order.count
                order.removeAll { b.x[$0] < minX }
                report.add(.belowMinX, scope, count: before - order.count)
            }
            if order.isEmpty { continue }
            // Nothing dropped or moved (the usual case for a clean log): hand the builder's
            // arrays over instead of copying them, so the points are held once.
            let identity = sorted && order.count == count && meanValue.isEmpty
            func take(_ array: inout [Double]) -> [Double] {
                if identity { let out = array; array = []; return out }
                return order.map { array[$0] }
            }
            let values = meanValue.isEmpty ? take(&b.values) : order.map { meanValue[$0] ?? b.values[$0] }
            series.append(Series(
                run: b.run, metric: b.metric, x: take(&b.x), x2: hasX2 ? take(&b.x2) : nil, values: values,
                wallTimes: hasWall ? take(&b.wallTimes) : nil, labels: b.labels))
            bands.append(b.hasBand ? Band(lower: take(&b.lower), upper: take(&b.upper)) : nil)
            origins.append(b)
        }
        if !misKeyed.isEmpty { throw MisKeyed(cases: misKeyed, hints: keyHints, paths: sourcePaths) }
        if options.stitch { (series, bands, origins) = stitch(series, bands, origins) }
        if let run = options.run {
            for k in series.indices { series[k].run = run }
        }
        let names = Self.uniqueNames(series.indices.map { (series[$0].run, series[$0].metric, series[$0].labels, origins[$0]) })
        for k in series.indices { series[k].run = names[k] }
        return (series, bands)
    }

    /// Whether `repeated` drops of repeated x among `count` points, with x failing to grow
    /// `backSteps` times in file order, look like several series keyed as one rather than
    /// restarts: a resumed run goes back once per restart and repeats a stretch of steps
    /// since its checkpoint; a table of several curves keyed as one goes back or repeats
    /// once per row or per curve, and repeats most of its x.
    static func misKeyed(repeated: Int, count: Int, backSteps: Int) -> Bool {
        repeated > 3 && (backSteps > 3 || repeated * 3 >= count)
    }

    /// Run names that make every (run, metric, labels) unique: where two series from
    /// different inputs or runs share one, each gets the shortest suffix of the folders
    /// above it that tells them apart (`lr-3e-4/70M`, `lr-1e-3/70M`), and where even the
    /// whole path agrees (one file given twice, two runs of one name in one experiment),
    /// the run id or input number.
    static func uniqueNames(_ items: [(run: String, metric: String, labels: [String: String], builder: Builder)]) -> [String] {
        struct NameKey: Hashable { var run: String; var metric: String; var labels: [String: String] }
        var groups: [NameKey: [Int]] = [:]
        for (k, item) in items.enumerated() { groups[NameKey(run: item.run, metric: item.metric, labels: item.labels), default: []].append(k) }
        var names = items.map(\.run)
        // Runs (not series) are renamed: every series of a run gets the same new name.
        var renamed: [ObjectIdentifier: String] = [:]
        for (_, members) in groups where members.count > 1 {
            let distinct = Dictionary(grouping: members) { ObjectIdentifier(items[$0].builder) }
            if distinct.count < 2 { continue }
            let run = items[members[0]].run
            let parents = members.map { k -> [String] in
                var folders = items[k].builder.origin
                while folders.last == run { folders.removeLast() }
                return folders
            }
            let longest = parents.map(\.count).max() ?? 0
            var chosen: [String]? = nil
            for depth in 1...max(1, longest) {
                let candidate = parents.map { ($0.suffix(depth) + [run]).joined(separator: "/") }
                if Set(candidate).count == candidate.count { chosen = candidate; break }
            }
            if chosen == nil {
                chosen = members.indices.map { j in
                    let b = items[members[j]].builder
                    return run + " [" + (b.identity.isEmpty ? "input \(b.source + 1)" : b.identity) + "]"
                }
                if Set(chosen!).count < members.count {  // one file given twice
                    chosen = members.map { run + " [input \(items[$0].builder.source + 1)]" }
                }
            }
            for (j, k) in members.enumerated() {
                let id = ObjectIdentifier(items[k].builder)
                renamed[id] = renamed[id] ?? chosen![j]
            }
        }
        for (k, item) in items.enumerated() {
            if let name = renamed[ObjectIdentifier(item.builder)] { names[k] = name }
        }
        return names
    }

    /// The summaries of the series in summary mode: the same figures, drop report and
    /// order as ``finish(options:)`` followed by ``IngestResult/summary``.
    func finishSummary(options: IngestOptions) throws -> [SeriesSummary] {
        precondition(summaryMode && !needsPoints && !options.stitch)
        let ordered = orderedBuilders()
        var out: [SeriesSummary] = []
        var origins: [Builder] = []
        var misKeyed: [MisKeyed.Case] = []
        for k in ordered {
            let b = builders[k]
            if b.discard { continue }
            if !options.metrics.isEmpty, !MetricPattern.matchesAny(options.metrics, b.metric) { continue }
            let scope = b.metric.isEmpty ? b.run : "\(b.run)/\(b.metric)"
            var stats = b.stream
            stats.commit(policy: policy, minX: minX)
            report.add(.nonFinite, scope, count: stats.nonFinite)
            report.add(.missingX, scope, count: stats.missingX)
            if policy != .keep && !stats.anyX2 {
                report.add(.repeatedX, scope, count: stats.repeated)
                report.add(.duplicatePoint, scope, count: stats.duplicates)
                // Streaming, x never went back (that makes the caller read again): every
                // repeat was a tie with the point before.
                if !options.repeatedStepsChosen && Self.misKeyed(repeated: stats.repeated, count: stats.kept + stats.repeated + stats.duplicates + stats.belowMinX, backSteps: stats.repeated) {
                    misKeyed.append(.init(scope: scope, source: b.source, repeated: stats.repeated,
                                          count: stats.kept + stats.repeated + stats.duplicates + stats.belowMinX, backSteps: stats.repeated))
                }
            }
            if minX != nil { report.add(.belowMinX, scope, count: stats.belowMinX) }
            if stats.kept == 0 { continue }
            out.append(SeriesSummary(
                run: options.run ?? b.run, metric: b.metric, labels: b.labels, count: stats.kept,
                xFirst: stats.xFirst, xLast: stats.xLast, xMin: stats.xFirst, xMax: stats.xLast,
                hasX2: stats.anyX2, x2Min: stats.anyX2 ? stats.x2Min : nil, x2Max: stats.anyX2 ? stats.x2Max : nil,
                valueFirst: stats.valueFirst, valueLast: stats.valueLast, valueMin: stats.valueMin,
                valueMax: stats.valueMax, hasBand: b.hasBand))
            origins.append(b)
        }
        if !misKeyed.isEmpty { throw MisKeyed(cases: misKeyed, hints: keyHints, paths: sourcePaths) }
        let names = Self.uniqueNames(out.indices.map { (out[$0].run, out[$0].metric, out[$0].labels, origins[$0]) })
        for k in out.indices { out[k].run = names[k] }
        return out
    }

    /// One series per (metric, labels), runs joined in input order: a later run replaces
    /// the earlier ones from its first x on (a run resumed from a checkpoint).
    private func stitch(_ series: [Series], _ bands: [Band?], _ origins: [Builder]) -> ([Series], [Band?], [Builder]) {
        var merged: [Series] = []
        var mergedBands: [Band?] = []
        var mergedOrigins: [Builder] = []
        for (j, (s, band)) in zip(series, bands).enumerated() {
            guard let k = merged.firstIndex(where: { $0.metric == s.metric && $0.labels == s.labels }) else {
                merged.append(s)
                mergedBands.append(band)
                mergedOrigins.append(origins[j])
                continue
            }
            let startX = s.x.first ?? .infinity
            let keep = merged[k].x.indices.filter { merged[k].x[$0] < startX }
            report.add(.supersededByResume, "\(merged[k].run)/\(s.metric)", count: merged[k].count - keep.count)
            var joined = merged[k].subset(keep)
            joined.run += "+" + s.run
            joined.x += s.x
            joined.values += s.values
            if joined.x2 != nil || s.x2 != nil {
                joined.x2 = (joined.x2 ?? Array(repeating: .nan, count: keep.count)) + (s.x2 ?? Array(repeating: .nan, count: s.count))
            }
            if joined.wallTimes != nil || s.wallTimes != nil {
                joined.wallTimes = (joined.wallTimes ?? Array(repeating: .nan, count: keep.count)) + (s.wallTimes ?? Array(repeating: .nan, count: s.count))
            }
            merged[k] = joined
            mergedBands[k] = nil
        }
        return (merged, mergedBands, mergedOrigins)
    }

}

/// Several series keyed as one: a table whose run or metric column was not recognised,
/// or a sweep with several D per N read against N alone. Exit status 2.
public struct MisKeyed: Error, ExitStatusProviding, CustomStringConvertible, Sendable {
    struct Case: Sendable {
        var scope: String
        var source: Int
        var repeated: Int
        var count: Int
        var backSteps: Int
    }
    var cases: [Case]
    var hints: [Int: String]
    var paths: [Int: String]

    public var exitStatus: ExitStatus { .badInput }

    public var description: String {
        var lines: [String] = []
        for c in cases.prefix(5) {
            let file = paths[c.source].map { "\($0): " } ?? ""
            lines.append("error: \(file)series \(c.scope): \(c.repeated) of \(c.count) points repeat an x already seen "
                + "(x fails to grow \(c.backSteps) times in file order); this looks like several series read as one, not a restart")
        }
        if cases.count > 5 { lines.append("error: … and \(cases.count - 5) more series like it") }
        let sources = Set(cases.map(\.source)).sorted()
        for source in sources { if let hint = hints[source] { lines.append("hint: \(hint)") } }
        lines.append("hint: if the repeats are meant (a run restarted many times), say --repeated last (or first, mean, keep) to keep one point per x")
        return lines.joined(separator: "\n")
    }
}

/// `--metric` patterns: an exact name, or a glob with `*` (any run of characters, `/`
/// included) and `?` (one character).
public enum MetricPattern {
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        if !pattern.contains("*") && !pattern.contains("?") { return pattern == name }
        let p = Array(pattern.unicodeScalars), n = Array(name.unicodeScalars)
        var pi = 0, ni = 0, star = -1, mark = 0
        while ni < n.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == n[ni]) { pi += 1; ni += 1 }
            else if pi < p.count && p[pi] == "*" { star = pi; mark = ni; pi += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; ni = mark }
            else { return false }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    public static func matchesAny(_ patterns: [String], _ name: String) -> Bool {
        patterns.contains { matches($0, name) }
    }
}

/// The running figures of one series whose points arrive in x order (summary mode of
/// ``SeriesCollector``): what ``SeriesCollector/finish(options:)`` would report after its
/// clean-up (drop non-finite, stable sort, repeated-x policy, `--min-x`), without the points.
///
/// Points with equal x are held as one pending group until a larger x arrives; the group
/// then becomes one point by the policy (first, last, mean) or, with `keep`, each stays.
struct StreamStats {
    var nonFinite = 0, missingX = 0, repeated = 0, belowMinX = 0
    /// Repeats whose value equals the first of their x (the same point logged again).
    var duplicates = 0
    /// The pending group holds two different values.
    var pendingMixed = false
    var kept = 0
    var xFirst = 0.0, xLast = 0.0
    var x2Min = 0.0, x2Max = 0.0
    var valueFirst = 0.0, valueLast = 0.0, valueMin = 0.0, valueMax = 0.0
    /// Some point came with an x2 (then x2 orders ties, which this cannot follow).
    var anyX2 = false
    /// Two points had the same x.
    var tied = false
    // The pending group: points with x == pendingX.
    var pendingCount = 0
    var pendingX = 0.0, pendingX2 = Double.nan
    var pendingFirst = 0.0, pendingLast = 0.0, pendingSum = 0.0

    /// No point has been added.
    var isEmpty: Bool {
        pendingCount == 0 && kept == 0 && nonFinite == 0 && missingX == 0 && repeated == 0 && duplicates == 0 && belowMinX == 0
    }

    /// Adds a point (x already scaled). Returns false when the point comes out of x order
    /// (or ties with an x2), which summary mode cannot follow.
    @inline(__always)
    mutating func add(x: Double, value: Double, x2: Double?, policy: RepeatedStepPolicy, minX: Double?) -> Bool {
        if !x.isFinite { missingX += 1; return true }
        if !value.isFinite { nonFinite += 1; return true }
        if x2 != nil && !anyX2 {
            if tied { return false }
            anyX2 = true
        }
        if pendingCount > 0 {
            if x < pendingX { return false }
            if x == pendingX {
                tied = true
                if anyX2 { return false }
                if policy != .keep {
                    pendingCount += 1
                    if value != pendingFirst { pendingMixed = true }
                    pendingLast = value
                    pendingSum += value
                    return true
                }
            }
            commit(policy: policy, minX: minX)
        }
        pendingCount = 1
        pendingX = x
        pendingX2 = x2 ?? .nan
        pendingFirst = value; pendingLast = value; pendingSum = 0 + value  // as finish's reduce(0)
        return true
    }

    /// ``add(x:value:x2:policy:minX:)`` without an x2, for a file that has none, with
    /// `--min-x` as `floor` (−∞ without one): the common case, a finite point after a single
    /// pending one, commits that one inline, with the answer ``commit(policy:minX:)`` gives
    /// for a group of one (its value, whatever the policy). Anything else goes to `add`.
    @_transparent
    mutating func addFollowing(x: Double, value: Double, floor: Double, policy: RepeatedStepPolicy, minX: Double?) -> Bool {
        if pendingCount == 1 && x > pendingX && x < .infinity && value.magnitude < .infinity && kept > 0 {
            let previous = pendingLast
            if pendingX < floor {
                belowMinX &+= 1
            } else {
                kept &+= 1
                if previous < valueMin { valueMin = previous }
                if valueMax < previous { valueMax = previous }
                xLast = pendingX
                valueLast = previous
            }
            pendingX = x
            pendingFirst = value; pendingLast = value; pendingSum = 0 + value
            return true
        }
        return add(x: x, value: value, x2: nil, policy: policy, minX: minX)
    }

    /// Turns the pending group into one kept point (or a drop below `--min-x`).
    @inline(__always)
    mutating func commit(policy: RepeatedStepPolicy, minX: Double?) {
        guard pendingCount > 0 else { return }
        let value: Double
        switch policy {
        case .first: value = pendingFirst
        case .last, .keep: value = pendingLast
        case .mean: value = pendingCount > 1 ? pendingSum / Double(pendingCount) : pendingLast
        }
        if pendingMixed { repeated += pendingCount - 1 } else { duplicates += pendingCount - 1 }
        pendingMixed = false
        pendingCount = 0
        let x = pendingX
        if let minX, x < minX { belowMinX += 1; return }
        kept += 1
        if kept == 1 {
            xFirst = x
            valueFirst = value; valueMin = value; valueMax = value
            x2Min = pendingX2; x2Max = pendingX2
        } else {
            // The folds of Sequence.min() and max(), so a NaN x2 gives the same answer.
            if value < valueMin { valueMin = value }
            if valueMax < value { valueMax = value }
            if pendingX2 < x2Min { x2Min = pendingX2 }
            if x2Max < pendingX2 { x2Max = pendingX2 }
        }
        xLast = x
        valueLast = value
    }
}
